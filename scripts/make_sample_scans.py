"""Write fictional attachments for sample case 2026-0142 into inputs/2026-0142/ (docs/attachments.md).

Two files staff typically put beside a case workbook, made here rather than downloaded, every
name, address and figure invented (they agree with scripts/make_samples.py's 2026-0142):

- ``価格査定書.pdf``: a one-page 価格査定書 as a broker's software exports it (text, not a scan),
  laid out by WeasyPrint with the IPAex fonts;
- ``買付証明書.png``: a 買付証明書 as a scanner saves it: A4, 200 dpi, grey, drawn with Pillow.

Deterministic: the same script and libraries write the same bytes.

Usage: .venv/bin/python scripts/make_sample_scans.py [--out DIR]   (default: inputs/2026-0142/)
"""

from __future__ import annotations

import argparse
import io
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parent.parent
CASE_ID = "2026-0142"
#: A4 at 200 dpi, the resolution office scanners use for documents.
SCAN_DPI = 200
SCAN_SIZE = (round(210 / 25.4 * SCAN_DPI), round(297 / 25.4 * SCAN_DPI))

APPRAISAL_HTML = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 22mm 20mm; }
body { font-family: "IPAexMincho"; font-size: 10.5pt; line-height: 1.7; }
h1 { font-family: "IPAexGothic"; text-align: center; font-size: 20pt; letter-spacing: 0.5em; }
.right { text-align: right; }
table { border-collapse: collapse; width: 100%; margin: 4mm 0; }
th, td { border: 0.6pt solid #000; padding: 1.5mm 3mm; text-align: left; }
th { width: 32%; background: #eee; font-weight: normal; }
.price { font-family: "IPAexGothic"; font-size: 16pt; text-align: center; margin: 6mm 0; }
</style></head><body>
<p class="right">2026年11月10日</p>
<p>松本 浩二 様</p>
<h1>価格査定書</h1>
<p>ご所有の下記不動産について、近隣の取引事例等に基づき、次のとおり査定いたしました。</p>
<p class="price">査定価格　金 14,000,000 円</p>
<table>
<tr><th>物件の名称</th><td>グランメゾン港町 305号室</td></tr>
<tr><th>所在</th><td>みなと川市港町三丁目 999番地5</td></tr>
<tr><th>構造・専有面積</th><td>鉄筋コンクリート造・68.45㎡（3LDK）</td></tr>
<tr><th>査定の方法</th><td>取引事例比較法</td></tr>
<tr><th>取引事例</th><td>同一マンション内の成約事例3件（2025年6月〜2026年9月）
㎡単価 20.1万円〜21.3万円</td></tr>
<tr><th>補正</th><td>築年数 −2%、所在階（3階）−1%、方位（南東）+1%</td></tr>
<tr><th>売出価格の目安</th><td>14,800,000 円</td></tr>
</table>
<p>本査定は、査定日現在の市場動向に基づくもので、成約価格を保証するものではありません。</p>
<p class="right">みなと川不動産販売株式会社<br>宅地建物取引業 みなと川県知事(2)第99999号<br>
担当 宅地建物取引士 森田 修</p>
</body></html>
"""

#: The 買付証明書's lines: (text, size in points, indent in mm).
OFFER_LINES: tuple[tuple[str, int, int], ...] = (
    ("2026年11月16日", 11, 140),
    ("売主 松本 浩二 様", 12, 0),
    ("買 付 証 明 書", 22, 55),
    ("私は、下記不動産を下記の条件にて購入することを証明いたします。", 11, 0),
    ("１．物件　グランメゾン港町 305号室（みなと川市港町三丁目 999番地5）", 11, 0),
    ("２．購入価格　金 14,000,000 円", 11, 0),
    ("３．手付金　金 700,000 円（契約時）", 11, 0),
    ("４．契約予定日　2026年12月11日", 11, 0),
    ("５．引渡予定日　2027年1月29日（残代金決済時）", 11, 0),
    ("６．条件　抵当権者等の同意による任意売却であること", 11, 0),
    ("買主　住所　みなと川市北町一丁目99番9号", 11, 70),
    ("氏名　田村 直樹　　　㊞", 11, 82),
)


def appraisal_pdf() -> bytes:
    """The one-page 価格査定書 (text PDF)."""
    from weasyprint import HTML

    return HTML(string=APPRAISAL_HTML).write_pdf()


def _font(family: str) -> str:
    """The file of an installed font family (fontconfig), as scripts/setup.sh installs it."""
    return subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True,
                          text=True, check=True).stdout


def offer_scan() -> bytes:
    """The 買付証明書 as a 200 dpi grey PNG scan, its resolution stated in the file."""
    image = Image.new("L", SCAN_SIZE, 250)  # scanner paper is not pure white
    draw = ImageDraw.Draw(image)
    mincho = _font("IPAexMincho")
    px_per_mm = SCAN_DPI / 25.4
    y = 25 * px_per_mm
    for text, points, indent in OFFER_LINES:
        size = round(points / 72 * SCAN_DPI)
        font = ImageFont.truetype(mincho, size)
        draw.text(((20 + indent) * px_per_mm, y), text, font=font, fill=20)
        y += size * (3.2 if points > 14 else 2.1)
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(SCAN_DPI, SCAN_DPI), optimize=True)
    return out.getvalue()


def write_scans(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in (("価格査定書.pdf", appraisal_pdf()), ("買付証明書.png", offer_scan())):
        path = out_dir / name
        path.write_bytes(data)
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "inputs" / CASE_ID)
    for path in write_scans(parser.parse_args().out):
        print(path)


if __name__ == "__main__":
    main()
