"""The shared 別紙 of a case with many creditors: laid out once, its pages added to each letter.

A 同意申請書 lists every lien of the case in its 別紙 配分案, so N letters of N rows each made
N² rows to lay out (issue 12: 40 creditors 67 s, 200 not done in 15 minutes). From
``SHARED_ANNEX_MIN_LETTERS`` letters (pipeline/documents/sale_request.py) the 別紙 highlights no
row and is the same in every letter of the case; the letter gives the addressee's share itself.
The renderer then lays the 別紙 out once (``AnnexCache``, keyed by its whole HTML, so a 別紙 is
reused only where it would come out the same) and appends its pages to each letter's PDF with
pypdf, which copies the already-drawn pages: the case costs N letters plus one 別紙.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from pypdf import PdfReader, PdfWriter


class AnnexCache:
    """The last 別紙 laid out (HTML → PDF bytes, warnings): one case's letters follow each other.

    One entry only, so a worker's memory does not grow over a batch.
    """

    def __init__(self) -> None:
        self._html: str | None = None
        self._pdf: bytes = b""
        self._warnings: list[str] = []
        self.layouts = 0  # how many 別紙 were laid out (tests count them)

    def get(self, html: str, lay_out: Callable[[str], tuple[bytes, list[str]]]
            ) -> tuple[bytes, list[str]]:
        if html != self._html:
            self._pdf, self._warnings = lay_out(html)
            self._html = html
            self.layouts += 1
        return self._pdf, list(self._warnings)


#: The id of the 回答書 section (templates/_reply_slip.html). WeasyPrint writes every id as a PDF
#: named destination, which is how the shared 別紙 finds where the reply slip begins.
REPLY_SLIP_ANCHOR = "reply-slip"


def append_pages(letter: bytes, annex: bytes) -> bytes:
    """The letter's PDF with the pages of ``annex`` added; the letter's metadata kept.

    The 別紙 goes after the letter's text and before its 回答書, so the reply slip stays the last
    page as in a letter with the 別紙 inside (and as in the Word file). The 別紙 keeps its own page
    numbers (「別紙 1 / 3」…), as a 別紙 passed round alone would.
    """
    reader = PdfReader(io.BytesIO(letter))
    writer = PdfWriter(clone_from=reader)
    writer.merge(reply_slip_page(reader), PdfReader(io.BytesIO(annex)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def reply_slip_page(reader: PdfReader) -> int:
    """Index of the page where the 回答書 begins, or the page count when the letter has none."""
    destination = reader.named_destinations.get(REPLY_SLIP_ANCHOR)
    page = None if destination is None else reader.get_destination_page_number(destination)
    return len(reader.pages) if page is None else page
