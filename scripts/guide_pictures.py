"""Make the pictures of the staff guide (docs/利用ガイド.md) from the sample cases.

The guide shows staff what they will see: a filled-in workbook, the review page (確認ページ) and a
letter. So that the pictures never drift from the tool, they are made, not drawn: this script
writes the samples (scripts/make_samples.py) into a temporary folder, runs the real
``ninbai build`` on them for the samples' batch date, and takes

- ``workbook_case.png`` / ``workbook_creditors.png``: the sheet 案件 and the first eight columns
  (順位 … プロファイル) of the sheet 債権者 of sample 2026-0148,
  drawn from the workbook's own cells (values as Excel shows them under their number formats,
  column widths, header fill) as an HTML page that looks like Excel — column letters, row
  numbers, gridlines, the sheet tabs — and photographed with headless Chromium (there is no
  Excel or LibreOffice on the machine);
- ``workbook_new.png``: the top of the 案件 sheet of a blank workbook from ``ninbai new-case``
  (必須 marks and input hints);
- ``review.png``: the top of the batch's index.html in headless Chromium;
- ``serve_case.png``: the case page of ``ninbai serve`` (served by waitress on 127.0.0.1 for the
  moment of the picture) for the same sample, in a window narrow enough that the PDF preview sits
  below the part shown (headless Chromium paints its PDF viewer as a grey box);
- ``letter.png`` / ``household.png``: the first page of 2026-0148's first 同意申請書 and of its
  生活状況表, rendered by ``pdftoppm -r 70``.

No network; the same inputs give the same pictures (the review page also shows when the batch was
made, so that line changes from run to run). The PNGs are committed, so they are made small: cropped
to their content and reduced to a palette of at most 128 colours.

Usage: .venv/bin/python scripts/guide_pictures.py [--out docs/images/guide] [--date 2026-11-30]
Needs chromium and pdftoppm (``bash scripts/setup.sh --dev`` installs both) and the IPAex fonts.
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from PIL import Image, ImageChops

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "docs" / "images" / "guide"
#: The case the guide follows from workbook to letter: five creditors (JHF, a guarantor, a 信用組合,
#: two tax seizures), so every column of 債権者 is used and there are several letters.
GUIDE_CASE = "2026-0148"
#: The company of the pictures' letters: fictional, as the samples are (555 phone block).
GUIDE_CONFIG = """\
[company]
name = "株式会社ひばり不動産コンサルティング"
address = "東京都ひばり野市中央一丁目999番地 ひばりビル3階"
phone = "03-5555-0100"
license_no = "東京都知事(2)第99999号"
representative = "代表取締役 山本 誠"
"""
#: Every picture the guide shows, by file name (tests/test_guide.py checks the guide against it).
PICTURES = ("workbook_new.png", "workbook_case.png", "workbook_creditors.png", "review.png",
            "serve_case.png",
            "letter.png", "household.png")
PALETTE_COLOURS = 128
LETTER_DPI = 70


# --------------------------------------------------------------------------- running the tool


def ninbai(*args: str, cwd: Path) -> None:
    """Run the installed ``ninbai`` command (the one beside this interpreter) in ``cwd``."""
    command = Path(sys.executable).with_name("ninbai")
    argv = [str(command)] if command.exists() else [sys.executable, "-c",
                                                     "from pipeline.cli import main; main()"]
    subprocess.run([*argv, *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def build_samples(work: Path, batch_date: str) -> Path:
    """Write the samples into work/inputs and build them; the batch folder."""
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_samples.py"),
                    "--out", str(work / "inputs")], check=True, stdout=subprocess.DEVNULL)
    # 2026-0142's 添付 sheet names the scans of its folder: without them the case fails
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_sample_scans.py"),
                    "--out", str(work / "inputs" / "2026-0142")], check=True,
                   stdout=subprocess.DEVNULL)
    (work / "ninbai.toml").write_text(GUIDE_CONFIG, encoding="utf-8")
    # Relative paths and cwd=work: the review page names the input as staff would see it.
    ninbai("--config", "ninbai.toml", "build", "inputs", "--out", "outputs", "--date", batch_date,
           cwd=work)
    (work / "new").mkdir()
    ninbai("--config", "ninbai.toml", "new-case", "new/2026-0180.xlsx", "--case-id", "2026-0180",
           cwd=work)
    return work / "outputs" / batch_date


# --------------------------------------------------------------------------- a sheet as Excel shows it


def shown_value(value: object, number_format: str) -> str:
    """The text Excel shows for a cell value under the number formats the workbooks use."""
    if value is None:
        return ""
    if isinstance(value, (datetime, date)):
        if "年" in number_format:  # yyyy"年"m"月"
            return f"{value.year}年{value.month}月"
        return f"{value.year:04d}/{value.month:02d}/{value.day:02d}"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        if number_format == "#,##0":
            return f"{value:,.0f}"
        if number_format.endswith("%"):
            decimals = number_format.split(".")[1].count("0") if "." in number_format else 0
            return f"{value * 100:.{decimals}f}%"
        if number_format.startswith("0.") and number_format[2:].strip("0") == "":
            return f"{value:.{len(number_format) - 2}f}"
        return str(int(value)) if float(value).is_integer() else str(value)
    return str(value)


def column_px(sheet: Worksheet, letter: str) -> int:
    """Excel's column width (in characters of the default font) as screen pixels."""
    width = sheet.column_dimensions[letter].width if letter in sheet.column_dimensions else None
    return round((width or 8.43) * 7 + 5)


def cell_style(cell: Cell) -> str:
    """The cell's fill, bold, colour and alignment as CSS."""
    styles = []
    if cell.fill is not None and cell.fill.fill_type == "solid" and cell.fill.fgColor.type == "rgb":
        styles.append(f"background:#{cell.fill.fgColor.rgb[-6:]}")
    if cell.font is not None and cell.font.b:
        styles.append("font-weight:bold")
    if cell.font is not None and cell.font.color is not None and cell.font.color.type == "rgb" \
            and cell.font.color.rgb not in (None, "FF000000"):
        styles.append(f"color:#{cell.font.color.rgb[-6:]}")
    align = cell.alignment.horizontal if cell.alignment is not None else None
    if align is None and isinstance(cell.value, (int, float, datetime, date)) \
            and not isinstance(cell.value, bool):
        align = "right"  # Excel's General alignment: numbers and dates to the right
    if align in ("center", "right"):
        styles.append(f"text-align:{align}")
    return ";".join(styles)


def sheet_html(path: Path, active: str, max_col: int, max_row: int) -> str:
    """One sheet of a workbook as an Excel-like HTML page, with the workbook's tabs below it."""
    book = load_workbook(path)
    sheet = book[active]
    cols = [get_column_letter(c) for c in range(1, min(sheet.max_column, max_col) + 1)]
    rows = min(sheet.max_row, max_row)
    head = "".join(f'<th class="col" style="width:{column_px(sheet, c)}px">{c}</th>' for c in cols)
    body = []
    for r in range(1, rows + 1):
        cells = []
        for c in cols:
            cell = sheet[f"{c}{r}"]
            text = html.escape(shown_value(cell.value, cell.number_format))
            cells.append(f'<td style="{cell_style(cell)}">{text}</td>')
        body.append(f'<tr><th class="row">{r}</th>{"".join(cells)}</tr>')
    tabs = "".join(f'<span class="tab{" on" if name == active else ""}">{html.escape(name)}</span>'
                   for name in book.sheetnames)
    return f"""<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><style>
body {{ margin: 0; background: #fff; font: 13px "IPAexGothic", sans-serif; color: #000; }}
.sheet {{ display: inline-block; margin: 8px; border: 1px solid #9a9a9a; }}
table {{ border-collapse: collapse; table-layout: fixed; }}
th, td {{ border: 1px solid #d4d4d4; height: 20px; padding: 0 4px; white-space: nowrap;
          overflow: hidden; text-overflow: clip; }}
th {{ background: #efefef; color: #444; font-weight: normal; text-align: center; }}
th.row {{ width: 32px; }}
th.corner {{ width: 32px; }}
.tabs {{ background: #efefef; border-top: 1px solid #9a9a9a; padding: 0 0 0 40px; height: 24px; }}
.tab {{ display: inline-block; padding: 2px 12px; border-right: 1px solid #c8c8c8; color: #444; }}
.tab.on {{ background: #fff; color: #217346; font-weight: bold; border-bottom: 2px solid #217346; }}
</style></head><body><div class="sheet">
<table><tr><th class="corner"></th>{head}</tr>
{"".join(body)}
</table><div class="tabs">{tabs}</div></div></body></html>"""


# --------------------------------------------------------------------------- pictures


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        sys.exit("chromium がありません（bash scripts/setup.sh --dev で入ります）")
    return found


def screenshot(page: Path | str, png: Path, width: int, height: int, profile: Path) -> None:
    """The page (a file, or a URL) as headless Chromium draws it in a window of width × height
    pixels."""
    subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--force-device-scale-factor=1", f"--user-data-dir={profile}",
         f"--window-size={width},{height}", f"--screenshot={png}",
         page if isinstance(page, str) else page.as_uri()],
        check=True, capture_output=True, timeout=120)


def first_page(pdf: Path, png: Path) -> None:
    """Page 1 of a PDF at LETTER_DPI (A4 ≈ 579 × 819 pixels at 70 dpi)."""
    stem = png.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", str(LETTER_DPI), "-f", "1", "-l", "1",
                    "-singlefile", str(pdf), str(stem)], check=True, capture_output=True)


def shrink(png: Path, crop_white: bool) -> None:
    """Crop to the content (plus a margin) and store as a palette PNG: the files are committed."""
    image = Image.open(png).convert("RGB")
    if crop_white:
        box = ImageChops.difference(image, Image.new("RGB", image.size, "white")).getbbox()
        if box:
            margin = 6
            image = image.crop((max(box[0] - margin, 0), max(box[1] - margin, 0),
                                min(box[2] + margin, image.width),
                                min(box[3] + margin, image.height)))
    image.quantize(colors=PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
                   ).save(png, optimize=True)


def document(batch: Path, case_id: str, kind: str) -> Path:
    """The PDF of the case's first document of ``kind``, as its case.json lists them."""
    data = json.loads((batch / case_id / "case.json").read_text(encoding="utf-8"))
    for entry in data["documents"]:
        if entry["kind"] == kind:
            return batch / case_id / entry["pdf"]
    raise SystemExit(f"{case_id}: {kind} の書類がありません")


def serve_picture(batch: Path, png: Path, profile: Path) -> None:
    """The case page of ``ninbai serve`` for GUIDE_CASE, served on a free port of 127.0.0.1."""
    from pipeline.config import load_config
    from pipeline.serve import served_in_thread
    from pipeline.serve.app import ServeSettings, create_app
    from pipeline.serve.rebuild import WarmBuilder

    # the page as `ninbai serve` shows it, with its rebuild button; the builder's worker starts
    # only at a first rebuild, which the picture never asks for
    builder = WarmBuilder(load_config(batch.parent.parent / "ninbai.toml"))
    with served_in_thread(create_app(ServeSettings(batch.parent, builder=builder))) as base:
        screenshot(f"{base}/b/{batch.name}/c/{GUIDE_CASE}/", png, 1000, 1400, profile)


def make_pictures(out: Path, batch_date: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ninbai-guide-") as tmp:
        work = Path(tmp)
        batch = build_samples(work, batch_date)
        profile = work / "chromium-profile"
        sheets = [("workbook_new.png", work / "new" / "2026-0180.xlsx", "案件", 4, 16),
                  ("workbook_case.png", work / "inputs" / f"{GUIDE_CASE}.xlsx", "案件", 2, 40),
                  ("workbook_creditors.png", work / "inputs" / f"{GUIDE_CASE}.xlsx", "債権者", 8, 12)]
        for name, workbook, sheet, max_col, max_row in sheets:
            page = work / f"{name}.html"
            page.write_text(sheet_html(workbook, sheet, max_col, max_row), encoding="utf-8")
            screenshot(page, out / name, 2000, 1200, profile)
            shrink(out / name, crop_white=True)
        screenshot(batch / "index.html", out / "review.png", 1000, 1000, profile)
        shrink(out / "review.png", crop_white=False)
        serve_picture(batch, out / "serve_case.png", profile)
        shrink(out / "serve_case.png", crop_white=False)
        for name, kind in (("letter.png", "sale_request"), ("household.png", "household_statement")):
            first_page(document(batch, GUIDE_CASE, kind), out / name)
            shrink(out / name, crop_white=False)
    return [out / name for name in PICTURES]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the PNGs go")
    parser.add_argument("--date", default="2026-11-30", help="the batch date of the samples")
    args = parser.parse_args(argv)
    for png in make_pictures(args.out, args.date):
        print(f"{png.name}: {png.stat().st_size:,} bytes, {Image.open(png).size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
