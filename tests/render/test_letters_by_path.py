"""Issue 13: the letters fit the case path, and each creditor gets only what it should.

Real rendering: every check reads the text of the rendered PDF (pdftotext) and of the rendered
.docx, so a template that drops or misplaces a field fails here, not only the view model.
Samples (inputs/, scripts/make_samples.py, inputs/README.md): 2026-0175 in auction (申立債権者
するが中央銀行, 静岡地方裁判所浜松支部, co-owned), 2026-0178 in bankruptcy with a 管財人, 2026-0181 a
市役所 and a 税務署 whose 差押 get nothing at auction, 2026-0148 a 市役所 and a 税務署 holding 差押,
2026-0142 the worked example (a 250-month plan).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from textof import docx_text, pdf_text

INPUTS = Path(__file__).parents[2] / "inputs"
BATCH_DATE = date(2026, 11, 30)


def views_of(case_id: str, config, enclosures=None) -> tuple:
    from pipeline.compute import compute_case
    from pipeline.documents import build_views
    from pipeline.read.validate import load_case

    case, issues = load_case(INPUTS / f"{case_id}.xlsx", profiles=config.profiles.keys())
    assert case is not None, [str(i) for i in issues]
    return build_views(case, compute_case(case, config, BATCH_DATE), config, enclosures)


def texts(view, renderer) -> tuple[str, str]:
    """(PDF text, DOCX text) of a rendered view, whitespace removed (PDF lines wrap)."""
    pdf, _warnings = renderer.pdf(view)
    return _flat(pdf_text(pdf)), _flat(docx_text(renderer.docx(view)))


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def letters(views) -> dict[str, object]:
    return {v.creditor.name: v for v in views if v.kind == "sale_request"}


def test_no_repayment_proposal_and_no_household_in_bankruptcy(config, renderer):
    views = views_of("2026-0178", config)
    assert [v.kind for v in views] == ["sale_request"]
    (letter,) = views
    pdf, docx = texts(letter, renderer)
    for text in (pdf, docx):
        assert "破産管財人弁護士北川直人" in text and "破産法78条2項" in text
        assert "令和8年(フ)第512号" in text and "さいたま地方裁判所" in text
        assert "破産財団組入金" in text
        assert "生活状況表" not in text and "残債務の返済に関する申出書" not in text


def test_household_in_bankruptcy_only_when_configured(config):
    configured = config.model_copy(update={"documents": config.documents.model_copy(
        update={"household_statement_in_bankruptcy": True})})
    views = views_of("2026-0178", configured)
    assert [v.kind for v in views] == ["sale_request", "household_statement"]
    assert views[1].recipients == ("住宅金融支援機構",)
    assert "生活状況表" in views[0].attachments


def test_withdrawal_asked_of_the_applicant_only(config, renderer):
    by_name = letters(views_of("2026-0175", config))
    for name, letter in by_name.items():
        pdf, docx = texts(letter, renderer)
        for text in (pdf, docx):
            assert "静岡地方裁判所浜松支部において競売手続中です（事件番号令和8年(ケ)第88号）" in text
            assert ("申立てを取り下げていただきます" in text) == (name == "するが中央銀行")
            assert ("競売申立費用金744,000円" in text) == (name == "するが中央銀行")


def test_tax_offices_are_asked_for_payment_not_a_release_fee(config, renderer):
    by_name = letters(views_of("2026-0148", config))
    for name in ("ひばり野市役所", "ひばり野税務署"):
        pdf, docx = texts(by_name[name], renderer)
        for text in (pdf, docx):
            assert "を納付いたしますので、差押えを解除し" in text
            assert "解除料" not in text
    # a 保証会社 holding a lien is not a public body: its letter keeps the usual words
    assert "差押解除料" not in by_name["みらい信用保証株式会社"].request_text


def test_futile_seizure_shows_what_the_city_gets_at_auction(config, renderer):
    by_name = letters(views_of("2026-0181", config))
    for name, you, rest in (("かもめ浜市役所", "貴市", "592,300"), ("かもめ浜税務署", "貴署", "264,000")):
        pdf, docx = texts(by_name[name], renderer)
        for text in (pdf, docx):
            assert f"{you}への配当見込額は金0円と試算されます" in text
            assert "国税徴収法第79条第1項第2号" in text and "御検討賜りますよう" in text
            assert f"納付後なお残る滞納税等金{rest}円" in text
    # the bank's letter makes no such argument
    assert "国税徴収法" not in by_name["かもめ浜銀行"].request_text


def test_loan_number_only_in_its_creditors_letter(config, renderer):
    by_name = letters(views_of("2026-0175", config))
    numbers = {"するが中央銀行": "0175-221458", "しおさい保証株式会社": "SH-2019-00871"}
    for name, letter in by_name.items():
        pdf, docx = texts(letter, renderer)
        for text in (pdf, docx):
            for other, number in numbers.items():
                assert (number in text) == (other == name), (name, number)


def test_household_statement_only_to_proposal_recipients(config):
    views = views_of("2026-0181", config)
    household = next(v for v in views if v.kind == "household_statement")
    proposals = [v.creditor.name for v in views if v.kind == "repayment_proposal"]
    assert list(household.recipients) == proposals == ["かもめ浜銀行"]
    assert household.document_entry()["sent_to"] == ["かもめ浜銀行"]
    # the tax the sale leaves unpaid is an other debt of the household
    assert [d.remaining for d in household.other_debts][-2:] == [592_300, 264_000]


def test_attachments_line_is_what_the_recipient_gets(config, renderer):
    # the scans of the 添付 folder each creditor's packet encloses (pipeline.attach): the city
    # gets the 価格査定書 and the 買付証明書, the bank only the 価格査定書
    scans = {"かもめ浜市役所": ("価格査定書", "買付証明書"), "かもめ浜銀行": ("価格査定書",)}
    views = views_of("2026-0181", config, scans)
    by_name = letters(views)
    city, bank = by_name["かもめ浜市役所"], by_name["かもめ浜銀行"]
    # the city gets no proposal and no statement: none is listed; the bank's statement comes
    # with its proposal, whose 添付書類 line names it; nothing the packet lacks is listed
    assert city.attachments == ("配分案（別紙）", "価格査定書", "買付証明書", "回答書")
    assert bank.attachments == ("配分案（別紙）", "価格査定書", "回答書")
    proposal = next(v for v in views if v.kind == "repayment_proposal")
    assert proposal.attachments_text == "生活状況表"  # the scans are listed once, in the 同意申請書
    pdf, docx = texts(city, renderer)
    for text in (pdf, docx):
        assert "添付書類1．配分案（別紙）2．価格査定書3．買付証明書4．回答書以上" in text
        assert "生活状況表" not in text and "登記事項証明書" not in text
    pdf, docx = texts(proposal, renderer)
    assert "添付書類生活状況表" in pdf and "添付書類生活状況表" in docx


def test_without_scans_the_letters_list_only_what_ninbai_writes(config):
    """The retired fixed list (価格査定書, 登記事項証明書, 買付証明書) promised what nothing sent."""
    city = letters(views_of("2026-0181", config))["かもめ浜市役所"]
    assert city.attachments == ("配分案（別紙）", "回答書")


def test_reply_slip_and_deadline_in_every_letter(config, renderer):
    for letter in letters(views_of("2026-0175", config)).values():
        pdf, docx = texts(letter, renderer)
        for text in (pdf, docx):
            assert "令和8年12月15日までに御回答" in text
            assert "回答書" in text and "□同意します。" in text and "□同意しません。" in text
            assert "代表者・担当者" in text
        # the 回答書 is the last page of the PDF
        assert pdf.find("□同意します。") > pdf.find("別紙配分案債務者") > 0


def test_household_remarks_not_printed_unless_enabled(config, renderer):
    views = views_of("2026-0148", config)
    household = next(v for v in views if v.kind == "household_statement")
    pdf, docx = texts(household, renderer)
    for text in (pdf, docx):
        assert "要支援1" not in text and "備考" not in text.split("資産")[0]
    enabled = config.model_copy(update={"documents": config.documents.model_copy(
        update={"household_remarks": True})})
    household = next(v for v in views_of("2026-0148", enabled) if v.kind == "household_statement")
    pdf, docx = texts(household, renderer)
    assert "要支援1" in pdf and "要支援1" in docx


def test_long_plan_is_offered_with_a_review_not_a_period(config, renderer):
    proposal = next(v for v in views_of("2026-0181", config) if v.kind == "repayment_proposal")
    assert proposal.period_capped and proposal.months > config.repayment.period_cap_months
    pdf, docx = texts(proposal, renderer)
    for text in (pdf, docx):
        assert proposal.months_text.replace(",", "") not in text.replace(",", "")
        assert "令和14年3月に改めて生活状況をお示しのうえ" in text
        assert "当面の月額（令和14年3月に見直し）" in text


def test_owners_and_buyer_relation_printed(config, renderer):
    letter = letters(views_of("2026-0175", config))["するが中央銀行"]
    pdf, docx = texts(letter, renderer)
    for text in (pdf, docx):
        assert "石川亜希" in text and "2分の1" in text and "下記所有者の共有する不動産" in text
        assert "債務者と利害関係のない第三者" in text


def test_no_hanko_dai_in_any_letter(config, renderer):
    for letter in letters(views_of("2026-0148", config)).values():
        pdf, docx = texts(letter, renderer)
        assert "ハンコ代" not in pdf and "ハンコ代" not in docx
        assert "抹消承諾料" in pdf
