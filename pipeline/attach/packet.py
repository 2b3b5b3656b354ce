"""The packet (送付書類一式): one PDF of a 送付状, the letters and the attachments, bookmarked.

``assemble`` takes the parts in the order they are sent, each a bookmark title and a PDF, and
copies their pages into one document with one bookmark (しおり) per part, shown when the file is
opened. Each part's pages are copied as they are drawn, so the letters keep their own page
numbers (「1 / 3」…). The page count of every part is returned, so that the 送付状 can list them
and the total 「N枚」 (docs/attachments.md §6).

The parts are the pipeline's own PDFs and attachments already cleaned (pipeline.attach.clean,
written by qpdf): they are opened here in the batch's process. qpdf reads and rewrites the file
structure only (cross-reference, objects, page tree); it never interprets page content.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

import pikepdf

from pipeline.attach.clean import save


@dataclass(frozen=True, slots=True)
class Packet:
    """The packet's bytes and the pages of each part, in the order given."""

    pdf: bytes
    pages: tuple[int, ...]

    @property
    def total_pages(self) -> int:
        return sum(self.pages)


def page_count(pdf: bytes) -> int:
    """The pages of one PDF (a part, before it is put in the packet)."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return len(doc.pages)


def assemble(parts: Sequence[tuple[str, bytes]], title: str = "") -> Packet:
    """One PDF of ``parts`` (bookmark title, PDF bytes), in order; ``title`` its document title.

    A part with no pages is refused (ValueError): a bookmark must lead somewhere, and a
    送付状 must not count a document that is not there. The same parts give the same bytes.
    """
    counts: list[int] = []
    # qpdf copies a part's stream data when the packet is written: the parts stay open till then
    with contextlib.ExitStack() as open_parts:
        out = open_parts.enter_context(pikepdf.new())
        with out.open_outline() as outline:
            for name, data in parts:
                part = open_parts.enter_context(pikepdf.open(io.BytesIO(data)))
                if not part.pages:
                    raise ValueError(f"part without pages: {name!r}")
                outline.root.append(pikepdf.OutlineItem(name, len(out.pages)))
                out.pages.extend(part.pages)
                counts.append(len(part.pages))
        out.Root.PageMode = pikepdf.Name.UseOutlines  # open with the bookmarks shown
        if title:
            out.docinfo[pikepdf.Name.Title] = title
            # the viewer's window shows the title rather than the file name
            out.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        return Packet(save(out), tuple(counts))
