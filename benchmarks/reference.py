"""The yardstick of the benchmark: one bare WeasyPrint render of a one-page A4 Japanese document.

The issue ("Performance") states the pipeline's speed as a ratio to this render, so the figure
means the same on a fast or a slow machine: wall time of ``ninbai build`` per PDF divided by the
median time of one render of a plain one-page A4 document in the PDF fonts, with a 25-row table,
in one warm process (WeasyPrint imported, fonts loaded, several renders done before timing).

"Bare" means the plain public API, ``HTML(string=...).write_pdf(font_config=...)``, with the
stylesheet inline in the document; the one ``FontConfiguration`` is kept across renders, as any
long-lived process would, so the yardstick is not inflated by font set-up.
"""

from __future__ import annotations

import statistics
import time
from html import escape

#: Rows of the reference table (the issue: "a 25-row table").
TABLE_ROWS = 25
#: Renders timed (the brief: a median of at least 20 after warm-up) and renders not timed.
TIMED_RENDERS = 20
WARM_UP_RENDERS = 3

_ITEMS = ("仲介手数料", "抵当権抹消登記費用", "管理費等滞納分", "引越費用", "印紙代",
          "差押解除料", "破産財団組入金", "残置物撤去費", "測量費", "固定資産税精算金")


def reference_html(font_family: str) -> str:
    """A one-page A4 letter: title, addressee, two paragraphs and a 25-row money table."""
    rows = "\n".join(
        f"<tr><td>{i}</td><td>{_ITEMS[i % len(_ITEMS)]}</td><td>株式会社サンプル{i}号</td>"
        f"<td class='n'>{(i * 137_500):,}円</td></tr>"
        for i in range(1, TABLE_ROWS + 1))
    return f"""<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 20mm 18mm; }}
html {{ font-family: {escape(font_family, quote=False)}; font-size: 10pt; }}
h1 {{ font-size: 15pt; text-align: center; margin: 0 0 6mm; }}
p {{ margin: 0 0 3mm; line-height: 1.5; }}
table {{ width: 100%; border-collapse: collapse; }}
th, td {{ border: 0.5pt solid #000; padding: 1.2mm 2mm; }}
td.n {{ text-align: right; }}
</style></head><body>
<h1>任意売却に関する配分案（参考）</h1>
<p>東都みらい銀行 融資管理部 御中</p>
<p>令和8年11月30日付で、下記物件の任意売却につき、売却代金の配分案を次のとおりご提案いたします。
ご検討のうえ、抵当権抹消へのご同意をお願い申し上げます。</p>
<table><thead><tr><th>番号</th><th>項目</th><th>支払先</th><th>金額</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<p>以上</p>
</body></html>"""


def time_reference(timed: int = TIMED_RENDERS, warm_up: int = WARM_UP_RENDERS) -> dict:
    """Seconds of each timed render (wall and CPU) and their median, after ``warm_up`` renders.

    Also returns the page count, so a change of fonts or CSS that spills onto a second page
    (and would double the yardstick) is visible in the report.
    """
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from pipeline.render.fonts import PDF_FONT_FAMILY

    html, font_config = reference_html(PDF_FONT_FAMILY), FontConfiguration()
    for _ in range(warm_up):
        HTML(string=html).write_pdf(font_config=font_config)
    seconds, cpu = [], []
    for _ in range(timed):
        started, started_cpu = time.perf_counter(), time.process_time()
        HTML(string=html).write_pdf(font_config=font_config)
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    pages = len(HTML(string=html).render(font_config=font_config).pages)
    return {"median": statistics.median(seconds), "seconds": seconds, "cpu": cpu, "pages": pages}
