"""Renderer tests: sandbox, strictness, escaping, URL fetching, glyph check, determinism.

The views here are built by hand (the worked example of docs/rules.md §6, with hostile text in the
names), so the renderer is tested on its own; tests/test_templates.py renders the real sample cases.
"""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import zipfile
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from textof import docx_text, pdf_text

from pipeline.documents import common, household_statement, repayment_proposal, sale_request
from pipeline.documents.format import kin, wareki, wareki_month, yen, you_word
from pipeline.render import Renderer, RenderError

#: The view classes of every document kind, by name, for building views by hand.
d = SimpleNamespace(**{**vars(common), **vars(sale_request), **vars(household_statement),
                       **vars(repayment_proposal)})

#: An anchor every letter template has (記, before the details): tests insert their edits there.
KI = '<p class="ki">記</p>'
HOSTILE = ("{{ 7*7 }}", "<b>x</b>", "A&B", '=HYPERLINK("http://x")')


def _company() -> d.CompanyBlock:
    return d.CompanyBlock(
        name="株式会社テスト不動産",
        address="東京都千代田区丸の内一丁目1番1号",
        phone="03-0000-0000",
        license_no="東京都知事(1)第12345号",
        representative="代表取締役　試験太郎",
        staff="佐藤花子",
    )


def _debtor(name: str = "髙﨑一郎") -> d.DebtorBlock:
    return d.DebtorBlock(
        name=name,
        kana="タカサキイチロウ",
        address="神奈川県横浜市中区1-2-3\n501号室",
        phone="",
        co_debtors="",
    )


def _creditor(name: str = "株式会社みらい銀行") -> d.CreditorBlock:
    return d.CreditorBlock(
        name=name, department="債権管理部", officer="", honorific="御中", address="", phone=""
    )


def _la(label: str, amount: int, note: str = "") -> d.LabelledAmount:
    return d.LabelledAmount(label, amount, yen(amount), note)


def _auction() -> d.AuctionBlock:
    rows = (
        _la("査定価格", 14000000),
        _la("売却基準価額", 9800000, "推計"),
        _la("買受可能価額", 7840000, "推計"),
        _la("落札見込額", 9100000),
        _la("競売手続費用（予納金）", 1000000),
        _la("競売時の配当原資", 8100000),
        _la("第1順位の回収見込（競売）", 8100000),
        _la("第1順位の回収額（任意売却）", 12960000),
        _la("任意売却による増加額", 4860000),
    )
    amounts = {
        "market_value": 14000000,
        "base_price": 9800000,
        "min_bid": 7840000,
        "expected_bid": 9100000,
        "procedure_cost": 1000000,
        "priority_taxes": 0,
        "pool": 8100000,
        "first_lien_auction": 8100000,
        "first_lien_sale": 12960000,
        "advantage": 4860000,
        "addressee_auction": 0,
        "addressee_sale": 0,
        "addressee_advantage": 0,
    }
    texts = {k + "_text": yen(v) for k, v in amounts.items()}
    return d.AuctionBlock(
        rows=rows,
        base_price_given=False,
        min_bid_given=False,
        first_lien_creditor="株式会社みらい銀行",
        has_addressee_comparison=False,
        addressee_rows=(),
        assumptions_text="競売市場修正30%・落札見込 査定価格の65%と仮定",
        **amounts,
        **texts,
    )


def _deduction(code: str, label: str, payee: str, amount: int, basis: str = "") -> d.DeductionRow:
    return d.DeductionRow(code, label, payee, basis, amount, yen(amount), False)


def sale_request_view(
    debtor_name: str = "髙﨑一郎", creditor: str = "株式会社みらい銀行", **changes
) -> d.SaleRequestView:
    """The worked example of docs/rules.md §6 as a 同意申請書 view."""
    lien = d.LienRow(
        1,
        "第1順位",
        creditor,
        "抵当権",
        20702000,
        yen(20702000),
        0,
        yen(0),
        12960000,
        yen(12960000),
        12960000,
        yen(12960000),
        7742000,
        yen(7742000),
        True,
    )
    deductions = (
        _deduction(
            "brokerage", "仲介手数料", "株式会社テスト不動産", 528000, "売却価格×3%＋6万円＋消費税"
        ),
        _deduction(
            "registration",
            "抵当権等抹消費用",
            "司法書士",
            12000,
            "登録免許税1,000円×2個＋報酬10,000円",
        ),
        _deduction("management_arrears", "滞納管理費等", "管理組合", 200000, "8か月分"),
        _deduction("moving", "引越費用", debtor_name, 300000),
    )
    view = d.SaleRequestView(
        kind="sale_request",
        template="sale_request",
        title="任意売却に関する同意申請書",
        filename_stem=f"01_任意売却に関する同意申請書_{creditor}",
        case_id="2026-0142",
        draft=False,
        date=date(2026, 11, 30),
        date_text=wareki(date(2026, 11, 30)),
        addressee=f"{creditor} 債権管理部 御中",
        you=you_word(creditor),
        creditor=_creditor(creditor),
        company=_company(),
        debtor=_debtor(debtor_name),
        intro_text=f"債務者{debtor_name}所有の下記不動産について、{kin(14000000)}にて任意売却を行いたく、申請いたします。",
        property_kind="マンション",
        properties=(
            d.PropertyRow(
                "区分建物",
                "横浜市中区本町一丁目1番地1",
                "1番1の501",
                "鉄筋コンクリート造",
                Decimal("65.23"),
                "65.23㎡",
                "グランドテスト本町501号室",
            ),
            d.PropertyRow(
                "敷地権",
                "横浜市中区本町一丁目1番1",
                "1番1",
                "宅地",
                Decimal("1234.56"),
                "1234.56㎡",
                "",
            ),
        ),
        appraisal=14000000,
        appraisal_text=yen(14000000),
        sale_price=14000000,
        sale_price_text=yen(14000000),
        sale_price_kin=kin(14000000),
        buyer="山田花子",
        has_buyer=True,
        offer_date=date(2026, 11, 20),
        offer_date_text=wareki(date(2026, 11, 20)),
        contract_date=date(2026, 12, 15),
        contract_date_text=wareki(date(2026, 12, 15)),
        settlement_date=date(2027, 1, 29),
        settlement_date_text=wareki(date(2027, 1, 29)),
        deductions=deductions,
        deductions_total=1040000,
        deductions_total_text=yen(1040000),
        distributable=12960000,
        distributable_text=yen(12960000),
        liens=(lien,),
        liens_claim_total=20702000,
        liens_claim_total_text=yen(20702000),
        liens_release_fee_total=0,
        liens_release_fee_total_text=yen(0),
        liens_waterfall_total=12960000,
        liens_waterfall_total_text=yen(12960000),
        liens_received_total=12960000,
        liens_received_total_text=yen(12960000),
        liens_remaining_total=7742000,
        liens_remaining_total_text=yen(7742000),
        seizures=(),
        seizures_claim_total=0,
        seizures_claim_total_text=yen(0),
        seizures_release_fee_total=0,
        seizures_release_fee_total_text=yen(0),
        seizures_remaining_total=0,
        seizures_remaining_total_text=yen(0),
        surplus_to_debtor=0,
        surplus_to_debtor_text=yen(0),
        surplus_sentence="",
        addressee_received=12960000,
        addressee_received_text=yen(12960000),
        addressee_remaining=7742000,
        addressee_remaining_text=yen(7742000),
        auction=_auction(),
        attachments=("配分案", "価格査定書", "生活状況表", "登記事項証明書", "買付証明書"),
        is_seizure_holder=False,
        request_text="つきましては、上記の配分案にて貴行の抵当権の抹消にご同意くださいますよう、お願い申し上げます。",
        auction_facts=(),
        terms_rows=d.terms_rows(
            {"sale_price_kin": kin(14000000), "appraisal_text": yen(14000000), "buyer": "山田花子",
             "offer_date_text": wareki(date(2026, 11, 20)),
             "contract_date_text": wareki(date(2026, 12, 15)),
             "settlement_date_text": wareki(date(2027, 1, 29))}, ()),
    )
    return dataclasses.replace(view, **changes)


def household_view(debtor_name: str = "髙﨑一郎", **changes) -> d.HouseholdStatementView:
    income = (
        d.BudgetGroup(
            "収入",
            "給与",
            (
                d.BudgetLineRow("本人 手取り", 380000, yen(380000), ""),
                d.BudgetLineRow("妻 パート", 80000, yen(80000), ""),
            ),
            460000,
            yen(460000),
        ),
    )
    expense = (
        d.BudgetGroup(
            "支出",
            "住居費",
            (d.BudgetLineRow("賃料（予定）", 98000, yen(98000), ""),),
            98000,
            yen(98000),
        ),
        d.BudgetGroup(
            "支出", "食費", (d.BudgetLineRow("", 300000, yen(300000), ""),), 300000, yen(300000)
        ),
    )
    view = d.HouseholdStatementView(
        kind="household_statement",
        template="household_statement",
        title="生活状況表",
        filename_stem="02_生活状況表",
        case_id="2026-0142",
        draft=False,
        date=date(2026, 11, 30),
        date_text=wareki(date(2026, 11, 30)),
        addressee="",
        company=_company(),
        debtor=_debtor(debtor_name),
        members=(
            d.MemberRow(debtor_name, "本人", 45, "45歳", "会社員", ""),
            d.MemberRow("髙﨑花子", "妻", 43, "43歳", "パート", ""),
        ),
        income_groups=income,
        expense_groups=expense,
        income=460000,
        income_text=yen(460000),
        expenses=398000,
        expenses_text=yen(398000),
        surplus=62000,
        surplus_text=yen(62000),
        surplus_negative=False,
        assets=(d.AssetRow("預貯金", "普通預金", 150000, yen(150000), ""),),
        assets_total=150000,
        assets_total_text=yen(150000),
        other_debts=(d.DebtRow("テストカード株式会社", 480000, yen(480000), 15000, yen(15000)),),
        other_debts_total=480000,
        other_debts_total_text=yen(480000),
        other_debts_monthly_total=15000,
        other_debts_monthly_total_text=yen(15000),
    )
    return dataclasses.replace(view, **changes)


def repayment_view(
    debtor_name: str = "髙﨑一郎", creditor: str = "株式会社みらい銀行", **changes
) -> d.RepaymentProposalView:
    plan = (
        d.PlanRow(
            1,
            "第1順位",
            creditor,
            7742000,
            yen(7742000),
            31000,
            yen(31000),
            250,
            "250回",
            Decimal("20.8"),
            "20.8年",
            True,
        ),
    )
    view = d.RepaymentProposalView(
        kind="repayment_proposal",
        template="repayment_proposal",
        title="残債務の返済に関する申出書",
        filename_stem=f"03_残債務の返済に関する申出書_{creditor}",
        case_id="2026-0142",
        draft=False,
        date=date(2026, 11, 30),
        date_text=wareki(date(2026, 11, 30)),
        addressee=f"{creditor} 債権管理部 御中",
        you=you_word(creditor),
        creditor=_creditor(creditor),
        company=_company(),
        debtor=_debtor(debtor_name),
        remaining=7742000,
        remaining_text=yen(7742000),
        remaining_kin=kin(7742000),
        monthly=31000,
        monthly_text=yen(31000),
        monthly_kin=kin(31000),
        monthly_total=31000,
        monthly_total_text=yen(31000),
        start=date(2027, 2, 1),
        start_text=wareki_month(date(2027, 2, 1)),
        months=250,
        months_text="250回",
        years=Decimal("20.8"),
        years_text="20.8年",
        plan=plan,
        plan_remaining_total=7742000,
        plan_remaining_total_text=yen(7742000),
        plan_monthly_total_text=yen(31000),
        has_capacity=True,
        offer_text=f"債務者{debtor_name}は、任意売却後の貴行に対する残債務について、{kin(31000)}を毎月お支払いすることを申し出ます。",
        lump_sum=None,
        has_lump_sum=False,
        waiver_text="つきましては、本申出による返済を条件として、今後の遅延損害金を免除くださいますようお願い申し上げます。",
    )
    return dataclasses.replace(view, **changes)


def all_views(**names) -> list:
    return [
        sale_request_view(**names),
        household_view(debtor_name=names.get("debtor_name", "髙﨑一郎")),
        repayment_view(**names),
    ]


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


@pytest.fixture
def edited(tmp_path):
    """A copy of templates/ whose files a test may change, and a renderer for it."""
    root = tmp_path / "templates"
    shutil.copytree(Renderer().templates_dir, root)

    def make(name: str, old: str, new: str) -> Renderer:
        path = root / name
        text = path.read_text("utf-8")
        assert old in text  # the edit must hit, or the test proves nothing
        path.write_text(text.replace(old, new, 1), "utf-8")
        return Renderer(root)

    return make


def pdf_fonts(data: bytes) -> set[str]:
    """BaseFont names embedded in the PDF, subset prefix (ABCDEF+) removed."""
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


# ---------------------------------------------------------------- sandbox and confinement


def test_sandbox_refuses_python_internals(edited):
    r = edited("sale_request.html", KI, "{{ ''.__class__.__mro__ }}")
    with pytest.raises(RenderError, match="sale_request.html"):
        r.pdf(sale_request_view())


def test_sandbox_refuses_mutating_a_view_list(edited):
    r = edited("sale_request.html", KI, "{{ [].append(1) }}")
    with pytest.raises(RenderError):
        r.pdf(sale_request_view())


def test_include_outside_templates_is_refused(edited):
    r = edited("sale_request.html", KI, "{% include '/etc/passwd' %}")
    with pytest.raises(RenderError):
        r.pdf(sale_request_view())
    r = edited(
        "household_statement.html", "{{ income_text }}", "{% include '../pipeline/fonts.py' %}"
    )
    with pytest.raises(RenderError):
        r.pdf(household_view())


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "/etc/passwd",
        "../../../../etc/passwd",
        "http://127.0.0.1:9/x.png",
        "data:image/png;base64,iVBORw0KGgo=",
    ],
)
def test_resources_outside_templates_are_refused(edited, url):
    r = edited("sale_request.html", KI, f'<img src="{url}">')
    with pytest.raises(RenderError):
        r.pdf(sale_request_view())


def test_missing_file_inside_templates_fails_the_case(edited):
    r = edited("sale_request.html", KI, '<img src="no-such-seal.png">')
    with pytest.raises(RenderError):
        r.pdf(sale_request_view())


def test_files_inside_templates_are_served(edited, tmp_path):
    seal = tmp_path / "templates" / "seal.svg"
    seal.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        '<rect width="10" height="10" fill="red"/></svg>',
        "utf-8",
    )
    r = edited("sale_request.html", KI, '<img src="seal.svg">' + KI)
    pdf, warnings = r.pdf(sale_request_view())
    assert pdf.startswith(b"%PDF") and warnings == []


# ---------------------------------------------------------------- strictness


def test_misspelt_variable_is_an_error_in_html(edited):
    r = edited("repayment_proposal.html", "paragraphs(waiver_text)", "paragraphs(waiver_txt)")
    with pytest.raises(RenderError, match="repayment_proposal.html"):
        r.pdf(repayment_view())


def test_misspelt_variable_is_an_error_in_docx(tmp_path):
    import docx

    root = tmp_path / "templates"
    shutil.copytree(Renderer().templates_dir, root)
    document = docx.Document(str(root / "household_statement.docx"))
    document.add_paragraph("{{ surplus_txt }}")
    document.save(str(root / "household_statement.docx"))
    with pytest.raises(RenderError, match="household_statement.docx"):
        Renderer(root).docx(household_view())


def test_unknown_template_is_an_error():
    view = dataclasses.replace(household_view(), template="no_such_kind")
    with pytest.raises(RenderError):
        Renderer().pdf(view)
    with pytest.raises(RenderError):
        Renderer().docx(view)


def test_css_warning_is_returned_not_raised(edited):
    r = edited("sale_request.html", '<p class="ki">', '<p class="ki" style="colr: red">')
    pdf, warnings = r.pdf(sale_request_view())
    assert pdf.startswith(b"%PDF") and len(warnings) == 1


# ---------------------------------------------------------------- data prints literally


def _hostile_views() -> list:
    name = "".join(HOSTILE)
    return all_views(debtor_name=name, creditor="A&B<b>銀行</b>{{ 7*7 }}")


def test_hostile_text_prints_literally_in_docx(renderer):
    from lxml import etree

    for view in _hostile_views():
        data = renderer.docx(view)
        text = docx_text(data)
        for s in HOSTILE:
            assert s in text, (view.kind, s)
        assert "49" not in text
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            root = etree.fromstring(z.read("word/document.xml"))  # strict parser: valid XML
        runs = "".join(root.itertext())
        assert "".join(HOSTILE) in runs
        assert root.find(".//{*}b") is None or all(
            e.getparent().tag.endswith("rPr") for e in root.iter("{*}b")
        )


def test_hostile_text_prints_literally_in_pdf(renderer):
    for view in _hostile_views():
        text = pdf_text(renderer.pdf(view)[0]).replace("\n", "")
        for s in HOSTILE:
            assert s in text, (view.kind, s)
        assert "49" not in text


def test_html_escapes_data(renderer):
    html = renderer.html(sale_request_view(debtor_name="<script>x</script>&"))
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;&amp;" in html


def test_newlines_become_line_breaks_in_docx(renderer):
    from lxml import etree

    data = renderer.docx(sale_request_view())  # the debtor's address has two lines
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    cells = [c for c in root.iter("{*}tc") if "501号室" in "".join(c.itertext())]
    assert cells and cells[0].find(".//{*}br") is not None
    assert "神奈川県横浜市中区1-2-3\n501号室" in docx_text(data)


def test_control_characters_do_not_corrupt_the_docx(renderer):
    from lxml import etree

    view = sale_request_view(debtor_name="髙﨑\x0b一郎\x07\x0c")
    data = renderer.docx(view)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        etree.fromstring(z.read("word/document.xml"))
    # the one text rule (pipeline.text): \x07 goes; \x0b (Word's Shift+Enter) and \x0c are
    # line breaks, as the documents and the workbook reader read them
    assert "髙﨑\n一郎" in docx_text(data)
    assert "\x07" not in docx_text(data) and "\x0b" not in docx_text(data)


# ---------------------------------------------------------------- fonts


def test_rare_name_characters_render_with_the_fallback_font(renderer):
    from pipeline.render.fonts import NAMES_FAMILY

    view = household_view(debtor_name="𠮷田髙﨑")
    pdf, _ = renderer.pdf(view)
    assert "𠮷田髙﨑" in pdf_text(pdf)
    embedded = {f.replace("-", "").replace(" ", "") for f in pdf_fonts(pdf)}
    assert NAMES_FAMILY.replace(" ", "") in embedded
    assert "𠮷田髙﨑" in docx_text(renderer.docx(view))


def test_ordinary_document_does_not_embed_the_names_font(renderer):
    fonts = pdf_fonts(renderer.pdf(household_view())[0])
    assert fonts and all(f.startswith("IPAexMincho") for f in fonts)


def test_character_no_font_has_is_an_error(renderer):
    from pipeline.render.fonts import missing_glyphs

    char = "\U00020000"  # CJK extension B 𠀀: in no JIS set, not in IPAex nor the names subset
    assert missing_glyphs(char) == [char]  # precondition
    with pytest.raises(RenderError, match="U\\+20000"):
        renderer.pdf(repayment_view(debtor_name="山" + char))


def test_character_no_font_has_in_a_template_is_an_error(edited):
    r = edited("household_statement.html", "下記のとおりです。", "下記のとおりです。\U00020000")
    with pytest.raises(RenderError, match="U\\+20000"):
        r.pdf(household_view())


# ---------------------------------------------------------------- layout facts and determinism


def test_pdf_is_a4_with_page_numbers(renderer):
    from pypdf import PdfReader

    pdf, _ = renderer.pdf(sale_request_view())
    pages = PdfReader(io.BytesIO(pdf)).pages
    width, height = float(pages[0].mediabox.width), float(pages[0].mediabox.height)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    n = len(pages)
    assert all(f"{i} / {n}" in page.extract_text() for i, page in enumerate(pages, 1))


def test_long_tables_repeat_their_header_on_every_page(renderer):
    from pypdf import PdfReader

    rows = tuple(
        dataclasses.replace(sale_request_view().properties[0], number=f"1番1の{i}")
        for i in range(120)
    )
    pdf, warnings = renderer.pdf(sale_request_view(properties=rows))
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    with_rows = [t for t in pages if "1番1の" in t]
    assert len(with_rows) >= 3 and all("地番・家屋番号" in t for t in with_rows)
    assert warnings == []


def test_docx_layout_a4_mincho_page_fields_repeating_header(renderer):
    import docx

    document = docx.Document(io.BytesIO(renderer.docx(sale_request_view())))
    section = document.sections[0]
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((210, 297), abs=0.5)
    assert section.left_margin.mm == pytest.approx(20, abs=0.5)
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert (
        fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        == "ＭＳ 明朝"
    )
    footer = section.footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert all(
        "w:tblHeader" in t.rows[0]._tr.xml
        for t in document.tables
        if len(t.rows) > 1 and t.rows[0].cells[0].text == "種類"
    )


def test_pdf_bytes_are_reproducible(renderer):
    view = sale_request_view()
    assert renderer.pdf(view)[0] == renderer.pdf(view)[0]


def test_docx_bytes_are_reproducible(renderer):
    view = repayment_view()
    assert renderer.docx(view) == renderer.docx(view)


def test_pdf_creation_date_is_the_document_date(renderer):
    from pypdf import PdfReader

    info = PdfReader(io.BytesIO(renderer.pdf(household_view())[0])).metadata
    assert info["/CreationDate"].startswith("D:20261130")


def test_sample_views_render_without_warnings(renderer):
    for view in all_views():
        pdf, warnings = renderer.pdf(view)
        assert warnings == [], view.kind
        assert re.search(r"12,960,000円|460,000円|31,000円", pdf_text(pdf))


def test_templates_dir_from_environment(monkeypatch, tmp_path):
    root = tmp_path / "elsewhere"
    shutil.copytree(Renderer().templates_dir, root)
    monkeypatch.setenv("NINBAI_TEMPLATES", str(root))
    assert Renderer().templates_dir == root.resolve()
    monkeypatch.setenv("NINBAI_TEMPLATES", str(tmp_path / "missing"))
    with pytest.raises(RenderError):
        Renderer()


def test_stylesheet_warning_is_reported_with_every_document(edited):
    r = edited("documents.css", "body { margin: 0; }", "body { margin: 0; colr: red; }")
    for view in all_views():
        _, warnings = r.pdf(view)
        assert len(warnings) == 1 and warnings[0].startswith("documents.css")


def test_stylesheet_import_outside_templates_fails_at_start(edited):
    with pytest.raises(RenderError):
        edited("documents.css", "@page {", '@import url("file:///etc/passwd");\n@page {')
