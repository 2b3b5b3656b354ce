"""The warm renderer of a worker process: a document view → .docx bytes and .pdf bytes.

Imported only where documents are rendered (it loads WeasyPrint and docxtpl); the package
``pipeline.render`` hands out ``Renderer`` and ``view_context`` from here on first use.

``Renderer`` is created once per worker process and kept warm across the cases of a batch: it
holds the Jinja environments (parsed templates are cached there), the .docx template bytes, one
WeasyPrint ``FontConfiguration`` and one pre-parsed stylesheet (docs/rendering.md §2: a new
FontConfiguration per document leaks memory; re-parsing CSS costs ≈17% of layout).

Templates are ``templates/<view.template>.docx`` and ``templates/<view.template>.html`` (the HTML
extends ``base.html``; ``documents.css`` is the stylesheet). Each template sees the view's fields
as top-level variables (``{{ addressee }}``, ``{% for row in liens %}``).

Every failure of a document (template error, sandbox refusal, a resource outside templates/, a
character no font has, a WeasyPrint error) is a ``RenderError`` with a Japanese message naming
the document and the template; ``casebuild`` turns it into a failed case, and the batch goes on.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from jinja2 import TemplateError, TemplateNotFound
from jinja2.exceptions import SecurityError, UndefinedError
from weasyprint.urls import FatalURLFetchingError

from pipeline.render import ANNEX_TEMPLATE, STYLESHEET, RenderError, default_templates_dir
from pipeline.render.annex import AnnexCache, append_pages
from pipeline.render.docx import DocxWriter
from pipeline.render.env import make_env
from pipeline.render.pdf import PdfWriter


class Renderer:
    """Warm renderer of one worker process. ``docx(view)`` and ``pdf(view)`` per document."""

    def __init__(self, templates_dir: Path | None = None) -> None:
        from pipeline.render import fonts  # the font chain and the glyph check live with the fonts

        self.templates_dir = Path(templates_dir or default_templates_dir()).resolve()
        if not (self.templates_dir / STYLESHEET).is_file():
            raise RenderError(f"テンプレートのフォルダが見つかりません: {self.templates_dir}")
        self._missing_glyphs = fonts.missing_glyphs
        self._missing_glyphs("")  # loads the fonts' coverage now: a missing font fails here
        self._html_env = make_env(self.templates_dir, html=True)
        self._docx = DocxWriter(self.templates_dir, make_env(self.templates_dir, html=False))
        self._pdf = self._pdf_writer(tuple(fonts.PDF_FONT_FAMILIES))
        self.annexes = AnnexCache()

    def _pdf_writer(self, families: tuple[str, ...]) -> PdfWriter:
        """The warm WeasyPrint state; a stylesheet that cannot load fails every case, so here."""
        where = f"スタイルシート {STYLESHEET}"
        try:
            writer = PdfWriter(self.templates_dir, STYLESHEET, families)
        except FatalURLFetchingError as exc:
            reason = f"テンプレートのフォルダの外は読み込めません（{exc}）"
            raise RenderError(f"{where}: {reason}") from exc
        if writer.stylesheet_failures:
            raise RenderError(f"{where}: " + " / ".join(writer.stylesheet_failures))
        return writer

    def docx(self, view: Any) -> bytes:
        """The Word document of ``view`` (templates/<view.template>.docx)."""
        name = f"{view.template}.docx"
        with _as_render_error(view, name):
            return self._docx.write(name, view_context(view), getattr(view, "date", None))

    def pdf(self, view: Any) -> tuple[bytes, list[str]]:
        """The PDF of ``view`` and WeasyPrint's warnings (for the review page)."""
        pdf, warnings = self._lay_out(view, self.html(view))
        if getattr(view, "shared_annex", False):
            annex, annex_warnings = self.annexes.get(
                self.html(view, ANNEX_TEMPLATE.format(view.template)),
                lambda html: self._lay_out(view, html))
            pdf = append_pages(pdf, annex)  # both made by WeasyPrint just now
            warnings += annex_warnings
        return pdf, warnings

    def _lay_out(self, view: Any, html: str) -> tuple[bytes, list[str]]:
        name = f"{view.template}.html"
        self._check_glyphs(html, view, name)
        with _as_render_error(view, name):
            pdf, failures, warnings = self._pdf.write(html)
        if failures:
            raise RenderError(f"{_doc(view, name)}: PDFの作成中にエラーがあります: "
                              + " / ".join(failures))
        return pdf, warnings

    def html(self, view: Any, template: str | None = None) -> str:
        """The filled HTML of ``view`` (what WeasyPrint lays out; also for golden files).

        ``template``: another template's name (without .html) for the view, such as the shared
        別紙 of a ``shared_annex`` view (``ANNEX_TEMPLATE``, pipeline/render/annex.py).
        """
        name = f"{template or view.template}.html"
        with _as_render_error(view, name):
            return self._html_env.get_template(name).render(view_context(view))

    def _check_glyphs(self, html: str, view: Any, name: str) -> None:
        """WeasyPrint draws an empty box for a character no font has: refuse before layout.

        The filled HTML holds every string of the view that is printed and the template's own
        text (staff may type a rare character into a template too).
        """
        missing = self._missing_glyphs(html)
        if missing:
            chars = "、".join(f"「{c}」(U+{ord(c):04X})" for c in missing)
            raise RenderError(f"{_doc(view, name)}: 印刷できるフォントがない文字があります: "
                              f"{chars}。外字を常用の字体に置き換えるか、フォントを追加してください")


def view_context(view: Any) -> dict[str, Any]:
    """The template variables: the view's top-level fields by name, plus ``view`` itself."""
    context = {f.name: getattr(view, f.name) for f in dataclasses.fields(view)}
    context["view"] = view
    return context


def _doc(view: Any, template: str) -> str:
    """「任意売却に関する同意申請書（案件 2026-0142, テンプレート sale_request.docx）」."""
    title = getattr(view, "title", "") or getattr(view, "kind", "書類")
    return f"{title}（案件 {getattr(view, 'case_id', '?')}、テンプレート {template}）"


class _as_render_error:
    """Context manager: template, sandbox, fetch and file errors → RenderError naming the doc."""

    def __init__(self, view: Any, template: str) -> None:
        self.where = _doc(view, template)

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> Literal[False]:
        if exc is None or isinstance(exc, RenderError):
            return False
        reason = _reason(exc)
        if reason is None:
            return False
        raise RenderError(f"{self.where}: {reason}") from exc


def _reason(exc: BaseException) -> str | None:
    """The Japanese reason for an exception we know, or None to let it propagate."""
    if isinstance(exc, SecurityError):
        return f"テンプレートに許可されていない操作があります（{exc}）"
    if isinstance(exc, UndefinedError):
        return f"テンプレートの変数名が正しくありません（{exc}）"
    if isinstance(exc, TemplateNotFound):
        return f"テンプレートのフォルダにないファイルを読もうとしました（{exc.name}）"
    if isinstance(exc, TemplateError):
        line = getattr(exc, "lineno", None)
        return f"テンプレートの書き方に誤りがあります（{line}行目: {exc}）" if line else \
            f"テンプレートの書き方に誤りがあります（{exc}）"
    if isinstance(exc, FatalURLFetchingError):
        return f"テンプレートのフォルダの外のファイルやURLは読み込めません（{exc}）"
    if isinstance(exc, OSError):
        return f"テンプレートを読めません（{exc}）"
    return None
