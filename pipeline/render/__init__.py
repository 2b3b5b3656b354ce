"""Render stage: a document view model → .docx bytes (docxtpl) and .pdf bytes (WeasyPrint).

``Renderer`` (in ``pipeline.render.renderer``) is created once per worker process and kept warm
across the cases of a batch. Templates are ``templates/<view.template>.docx`` and
``templates/<view.template>.html``; ``documents.css`` is the stylesheet.

Importing this package loads no renderer: the batch's main process uses
``pipeline.render.versions`` and ``pipeline.render.fonts`` to decide "unchanged" without loading
WeasyPrint, pydyf or docxtpl. ``Renderer`` and ``view_context`` are imported from
``pipeline.render.renderer`` on first use (``from pipeline.render import Renderer`` works).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import shipped_templates

if TYPE_CHECKING:
    from pipeline.render.renderer import Renderer, view_context

STYLESHEET = "documents.css"
#: The shared 別紙 of a ``shared_annex`` view: templates/<view.template>_annex.html.
ANNEX_TEMPLATE = "{}_annex"
TEMPLATES_ENV = "NINBAI_TEMPLATES"
#: Names served from ``pipeline.render.renderer`` on first use (it imports WeasyPrint).
_FROM_RENDERER = ("Renderer", "view_context")


class RenderError(Exception):
    """A document of a case could not be rendered; the message is for staff (Japanese)."""


def default_templates_dir() -> Path:
    """$NINBAI_TEMPLATES if set, else the templates shipped with the package (templates/)."""
    override = os.environ.get(TEMPLATES_ENV)
    return Path(override) if override else shipped_templates()


def __getattr__(name: str) -> Any:
    if name in _FROM_RENDERER:
        from pipeline.render import renderer

        return getattr(renderer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["STYLESHEET", "TEMPLATES_ENV", "RenderError", "Renderer", "default_templates_dir",
           "view_context"]
