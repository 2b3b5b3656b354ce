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
from pathlib import Path
from types import ModuleType
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from pipeline.text import finalize


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
        finalize=finalize,  # the one text rule (pipeline.text): XML-safe, no U+202E
        trim_blocks=html,
        lstrip_blocks=html,
        keep_trailing_newline=True,
        auto_reload=False,  # kept warm across a batch: templates do not change mid-run
    )
    env.filters.update(template_filters() if filters is None else filters)
    return env
