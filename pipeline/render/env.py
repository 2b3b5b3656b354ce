"""The Jinja environments both renderers use: sandboxed, strict, escaping, confined to templates/.

Staff edit the templates, and case data is typed by people into Excel, so neither may run code or
read files: templates run in an ``ImmutableSandboxedEnvironment`` (``{{ ''.__class__ }}`` is
refused), a misspelt variable is an error (``StrictUndefined``) instead of an empty line on a
creditor's letter, every value is escaped (``A&B``, ``<b>`` and ``{{ 7*7 }}`` in a name print
literally), and ``{% include %}`` only reads files inside the templates folder.

The formatting filters (yen, 和暦 dates, …) come from ``pipeline.documents.format`` so Word and PDF
format every figure the same way.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from types import ModuleType
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

#: Characters XML 1.0 forbids (C0 controls other than tab, newline, carriage return) and the
#: ones docxtpl turns into paragraph or page breaks (\a, \f). Excel lets them slip into cells;
#: printed as they are they would corrupt document.xml or split a paragraph.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: Any) -> Any:
    """Jinja ``finalize``: drop control characters from every printed string, keep the rest.

    Newlines stay (Excel's ``\\r\\n`` becomes ``\\n``): the Word renderer shows them as line
    breaks (docxtpl turns ``\\n`` inside a text run into ``<w:br/>``), the HTML templates with
    ``white-space: pre-line`` where a value may have several lines.
    """
    if not isinstance(value, str):
        return value
    text = _CONTROL_CHARS.sub("", str.replace(str.replace(value, "\r\n", "\n"), "\r", "\n"))
    # A filter's Markup (already escaped) must stay Markup, or autoescape would escape it twice.
    return Markup(text) if isinstance(value, Markup) else text


def template_filters(module: ModuleType | None = None) -> dict[str, Any]:
    """The public functions of ``pipeline.documents.format``, by name, to register as filters.

    Uses the module's ``FILTERS`` mapping when it defines one, else its ``__all__``, else every
    public function defined in it (not imported into it).
    """
    if module is None:
        from pipeline.documents import format as filters

        module = filters
    if isinstance(getattr(module, "FILTERS", None), dict):
        return dict(module.FILTERS)
    names = getattr(module, "__all__", None) or [
        n for n, f in vars(module).items()
        if not n.startswith("_") and inspect.isfunction(f) and f.__module__ == module.__name__
    ]
    return {n: getattr(module, n) for n in names}


class DocumentEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, plus a cache of templates compiled from strings.

    docxtpl compiles the whole document.xml (and each footer and core property) with
    ``from_string`` on every render; the source is the same for every case of a template, and
    compiling it was half of a .docx render. Keyed by the source text, so an edited template
    is simply a new entry.
    """

    _CACHE_SIZE = 64  # a few parts per template, three templates: never evicts in practice

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._compiled: dict[str, Any] = {}

    def from_string(self, source, globals=None, template_class=None):
        if globals or template_class or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            if len(self._compiled) >= self._CACHE_SIZE:
                self._compiled.clear()
            template = self._compiled[source] = super().from_string(source)
        return template


def make_env(templates_dir: Path, filters: dict[str, Any] | None = None, *,
             html: bool = True) -> DocumentEnvironment:
    """A sandboxed, strict, autoescaping environment reading only from ``templates_dir``.

    HTML and the XML of a .docx both need ``&`` and ``<`` escaped. ``FileSystemLoader`` refuses
    names that climb out of its folder (``..``), and an absolute name (``/etc/passwd``) is looked
    up inside the folder, where it does not exist. Block whitespace is trimmed for HTML only: in
    a .docx, spaces inside ``<w:t xml:space="preserve">`` are text.
    """
    env = DocumentEnvironment(
        loader=FileSystemLoader(str(templates_dir)),
        undefined=StrictUndefined,
        autoescape=True,
        finalize=clean_text,
        trim_blocks=html,
        lstrip_blocks=html,
        keep_trailing_newline=True,
        auto_reload=False,  # kept warm across a batch: templates do not change mid-run
    )
    env.filters.update(template_filters() if filters is None else filters)
    return env
