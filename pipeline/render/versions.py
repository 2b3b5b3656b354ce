"""Installed versions of the libraries that write the documents (使用ライブラリの版).

Read from the installed packages' metadata (``importlib.metadata``), never by importing the
libraries: the batch's main process puts them into the rebuild key (``BuildKey``) and decides
"unchanged" without loading a renderer, and ``pipeline.render.speedups`` checks them against the
versions its patches were tested with.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import metadata

#: The distributions whose version can change a document's bytes: WeasyPrint lays out and draws
#: the PDF, pydyf serialises it, docxtpl fills the .docx and python-docx (docxtpl's base) saves
#: it. An upgrade of any of them rebuilds every case.
DOCUMENT_LIBRARIES: tuple[str, ...] = ("weasyprint", "pydyf", "docxtpl", "python-docx")


def installed_version(name: str) -> str | None:
    """The installed version of distribution ``name`` (``"70.0"``), or None when not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def library_versions(names: Iterable[str] = DOCUMENT_LIBRARIES) -> dict[str, str]:
    """Distribution → installed version, ``""`` for one that is not installed."""
    return {name: installed_version(name) or "" for name in names}
