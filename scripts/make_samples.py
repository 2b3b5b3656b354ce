"""Write the sample case workbooks (案件ワークブック) in inputs/: fictional cases for demos and tests.

Each sample is data below, written with openpyxl exactly in the shape of
docs/workbook.md (sheets 案件 物件 債権者 費用 世帯 収支 資産; 案件 is 項目 | 値,
the others have the contract's headers in row 1 in the contract's column order). The batch date of
the samples is 2026-11-30. Every name, address, phone number (555 blocks) and 番地 is invented.

Deterministic: fixed dates and values, and the file's own timestamps are pinned, so rerunning the
script rewrites identical files. inputs/README.md says what each sample exercises.

Usage: .venv/bin/python scripts/make_samples.py [--out DIR]   (default: inputs/ of the repo)
"""

from __future__ import annotations

import argparse
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

REPO = Path(__file__).resolve().parent.parent
#: Pinned into the file's properties and zip entries, so the bytes do not change between runs.
FIXED_STAMP = datetime(2026, 11, 30, 9, 0, 0)

CASE_KEYS: tuple[str, ...] = (
    "案件番号", "担当者", "作成日", "債務者氏名", "債務者フリガナ", "債務者住所", "債務者電話",
    "連帯債務者・保証人", "物件種別", "査定価格", "査定根拠", "売出価格", "売却価格", "買主", "買付日",
    "契約予定日", "決済予定日", "固定資産税年額", "管理費等月額", "管理費等滞納額", "管理費等滞納月数",
    "引越費用希望額", "破産手続", "競売開始決定日", "事件番号", "売却基準価額", "買受可能価額",
    "入札期間開始日", "開札期日", "返済提案月額", "返済開始年月", "一括和解提案額",
)
HEADERS: dict[str, tuple[str, ...]] = {
    "物件": ("種類", "所在", "地番・家屋番号", "地目・構造", "面積(㎡)", "名称"),
    "債権者": ("順位", "債権者名", "担保種別", "元金残高", "損害金等", "基準日", "損害金率",
             "プロファイル", "部署", "担当者", "住所", "電話", "優先", "解除料", "月返済額"),
    "費用": ("項目", "金額", "支払先", "備考"),
    "世帯": ("氏名", "続柄", "年齢", "職業・勤務先", "備考"),
    "収支": ("区分", "費目", "内容", "月額", "備考"),
    "資産": ("種類", "内容", "評価額", "備考"),
}
#: Labels (項目 or column headers) whose numbers are yen: shown with thousands separators.
YEN_LABELS = frozenset({
    "査定価格", "売出価格", "売却価格", "固定資産税年額", "管理費等月額", "管理費等滞納額",
    "引越費用希望額", "売却基準価額", "買受可能価額", "返済提案月額", "一括和解提案額", "元金残高",
    "損害金等", "解除料", "月返済額", "金額", "月額", "評価額",
})
NUMBER_FORMATS = {"yen": "#,##0", "date": "yyyy/mm/dd", "month": 'yyyy"年"m"月"',
                  "percent": "0.0%", "rate": "0.0", "area": "0.00"}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


@dataclass(frozen=True)
class Pct:
    """A cell formatted as percent, as Excel stores 14.5%: the value 0.145 with format 0.0%."""

    fraction: float


@dataclass(frozen=True)
class Sample:
    """One case workbook. Table rows are dicts keyed by the contract header (missing = blank).

    ``labels`` replaces a label as staff typed it (stray spaces, full-width forms), keyed by the
    contract's spelling; it applies to 案件 項目 and to column headers alike.
    """

    case: dict[str, object]
    units: tuple[dict, ...]
    creditors: tuple[dict, ...]
    costs: tuple[dict, ...] = ()
    members: tuple[dict, ...] = ()
    budget: tuple[dict, ...] = ()
    assets: tuple[dict, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def case_id(self) -> str:
        return str(self.case["案件番号"])

    def rows(self, sheet: str) -> tuple[dict, ...]:
        attr = {"物件": "units", "債権者": "creditors", "費用": "costs", "世帯": "members",
                "収支": "budget", "資産": "assets"}[sheet]
        return getattr(self, attr)


def table(headers: tuple[str, ...], *rows: tuple) -> tuple[dict, ...]:
    """Rows given positionally (shorter tuples leave the last columns blank) as header dicts."""
    return tuple(dict(zip(headers, row)) for row in rows)


def units(*rows: tuple) -> tuple[dict, ...]:
    return table(HEADERS["物件"], *rows)


def costs(*rows: tuple) -> tuple[dict, ...]:
    return table(HEADERS["費用"], *rows)


def members(*rows: tuple) -> tuple[dict, ...]:
    return table(HEADERS["世帯"], *rows)


def budget(*rows: tuple) -> tuple[dict, ...]:
    return table(HEADERS["収支"], *rows)


def assets(*rows: tuple) -> tuple[dict, ...]:
    return table(HEADERS["資産"], *rows)


# ---------------------------------------------------------------------------------------------
# The samples. Amounts are int yen, rates are numbers meaning percent (14.6 = 14.6%), unless a
# sample shows on purpose how staff type them (2026-0163).
# ---------------------------------------------------------------------------------------------

def sample_0142() -> Sample:
    """マンション, one 順位1 bank, 管理費 arrears: the worked example of docs/rules.md §6."""
    case = {
        "案件番号": "2026-0142", "担当者": "佐々木 涼子", "作成日": date(2026, 11, 24),
        "債務者氏名": "松本 浩二", "債務者フリガナ": "マツモト コウジ",
        "債務者住所": "神奈川県みなと川市港町三丁目999番地 グランメゾン港町305号室",
        "債務者電話": "090-5555-0142", "物件種別": "マンション", "査定価格": 14_000_000,
        "査定根拠": "同一マンション内の成約事例3件（2025年6月〜2026年9月、㎡単価20.1〜21.3万円）を"
                "基に、築年数・所在階・方位を補正して算出。",
        "売出価格": 14_800_000, "売却価格": 14_000_000, "買主": "田村 直樹",
        "買付日": date(2026, 11, 16), "契約予定日": date(2026, 12, 11),
        "決済予定日": date(2027, 1, 29), "固定資産税年額": 84_300, "管理費等月額": 25_000,
        "管理費等滞納額": 200_000, "管理費等滞納月数": 8, "引越費用希望額": 300_000,
        "破産手続": "なし",
    }
    creditors = ({
        "順位": 1, "債権者名": "東都みらい銀行", "担保種別": "抵当権", "元金残高": 19_500_000,
        "損害金等": 500_000, "基準日": date(2026, 10, 31), "損害金率": 14.6,
        "プロファイル": "standard", "部署": "融資管理部 管理第二グループ", "担当者": "小池 真理",
        "住所": "東京都千代田区丸の内九丁目99番9号", "電話": "03-5555-0101",
    },)
    return Sample(
        case=case,
        units=units(
            ("区分建物", "みなと川市港町三丁目 999番地5", "港町三丁目999番5の305",
             "鉄筋コンクリート造1階建 居宅", 68.45, "グランメゾン港町 305号室"),
            ("敷地権", "みなと川市港町三丁目", "999番5", "宅地（所有権・敷地権割合 10万分の1862）",
             2345.67),
        ),
        creditors=creditors,
        members=members(
            ("松本 浩二", "本人", 44, "会社員（みなと川ロジスティクス株式会社）"),
            ("松本 由美", "妻", 42, "パート（スーパー）"),
            ("松本 大翔", "長男", 15, "中学3年生"),
            ("松本 結衣", "長女", 11, "小学5年生"),
        ),
        budget=budget(
            ("収入", "給与", "夫 手取り", 320_000),
            ("収入", "給与", "妻 パート 手取り", 90_000),
            ("収入", "賞与(月額換算)", "夫 賞与（年36万円÷12）", 30_000),
            ("収入", "児童手当等", "児童手当（2人）", 20_000),
            ("支出", "住居費", "売却後の賃貸（3LDK）家賃・共益費", 98_000, "近隣で物件確認済み"),
            ("支出", "食費", "4人分", 96_000),
            ("支出", "水道光熱費", "電気・ガス・水道", 24_000),
            ("支出", "通信費", "スマートフォン3台・インターネット", 18_000),
            ("支出", "保険料", "生命保険・医療保険", 22_000),
            ("支出", "教育費", "学用品・塾（長男 高校受験）", 52_000),
            ("支出", "医療費", "通院", 6_000),
            ("支出", "交通費・車両費", "ガソリン・駐車場・自動車保険", 28_000),
            ("支出", "日用品・被服費", None, 20_000),
            ("支出", "交際費・娯楽費", None, 14_000),
            ("支出", "税金・社会保険料", "自動車税・住民税（普通徴収分）", 8_000),
            ("支出", "雑費", None, 12_000),
        ),
        assets=assets(
            ("預貯金", "ゆうちょ銀行 通常貯金", 180_000),
            ("自動車", "軽自動車（2017年式）", 250_000, "通勤に使用"),
        ),
    )


def sample_0148() -> Sample:
    """戸建 with JHF first, a 保証会社 second, a 信用組合 third, and two tax seizures."""
    case = {
        "案件番号": "2026-0148", "担当者": "中島 翔太", "作成日": date(2026, 11, 26),
        "債務者氏名": "佐藤 隆之", "債務者フリガナ": "サトウ タカユキ",
        "債務者住所": "埼玉県ひばり野市緑ヶ丘二丁目999番地9", "債務者電話": "090-5555-0148",
        "連帯債務者・保証人": "佐藤 恵子（妻・連帯保証人）", "物件種別": "戸建",
        "査定価格": 22_000_000,
        "査定根拠": "近隣の土地成約事例3件（坪単価50〜54万円）×42坪に、建物（木造・築22年）の"
                "残存価値150万円を加算。",
        "売出価格": 23_800_000, "売却価格": 21_500_000, "買主": "株式会社ひばり野ホーム",
        "買付日": date(2026, 11, 20), "契約予定日": date(2026, 12, 18),
        "決済予定日": date(2027, 2, 26), "固定資産税年額": 132_000, "引越費用希望額": 200_000,
        "破産手続": "なし", "返済開始年月": date(2027, 4, 1),
    }
    creditors = (
        {"順位": 1, "債権者名": "住宅金融支援機構", "担保種別": "抵当権", "元金残高": 27_800_000,
         "損害金等": 1_250_000, "基準日": date(2026, 10, 31), "損害金率": 14.5,
         "プロファイル": "jhf", "部署": "首都圏債権管理グループ",
         "住所": "東京都文京区後楽九丁目99番9号", "電話": "03-5555-0201"},
        {"順位": 2, "債権者名": "みらい信用保証株式会社", "担保種別": "抵当権",
         "元金残高": 3_200_000, "損害金等": 96_000, "基準日": date(2026, 10, 31),
         "損害金率": 14.6, "プロファイル": "standard", "部署": "債権管理部",
         "担当者": "山﨑 美穂", "住所": "東京都中央区八重洲九丁目9番99号",
         "電話": "03-5555-0202"},
        {"順位": 3, "債権者名": "さいたま彩央信用組合", "担保種別": "抵当権",
         "元金残高": 1_500_000, "損害金等": 45_000, "基準日": date(2026, 10, 31),
         "損害金率": 14.0, "部署": "融資部 管理課", "住所": "埼玉県ひばり野市本町二丁目99番地",
         "電話": "04-5555-0203"},
        {"債権者名": "ひばり野市役所", "担保種別": "差押", "元金残高": 286_400,
         "部署": "納税課 収納係", "住所": "埼玉県ひばり野市本町一丁目99番地",
         "電話": "04-5555-0100", "優先": "いいえ"},
        {"債権者名": "ひばり野税務署", "担保種別": "差押", "元金残高": 412_000,
         "部署": "徴収部門", "住所": "埼玉県ひばり野市本町三丁目99番地9",
         "電話": "04-5555-0110", "優先": "はい"},
    )
    return Sample(
        case=case,
        units=units(
            ("土地", "ひばり野市緑ヶ丘二丁目", "999番9", "宅地", 138.84),
            ("建物", "ひばり野市緑ヶ丘二丁目 999番地9", "999番9", "木造スレート葺2階建 居宅", 99.37),
        ),
        creditors=creditors,
        members=members(
            ("佐藤 隆之", "本人", 52, "会社員（製造業）"),
            ("佐藤 恵子", "妻", 50, "パート（介護施設）"),
            ("佐藤 拓海", "長男", 20, "大学2年生"),
            ("佐藤 フミ", "母", 79, "無職（年金受給）", "要支援1"),
        ),
        budget=budget(
            ("収入", "給与", "本人 手取り", 285_000),
            ("収入", "給与", "妻 パート 手取り", 68_000),
            ("収入", "年金", "母 老齢基礎年金", 54_000),
            ("支出", "住居費", "売却後の賃貸（戸建 4DK）家賃", 85_000),
            ("支出", "食費", "5人分", 82_000),
            ("支出", "水道光熱費", None, 26_000),
            ("支出", "通信費", None, 14_000),
            ("支出", "保険料", "生命保険", 15_000),
            ("支出", "教育費", "長男 学費（月額換算）", 45_000),
            ("支出", "医療費", "母 通院・薬代", 12_000),
            ("支出", "交通費・車両費", "ガソリン・自動車保険", 22_000),
            ("支出", "日用品・被服費", None, 18_000),
            ("支出", "交際費・娯楽費", None, 8_000),
            ("支出", "税金・社会保険料", "住民税（普通徴収分）・自動車税", 12_000),
            ("支出", "雑費", None, 10_000),
        ),
        assets=assets(
            ("預貯金", "ひばり野信用金庫 普通預金", 80_000),
            ("保険", "終身保険（解約返戻金）", 120_000),
        ),
    )


def sample_0151() -> Sample:
    """土地 two parcels, a 根抵当権 of a 信用金庫, an unsecured card loan, a lump-sum offer."""
    case = {
        "案件番号": "2026-0151", "担当者": "佐々木 涼子", "作成日": date(2026, 11, 27),
        "債務者氏名": "中村 健太郎", "債務者フリガナ": "ナカムラ ケンタロウ",
        "債務者住所": "千葉県若葉台市東野999番地", "債務者電話": "04-5555-0151",
        "物件種別": "土地", "査定価格": 9_000_000,
        "査定根拠": "周辺の土地取引事例4件（㎡単価2.6〜3.1万円）と路線価（㎡2.4万円）を参考に、"
                "不整形地として5%減価。",
        "売出価格": 10_800_000, "売却価格": 8_600_000, "買主": "有限会社若葉台開発",
        "買付日": date(2026, 11, 21), "契約予定日": date(2026, 12, 21),
        "決済予定日": date(2027, 3, 19), "固定資産税年額": 46_800, "破産手続": "なし",
        "一括和解提案額": 600_000,
    }
    creditors = (
        {"順位": 1, "債権者名": "あおば台信用金庫", "担保種別": "根抵当権",
         "元金残高": 12_000_000, "損害金等": 380_000, "基準日": date(2026, 10, 31),
         "損害金率": 14.0, "プロファイル": "standard", "部署": "融資部 融資管理課",
         "担当者": "髙橋 健一", "住所": "千葉県若葉台市本町九丁目9番9号", "電話": "04-5555-0301"},
        {"債権者名": "ほしぞらカード株式会社", "担保種別": "無担保", "元金残高": 680_000,
         "部署": "お客様相談室", "電話": "03-5555-0302", "月返済額": 15_000},
    )
    return Sample(
        case=case,
        units=units(
            ("土地", "若葉台市東野字北原", "999番1", "宅地", 264.00),
            ("土地", "若葉台市東野字北原", "999番2", "雑種地", 57.85),
        ),
        creditors=creditors,
        members=members(
            ("中村 健太郎", "本人", 58, "造園業（個人事業主）"),
            ("中村 美和子", "妻", 56, "パート（給食調理）"),
        ),
        budget=budget(
            ("収入", "事業収入", "造園業 所得（直近1年の月平均）", 240_000, "確定申告書で確認"),
            ("収入", "給与", "妻 パート 手取り", 75_000),
            ("支出", "住居費", "自宅（借家）家賃", 62_000),
            ("支出", "食費", None, 58_000),
            ("支出", "水道光熱費", None, 19_000),
            ("支出", "通信費", None, 11_000),
            ("支出", "保険料", None, 16_000),
            ("支出", "医療費", None, 7_000),
            ("支出", "交通費・車両費", "軽トラック ガソリン・車検積立", 25_000),
            ("支出", "日用品・被服費", None, 10_000),
            ("支出", "交際費・娯楽費", None, 6_000),
            ("支出", "税金・社会保険料", "国民健康保険・国民年金", 42_000),
            ("支出", "他の借入返済", "ほしぞらカード", 15_000),
            ("支出", "雑費", None, 8_000),
        ),
        assets=assets(
            ("自動車", "軽トラック（2012年式）", 150_000, "事業用"),
            ("預貯金", "あおば台信用金庫 普通預金", 210_000),
        ),
    )


def sample_0157() -> Sample:
    """戸建 in bankruptcy (破産手続 あり): JHF first, moving allowed, 費用 rows, 資産, no rent."""
    case = {
        "案件番号": "2026-0157", "担当者": "中島 翔太", "作成日": date(2026, 11, 20),
        "債務者氏名": "小林 真由美", "債務者フリガナ": "コバヤシ マユミ",
        "債務者住所": "栃木県ほくと市若草町999番地9", "債務者電話": "090-5555-0157",
        "物件種別": "戸建", "査定価格": 16_500_000,
        "査定根拠": "近隣の戸建成約事例2件と土地事例2件から原価法で算出（土地1,180万円・建物470万円）。",
        "売出価格": 17_800_000, "売却価格": 16_000_000, "買主": "株式会社ほくと不動産販売",
        "買付日": date(2026, 11, 12), "契約予定日": date(2026, 12, 25),
        "決済予定日": date(2027, 3, 12), "固定資産税年額": 118_000, "引越費用希望額": 300_000,
        "破産手続": "あり",
    }
    creditors = (
        {"順位": 1, "債権者名": "住宅金融支援機構", "担保種別": "抵当権", "元金残高": 21_400_000,
         "損害金等": 860_000, "基準日": date(2026, 10, 31), "損害金率": 14.5,
         "プロファイル": "jhf", "部署": "北関東債権管理グループ",
         "住所": "東京都文京区後楽九丁目99番9号", "電話": "03-5555-0201"},
        {"債権者名": "ほしぞらカード株式会社", "担保種別": "無担保", "元金残高": 1_850_000,
         "部署": "債権管理センター", "電話": "03-5555-0302"},
        {"債権者名": "ジェイ・クレジット株式会社", "担保種別": "無担保", "元金残高": 760_000,
         "電話": "03-5555-0303"},
    )
    return Sample(
        case=case,
        units=units(
            ("土地", "ほくと市若草町", "999番9", "宅地", 165.29),
            ("建物", "ほくと市若草町 999番地9", "999番9", "木造合金メッキ鋼板ぶき2階建 居宅",
             96.05),
        ),
        creditors=creditors,
        costs=costs(
            ("残置物撤去費", 264_000, "有限会社クリーンサービス北斗", "見積書 No.2026-1108（2tトラック3台分）"),
            ("測量費", 418_000, "森田土地家屋調査士事務所", "境界確定測量（隣地2筆）。買主の契約条件"),
        ),
        members=members(
            ("小林 真由美", "本人", 45, "会社員（医療事務）"),
            ("小林 彩花", "長女", 17, "高校2年生"),
            ("小林 蓮", "長男", 13, "中学1年生"),
        ),
        budget=budget(
            ("収入", "給与", "本人 手取り", 198_000),
            ("収入", "児童手当等", "児童手当・児童扶養手当", 46_000),
            ("収入", "養育費", "元夫から", 40_000, "公正証書あり"),
            ("支出", "食費", None, 70_000),
            ("支出", "水道光熱費", None, 18_000),
            ("支出", "通信費", None, 12_000),
            ("支出", "保険料", "医療保険", 8_000),
            ("支出", "教育費", "高校・中学 諸費用", 48_000),
            ("支出", "医療費", None, 5_000),
            ("支出", "交通費・車両費", "通勤定期", 15_000),
            ("支出", "日用品・被服費", None, 15_000),
            ("支出", "交際費・娯楽費", None, 5_000),
            ("支出", "雑費", None, 6_000),
            ("支出", "その他支出", "実家の母へ生活費として", 30_000, "売却後は実家に同居（家賃なし）"),
        ),
        assets=assets(
            ("預貯金", "みらい銀行 普通預金", 95_000, "破産管財人に報告済み"),
            ("保険", "学資保険（解約返戻金）", 310_000, "破産管財人に報告済み"),
            ("自動車", "普通乗用車（2015年式）", 400_000, "査定書あり"),
        ),
    )


def sample_0160() -> Sample:
    """戸建 already in auction near its 開札期日; pensioners with no repayment capacity."""
    case = {
        "案件番号": "2026-0160", "担当者": "佐々木 涼子", "作成日": date(2026, 11, 30),
        "債務者氏名": "渡辺 正雄", "債務者フリガナ": "ワタナベ マサオ",
        "債務者住所": "静岡県かすみ野市桜台四丁目99番地9", "債務者電話": "05-5555-0160",
        "物件種別": "戸建", "査定価格": 13_000_000,
        "査定根拠": "近隣成約事例3件（築25〜30年の木造戸建、1,150〜1,400万円）から比準。",
        "売出価格": 13_800_000, "売却価格": 12_000_000, "買主": "森 和也・森 聡子",
        "買付日": date(2026, 11, 25), "契約予定日": date(2026, 12, 10),
        "決済予定日": date(2027, 1, 22), "固定資産税年額": 76_500, "引越費用希望額": 250_000,
        "破産手続": "なし", "競売開始決定日": date(2026, 6, 15), "事件番号": "令和8年(ケ)第123号",
        "売却基準価額": 8_400_000, "買受可能価額": 6_720_000,
        "入札期間開始日": date(2027, 1, 20), "開札期日": date(2027, 2, 3),
        "返済提案月額": 5_000,
    }
    creditors = (
        {"順位": 1, "債権者名": "北斗中央銀行", "担保種別": "抵当権", "元金残高": 15_800_000,
         "損害金等": 920_000, "基準日": date(2026, 10, 31), "損害金率": 14.6,
         "プロファイル": "standard", "部署": "融資管理部",
         "住所": "静岡県かすみ野市中央一丁目99番9号", "電話": "05-5555-0401"},
        {"順位": 2, "債権者名": "やまびこ債権回収株式会社", "担保種別": "抵当権",
         "元金残高": 2_400_000, "損害金等": 310_000, "基準日": date(2026, 10, 31),
         "損害金率": 14.0, "部署": "管理第一部", "担当者": "石川 亮",
         "住所": "東京都港区芝浦九丁目99番9号", "電話": "03-5555-0402"},
    )
    return Sample(
        case=case,
        units=units(
            ("土地", "かすみ野市桜台四丁目", "999番9", "宅地", 181.82),
            ("建物", "かすみ野市桜台四丁目 999番地9", "999番9", "木造瓦葺2階建 居宅", 104.33),
        ),
        creditors=creditors,
        members=members(
            ("渡辺 正雄", "本人", 68, "無職（年金受給）"),
            ("渡辺 和子", "妻", 66, "無職（年金受給）"),
        ),
        budget=budget(
            ("収入", "年金", "本人 老齢厚生年金・基礎年金", 148_000),
            ("収入", "年金", "妻 老齢基礎年金", 62_000),
            ("支出", "住居費", "売却後の賃貸（2DK）家賃", 48_000),
            ("支出", "食費", None, 62_000),
            ("支出", "水道光熱費", None, 20_000),
            ("支出", "通信費", None, 8_000),
            ("支出", "保険料", None, 6_000),
            ("支出", "医療費", "本人 通院（高血圧）・妻 整形外科", 18_000),
            ("支出", "交通費・車両費", None, 5_000),
            ("支出", "日用品・被服費", None, 9_000),
            ("支出", "交際費・娯楽費", None, 6_000),
            ("支出", "税金・社会保険料", "国民健康保険・介護保険", 24_000),
            ("支出", "雑費", None, 8_000),
        ),
        assets=assets(("預貯金", "北斗中央銀行 普通預金", 320_000, "引越・敷金に充てる予定"),),
    )


def sample_0163() -> Sample:
    """マンション typed the way staff type: 万円, ¥, full-width digits, 和暦, percent text."""
    case = {
        "案件番号": "2026-0163", "担当者": "中島 翔太", "作成日": "令和8年11月27日",
        "債務者氏名": "井上 直美", "債務者フリガナ": "イノウエ ナオミ",
        "債務者住所": "大阪府こもれび市北町一丁目９９番９号 サンハイツ北町７０２号",
        "債務者電話": "０９０－５５５５－０１６３", "物件種別": " マンション ",
        "査定価格": "1,850万円",
        "査定根拠": "同一棟の成約事例２件（１５階・９階）と近隣類似マンション３件の㎡単価から比準",
        "売出価格": "1,880万円", "売却価格": "1780万", "買主": "株式会社こもれびリアルティ",
        "買付日": "R8/11/20", "契約予定日": "令和8年12月25日", "決済予定日": "R9.1.15",
        "固定資産税年額": "¥98,000", "管理費等月額": "¥24,000", "管理費等滞納額": "１２０，０００",
        "管理費等滞納月数": "５", "引越費用希望額": "30万円", "破産手続": "なし",
        "返済開始年月": "令和9年2月",
    }
    creditors = (
        {"順位": "１", "債権者名": "住宅金融支援機構", "担保種別": "抵当権", "元金残高": "2,050万円",
         "損害金等": "61.5万円", "基準日": "R8.10.31", "損害金率": Pct(0.145),
         "プロファイル": "ｊｈｆ", "部署": "近畿債権管理グループ",
         "住所": "大阪府大阪市中央区本町九丁目99番9号", "電話": "06-5555-0601"},
        {"順位": 2, "債権者名": "こもれび信用保証株式会社", "担保種別": " 抵当権",
         "元金残高": "¥2,400,000", "損害金等": "¥186,000", "基準日": "令和8年10月31日",
         "損害金率": "14.6%", "部署": "管理部", "担当者": "田中 𠮷男",
         "住所": "大阪府こもれび市南町二丁目99番地", "電話": "06-5555-0602"},
    )
    return Sample(
        case=case,
        units=units(
            ("区分建物", "こもれび市北町一丁目 99番地9", "北町一丁目99番9の702",
             "鉄筋コンクリート造1階建 居宅", 58.21, "サンハイツ北町 702号"),
            ("敷地権", "こもれび市北町一丁目", "99番9", "宅地（敷地権割合 10万分の1455）", 1680.12),
        ),
        creditors=creditors,
        members=members(
            ("井上 直美", "本人", "３９", "会社員（事務）"),
            ("井上 陽向", "長男", "９", "小学3年生"),
        ),
        budget=budget(
            ("収入", "給与", "本人 手取り", "¥212,000"),
            ("収入", "児童手当等", "児童手当", "1万円"),
            ("収入", "養育費", "元夫から", "３０，０００"),
            ("支出", "住居費", "賃貸（1LDK）予定", "6.8万円"),
            ("支出", "食費", None, "45,000円"),
            ("支出", "水道光熱費", None, "¥13,000"),
            ("支出", "通信費", None, "９，０００"),
            ("支出", "保険料", None, 7_000),
            ("支出", "教育費", "学童保育・習い事", "1.5万円"),
            ("支出", "医療費", None, "4000"),
            ("支出", "交通費・車両費", None, "６，０００円"),
            ("支出", "日用品・被服費", None, "1.2万円"),
            ("支出", "交際費・娯楽費", None, "5,000"),
            ("支出", "雑費", None, "¥6,000"),
        ),
        assets=assets(("預貯金", "こもれび銀行 普通預金", "12万円"),),
        labels={"担当者": " 担当者", "債務者氏名": "債務者氏名\u3000", "決済予定日": "決済予定日 ",
                "面積(㎡)": "面積（㎡）", "債権者名": " 債権者名", "損害金率": "損害金率 ",
                "月額": "月額\u3000"},
    )


def sample_0166() -> Sample:
    """マンション: the 順位1 bank also holds 順位2, an A&B 3rd lien above the guideline, 𠮷田."""
    case = {
        "案件番号": "2026-0166", "担当者": "佐々木 涼子", "作成日": date(2026, 11, 25),
        "債務者氏名": "𠮷田 裕介", "債務者フリガナ": "ヨシダ ユウスケ",
        "債務者住所": "愛知県あさぎり市栄町五丁目99番9号 ライオンズ栄町1203号",
        "債務者電話": "080-5555-0166", "連帯債務者・保証人": "𠮷田 千尋（妻・連帯債務者）",
        "物件種別": "マンション", "査定価格": 12_500_000,
        "査定根拠": "同一マンションの売出事例2件・成約事例1件から比準。管理費滞納の承継を考慮し▲3%。",
        "売出価格": 13_200_000, "売却価格": 12_300_000, "買主": "株式会社あさぎりリノベーション",
        "買付日": date(2026, 11, 19), "契約予定日": date(2026, 12, 16),
        "決済予定日": date(2027, 2, 12), "固定資産税年額": 72_000, "管理費等月額": 18_000,
        "管理費等滞納額": 1_296_000, "管理費等滞納月数": 72, "引越費用希望額": 400_000,
        "破産手続": "なし", "返済開始年月": date(2027, 3, 1),
    }
    creditors = (
        {"順位": 1, "債権者名": "ひまわり銀行", "担保種別": "抵当権", "元金残高": 16_200_000,
         "損害金等": 640_000, "基準日": date(2026, 10, 31), "損害金率": 14.0,
         "プロファイル": "standard", "部署": "ローン管理部", "担当者": "濵田 純一",
         "住所": "愛知県あさぎり市錦九丁目99番9号", "電話": "05-5555-0501"},
        {"順位": 2, "債権者名": "ひまわり銀行", "担保種別": "抵当権", "元金残高": 1_800_000,
         "損害金等": 72_000, "基準日": date(2026, 10, 31), "損害金率": 14.0,
         "部署": "ローン管理部", "担当者": "濵田 純一",
         "住所": "愛知県あさぎり市錦九丁目99番9号", "電話": "05-5555-0501"},
        {"順位": 3, "債権者名": "A&Bファイナンス株式会社", "担保種別": "抵当権",
         "元金残高": 2_600_000, "損害金等": 230_000, "基準日": date(2026, 10, 31),
         "損害金率": 14.6, "部署": "回収管理部", "住所": "東京都新宿区西新宿九丁目99番9号",
         "電話": "03-5555-0503", "解除料": 300_000},
    )
    return Sample(
        case=case,
        units=units(
            ("区分建物", "あさぎり市栄町五丁目 99番地9", "栄町五丁目99番9の1203",
             "鉄骨鉄筋コンクリート造1階建 居宅", 72.18, "ライオンズ栄町 1203号"),
            ("敷地権", "あさぎり市栄町五丁目", "99番9", "宅地（敷地権割合 100万分の9870）", 3120.55),
        ),
        creditors=creditors,
        members=members(
            ("𠮷田 裕介", "本人", 48, "会社員（自動車部品製造）"),
            ("𠮷田 千尋", "妻", 47, "パート（飲食店）"),
            ("𠮷田 湊", "長男", 18, "高校3年生", "2027年4月 就職予定"),
        ),
        budget=budget(
            ("収入", "給与", "本人 手取り", 268_000),
            ("収入", "給与", "妻 パート 手取り", 82_000),
            ("支出", "住居費", "売却後の賃貸（2LDK）家賃・駐車場", 76_000),
            ("支出", "食費", None, 72_000),
            ("支出", "水道光熱費", None, 21_000),
            ("支出", "通信費", None, 13_000),
            ("支出", "保険料", None, 14_000),
            ("支出", "教育費", "長男 高校", 18_000),
            ("支出", "医療費", None, 5_000),
            ("支出", "交通費・車両費", "ガソリン・自動車保険", 20_000),
            ("支出", "日用品・被服費", None, 15_000),
            ("支出", "交際費・娯楽費", None, 8_000),
            ("支出", "税金・社会保険料", None, 6_000),
            ("支出", "雑費", None, 7_000),
        ),
        assets=assets(("自動車", "普通乗用車（2016年式）", 350_000),),
    )


def sample_0170() -> Sample:
    """戸建 that is not an overloan (剰余金), with a city's seizure and no 固定資産税年額."""
    case = {
        "案件番号": "2026-0170", "担当者": "中島 翔太", "作成日": date(2026, 11, 27),
        "債務者氏名": "山口 勝", "債務者フリガナ": "ヤマグチ マサル",
        "債務者住所": "宮城県あさひ野市青葉台一丁目999番地", "債務者電話": "02-5555-0170",
        "連帯債務者・保証人": "山口 洋子（妻・連帯保証人）", "物件種別": "戸建",
        "査定価格": 25_000_000,
        "査定根拠": "土地（角地・南道路、坪単価48万円×45坪）＋建物（鉄骨造・築15年）残存価値380万円。",
        "売出価格": 26_800_000, "売却価格": 24_500_000, "買主": "株式会社あさひ野住宅",
        "買付日": date(2026, 11, 24), "契約予定日": date(2026, 12, 22),
        "決済予定日": date(2027, 3, 26), "引越費用希望額": 150_000, "破産手続": "なし",
    }
    creditors = (
        {"順位": 1, "債権者名": "あさひ野銀行", "担保種別": "抵当権", "元金残高": 6_800_000,
         "損害金等": 210_000, "基準日": date(2026, 10, 31), "損害金率": 14.0,
         "プロファイル": "standard", "部署": "個人融資部", "担当者": "菅原 智子",
         "住所": "宮城県あさひ野市中央九丁目99番9号", "電話": "02-5555-0701"},
        {"債権者名": "あさひ野市役所", "担保種別": "差押", "元金残高": 1_240_000,
         "部署": "税務部 納税課", "住所": "宮城県あさひ野市中央一丁目99番地",
         "電話": "02-5555-0100", "優先": "いいえ"},
    )
    return Sample(
        case=case,
        units=units(
            ("土地", "あさひ野市青葉台一丁目", "999番", "宅地", 148.76),
            ("建物", "あさひ野市青葉台一丁目 999番地", "999番", "軽量鉄骨造スレート葺2階建 居宅",
             112.40),
        ),
        creditors=creditors,
        members=members(
            ("山口 勝", "本人", 61, "無職（元 飲食店経営）", "2026年3月に閉店"),
            ("山口 洋子", "妻", 59, "パート（介護職）"),
        ),
        budget=budget(
            ("収入", "年金", "本人 特別支給の老齢厚生年金", 92_000),
            ("収入", "給与", "妻 パート 手取り", 118_000),
            ("収入", "援助", "長女から", 20_000),
            ("支出", "住居費", "売却後の賃貸（2LDK）家賃", 58_000),
            ("支出", "食費", None, 55_000),
            ("支出", "水道光熱費", None, 18_000),
            ("支出", "通信費", None, 9_000),
            ("支出", "保険料", None, 10_000),
            ("支出", "医療費", None, 8_000),
            ("支出", "交通費・車両費", None, 12_000),
            ("支出", "日用品・被服費", None, 9_000),
            ("支出", "交際費・娯楽費", None, 5_000),
            ("支出", "税金・社会保険料", "国民健康保険・国民年金（妻）", 28_000),
            ("支出", "雑費", None, 6_000),
        ),
        assets=assets(("預貯金", "あさひ野銀行 普通預金", 60_000),),
    )


def sample_0172() -> Sample:
    """リゾートマンション: arrears larger than the price, court figures above the offer."""
    case = {
        "案件番号": "2026-0172", "担当者": "佐々木 涼子", "作成日": date(2026, 11, 30),
        "債務者氏名": "岡田 昭", "債務者フリガナ": "オカダ アキラ",
        "債務者住所": "東京都ひのき野市本宿三丁目99番9号 コーポ本宿201号",
        "債務者電話": "03-5555-0172", "物件種別": "マンション", "査定価格": 1_200_000,
        "査定根拠": "同一リゾートマンション内の直近成約2件（80万円・150万円）。管理費滞納の承継で"
                "買い手が限られる。",
        "売出価格": 1_200_000, "売却価格": 800_000, "買主": "ゆきぐにリゾート管理株式会社",
        "買付日": date(2026, 11, 26), "契約予定日": date(2026, 12, 14),
        "決済予定日": date(2027, 1, 29), "固定資産税年額": 38_000,
        "管理費等滞納額": 2_100_000, "管理費等滞納月数": 84, "破産手続": "なし",
        "競売開始決定日": date(2026, 8, 20), "事件番号": "令和8年(ケ)第456号",
        "売却基準価額": 1_300_000, "買受可能価額": 1_040_000,
        "入札期間開始日": date(2027, 2, 10), "開札期日": date(2027, 2, 24),
    }
    creditors = ({
        "順位": 1, "債権者名": "やまびこ債権回収株式会社", "担保種別": "抵当権",
        "元金残高": 3_400_000, "損害金等": 1_120_000, "基準日": date(2026, 10, 31),
        "損害金率": 14.6, "プロファイル": "standard", "部署": "管理第二部",
        "住所": "東京都港区芝浦九丁目99番9号", "電話": "03-5555-0402",
    },)
    return Sample(
        case=case,
        units=units(
            ("区分建物", "新潟県ゆきぐに町大字湯沢原 9999番地", "湯沢原9999番の812",
             "鉄筋コンクリート造1階建 居宅", 41.30, "ゆきぐにスカイリゾート 812号"),
            ("敷地権", "新潟県ゆきぐに町大字湯沢原", "9999番", "宅地（敷地権割合 10万分の412）",
             8650.00),
        ),
        creditors=creditors,
        members=members(("岡田 昭", "本人", 71, "無職（年金受給）", "単身"),),
        budget=budget(
            ("収入", "年金", "老齢厚生年金・基礎年金", 128_000),
            ("支出", "住居費", "現住所（賃貸）家賃", 45_000),
            ("支出", "食費", None, 32_000),
            ("支出", "水道光熱費", None, 11_000),
            ("支出", "通信費", None, 4_000),
            ("支出", "医療費", None, 6_000),
            ("支出", "日用品・被服費", None, 5_000),
            ("支出", "交際費・娯楽費", None, 3_000),
            ("支出", "税金・社会保険料", "国民健康保険・介護保険", 9_000),
            ("支出", "雑費", None, 3_000),
        ),
    )


SAMPLE_BUILDERS = (sample_0142, sample_0148, sample_0151, sample_0157, sample_0160, sample_0163,
                   sample_0166, sample_0170, sample_0172)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

def _canonical(label: str) -> str:
    """The contract spelling of a label as staff may have typed it (NFKC, no outer spaces)."""
    return unicodedata.normalize("NFKC", label).strip()


def _format_of(label: str, value: object) -> str | None:
    """Excel number format staff would give this value: yen with commas, dates as dates."""
    name = _canonical(label)
    if isinstance(value, Pct):
        return NUMBER_FORMATS["percent"]
    if isinstance(value, date):
        return NUMBER_FORMATS["month" if name == "返済開始年月" else "date"]
    if isinstance(value, int) and name in YEN_LABELS:
        return NUMBER_FORMATS["yen"]
    if isinstance(value, float):
        return NUMBER_FORMATS["rate" if name == "損害金率" else "area"]
    return None


def _put(ws: Worksheet, row: int, col: int, label: str, value: object) -> None:
    """Write one value with the number format its label calls for."""
    cell = ws.cell(row=row, column=col, value=value.fraction if isinstance(value, Pct) else value)
    number_format = _format_of(label, value)
    if number_format:
        cell.number_format = number_format


def _display_width(value: object) -> int:
    """Rough column width in Excel units: full-width characters count double."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = f"{value:,}"
    else:
        text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "FW" else 1 for ch in text)


def _style_sheet(ws: Worksheet) -> None:
    """Header row bold on a tint and frozen; columns as wide as their content (capped)."""
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
    ws.freeze_panes = "A2"
    for col in ws.iter_cols():
        width = max(_display_width(c.value) for c in col)
        ws.column_dimensions[get_column_letter(col[0].column)].width = min(max(width + 2, 8), 60)


def write_case_sheet(ws: Worksheet, sample: Sample) -> None:
    """案件: 項目 | 値, every 項目 of the contract in its order, blank where not given."""
    ws.append(("項目", "値"))
    for key in CASE_KEYS:
        label = sample.labels.get(key, key)
        ws.cell(row=ws.max_row + 1, column=1, value=label)
        _put(ws, ws.max_row, 2, label, sample.case.get(key))
    _style_sheet(ws)


def write_table_sheet(ws: Worksheet, sheet: str, sample: Sample) -> None:
    """A table sheet: the contract's headers in row 1, one row per entry."""
    headers = HEADERS[sheet]
    ws.append(tuple(sample.labels.get(h, h) for h in headers))
    for r, row in enumerate(sample.rows(sheet), start=2):
        for c, header in enumerate(headers, start=1):
            if row.get(header) is not None:
                _put(ws, r, c, header, row[header])
    _style_sheet(ws)


def build_workbook(sample: Sample) -> Workbook:
    """The whole workbook of one sample, every contract sheet present (empty ones keep headers)."""
    wb = Workbook()
    wb.active.title = "案件"
    write_case_sheet(wb.active, sample)
    for sheet in HEADERS:
        write_table_sheet(wb.create_sheet(sheet), sheet, sample)
    wb.properties.creator = "ninbai scripts/make_samples.py"
    wb.properties.title = f"任意売却 案件 {sample.case_id}（サンプル・架空）"
    wb.properties.created = FIXED_STAMP
    return wb


def _pin_timestamps(path: Path) -> None:
    """openpyxl stamps the save time into docProps/core.xml and the zip entries: pin both."""
    with zipfile.ZipFile(path) as src:
        entries = [(info.filename, src.read(info)) for info in src.infolist()]
    stamp = FIXED_STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            info = zipfile.ZipInfo(name, date_time=FIXED_STAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)


def write_samples(out_dir: Path) -> list[Path]:
    """Write every sample as ``<案件番号>.xlsx`` into ``out_dir``; returns the paths, sorted."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for builder in SAMPLE_BUILDERS:
        sample = builder()
        path = out_dir / f"{sample.case_id}.xlsx"
        build_workbook(sample).save(path)
        _pin_timestamps(path)
        paths.append(path)
    return sorted(paths)


def main() -> None:
    parser = argparse.ArgumentParser(description="サンプル案件ワークブックを inputs/ に書き出す")
    parser.add_argument("--out", type=Path, default=REPO / "inputs", help="出力先フォルダ")
    args = parser.parse_args()
    for path in write_samples(args.out):
        print(path)


if __name__ == "__main__":
    main()
