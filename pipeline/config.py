"""Configuration: the shipped defaults (pipeline/defaults.toml) merged with the user's ninbai.toml.

Everything that is a policy lives here as data — creditor profiles (ハンコ代 caps, 引越費用 caps, …),
the 仲介手数料 price bands and the 消費税 rate, the auction assumptions, the repayment rule's numbers,
both 印紙税 tables — plus the company block and the document titles. The user's file is merged
over the defaults key by key (a new profile starts from ``standard``); a key the defaults do not
know is an error naming it, so a typo never silently leaves a default in force. ``Config`` is
frozen; ``digest()`` tells the batch whether the effective configuration changed.
"""

from __future__ import annotations

import copy
import hashlib
import json
import tomllib
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator

from pipeline.frozen import Frozen

Money = int  # yen; Field(ge=0) where used
Ratio = Decimal


class ConfigError(ValueError):
    """The configuration cannot be used; the message is Japanese and names the file and key."""


class Company(Frozen):
    """The sender printed on every document (宅地建物取引業者)."""

    name: str
    address: str
    phone: str
    license_no: str  # 宅地建物取引業免許番号
    representative: str
    fax: str = ""  # FAX番号, printed on the 送付状 when given (docs/outputs.md)


class Band(Frozen):
    """A price band: applies up to and including ``up_to`` yen (None: no upper end)."""

    up_to: int | None = Field(default=None, ge=0)


class BrokerageBand(Band):
    """仲介手数料 band: ``floor(P × rate) + plus`` (宅建業法46条・報酬告示)."""

    rate: Ratio = Field(ge=0)
    plus: Money = Field(ge=0)


class StampBand(Band):
    """印紙税 band of the 不動産譲渡契約書 table (docs/rules.md §1, item 9)."""

    duty: Money = Field(ge=0)


def _open_ended(rows: tuple[Any, ...], limit: str) -> tuple[Any, ...]:
    """Limits ascend and only the last row is open-ended, so every amount finds exactly one row."""
    ends = [getattr(r, limit) for r in rows]
    if not rows or ends[-1] is not None or None in ends[:-1]:
        raise ValueError(f"最後の行だけ {limit} を省略し、他の行には {limit} を書いてください")
    if ends[:-1] != sorted(set(ends[:-1])):
        raise ValueError(f"{limit} は小さい順に、重複なく並べてください")
    return rows


def _check_bands(bands: tuple[Band, ...]) -> tuple[Band, ...]:
    return _open_ended(bands, "up_to")


BandT = TypeVar("BandT", bound=Band)


def band_for(bands: tuple[BandT, ...], amount: int) -> BandT:
    """The first band whose ``up_to`` is at or above ``amount`` (the last band is open-ended)."""
    return next(b for b in bands if b.up_to is None or amount <= b.up_to)


class Brokerage(Frozen):
    bands: tuple[BrokerageBand, ...]

    _bands_ok = field_validator("bands")(_check_bands)


class Profile(Frozen):
    """A creditor profile: the deduction rules of the 順位 1 holder (docs/rules.md, profiles)."""

    label: str
    scrivener_fee_per_lien: Money = Field(ge=0)  # 司法書士報酬 per lien released
    hanko_caps_by_rank: tuple[Money, ...] = Field(min_length=1)  # 第2順位, 第3順位, …, last = lower
    hanko_principal_ratio: Ratio = Field(ge=0)  # ハンコ代 ≤ 元金残高 × this
    moving_cap: Money = Field(ge=0)  # 引越費用
    moving_cap_bankrupt: Money = Field(ge=0)  # 引越費用 when 破産手続 あり
    management_months: int = Field(ge=0)  # 滞納管理費等 months allowed
    seizure_release_cap: Money = Field(ge=0)  # non-priority 差押: min(this, 固定資産税年額)
    stamp_duty_deductible: bool  # 売買契約書印紙代
    bankruptcy_estate_ratio: Ratio = Field(ge=0)  # 破産財団組入金
    #: Who of this profile's creditors gets the 生活状況表 (docs/outputs.md, who gets what):
    #: with_proposal = only with a 残債務の返済に関する申出書; with_letter = with any letter; never.
    household_statement: Literal["with_proposal", "with_letter", "never"]

    def hanko_cap(self, rank: int) -> int:
        """Fixed ハンコ代 cap of a lien of this 順位 (2 → first entry; beyond the list → last)."""
        return self.hanko_caps_by_rank[min(max(rank, 2), len(self.hanko_caps_by_rank) + 1) - 2]


class ProcedureCost(Frozen):
    """予納金 row: applies while the 順位 1 claim is ``below`` this (None: no upper end)."""

    below: int | None = Field(default=None, ge=0)
    amount: Money = Field(ge=0)


def _cost_for(rows: tuple[ProcedureCost, ...], measure: int) -> int:
    """The amount of the first row whose ``below`` is above ``measure`` (the last row: no end)."""
    return next(r.amount for r in rows if r.below is None or measure < r.below)


class CourtCosts(Frozen):
    """One court's 予納金 table (docs/rules.md §2, "予納金 by court"), with the page it is from.

    ``by`` says what the rows are keyed by: ``claim`` — the 請求債権額 (taken as the 順位 1 claim
    at settlement); ``units`` — the number of 物件 (rows of the 物件 sheet). ``extra_per_unit``
    is added for each 物件 beyond ``units_included`` (静岡: 2筆まで60万円, 1筆ごとに5万円加算).
    """

    source: str  # the court's page the table comes from (URL)
    by: Literal["claim", "units"]
    costs: tuple[ProcedureCost, ...]
    units_included: int = Field(default=0, ge=0)
    extra_per_unit: Money = Field(default=0, ge=0)

    @field_validator("costs")
    @classmethod
    def _costs_ok(cls, rows: tuple[ProcedureCost, ...]) -> tuple[ProcedureCost, ...]:
        return _open_ended(rows, "below")

    def cost(self, first_claim: int, units: int) -> int:
        """予納金 by this court's rule, for the 順位 1 claim and the number of 物件."""
        measure = first_claim if self.by == "claim" else units
        extra = self.extra_per_unit * max(0, units - self.units_included) if self.extra_per_unit else 0
        return _cost_for(self.costs, measure) + extra


class Auction(Frozen):
    """競売との比較 assumptions (docs/rules.md §2); printed on the documents."""

    market_discount: Ratio = Field(ge=0, lt=1)
    min_bid_ratio: Ratio = Field(gt=0, le=1)
    expected_bid_ratio: Ratio = Field(ge=0)
    procedure_cost_source: str
    procedure_costs: tuple[ProcedureCost, ...]
    #: 予納金 tables by 執行裁判所 (the court's name as it writes it: 静岡地方裁判所,
    #: 京都地方裁判所舞鶴支部); a 支部 not listed uses its 本庁's table.
    courts: dict[str, CourtCosts] = Field(default_factory=dict)

    @field_validator("procedure_costs")
    @classmethod
    def _costs_ok(cls, rows: tuple[ProcedureCost, ...]) -> tuple[ProcedureCost, ...]:
        return _open_ended(rows, "below")

    def procedure_cost(self, first_claim: int) -> int:
        """予納金 of the shipped default table (東京地裁本庁) for the 順位 1 claim (docs/rules.md §2)."""
        return _cost_for(self.procedure_costs, first_claim)


class Repayment(Frozen):
    """残債務の返済計画 numbers (docs/rules.md §4)."""

    min_monthly: Money = Field(ge=0)
    surplus_share: Ratio = Field(ge=0, le=1)
    rounding_unit: int = Field(ge=1)
    split_unit: int = Field(ge=1)
    #: A plan longer than this many months is not printed as 「N回（N年）」: the letter offers the
    #: monthly amount and a review of the household after review_after_months (docs/rules.md §4).
    period_cap_months: int = Field(ge=1)
    review_after_months: int = Field(ge=1)


class StampDuty(Frozen):
    """印紙税 tables: reduced (軽減措置) for contracts up to ``reduced_until``, else ordinary."""

    reduced_until: date
    ordinary: tuple[StampBand, ...]
    reduced: tuple[StampBand, ...]

    _bands_ok = field_validator("ordinary", "reduced")(_check_bands)


class Tax(Frozen):
    consumption_rate: Ratio = Field(ge=0)


class Registration(Frozen):
    tax_per_unit: Money = Field(ge=0)  # 登録免許税 per 不動産 per lien


class AttachmentLimits(Frozen):
    """The 添付 folder's bounds and the layout of scans (docs/attachments.md §2, §4, §5)."""

    max_files: int = Field(ge=1)  # files in one case's folder
    max_file_mb: int = Field(ge=1)  # one file
    max_case_mb: int = Field(ge=1)  # all files of one case together
    max_pdf_pages: int = Field(ge=1)  # pages of one PDF
    max_image_megapixels: int = Field(ge=1)  # width × height of one image, in millions
    assumed_dpi: int = Field(ge=72, le=1200)  # resolution of an image that states none
    margin_mm: int = Field(ge=0, le=40)  # white border round an image on its A4 page
    seconds: int = Field(ge=1)  # wall clock for checking one case's files
    memory_mb: int = Field(ge=256)  # address space of the process that checks them


class Documents(Frozen):
    """What goes to whom and what is printed (docs/outputs.md)."""

    household_remarks: bool  # print the 備考 of 世帯 and 収支 (health, family notes)
    household_statement_in_bankruptcy: bool  # send the 生活状況表 when 破産手続 あり


class WarningLimits(Frozen):
    listing_above_market_ratio: Ratio = Field(gt=0)
    close_to_opening_days: int = Field(ge=0)


class Serve(Frozen):
    """``ninbai serve`` settings (docs/serve.md): they shape no document."""

    session_idle_hours: int = Field(ge=1, le=24 * 7)  # a login ends after this long unused
    login_attempts: int = Field(ge=1)  # wrong passwords in a row before the lockout
    lockout_minutes: int = Field(ge=1)  # how long a name (or a PC) is locked out after them


class Review(Frozen):
    """確認ページ settings: they shape index.html only, never a document."""

    timezone: str  # IANA name; the page's times (UTC in the manifest) are shown in it

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"タイムゾーン名（例 \"Asia/Tokyo\"）を書いてください: {name}") from None
        return name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class BreakEvenRules(Frozen):
    """損益分岐価格 (docs/rules.md §2, "Break-even prices"): the price step of the search, its
    rounding rule as staff read it, why, and how far above the 査定価格 to look."""

    unit: Money = Field(ge=1)  # a break-even price is a whole multiple of this (1,000円)
    rounding: str  # the rule's name, printed next to the prices: 「1,000円単位に切上げ」
    reason: str  # why that rule (shown to staff on the review page)
    limit_ratio: Ratio = Field(gt=0)  # no price above 査定価格 × this is tried (10)


class Config(Frozen):
    """The effective configuration (defaults + the user's file)."""

    company: Company
    titles: dict[str, str]
    attachment_limits: AttachmentLimits
    tax: Tax
    brokerage: Brokerage
    registration: Registration
    profiles: dict[str, Profile]
    auction: Auction
    repayment: Repayment
    stamp_duty: StampDuty
    warnings: WarningLimits
    documents: Documents
    serve: Serve
    #: ``ninbai user add``: user name → salted scrypt hash of the password (pipeline.serve.users)
    users: dict[str, str]
    review: Review
    break_even: BreakEvenRules

    def digest(self) -> str:
        """sha256 of the effective configuration, for the batch's "unchanged" decision.

        ``review``, ``serve`` and ``users`` are left out: they shape index.html and the server
        only, so changing them rebuilds no case.
        """
        data = json.dumps(self.model_dump(mode="json", exclude={"review", "serve", "users"}),
                          sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()

    def profile_names(self) -> dict[str, str]:
        """Profile key → its Japanese name (``label``): what the workbook's プロファイル dropdown
        shows and the reader maps back (pipeline.read.profiles)."""
        return {key: profile.label for key, profile in self.profiles.items()}


#: The name of an office's settings file (設定ファイル), looked for by ``find_config``.
CONFIG_NAME = "ninbai.toml"
#: The environment variable naming the settings file (after ``--config``, before the lookup).
CONFIG_ENV = "NINBAI_CONFIG"
#: The sender's keys every document needs (差出人), with what staff call them. ``representative``
#: (代表者) is printed when given and may stay blank.
REQUIRED_COMPANY = {"name": "会社名", "address": "所在地", "phone": "電話番号",
                    "license_no": "宅地建物取引業免許番号"}


def find_config(given: Path | None, from_env: str | None, cwd: Path,
                input_dirs: Iterable[Path] = ()) -> Path | None:
    """Which settings file applies (設定ファイルの探し方), first found wins:

    1. ``given`` (``--config``), 2. ``from_env`` (``$NINBAI_CONFIG``), 3. ``ninbai.toml`` in ``cwd``
    or one of its parents, 4. ``ninbai.toml`` in the folder of an input or one of its parents.
    None: no file (the shipped defaults alone). A file named by 1 or 2 that does not exist is a
    ``ConfigError``: a typo there must not silently fall back to another office's settings.
    The caller passes the environment and the working folder; nothing here reads a global.
    """
    for named, how in ((given, "--config"), (Path(from_env) if from_env else None, CONFIG_ENV)):
        if named is not None:
            if not named.is_file():
                raise ConfigError(f"設定ファイルが見つかりません: {named}（{how} で指定）")
            return named
    for start in (cwd, *input_dirs):
        found = _nearest(start)
        if found is not None:
            return found
    return None


def _nearest(start: Path) -> Path | None:
    """``ninbai.toml`` in ``start`` or the nearest of its parents (a workspace and its subfolders)."""
    folder = start.absolute()
    for candidate in (folder, *folder.parents):
        if (candidate / CONFIG_NAME).is_file():
            return candidate / CONFIG_NAME
    return None


def missing_company(config: Config) -> list[str]:
    """The required sender keys still blank: 「会社名（company.name）」, … in the file's order."""
    return [f"{label}（company.{key}）" for key, label in REQUIRED_COMPANY.items()
            if not getattr(config.company, key).strip()]


def require_company(config: Config, source: Path | None) -> None:
    """Refuse to write documents without a sender: a letter to a bank must never go out with a
    blank or placeholder 差出人. The message names the missing keys and the file that was read."""
    missing = missing_company(config)
    if not missing:
        return
    where = (f"設定ファイル「{source}」" if source is not None
             else f"設定ファイル（{CONFIG_NAME}）が見つからず、標準設定だけ")
    raise ConfigError(f"書類の差出人（会社の情報）が設定されていません: {'、'.join(missing)}。"
                      f"読んだのは{where}です。[company] に記入してから作成してください"
                      f"（作業フォルダは ninbai init で作れます）")


def load_config(path: Path | None = None) -> Config:
    """defaults.toml, then the user's TOML file ``path`` over it (None: the defaults alone).

    The library never looks for a settings file by itself: which file applies is decided by
    ``find_config``, called by the command line with its options, environment and folders.
    """
    data = _read_toml(resources.files("pipeline").joinpath("defaults.toml").read_text("utf-8"),
                      "defaults.toml")
    source = "defaults.toml"
    if path is not None:
        source = str(path)
        data = merge_config(data, _read_user_file(path), source)
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, source)) from None


def merge_config(base: dict[str, Any], user: dict[str, Any], source: str) -> dict[str, Any]:
    """Deep merge of the user's settings over ``base``; a new profile starts as ``standard``."""
    base = copy.deepcopy(base)
    for name in user.get("profiles", {}) if isinstance(user.get("profiles"), dict) else ():
        if name not in base["profiles"]:
            base["profiles"][name] = {**base["profiles"]["standard"], "label": name}
    for name in user.get("users", {}) if isinstance(user.get("users"), dict) else ():
        base["users"].setdefault(name, "")  # every name is the office's own
    courts = user.get("auction", {}).get("courts") if isinstance(user.get("auction"), dict) else None
    for name in courts if isinstance(courts, dict) else ():
        # a court of the office's own: every key known, its values all from the user's table
        base["auction"].setdefault("courts", {}).setdefault(name, dict(_NEW_COURT))
    return _merge(base, user, "", source)


#: The keys of a court table the office adds in its ninbai.toml (values all its own).
_NEW_COURT: dict[str, Any] = {"source": "", "by": "claim", "costs": [], "units_included": 0,
                              "extra_per_unit": 0}


#: Settings an older ninbai.toml may still have, with what replaced them (never silently ignored).
RETIRED = {
    "attachments": "添付書類の一覧は、案件ごとの添付フォルダ（ブックの隣の案件番号の名前のフォルダ）に"
                   "置いた書類と ninbai が作る書類から、債権者ごとに書かれるようになりました"
                   "（docs/attachments.md）。ninbai.toml から [attachments] の節を削除してください",
}


def _merge(base: dict[str, Any], user: dict[str, Any], path: str, source: str) -> dict[str, Any]:
    out = dict(base)
    for key, value in user.items():
        where = f"{path}.{key}" if path else key
        if where in RETIRED:
            raise ConfigError(f"{source}: 設定項目「{where}」は使われなくなりました。{RETIRED[where]}")
        if key not in base:
            raise ConfigError(f"{source}: 不明な設定項目「{where}」です（綴りを確認してください）")
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{source}: 「{where}」は表（[{where}]）として書いてください")
            out[key] = _merge(base[key], value, where, source)
        else:
            out[key] = value
    return out


def _read_user_file(path: Path) -> dict[str, Any]:
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: 設定ファイルを読めません（{exc.strerror}）") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: 設定ファイルは UTF-8 で保存してください") from None
    return _read_toml(text, str(path))


def _read_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: TOML の書き方が正しくありません（{exc}）") from None


#: What a value must look like, by pydantic error type, for the message to staff.
_EXPECTED = {
    "int": "整数（例 300000）", "decimal": "割合を文字列で（例 \"0.30\"）",
    "bool": "true か false", "date": "日付（例 2027-03-31）", "string": "文字列",
    "greater_than_equal": "0以上の値", "greater_than": "0より大きい値",
    "less_than": "1未満の値", "less_than_equal": "1以下の値", "too_short": "1つ以上の値",
}


def _explain(exc: ValidationError, source: str) -> str:
    """Japanese message for every invalid value, naming its key (never a raw pydantic message)."""
    lines = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        kind = err["type"]
        expected = next((text for key, text in _EXPECTED.items() if kind.startswith(key)), None)
        if kind == "value_error":
            expected = str(err.get("ctx", {}).get("error", "")) or None
        value = err.get("input")
        shown = "" if isinstance(value, dict | list) else f"「{value}」"
        lines.append(f"{source}: 「{where}」の値{shown}が正しくありません"
                     f"（{expected or '形式を確認してください'}）")
    return "\n".join(lines)
