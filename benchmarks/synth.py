"""Synthetic case workbooks for the benchmark: N distinct variants of the samples.

Variant ``i`` starts from sample ``i mod n`` of the n samples of ``scripts/make_samples.py`` (the
sample mix, about 4–5 PDFs a case) and changes what a real month's cases differ in, deterministically
from ``i``:

- 案件番号 ``BENCH-00001``… (distinct: each becomes its own output folder);
- the debtor's name (a pool that includes 𠮷, 髙 and 﨑, so some documents need the names font),
  also on the 本人 row of 世帯;
- creditors: bank and company names from a pool (one name per original name, so a bank holding
  two liens still gets one letter); every fourth case gets an extra junior 抵当権 (two more
  documents), another fourth an extra 無担保 card loan (one more row in the household statement);
- the household: a member fewer or more, and 0–3 extra income/expense pairs of equal amounts (more
  rows in the 生活状況表, the same surplus, so the repayment figures stay valid);
- amounts: 査定価格, 売出価格, 売却価格 and the court's prices scaled together by 0.90–1.10.

Values the sample gives as typed text (2026-0163: ``"2,050万円"``, ``"１"``) are kept as they are:
the variant must stay valid. The workbooks are written with the samples' own writer.
"""

from __future__ import annotations

import importlib.util
import sys
import unicodedata
from dataclasses import replace
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent

DEBTORS = (
    ("田中 一郎", "タナカ イチロウ"), ("鈴木 美咲", "スズキ ミサキ"), ("高橋 健", "タカハシ ケン"),
    ("伊藤 直子", "イトウ ナオコ"), ("渡部 拓也", "ワタナベ タクヤ"), ("𠮷田 和夫", "ヨシダ カズオ"),
    ("山本 恵理", "ヤマモト エリ"), ("中川 誠", "ナカガワ マコト"), ("髙木 裕子", "タカギ ユウコ"),
    ("小松 大輔", "コマツ ダイスケ"), ("加藤 由紀", "カトウ ユキ"), ("山﨑 隆", "ヤマザキ タカシ"),
    ("吉村 千尋", "ヨシムラ チヒロ"), ("石井 進", "イシイ ススム"), ("森 早苗", "モリ サナエ"),
    ("池田 浩", "イケダ ヒロシ"), ("橋本 久美子", "ハシモト クミコ"), ("清水 亮", "シミズ リョウ"),
)
LENDERS = (
    "東都みらい銀行", "北斗中央銀行", "さくら野信用金庫", "みなと川銀行", "あおば台信用金庫",
    "ひかり総合銀行", "かえで信用組合", "にじいろ信用保証株式会社", "しらかば銀行",
    "つばさ債権回収株式会社", "いずみ野信用金庫", "はやぶさ銀行", "こだま信用保証株式会社",
)
#: Creditor names kept as they are: public bodies and the escaping test's ``A&B``.
_KEEP_WORDS = ("機構", "市役所", "税務署", "&")
_PRICE_KEYS = ("査定価格", "売出価格", "売却価格", "売却基準価額", "買受可能価額")
_EXTRA_PAIRS = (("その他収入", "親族からの一時的な援助", "その他支出", "援助分の返戻"),
                ("その他収入", "不用品売却", "その他支出", "臨時の修繕"),
                ("その他収入", "ポイント還元", "その他支出", "冠婚葬祭"))


def load_samples_module() -> ModuleType:
    """``scripts/make_samples.py`` as a module (scripts/ is not a package)."""
    name = "ninbai_make_samples"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / "make_samples.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the class is built
        spec.loader.exec_module(module)
    return sys.modules[name]


def case_id(index: int) -> str:
    return f"BENCH-{index:05d}"


def variant(samples: ModuleType, index: int):
    """Sample ``index mod`` (the number of samples) changed as the module docstring says."""
    base = samples.SAMPLE_BUILDERS[index % len(samples.SAMPLE_BUILDERS)]()
    debtor, kana = DEBTORS[index % len(DEBTORS)]
    factor = 90 + (index * 7) % 21  # percent, 90–110
    case = {**base.case, "案件番号": case_id(index), "債務者氏名": debtor, "債務者フリガナ": kana}
    case.update({k: _scaled(case[k], factor) for k in _PRICE_KEYS if k in case})
    creditors = _creditors(samples, base.creditors, index)
    if case.get("申立債権者"):  # the applicant is renamed with its 債権者 row (it must match one)
        row = next(i for i, r in enumerate(base.creditors) if r["債権者名"] == case["申立債権者"])
        case["申立債権者"] = creditors[row]["債権者名"]
    # the 交渉 rows name their creditor as the 債権者 sheet does: they follow the renaming
    renamed = {old["債権者名"]: new["債権者名"] for old, new in zip(base.creditors, creditors)}
    negotiation = tuple({**r, "債権者名": renamed[r["債権者名"]]} for r in base.negotiation)
    return replace(base, case=case, creditors=creditors, negotiation=negotiation,
                   members=_members(samples, base.members, debtor, index),
                   budget=base.budget + _extra_budget(samples, index))


def _scaled(value: object, percent: int) -> object:
    """An int yen amount × percent / 100, to the 10,000 yen; typed text is left alone."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value * percent // 100 // 10_000 * 10_000
    return value


def _creditors(samples: ModuleType, rows: tuple[dict, ...], index: int) -> tuple[dict, ...]:
    """Renamed by a per-case map (one bank, one letter), plus a junior lien or a card loan."""
    names = [r["債権者名"] for r in rows if not any(w in r["債権者名"] for w in _KEEP_WORDS)]
    mapping = {n: LENDERS[(index * 5 + k) % len(LENDERS)] for k, n in enumerate(dict.fromkeys(names))}
    renamed = tuple({**r, "債権者名": mapping.get(r["債権者名"], r["債権者名"])} for r in rows)
    used = {r["債権者名"] for r in renamed}
    spare = next(n for n in LENDERS[index % len(LENDERS):] + LENDERS if n not in used)
    if index % 4 == 1:
        return renamed + ({"順位": _next_rank(renamed), "債権者名": spare, "担保種別": "抵当権",
                           "元金残高": 1_000_000 + (index % 5) * 400_000, "プロファイル": "standard",
                           "部署": "債権管理部", "住所": "東京都港区芝九丁目9番9号"},)
    if index % 4 == 3:
        return renamed + ({"債権者名": spare + "カード", "担保種別": "無担保", "元金残高": 420_000,
                           "月返済額": 12_000},)
    return renamed


def _next_rank(rows: tuple[dict, ...]) -> int:
    """One below the lowest lien (ranks may be typed as full-width text in a sample)."""
    ranks = [int(unicodedata.normalize("NFKC", str(r["順位"]))) for r in rows
             if r.get("順位") is not None]
    return max(ranks) + 1


def _members(samples: ModuleType, rows: tuple[dict, ...], debtor: str,
             index: int) -> tuple[dict, ...]:
    """The 本人 row carries the new name; one member fewer or one child more."""
    members = tuple({**r, "氏名": debtor} if r.get("続柄") == "本人" else r for r in rows)
    if index % 3 == 1 and len(members) > 1:
        return members[:-1]
    if index % 3 == 2:
        child = debtor.split(" ")[0] + " 陽菜"
        return members + samples.members((child, "子", 6 + index % 10, "小学生"))
    return members


def _extra_budget(samples: ModuleType, index: int) -> tuple[dict, ...]:
    """0–3 pairs of equal income and expense rows: more rows, the same surplus."""
    rows: list[tuple] = []
    for k in range(index % 4):
        income, income_text, expense, expense_text = _EXTRA_PAIRS[k]
        amount = 3_000 + 1_000 * ((index + k) % 7)
        rows += [("収入", income, income_text, amount), ("支出", expense, expense_text, amount)]
    return samples.budget(*rows)


def write_cases(out_dir: Path, count: int) -> list[Path]:
    """Write ``count`` variant workbooks into ``out_dir`` (created); returns their paths."""
    samples = load_samples_module()
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(1, count + 1):
        path = out_dir / f"{case_id(index)}.xlsx"
        samples.build_workbook(variant(samples, index)).save(path)
        paths.append(path)
    return paths
