"""00 送付状 (pipeline/documents/cover_letter.py): what a creditor's packet encloses, page by page."""

from __future__ import annotations

import pytest

from pipeline.config import load_config
from pipeline.documents.common import CaseCommon
from pipeline.documents.cover_letter import Enclosed, build_cover_letter

from .test_documents import BANK, CITY, RARE, multi_case, multi_figures

PACKET = (Enclosed("任意売却に関する同意申請書", 4), Enclosed("生活状況表", 2),
          Enclosed("価格査定書", 1), Enclosed("買付証明書", 3))


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path_factory.mktemp("cwd"))
        return load_config(None)


def common(config, **company):
    if company:
        merged = config.company.model_copy(update=company)
        config = config.model_copy(update={"company": merged})
    return CaseCommon.of(multi_case(), multi_figures(), config)


def test_lists_each_enclosure_with_its_pages_and_the_total_with_the_cover(config):
    view = build_cover_letter(common(config), BANK, PACKET)
    assert [(e.number, e.title, e.pages_text) for e in view.enclosures] == [
        (1, "任意売却に関する同意申請書", "4枚"), (2, "生活状況表", "2枚"), (3, "価格査定書", "1枚"),
        (4, "買付証明書", "3枚")]
    assert (view.own_pages, view.total_pages, view.total_pages_text) == (1, 11, "11枚")


def test_a_two_page_cover_counts_itself_twice(config):
    view = build_cover_letter(common(config), BANK, PACKET, own_pages=2)
    assert view.total_pages_text == "12枚"


def test_title_file_name_date_and_addressee_as_the_other_letters(config):
    view = build_cover_letter(common(config), BANK, PACKET)
    assert view.title == "送付状" and view.kind == "cover_letter"
    assert view.filename_stem == f"00_送付状_{BANK}"
    assert view.date_text.startswith("令和")
    # 〇〇銀行's first row with an officer names him: 様, never 御中 as well
    assert view.addressee == "〇〇銀行 債権管理部 鈴木一郎 様"
    city = build_cover_letter(common(config), CITY, PACKET[:1])
    assert city.addressee == "〇〇市 納税課 御中"


def test_fax_and_phone_from_the_configuration(config):
    view = build_cover_letter(common(config, phone="03-1111-2222", fax="03-1111-2223"), RARE,
                              PACKET)
    assert view.fax == "03-1111-2223"
    assert "電話 03-1111-2222／FAX 03-1111-2223" in view.contact_text
    plain = build_cover_letter(common(config, phone="03-1111-2222", fax=""), RARE, PACKET)
    assert plain.fax == "" and "FAX" not in plain.contact_text


def test_a_part_without_pages_is_refused(config):
    with pytest.raises(ValueError):
        build_cover_letter(common(config), BANK, (Enclosed("価格査定書", 0),))
