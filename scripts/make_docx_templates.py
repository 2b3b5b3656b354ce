"""Build the Word templates templates/<kind>.docx with python-docx (run after editing this file).

The .docx templates are generated rather than drawn by hand so that they are reproducible and a
change to them is reviewable in a diff of this script. Staff may still open a generated file in
Word and adjust it (fonts, spacing, wording): the Jinja tags (``{{ … }}``, ``{%tr … %}``) must stay
intact, one tag per run — retype a tag rather than formatting half of it.

Layout, as the PDF templates (templates/*.html): A4 portrait, 20 mm margins, Mincho body, bold
centred title, tables whose header row repeats on every page (w:tblHeader) and whose rows do not
split (w:cantSplit), amounts right-aligned, page numbers ``1 / 3`` in the footer (PAGE and
NUMPAGES fields). The variables are the fields of the view models in pipeline/documents/.

Usage: ``.venv/bin/python scripts/make_docx_templates.py [OUT_DIR]`` (default: templates/).
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

#: The East Asian (and Latin) font of every text. ＭＳ 明朝 is on every Japanese Windows, where
#: creditors open these files; LibreOffice on Linux maps it to IPAex明朝 (fontconfig alias).
#: IPAex明朝 named here would make Word substitute a font of its choosing instead.
FONT = "ＭＳ 明朝"
BODY_PT = 10.5  # the usual size of Japanese business letters
TABLE_PT = 9
TEXT_WIDTH_MM = 170  # A4 210 mm − 2 × 20 mm
MINE = "FFF6D5"  # shading of the addressee's own rows, as in documents.css (tr.mine)
HEAD = "E8E8E8"  # header cells
TOTAL = "F3F3F3"  # total rows
FIXED_DATE = datetime(2026, 1, 1)  # core properties and zip dates: the same bytes on every build
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


# ------------------------------------------------------------------------------ document set-up


def new_document(title: str):
    """A4 portrait, 20 mm margins, Mincho body in every style that matters, page numbers."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin"):
        setattr(section, side, Mm(20))
    section.bottom_margin, section.footer_distance = Mm(22), Mm(10)
    set_fonts(doc)
    page_number_footer(section)
    drop_unused_parts(doc)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, "ninbai", "ninbai"
    props.created = props.modified = FIXED_DATE
    props.revision = 1
    return doc


def drop_unused_parts(doc) -> None:
    """Remove what python-docx's default template carries but a letter must not: its thumbnail
    (a picture of another document, shown by Explorer), the bibliography (customXml) and the
    438 KB stylesWithEffects copy of the styles. A part no relationship reaches is not saved."""
    unused = {RT.THUMBNAIL, RT.CUSTOM_XML, STYLES_WITH_EFFECTS}
    for rels in (doc.part.package.rels, doc.part.rels):
        for rid in [rid for rid, rel in rels.items() if rel.reltype in unused]:
            del rels[rid]


def prune_styles(doc) -> None:
    """Keep only the styles the document uses (and what they are based on).

    python-docx's default template defines 164 styles (383 KB of styles.xml) that docxtpl would
    parse and save with every letter; a letter uses six.
    """
    root = doc.styles.element
    parts = [doc.element] + [s.footer._element for s in doc.sections]
    used = {el.get(qn("w:val")) for part in parts
            for tag in ("w:pStyle", "w:rStyle", "w:tblStyle") for el in part.iter(qn(tag))}
    styles = {st.get(qn("w:styleId")): st for st in root.iterfind(qn("w:style"))}
    used |= {sid for sid, st in styles.items() if st.get(qn("w:default")) == "1"}
    todo = list(used)
    while todo:  # the styles a kept style is based on, linked to, or followed by
        style = styles.get(todo.pop())
        for tag in ("w:basedOn", "w:link", "w:next"):
            ref = style.find(qn(tag)) if style is not None else None
            if ref is not None and ref.get(qn("w:val")) not in used:
                used.add(ref.get(qn("w:val")))
                todo.append(ref.get(qn("w:val")))
    for sid, style in styles.items():
        if sid not in used:
            root.remove(style)


def set_fonts(doc) -> None:
    """Mincho for Latin and East Asian text in the defaults and the styles used here.

    python-docx only sets w:ascii/w:hAnsi; Word picks Japanese text's font from w:eastAsia, and a
    theme font attribute (w:eastAsiaTheme) would override an explicit name, so those are removed.
    """
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    _mincho(defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")))
    for name in ("Normal", "Table Grid", "List Number", "Footer"):
        style = doc.styles[name]
        style.font.name, style.font.size = FONT, Pt(BODY_PT)
        _mincho(style.element.get_or_add_rPr())
    normal = doc.styles["Normal"].paragraph_format
    normal.space_before, normal.space_after, normal.line_spacing = Pt(0), Pt(0), 1.15


def _mincho(rpr) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "ja-JP")  # Japanese line breaking (禁則処理) in Word


def page_number_footer(section) -> None:
    """「1 / 3」: PAGE and NUMPAGES fields, centred."""
    para = section.footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(para, "PAGE", "1")
    _run(para, " / ", size=9)
    _field(para, "NUMPAGES", "1")


def _field(para, code: str, shown: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {code} ")
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "18")
    rpr.append(size)
    text = OxmlElement("w:t")
    text.text = shown
    run.extend([rpr, text])
    field.append(run)
    para._p.append(field)


# ------------------------------------------------------------------------------ paragraphs


def _run(para, text: str, *, size: float | None = None, bold: bool = False):
    run = para.add_run(text)
    run.bold = bold or None
    if size:
        run.font.size = Pt(size)
    return run


def para(
    doc,
    text: str = "",
    *,
    align: str = "left",
    indent_mm: float = 0,
    first_line: bool = False,
    size: float | None = None,
    bold: bool = False,
    before: float = 0,
    after: float = 0,
):
    """One paragraph with one run (a Jinja tag must never be split across runs)."""
    p = doc.add_paragraph()
    p.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    fmt = p.paragraph_format
    fmt.left_indent = Mm(indent_mm) if indent_mm else None
    fmt.first_line_indent = Pt(BODY_PT) if first_line else None
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if text:
        _run(p, text, size=size, bold=bold)
    return p


def tag(doc, statement: str) -> None:
    """A paragraph docxtpl removes, keeping only the Jinja statement: ``{%p if x %}``."""
    doc.add_paragraph(f"{{%p {statement} %}}")


def title(doc) -> None:
    spaced(para(doc, "{{ title }}", align="center", size=16, bold=True, before=8, after=10), 4)


def spaced(p, points: float):
    """Letter-spacing of a title (w:spacing, in twentieths of a point), as the PDF's
    letter-spacing: a spaced-out 表題 is the custom of Japanese forms."""
    for run in p.runs:
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(round(points * 20)))
        run._r.get_or_add_rPr().append(spacing)
    return p


def heading(doc, text: str) -> None:
    p = para(doc, text, size=11, bold=True, before=8, after=3)
    p.paragraph_format.keep_with_next = True
    _bottom_border(p)


def subheading(doc, text: str) -> None:
    p = para(doc, text, before=4, after=2)
    p.paragraph_format.keep_with_next = True


def _bottom_border(p) -> None:
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "4"), ("space", "1"), ("color", "000000")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    ppr.append(borders)


def letterhead(doc) -> None:
    """Date (right), addressee (left), sender block (right half), as in _parts.html."""
    para(doc, "{{ date_text }}", align="right", after=6)
    para(doc, "{{ addressee }}", size=12, after=8)
    sender(doc)


def applicant_letterhead(doc) -> None:
    """Date, addressee, then 申出人（債務者） with a 印 for the debtor's seal, and our company
    below as 作成・連絡先, smaller (as _parts.applicant_letterhead): the debtor makes the offer;
    a broker may not negotiate a debt for them (弁護士法72条, domain.md §6)."""
    para(doc, "{{ date_text }}", align="right", after=6)
    para(doc, "{{ addressee }}", size=12, after=8)
    for text, size in (("申出人（債務者）", 10), ("{{ debtor.address }}", 10),
                       ("{{ debtor.name }}　　　　印", 11)):
        para(doc, text, indent_mm=80, size=size)
    para(doc, after=3)
    lines = [
        (None, "（作成・連絡先）{{ company.name }}"),
        ("company.address", "{{ company.address }}"),
        ("company.license_no", "宅地建物取引業免許番号　{{ company.license_no }}"),
        ("company.phone or company.staff",
         ("{% if company.phone %}電話　{{ company.phone }}{% endif %}"
         "{% if company.phone and company.staff %}　{% endif %}"
         "{% if company.staff %}担当　{{ company.staff }}{% endif %}")),
    ]
    company_lines(doc, lines, size=8.5)


def sender(doc) -> None:
    lines = [
        ("company.address", "{{ company.address }}"),
        (None, "{{ company.name }}"),
        ("company.representative", "{{ company.representative }}"),
        ("company.license_no", "宅地建物取引業免許番号　{{ company.license_no }}"),
        ("company.phone", "電話　{{ company.phone }}"),
        ("company.staff", "担当　{{ company.staff }}"),
    ]
    company_lines(doc, lines, size=10)


def company_lines(doc, lines: list, size: float) -> None:
    """The office's lines at the right: each (condition, text) printed only when it holds."""
    for condition, text in lines:
        if condition:
            tag(doc, f"if {condition}")
        para(doc, text, indent_mm=80, size=size)
        if condition:
            tag(doc, "endif")
    para(doc, after=6)


# ------------------------------------------------------------------------------ tables


@dataclass(frozen=True)
class Col:
    """A table column: header text, width in mm, alignment of its cells."""

    header: str
    width: float
    align: str = "left"  # left / right / center


def _align(cell, align: str) -> None:
    for p in cell.paragraphs:
        p.alignment = {
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
        }[align]
        if align == "right":
            _no_digit_space(p._p.get_or_add_pPr())


def _no_digit_space(ppr) -> None:
    """An amount cell without Word's space between digits and 円 (段落 › 体裁 › 日本語と数字の
    間隔を自動調整する): 100,000,000円 then fits a 24 mm column, as in the PDF."""
    flag = OxmlElement("w:autoSpaceDN")
    flag.set(qn("w:val"), "0")
    # CT_PPrBase order: w:autoSpaceDN comes before w:bidi … w:spacing, w:ind, w:jc
    later = {qn(f"w:{t}") for t in ("bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
                                   "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc")}
    anchor = next((child for child in ppr if child.tag in later), None)
    if anchor is None:
        ppr.append(flag)
    else:
        anchor.addprevious(flag)


def _shade(cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    for key, value in (("val", "clear"), ("color", "auto"), ("fill", fill)):
        shd.set(qn(f"w:{key}"), value)
    cell._tc.get_or_add_tcPr().append(shd)


def _row_flags(row, *, header: bool = False) -> None:
    """Rows never split across pages; the header row repeats on every page."""
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


def new_table(doc, cols: list[Col], *, header: bool = True):
    """A fixed-layout grid table with the given column widths (and a shaded header row)."""
    table = doc.add_table(rows=0, cols=len(cols))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for col, spec in zip(table.columns, cols, strict=True):
        col.width = Mm(spec.width)
    cell_margins(table)
    if header:
        row = add_row(table, cols, [c.header for c in cols], align="center", fill=HEAD)
        _row_flags(row, header=True)
    return table


def cell_margins(table) -> None:
    """Cell padding as the PDF's (0.8 mm above and below, 1.5 mm at the sides) instead of Word's
    1.9 mm sides, which wrapped 9-digit amounts and short labels (連帯債務者・保証人)."""
    margins = OxmlElement("w:tblCellMar")
    for side, mm in (("top", 0.8), ("left", 1.5), ("bottom", 0.8), ("right", 1.5)):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(round(mm * 1440 / 25.4)))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    table._tbl.tblPr.append(margins)


def add_row(
    table,
    cols: list[Col],
    texts: list[str],
    *,
    align: str | None = None,
    fill: str | None = None,
    bg_expr: str | None = None,
):
    """One row of cells (each text one run); ``bg_expr`` is a Jinja colour for docxtpl's cellbg."""
    row = table.add_row()
    _row_flags(row)
    for cell, spec, text in zip(row.cells, cols, texts, strict=True):
        cell.width = Mm(spec.width)
        cell_text = f"{{% cellbg {bg_expr} %}}{text}" if bg_expr else text
        run = cell.paragraphs[0].add_run(cell_text)
        run.font.size = Pt(TABLE_PT)
        _align(cell, align or spec.align)
        if fill:
            _shade(cell, fill)
    return row


def tag_row(table, cols: list[Col], statement: str) -> None:
    """A row docxtpl removes, keeping only the statement: ``{%tr for row in liens %}``."""
    row = table.add_row()
    row.cells[0].paragraphs[0].add_run(f"{{%tr {statement} %}}")
    for cell, spec in zip(row.cells, cols, strict=True):
        cell.width = Mm(spec.width)


def loop_table(
    doc,
    cols: list[Col],
    loop: str,
    cells: list[str],
    *,
    mine: str | None = None,
    totals: list[str] | None = None,
    empty: str | None = None,
    bg: str | None = None,
):
    """Header, one row per item of ``loop`` (``"l in liens"``), optional total row.

    ``mine``: the item's flag that shades its row like the PDF's tr.mine. ``empty``: the text of
    a single row shown when the list is empty (記載なし). ``bg``: any other Jinja colour expression.
    """
    table = new_table(doc, cols)
    tag_row(table, cols, f"for {loop}")
    bg = f'"{MINE}" if {mine} else "auto"' if mine else bg
    add_row(table, cols, cells, bg_expr=bg)
    if empty:
        tag_row(table, cols, "else")
        merge_label(add_row(table, cols, [empty] + [""] * (len(cols) - 1)))
    tag_row(table, cols, "endfor")
    if totals:
        merge_label(add_row(table, cols, totals, fill=TOTAL))
    return table


def merge_label(row) -> None:
    """「合計」 spans the empty cells after it, as the PDF's colspan."""
    cells = row.cells
    last = next((i for i in range(1, len(cells)) if cells[i].text), len(cells)) - 1
    if last > 0:
        merged = cells[0].merge(cells[last])
        for extra in merged.paragraphs[1:]:  # the empty cells' paragraphs would be blank lines
            merged._tc.remove(extra._p)
        merged.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT


def kv_table(
    doc,
    rows: list[tuple[str, str] | tuple[str, str, str]],
    widths=(32, 138),
    *,
    right: bool = False,
    mine: tuple[int, ...] = (),
):
    """Label | value rows; a third item is a Jinja condition for the row (``debtor.phone``)."""
    cols = [Col("", widths[0]), Col("", widths[1], "right" if right else "left")]
    table = new_table(doc, cols, header=False)
    for i, (label, value, *condition) in enumerate(rows):
        if condition:
            tag_row(table, cols, f"if {condition[0]}")
        row = add_row(table, cols, [label, value])
        _shade(row.cells[0], MINE if i in mine else HEAD)
        if i in mine:
            _shade(row.cells[1], MINE)
        if condition:
            tag_row(table, cols, "endif")
    keep_together(table)  # a small table stays on one page, as in the PDF
    return table


def pairs_table(doc, rows_var: str) -> None:
    """Label | value | label | value rows of a view's pairs of Fact (売却の条件)."""
    cols = [Col("", 28), Col("", 57), Col("", 28), Col("", 57)]
    table = new_table(doc, cols, header=False)
    tag_row(table, cols, f"for a, b in {rows_var}")
    texts = ["{{ a.label }}", "{{ a.text }}", "{{ b.label }}", "{{ b.text }}"]
    row = add_row(table, cols, texts)
    _shade(row.cells[0], HEAD)
    _shade(row.cells[2], HEAD)
    tag_row(table, cols, "endfor")
    keep_together(table)


def amounts_loop(doc, rows_var: str) -> None:
    """項目 | 金額 | 算出根拠 rows of a LabelledAmount list (競売との比較), the last row (the
    result) shaded as a total, kept on one page as the PDF's table.basis."""
    cols = [Col("項目", 66), Col("金額", 28, "right"), Col("算出根拠", 76)]
    table = loop_table(doc, cols, f"row in {rows_var}",
                       ["{{ row.label }}", "{{ row.amount_text }}", "{{ row.note }}"],
                       bg=f'"{TOTAL}" if loop.last else "auto"')
    keep_together(table)


def keep_together(table) -> None:
    """Every row but the last keeps with the next: Word moves a small table to the next page
    whole rather than splitting it (the PDF's break-inside: avoid)."""
    for row in table.rows[:-1]:
        for cell in row.cells:
            cell.paragraphs[0].paragraph_format.keep_with_next = True


def gap(doc, pt: float = 3) -> None:
    para(doc, after=pt)


# ------------------------------------------------------------------------------ shared blocks


def debtor_table(doc) -> None:
    kv_table(
        doc,
        [
            ("氏名", "{{ debtor.name }}{% if debtor.kana %}（{{ debtor.kana }}）{% endif %}"),
            ("住所", "{{ debtor.address }}"),
            ("電話", "{{ debtor.phone }}", "debtor.phone"),
            ("連帯債務者・保証人", "{{ debtor.co_debtors }}", "debtor.co_debtors"),
        ],
    )


def closing(doc) -> None:
    para(doc, "以上", align="right", before=6)


def body_text(doc, text: str) -> None:
    para(doc, text, first_line=True, align="justify", after=2)


def body_var(doc, var: str) -> None:
    """A sentence field of the view, one indented paragraph per line (as _parts.paragraphs)."""
    tag(doc, f"for line in {var}.splitlines()")
    body_text(doc, "{{ line }}")
    tag(doc, "endfor")


def ki(doc) -> None:
    para(doc, "記", align="center", before=6, after=6)


# ------------------------------------------------------------------------------ 01 同意申請書


def sale_request():
    doc = new_document("任意売却に関する同意申請書")
    letterhead(doc)
    title(doc)
    body_var(doc, "intro_text")
    body_var(doc, "request_text")
    ki(doc)
    heading(doc, "１　債務者")
    debtor_table(doc)
    heading(doc, "２　物件の表示（{{ property_kind }}）")
    loop_table(
        doc,
        [
            Col("種類", 16, "center"),
            Col("所在", 42),
            Col("地番・家屋番号", 26),
            Col("地目・構造", 33),
            Col("面積", 22, "right"),
            Col("名称", 31),
        ],
        "p in properties",
        [
            "{{ p.kind }}",
            "{{ p.location }}",
            "{{ p.number }}",
            "{{ p.category }}",
            "{{ p.area_text }}",
            "{{ p.name }}",
        ],
    )
    heading(doc, "３　売却の条件")
    pairs_table(doc, "terms_rows")
    # A case of many creditors: the 別紙 is the same for all (shared_annex), the share is here.
    tag(doc, "if shared_annex")
    heading(doc, "４　{{ you }}への配分（別紙配分案より）")
    pairs_table(doc, "own_facts")
    tag(doc, "endif")
    tag(doc, "if shared_annex")
    heading(doc, "５　添付書類")
    tag(doc, "else")
    heading(doc, "４　添付書類")
    tag(doc, "endif")
    attached = para(
        doc,
        "{% for a in attachments %}{{ loop.index }}．{{ a }}{% if not loop.last %}　{% endif %}"
        "{% endfor %}",
        indent_mm=5,
    )
    attached.paragraph_format.keep_with_next = True
    closing(doc)
    annex(doc)
    return doc


def annex(doc) -> None:
    """別紙 配分案 on a new page: the distribution, then the auction comparison (as the PDF's
    section.annex); the debtor and price repeated so the sheet can be passed round alone."""
    label = para(doc, "別紙", align="right")
    label.paragraph_format.page_break_before = True
    para(doc, "配　分　案", align="center", size=14, bold=True, after=4)
    para(
        doc,
        "債務者　{{ debtor.name }}　　売却価格　{{ sale_price_kin }}　　"
        "決済予定日　{{ settlement_date_text }}",
        align="center",
        size=9.5,
        after=6,
    )
    distribution(doc)
    heading(doc, "（参考）競売との比較")
    amounts_loop(doc, "auction.rows")
    tag(doc, "if auction.has_addressee_comparison and not shared_annex")
    subheading(doc, "{{ you }}の回収見込額")
    amounts_loop(doc, "auction.addressee_rows")
    tag(doc, "endif")


def distribution(doc) -> None:
    """配分案: deductions, the amount for the liens, the waterfall, seizures, the addressee."""
    heading(doc, "（１）売却代金から控除する費用")
    loop_table(
        doc,
        [Col("項目", 44), Col("支払先", 40), Col("算出根拠", 60), Col("金額", 26, "right")],
        "d in deductions",
        [
            "{{ d.label }}",
            "{{ d.payee }}{% if d.is_addressee %}（{{ you }}）{% endif %}",
            "{{ d.basis }}",
            "{{ d.amount_text }}",
        ],
        mine="d.is_addressee",
        totals=["控除費用合計", "", "", "{{ deductions_total_text }}"],
    )
    gap(doc)
    kv_table(
        doc,
        [
            ("売却価格", "{{ sale_price_text }}"),
            ("控除費用合計", "{{ deductions_total_text }}"),
            ("担保権者への配当原資", "{{ distributable_text }}"),
        ],
        widths=(62, 34),
        right=True,
    )
    para(doc, "担保権者への配当原資 ＝ 売却価格 − 控除費用合計", size=TABLE_PT, before=2)
    heading(doc, "（２）担保権者への配分")
    money = [
        Col(h, 24, "right") for h in ("決済時債権額", "抹消承諾料", "配当額", "配分額計", "残債務")
    ]
    loop_table(
        doc,
        [Col("順位", 18, "center"), Col("債権者", 32)] + money,
        "l in liens",
        [
            "{{ l.rank_text }}\n{{ l.kind }}",
            "{{ l.creditor }}{% if l.is_addressee %}（{{ you }}）{% endif %}",
            "{{ l.claim_text }}",
            "{{ l.release_fee_text }}",
            "{{ l.waterfall_text }}",
            "{{ l.received_text }}",
            "{{ l.remaining_text }}",
        ],
        mine="l.is_addressee",
        totals=[
            "合計",
            "",
            "{{ liens_claim_total_text }}",
            "{{ liens_release_fee_total_text }}",
            "{{ liens_waterfall_total_text }}",
            "{{ liens_received_total_text }}",
            "{{ liens_remaining_total_text }}",
        ],
    )
    para(
        doc,
        "抹消承諾料（ハンコ代）は（１）の控除費用に含めています。配分額計 ＝ 抹消承諾料 ＋ 配当額、"
        "残債務 ＝ 決済時債権額 − 配分額計。配当額の合計は担保権者への配当原資"
        "{% if left_after_liens %}から担保権者への配分後に残る{{ left_after_liens_text }}"
        "を除いた額{% endif %}です。",
        size=TABLE_PT,
        before=2,
    )
    seizures(doc)
    tag(doc, "if surplus_sentence")
    para(doc, "{{ surplus_sentence }}", before=2)
    tag(doc, "endif")
    tag(doc, "if not shared_annex")
    gap(doc)
    kv_table(
        doc,
        [
            ("{{ you }}への配分額", "{{ addressee_received_text }}"),
            ("売却後の{{ you }}に対する残債務", "{{ addressee_remaining_text }}"),
        ],
        widths=(62, 34),
        right=True,
        mine=(0,),
    )
    tag(doc, "endif")


def seizures(doc) -> None:
    tag(doc, "if seizures")
    heading(doc, "（３）差押債権者への配分")
    loop_table(
        doc,
        [
            Col("差押債権者", 30),
            Col("抵当権との優劣", 18, "center"),
            Col("差押債権額", 24, "right"),
            Col("差押解除料", 24, "right"),
            Col("剰余からの配分", 26, "right"),
            Col("配分額計", 24, "right"),
            Col("残額", 24, "right"),
        ],
        "s in seizures",
        [
            "{{ s.creditor }}{% if s.is_addressee %}（{{ you }}）{% endif %}",
            "{{ s.priority_text }}",
            "{{ s.claim_text }}",
            "{{ s.release_fee_text }}",
            "{{ s.surplus_share_text }}",
            "{{ s.received_text }}",
            "{{ s.remaining_text }}",
        ],
        mine="s.is_addressee",
        totals=[
            "合計",
            "",
            "{{ seizures_claim_total_text }}",
            "{{ seizures_release_fee_total_text }}",
            "{{ seizures_surplus_share_total_text }}",
            "{{ seizures_received_total_text }}",
            "{{ seizures_remaining_total_text }}",
        ],
    )
    para(
        doc,
        "差押解除料は（１）の控除費用に含めています。剰余からの配分は、全ての担保権者への配分後に"
        "残る額から差押債権の残りに充てる額です（優先の差押から、次いで記載の順）。"
        "配分額計 ＝ 差押解除料 ＋ 剰余からの配分、残額 ＝ 差押債権額 − 配分額計。",
        size=TABLE_PT,
        before=2,
    )
    tag(doc, "endif")


# ------------------------------------------------------------------------------ 02 生活状況表


def household_statement():
    doc = new_document("生活状況表")
    para(doc, "{{ date_text }}", align="right")
    para(
        doc,
        "作成　{{ company.name }}{% if company.staff %}（担当　{{ company.staff }}）{% endif %}",
        align="right",
        size=TABLE_PT,
        after=4,
    )
    title(doc)
    body_text(doc, "債務者の売却後の世帯の状況と毎月の収支は、下記のとおりです。")
    heading(doc, "１　債務者")
    debtor_table(doc)
    heading(doc, "２　世帯の構成")
    loop_table(
        doc,
        [
            Col("氏名", 40),
            Col("続柄", 22, "center"),
            Col("年齢", 16, "right"),
            Col("職業・勤務先", 46),
            Col("備考", 46),
        ],
        "m in members",
        [
            "{{ m.name }}",
            "{{ m.relation }}",
            "{{ m.age_text }}",
            "{{ m.occupation }}",
            "{{ m.note }}",
        ],
        empty="記載なし",
    )
    heading(doc, "３　毎月の収支（売却後）")
    subheading(doc, "（１）収入")
    budget_table(doc, "income_groups", "収入合計", "income_text")
    subheading(doc, "（２）支出")
    budget_table(doc, "expense_groups", "支出合計", "expenses_text")
    gap(doc)
    kv_table(
        doc,
        [
            ("収入合計", "{{ income_text }}"),
            ("支出合計", "{{ expenses_text }}"),
            (
                "{% if surplus_negative %}差引不足額{% else %}差引余剰額{% endif %}",
                "{{ surplus_text }}",
            ),
        ],
        widths=(62, 34),
        right=True,
        mine=(2,),
    )
    para(doc, "差引 ＝ 収入合計 − 支出合計", size=TABLE_PT, before=2)
    heading(doc, "４　資産")
    assets = loop_table(
        doc,
        [Col("種類", 30), Col("内容", 66), Col("評価額", 30, "right"), Col("備考", 44)],
        "a in assets",
        ["{{ a.kind }}", "{{ a.detail }}", "{{ a.amount_text }}", "{{ a.note }}"],
        empty="記載なし",
    )
    conditional_total(assets, ["合計", "", "{{ assets_total_text }}", ""], "assets")
    heading(doc, "５　その他の債務（無担保）")
    debts = loop_table(
        doc,
        [Col("債権者", 102), Col("残高", 34, "right"), Col("月返済額", 34, "right")],
        "x in other_debts",
        ["{{ x.creditor }}", "{{ x.remaining_text }}", "{{ x.monthly_text }}"],
        empty="記載なし",
    )
    conditional_total(
        debts,
        ["合計", "{{ other_debts_total_text }}", "{{ other_debts_monthly_total_text }}"],
        "other_debts",
    )
    para(doc, "上記のとおり相違ありません。", before=14)
    para(doc, "債務者　{{ debtor.name }}　　　　　　　　印", align="right", before=8)
    return doc


def budget_table(doc, groups: str, total_label: str, total_var: str) -> None:
    """費目 | 内容 | 月額 | 費目小計 | 備考: 費目 on a group's first line, subtotal on its last."""
    cols = [
        Col("費目", 36),
        Col("内容", 42),
        Col("月額", 28, "right"),
        Col("費目小計", 28, "right"),
        Col("備考", 36),
    ]
    table = new_table(doc, cols)
    tag_row(table, cols, f"for g in {groups}")
    tag_row(table, cols, "for line in g.lines")
    add_row(
        table,
        cols,
        [
            "{% if loop.first %}{{ g.category }}{% endif %}",
            "{{ line.detail }}",
            "{{ line.amount_text }}",
            "{% if loop.last %}{{ g.subtotal_text }}{% endif %}",
            "{{ line.note }}",
        ],
    )
    tag_row(table, cols, "endfor")
    tag_row(table, cols, "endfor")
    merge_label(add_row(table, cols, [total_label, "", "", f"{{{{ {total_var} }}}}", ""],
                        fill=TOTAL))


def conditional_total(table, texts: list[str], condition: str) -> None:
    """A total row shown only when the list has items (an empty list shows 記載なし alone)."""
    cols = [Col("", c.width.mm) for c in table.columns]
    tag_row(table, cols, f"if {condition}")
    row = add_row(table, cols, texts, fill=TOTAL)
    names = {WD_ALIGN_PARAGRAPH.RIGHT: "right", WD_ALIGN_PARAGRAPH.CENTER: "center"}
    for cell, src in zip(row.cells, table.rows[2].cells, strict=True):
        _align(cell, names.get(src.paragraphs[0].alignment, "left"))
    merge_label(row)
    tag_row(table, cols, "endif")


# ------------------------------------------------------------------------------ 03 返済申出書


def repayment_proposal():
    doc = new_document("残債務の返済に関する申出書")
    applicant_letterhead(doc)
    title(doc)
    body_var(doc, "offer_text")
    tag(doc, "if has_lump_sum")
    body_var(doc, "lump_sum.text")
    tag(doc, "endif")
    body_var(doc, "waiver_text")
    ki(doc)
    heading(doc, "１　債務者")
    debtor_table(doc)
    heading(doc, "２　返済の申出")
    kv_table(
        doc,
        [
            ("売却後の{{ you }}に対する残債務", "{{ remaining_kin }}"),
            ("{{ you }}への返済額（月額）", "{{ monthly_kin }}", "has_capacity"),
            ("返済開始", "{{ start_text }}", "has_capacity"),
            ("返済回数・期間", "{{ months_text }}（{{ years_text }}）", "has_capacity"),
            (
                "毎月の返済",
                "現在の収支では、毎月の返済額をお示しすることができません（生活状況表のとおり）。",
                "not has_capacity",
            ),
        ],
        widths=(62, 108),
        mine=(1,),
    )
    tag(doc, "if shared_annex")
    heading(doc, "３　債権者間の按分（残債務の額に応じて按分）")
    body_text(doc, "全ての債権者への按分{% if has_lump_sum %}と一括弁済額{% endif %}は、"
                   "別紙「債権者間の按分」のとおりです。")
    tag(doc, "else")
    allocation(doc)
    tag(doc, "endif")
    para(doc, "添付書類　生活状況表", before=10)
    closing(doc)
    # A case of many creditors: the 按分 tables, the same for all, as the PDF's shared 別紙.
    tag(doc, "if shared_annex")
    label = para(doc, "別紙", align="right")
    label.paragraph_format.page_break_before = True
    para(doc, "債権者間の按分", align="center", size=14, bold=True, after=4)
    para(doc, "債務者　{{ debtor.name }}　　返済額（月額）合計　{{ monthly_total_text }}　　"
              "返済開始　{{ start_text }}", align="center", size=9.5, after=6)
    allocation(doc)
    tag(doc, "endif")
    return doc


def allocation(doc) -> None:
    """債権者間の按分 and the lump-sum table: in the letter, or in the shared 別紙."""
    heading(doc, "３　債権者間の按分（残債務の額に応じて按分）")
    loop_table(
        doc,
        [
            Col("順位", 18, "center"),
            Col("債権者", 52),
            Col("残債務", 30, "right"),
            Col("返済額（月額）", 26, "right"),
            Col("返済回数", 22, "right"),
            Col("期間", 22, "right"),
        ],
        "p in plan",
        [
            "{{ p.rank_text }}",
            "{{ p.creditor }}{% if p.is_addressee %}（{{ you }}）{% endif %}",
            "{{ p.remaining_text }}",
            "{{ p.monthly_text }}",
            "{{ p.months_text }}",
            "{{ p.years_text }}",
        ],
        mine="p.is_addressee",
        totals=[
            "合計",
            "",
            "{{ plan_remaining_total_text }}",
            "{{ plan_monthly_total_text }}",
            "",
            "",
        ],
    )
    lump_sum(doc)


def lump_sum(doc) -> None:
    tag(doc, "if has_lump_sum")
    heading(doc, "４　一括弁済による和解の提案")
    loop_table(
        doc,
        [Col("順位", 18, "center"), Col("債権者", 66), Col("残債務", 30, "right"),
         Col("一括弁済額", 30, "right"), Col("残債務比", 26, "right")],
        "r in lump_sum.rows",
        ["{{ r.rank_text }}", "{{ r.creditor }}{% if r.is_addressee %}（{{ you }}）{% endif %}",
         "{{ r.remaining_text }}", "{{ r.amount_text }}", "{{ r.percent_text }}"],
        mine="r.is_addressee",
        totals=["合計", "", "{{ plan_remaining_total_text }}", "{{ lump_sum.total_text }}", ""],
    )
    tag(doc, "endif")


# ------------------------------------------------------------------------------ main

BUILDERS = {
    "sale_request": sale_request,
    "household_statement": household_statement,
    "repayment_proposal": repayment_proposal,
}


def main(argv: list[str]) -> int:
    from pipeline.render.docx import fixed_zip_times

    out = Path(argv[0]) if argv else Path(__file__).resolve().parents[1] / "templates"
    out.mkdir(parents=True, exist_ok=True)
    for kind, build in BUILDERS.items():
        buffer = io.BytesIO()
        doc = build()
        prune_styles(doc)
        doc.save(buffer)
        path = out / f"{kind}.docx"
        # fixed zip dates: rebuilding an unchanged template gives the same bytes (clean diffs)
        path.write_bytes(fixed_zip_times(buffer.getvalue(), FIXED_DATE.date()))
        print(f"{path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
