"""The case workbook contract (docs/workbook.md, version 1) as data, in one place.

Sheet names, the 案件 labels, the table headers, and for every field: the model field it fills,
whether it is required, its value kind, its fixed choices and a short Japanese input hint.
The reader (workbook.py), the validator (validate.py) and the blank-workbook writer (newcase.py)
all read this module; none of them repeats a label or a header.

Field names of 案件 are the ``Case`` attribute, dotted for nested models ("debtor.name",
"auction.base_price"); they are also the keys of ``Case.cells``.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any, Literal, get_args

from pipeline import eras
from pipeline.read.models import (
    EXPENSE_CATEGORIES,
    INCOME_CATEGORIES,
    BuyerRelation,
    MovingReply,
    ReplyKind,
)

Kind = Literal[
    "yen", "date", "year_month", "percent", "integer", "decimal", "choice", "text", "case_id",
    "share",
]

CASE_SHEET = "案件"
#: Optional header row of 案件 (row 1): 項目 | 値.
CASE_HEADER = ("項目", "値")
#: 案件番号 becomes the output folder name: ASCII letters, digits, '-' and '_' only. The one
#: definition: validation, new-case and the batch (before it makes a folder) all use it.
CASE_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
#: CASE_ID_PATTERN in words, for staff.
CASE_ID_EXPECTED = "英数字で始まり英数字・-・_ だけの40文字以内（例: 2026-0142）"
#: Creditor profiles known when no configuration is given (docs/rules.md, "Creditor profiles"):
#: key → the name staff pick in the workbook (defaults.toml [profiles.*] label; a test keeps them equal).
DEFAULT_PROFILES: dict[str, str] = {"standard": "標準", "jhf": "住宅金融支援機構"}
#: 収支 区分 → the 費目 allowed for it.
BUDGET_CATEGORIES: dict[str, tuple[str, ...]] = {
    "収入": INCOME_CATEGORIES, "支出": EXPENSE_CATEGORIES,
}

#: Dates a case can hold (docs/workbook.md, "Dates and lengths"): from the first day of 平成, the
#: oldest date a loan balance or an auction of a case in hand can carry, to the last day of 2100.
#: Fixed bounds, not "today ± n": the core reads no clock, and a typo year (1026, 9999) lands far
#: outside either way. Every date field and the batch date (`ninbai build --date`) use them.
DATE_RANGES: dict[str, tuple[datetime.date, datetime.date]] = {
    "取引": (eras.era_by_token("平成").first, datetime.date(2100, 12, 31)),
}
_DEALING = DATE_RANGES["取引"]

#: Longest text per kind of field, in characters (docs/workbook.md, "Dates and lengths"): what
#: the letters can lay out. A table row and an address block never break across pages, so each
#: value must fit its box on one page; names and phones take a line or two, an address two or
#: three, a phrase (査定根拠, several names) a few, a note a paragraph. A longer value once
#: crashed the PDF layout (issue 12); tests/hardening/test_limits.py renders every field at its
#: maximum.
NAME_MAX = 60
SHORT_MAX = 30
ADDRESS_MAX = 120
PHRASE_MAX = 200
NOTE_MAX = 1000
#: 費用 備考 prints in the narrow 算出根拠 column of the sale request, and a table row never
#: breaks across pages: about 970 kanji fill a whole A4 page there (and crash the layout).
COST_NOTE_MAX = 500

_YEN = "円。例: 14,000,000 / 1400万円"
_DATE = "例: 2026/11/30 / 令和8年11月30日"
_TEXT = "文字で入力"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One 項目 of 案件 or one column of a table sheet.

    ``true_word`` makes a two-word choice a bool (破産手続 あり → True). ``required_when``
    names a conditional requirement checked by the validator's cross-field rules. ``dates``
    is the (first, last) day a date or year-month field may hold; ``max_length`` the most
    characters a text field may hold.
    """

    label: str
    name: str
    kind: Kind
    required: bool = False
    choices: tuple[str, ...] = ()
    true_word: str | None = None
    hint: str = ""
    required_when: str = ""
    dates: tuple[datetime.date, datetime.date] | None = None
    max_length: int | None = None


@dataclass(frozen=True, slots=True)
class TableSpec:
    """A table sheet: headers in row 1, one record per row from row 2."""

    sheet: str
    attr: str  # the Case attribute that holds the rows ("creditors")
    fields: tuple[FieldSpec, ...]
    required: bool = True

    def field(self, name: str) -> FieldSpec:
        return next(f for f in self.fields if f.name == name)


def _f(label: str, name: str, kind: Kind, required: bool = False, hint: str = "",
       **kw: Any) -> FieldSpec:
    if kind in ("date", "year_month"):
        kw.setdefault("dates", _DEALING)
    return FieldSpec(label, name, kind, required, hint=hint, **kw)


CASE_FIELDS: tuple[FieldSpec, ...] = (
    _f("案件番号", "case_id", "case_id", True, "英数字・-・_ で40文字まで。例: 2026-0142"),
    _f("担当者", "staff", "text", True, "担当者の氏名", max_length=SHORT_MAX),
    _f("作成日", "created", "date", hint="書類の日付。空欄ならバッチの日付。" + _DATE),
    _f("債務者氏名", "debtor.name", "text", True, "登記どおりの氏名", max_length=NAME_MAX),
    _f("債務者フリガナ", "debtor.kana", "text", hint="カタカナ", max_length=NAME_MAX),
    _f("債務者住所", "debtor.address", "text", True, "現住所", max_length=ADDRESS_MAX),
    _f("債務者電話", "debtor.phone", "text", hint="例: 03-1234-5678", max_length=SHORT_MAX),
    _f("連帯債務者・保証人", "co_debtors", "text", hint="氏名（複数可）", max_length=PHRASE_MAX),
    _f("物件種別", "property_kind", "choice", True, "一覧から選択",
       choices=("マンション", "戸建", "土地")),
    _f("査定価格", "appraisal", "yen", True, "査定額。" + _YEN),
    _f("査定根拠", "appraisal_basis", "text", hint="例: 近隣成約事例", max_length=PHRASE_MAX),
    _f("売出価格", "listing_price", "yen", hint=_YEN),
    _f("売却価格", "sale_price", "yen", True, "配分案の売却価格。" + _YEN),
    _f("買主", "buyer", "text", hint="決まっていれば", max_length=NAME_MAX),
    _f("買付日", "offer_date", "date", hint="買付証明書の日付。" + _DATE),
    _f("契約予定日", "contract_date", "date", hint=_DATE),
    _f("決済予定日", "settlement_date", "date", True, "債権額はこの日まで計算。" + _DATE),
    _f("固定資産税年額", "property_tax_yearly", "yen", hint="固定資産税・都市計画税の年額。" + _YEN),
    _f("管理費等月額", "management_monthly", "yen", hint="管理費＋修繕積立金。" + _YEN),
    _f("管理費等滞納額", "management_arrears", "yen", hint="決済時点。延滞金・駐車場代を除く"),
    _f("管理費等滞納月数", "management_arrears_months", "integer", hint="月数（整数）"),
    _f("引越費用希望額", "moving_requested", "yen", hint=_YEN),
    _f("破産手続", "bankruptcy", "choice", hint="空欄は「なし」",
       choices=("あり", "なし"), true_word="あり"),
    _f("競売開始決定日", "auction.start_decision_date", "date", hint=_DATE),
    _f("事件番号", "auction.case_number", "text", hint="例: 令和8年(ケ)第123号", max_length=SHORT_MAX),
    _f("売却基準価額", "auction.base_price", "yen", hint="裁判所の公告から。" + _YEN),
    _f("買受可能価額", "auction.min_bid", "yen", hint="裁判所の公告から。" + _YEN),
    _f("入札期間開始日", "auction.bidding_start", "date", hint=_DATE),
    _f("開札期日", "auction.opening_date", "date", hint=_DATE),
    _f("返済提案月額", "repayment_monthly_offer", "yen", hint="空欄なら自動計算。" + _YEN),
    _f("返済開始年月", "repayment_start", "year_month", hint="空欄なら決済の翌月。例: 2027年2月"),
    _f("一括和解提案額", "lump_sum_offer", "yen", hint=_YEN),
    # The 項目 below came later (all optional). They are appended, so every row of an older
    # blank workbook keeps its place; the reader finds a 項目 by its label, never by its row.
    _f("申立債権者", "auction.applicant", "text",
       hint="競売を申し立てた債権者。債権者シートの債権者名のとおりに", max_length=NAME_MAX),
    _f("執行裁判所", "auction.court", "text",
       hint="例: 静岡地方裁判所 / さいたま地方裁判所越谷支部", max_length=NAME_MAX),
    _f("競売申立費用", "auction.costs", "yen",
       hint="申立債権者が支出した競売の費用（予納金・登録免許税など）で返還を求める額。" + _YEN),
    _f("破産管財人", "bankruptcy_case.trustee", "text",
       hint="破産手続ありのとき。例: 弁護士 山田 太郎", max_length=NAME_MAX),
    _f("破産管財人事務所", "bankruptcy_case.trustee_office", "text", hint="例: ○○法律事務所",
       max_length=NAME_MAX),
    _f("破産管財人電話", "bankruptcy_case.trustee_phone", "text", hint="例: 03-1234-5678",
       max_length=SHORT_MAX),
    _f("破産事件番号", "bankruptcy_case.case_number", "text", hint="例: 令和8年(フ)第123号",
       max_length=SHORT_MAX),
    _f("破産裁判所", "bankruptcy_case.court", "text", hint="例: 東京地方裁判所",
       max_length=NAME_MAX),
    _f("回答期限", "reply_deadline", "date", hint="債権者に回答をお願いする期限。" + _DATE),
    _f("手付金", "deposit", "yen", hint="売買契約の手付金。" + _YEN),
    _f("引渡予定日", "handover_date", "date", hint="物件の引渡し（退去）予定日。" + _DATE),
    _f("買主との関係", "buyer_relation", "choice", hint="債務者と買主の関係。一覧から選択",
       choices=get_args(BuyerRelation)),
)

UNITS = TableSpec("物件", "units", (
    _f("種類", "kind", "choice", True, "登記の単位ごとに1行",
       choices=("土地", "建物", "区分建物", "敷地権")),
    _f("所在", "location", "text", True, "登記簿の所在", max_length=ADDRESS_MAX),
    _f("地番・家屋番号", "number", "text", True, "登記簿どおり", max_length=NAME_MAX),
    _f("地目・構造", "category", "text", hint="例: 宅地 / 鉄筋コンクリート造", max_length=NAME_MAX),
    _f("面積(㎡)", "area", "decimal", hint="小数2桁まで。例: 65.43"),
    _f("名称", "name", "text", hint="建物名・部屋番号", max_length=NAME_MAX),
))

CREDITORS = TableSpec("債権者", "creditors", (
    _f("順位", "rank", "integer", hint="抵当権・根抵当権の順位（1以上）。差押・無担保は空欄",
       required_when="抵当権/根抵当権のとき"),
    _f("債権者名", "name", "text", True, "例: ○○銀行", max_length=NAME_MAX),
    _f("担保種別", "kind", "choice", True, "一覧から選択",
       choices=("抵当権", "根抵当権", "差押", "無担保")),
    _f("元金残高", "principal", "yen", True, "差押は滞納税額。" + _YEN),
    _f("損害金等", "damages", "yen", hint="基準日までの利息・損害金。空欄は0"),
    _f("基準日", "base_date", "date", hint="残高の基準日。" + _DATE,
       required_when="損害金率が0より大きいとき"),
    _f("損害金率", "damage_rate", "percent", hint="年率。例: 14.6%。空欄は0"),
    _f("プロファイル", "profile", "choice", hint="控除基準（順位1の債権者のものを使用）",
       choices=tuple(DEFAULT_PROFILES.values())),
    _f("部署", "department", "text", hint="宛先の部署", max_length=NAME_MAX),
    _f("担当者", "officer", "text", hint="先方担当者名", max_length=SHORT_MAX),
    _f("住所", "address", "text", hint="宛先住所", max_length=ADDRESS_MAX),
    _f("電話", "phone", "text", hint="例: 03-1234-5678", max_length=SHORT_MAX),
    _f("優先", "priority", "choice", hint="差押のみ: 抵当権に優先する税なら「はい」",
       choices=("はい", "いいえ"), true_word="はい"),
    _f("解除料", "release_fee", "yen", hint="合意済みのハンコ代・差押解除料。" + _YEN),
    _f("月返済額", "monthly_payment", "yen", hint="無担保のみ: 現在の月返済額"),
    _f("債権番号", "loan_number", "text", hint="先方の融資番号・管理番号（書面に記載）",
       max_length=SHORT_MAX),
))

COSTS = TableSpec("費用", "costs", (
    _f("項目", "item", "text", True, "例: 残置物撤去費", max_length=NAME_MAX),
    _f("金額", "amount", "yen", True, _YEN),
    _f("支払先", "payee", "text", hint="業者名など", max_length=NAME_MAX),
    _f("備考", "note", "text", hint=_TEXT, max_length=COST_NOTE_MAX),
), required=False)

MEMBERS = TableSpec("世帯", "members", (
    _f("氏名", "name", "text", True, "債務者本人も含める", max_length=NAME_MAX),
    _f("続柄", "relation", "text", True, "例: 本人 / 妻 / 長男", max_length=SHORT_MAX),
    _f("年齢", "age", "integer", hint="整数"),
    _f("職業・勤務先", "occupation", "text", hint=_TEXT, max_length=NAME_MAX),
    _f("備考", "note", "text", hint=_TEXT, max_length=NOTE_MAX),
))

BUDGET = TableSpec("収支", "budget", (
    _f("区分", "side", "choice", True, "収入 / 支出", choices=tuple(BUDGET_CATEGORIES)),
    _f("費目", "category", "choice", True, "区分に合う費目を選択",
       choices=INCOME_CATEGORIES + EXPENSE_CATEGORIES),
    _f("内容", "detail", "text", hint="例: 夫 手取り", max_length=NAME_MAX),
    _f("月額", "monthly", "yen", True, "売却後の月額。住居費は家賃"),
    _f("備考", "note", "text", hint=_TEXT, max_length=NOTE_MAX),
))

ASSETS = TableSpec("資産", "assets", (
    _f("種類", "kind", "choice", True, "一覧から選択",
       choices=("預貯金", "保険", "自動車", "有価証券", "その他")),
    _f("内容", "detail", "text", hint="例: ○○銀行 普通預金", max_length=PHRASE_MAX),
    _f("評価額", "value", "yen", True, _YEN),
    _f("備考", "note", "text", hint=_TEXT, max_length=NOTE_MAX),
), required=False)

#: 所有者: only when the owners are not the debtor alone (共有). 持分 of all rows add up to 1.
OWNERS = TableSpec("所有者", "owners", (
    _f("氏名", "name", "text", True, "登記どおりの氏名（債務者本人も含める）", max_length=NAME_MAX),
    _f("住所", "address", "text", True, "登記どおりの住所", max_length=ADDRESS_MAX),
    _f("持分", "share", "share", True, "例: 2分の1。全員の合計が1"),
), required=False)

#: 交渉: each creditor's answer to each round (第N回) of the proposal, one row per creditor per
#: round (docs/workbook.md, Sheet 交渉). Optional: a case before its first send has none.
NEGOTIATION = TableSpec("交渉", "negotiation", (
    _f("債権者名", "creditor", "text", True, "債権者シートの債権者名のとおりに",
       max_length=NAME_MAX),
    _f("回", "round", "integer", True, "何回目の提案か（1以上の整数）。債権者ごとに1回1行"),
    _f("送付日", "sent_on", "date", hint="その回の書面を送った日。" + _DATE),
    _f("回答期限", "reply_deadline", "date", hint="その回でお願いした回答の期限。" + _DATE),
    _f("回答日", "replied_on", "date", hint="回答を受けた日（送付日以降）。" + _DATE),
    _f("回答", "reply", "choice", hint="一覧から選択。空欄は「回答待ち」",
       choices=get_args(ReplyKind)),
    _f("最低売却価格", "floor_price", "yen", hint="「〇〇万円以上なら可」の額。" + _YEN),
    _f("抹消承諾料", "release_fee_demand", "yen", hint="債権者が求める抹消承諾料。" + _YEN),
    _f("引越費用", "moving_cost", "choice", hint="引越費用への回答。一覧から選択",
       choices=get_args(MovingReply)),
    _f("条件メモ", "memo", "text", hint="回答の条件など", max_length=NOTE_MAX),
), required=False)

#: Longest file name the 添付 sheet may name (most file systems stop at 255).
FILE_NAME_MAX = 255

#: 添付: the scans of the folder named after the 案件番号 (docs/attachments.md §3). Optional and
#: not part of ``Case``: the reader reads it like the others (it is in SHEETS), and
#: pipeline.attach.sheet checks it against the files found, which only exist beside the workbook.
ATTACHMENTS = TableSpec("添付", "attachments", (
    _f("ファイル名", "file_name", "text", True, "添付フォルダのファイル名。例: 価格査定書.pdf",
       max_length=FILE_NAME_MAX),
    _f("書類名", "title", "text", hint="書類の中での名前。空欄ならファイル名",
       max_length=NAME_MAX),
    _f("宛先", "recipient", "text", hint="債権者名。空欄なら全債権者", max_length=PHRASE_MAX),
), required=False)

TABLES: tuple[TableSpec, ...] = (UNITS, CREDITORS, COSTS, MEMBERS, BUDGET, ASSETS, OWNERS,
                                 NEGOTIATION)
SHEETS: tuple[str, ...] = (CASE_SHEET,) + tuple(t.sheet for t in TABLES) + (ATTACHMENTS.sheet,)
REQUIRED_SHEETS: tuple[str, ...] = (CASE_SHEET,) + tuple(t.sheet for t in TABLES if t.required)
TABLE_BY_SHEET: dict[str, TableSpec] = {t.sheet: t for t in TABLES}
CASE_FIELD_BY_NAME: dict[str, FieldSpec] = {f.name: f for f in CASE_FIELDS}
