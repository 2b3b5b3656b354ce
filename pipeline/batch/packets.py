"""The packets of one case (送付書類一式): per creditor, one PDF of what is sent to it.

``<case_id>/送付書類一式_<債権者名>.pdf`` = the 送付状, then the creditor's documents in a fixed
order (同意申請書, 生活状況表 when it gets one, 残債務の返済に関する申出書 when it gets one), then
the scans its 添付 rows give it (docs/outputs.md, docs/attachments.md §6). One bookmark per part.

Page counts are known only after rendering: the letters are rendered first (``build_case``), their
pages counted, then the 送付状 is rendered listing them; a 送付状 whose list runs onto a second
page is rendered again counting itself as two (``cover_pages``). The letters' PDFs are put into
the packet as they were written to the case folder, byte for byte; assembling them is a copy of
page objects by qpdf, not a second rendering.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pikepdf

from pipeline.attach.case import CaseAttachments, Enclosure
from pipeline.attach.packet import assemble, page_count
from pipeline.batch.manifest import PACKET_PREFIX
from pipeline.documents.common import COVER_LETTER, CaseCommon
from pipeline.documents.cover_letter import CoverLetterView, Enclosed, build_cover_letter
from pipeline.documents.recipients import Packets
from pipeline.render import RenderError

#: Renderings of one 送付状 before its page count must have settled (1 page → 2 → stays 2).
COVER_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a packet: its bookmark title (書類名) and its PDF."""

    title: str
    pdf: bytes


@dataclass(frozen=True, slots=True)
class CasePackets:
    """What the packets of a case add to its folder and to case.json."""

    files: dict[str, bytes]  # the 送付状 .docx and .pdf and the packets, by file name
    documents: list[dict]  # case.json ``documents`` entries of the 送付状
    packets: list[dict]  # case.json ``packets``: addressee, pdf, pages, parts (title, pages)
    warnings: list[tuple[str, str]]  # (file stem, WeasyPrint's line) while laying out a 送付状


def letter_parts(views: Sequence[Any], pdfs: dict[str, bytes], packets: Packets
                 ) -> dict[str, list[Part]]:
    """債権者名 → its documents in packet order (同意申請書, 生活状況表, 返済申出書).

    ``views`` come from ``build_views`` in its order: the 同意申請書 of ``packets.letters``, the
    生活状況表 when anybody gets it, the 返済申出書 of ``packets.proposals``.
    """
    by_kind: dict[str, list[Any]] = {}
    for view in views:
        by_kind.setdefault(view.kind, []).append(view)
    letters = dict(zip(packets.letters, by_kind.get("sale_request", []), strict=True))
    proposals = dict(zip(packets.proposals, by_kind.get("repayment_proposal", []), strict=True))
    household = by_kind.get("household_statement", [])
    parts: dict[str, list[Part]] = {}
    for name in packets.recipients():
        chosen = [letters.get(name), household[0] if household and packets.gets_household(name)
                  else None, proposals.get(name)]
        parts[name] = [Part(v.title, pdfs[v.filename_stem + ".pdf"]) for v in chosen if v]
    return parts


def build_packets(common: CaseCommon, views: Sequence[Any], pdfs: dict[str, bytes],
                  packets: Packets, attachments: CaseAttachments | None, renderer: Any,
                  lap: Callable[[str], None] = lambda stage: None) -> CasePackets:
    """The 送付状 and packet of every recipient of the case (raises ``RenderError``)."""
    try:
        return _build_packets(common, views, pdfs, packets, attachments, renderer, lap)
    except pikepdf.PdfError as exc:  # our own PDFs: qpdf must read them, or nothing is sent
        raise RenderError(f"送付書類一式（案件 {common.case.case_id}）を作れません: 作成したPDFを"
                          "読み直せませんでした。システム担当者に連絡してください") from exc


def _build_packets(common: CaseCommon, views: Sequence[Any], pdfs: dict[str, bytes],
                   packets: Packets, attachments: CaseAttachments | None, renderer: Any,
                   lap: Callable[[str], None]) -> CasePackets:
    out = CasePackets({}, [], [], [])
    counts: dict[bytes, int] = {}  # the 生活状況表 goes into several packets: counted once
    stems: set[str] = set()
    for name, parts in letter_parts(views, pdfs, packets).items():
        scans = attachments.for_creditor(name) if attachments is not None else ()
        enclosed = [Enclosed(p.title, _pages(p.pdf, counts)) for p in parts]
        enclosed += [Enclosed(e.title, e.pages) for e in scans]
        lap("packet")
        view, cover, logged = cover_pages(common, name, enclosed, renderer)
        view = _unique(view, stems)
        out.warnings.extend((view.filename_stem, line) for line in logged)
        out.files[view.filename_stem + ".docx"] = renderer.docx(view)
        out.files[view.filename_stem + ".pdf"] = cover
        lap("cover")
        packet_name = PACKET_PREFIX + view.filename_stem.removeprefix(_cover_prefix(common))
        out.files[packet_name + ".pdf"] = _assembled(view, cover, parts, scans)
        out.documents.append(view.document_entry())
        out.packets.append({"addressee": view.creditor.name, "pdf": packet_name + ".pdf",
                            "pages": view.total_pages,
                            "parts": [{"title": view.title, "pages": view.own_pages}]
                            + [{"title": e.title, "pages": e.pages} for e in view.enclosures]})
        lap("packet")
    return out


def cover_pages(common: CaseCommon, name: str, enclosed: Sequence[Enclosed], renderer: Any
                ) -> tuple[CoverLetterView, bytes, list[str]]:
    """The 送付状 view and PDF whose 「N枚」 counts the pages it really takes, and WeasyPrint's
    warnings.

    Rendered counting itself as one page; when the list of documents makes it longer, rendered
    again with that count (a longer total does not lengthen the page: the number is in a cell).
    """
    own = 1
    for _ in range(COVER_ATTEMPTS):
        view = build_cover_letter(common, name, enclosed, own)
        pdf, warnings = renderer.pdf(view)
        pages = page_count(pdf)
        if pages == own:
            return view, pdf, warnings
        own = pages
    raise RenderError(f"送付状（案件 {common.case.case_id}）の枚数が定まりません"
                      f"（{own}枚で作り直しても変わります）。テンプレートを確認してください")


def _pages(pdf: bytes, counts: dict[bytes, int]) -> int:
    if pdf not in counts:
        counts[pdf] = page_count(pdf)
    return counts[pdf]


def _assembled(view: CoverLetterView, cover: bytes, parts: list[Part],
               scans: Sequence[Enclosure]) -> bytes:
    """The packet's PDF; its page counts are checked against what the 送付状 says."""
    packet = assemble([(view.title, cover), *((p.title, p.pdf) for p in parts),
                       *((e.title, e.pdf) for e in scans)],
                      title=f"{PACKET_PREFIX}（{view.creditor.name}）")
    said = (view.own_pages, *(e.pages for e in view.enclosures))
    if packet.pages != said:  # the 送付状 would state a wrong 「N枚」: never send that
        raise RenderError(f"送付書類一式（案件 {view.case_id}、{view.creditor.name}）の枚数が"
                          f"送付状の記載と合いません（{packet.total_pages}枚／{view.total_pages_text}）")
    return packet.pdf


def _cover_prefix(common: CaseCommon) -> str:
    """「00_送付状」: what the 送付状's file name has before the creditor's name."""
    return common.stem(COVER_LETTER)


def _unique(view: CoverLetterView, stems: set[str]) -> CoverLetterView:
    """Two names that make one file name get _2, _3 (as the letters do)."""
    stem, n = view.filename_stem, 1
    while stem in stems:
        n += 1
        stem = f"{view.filename_stem}_{n}"
    stems.add(stem)
    return view if stem == view.filename_stem else replace(view, filename_stem=stem)
