"""Checking staff-edited templates before a batch: ``ninbai check-templates``.

Staff will edit the Word and HTML templates; a mistake there should surface here, with the file
and the words around it, not at month end as thirty failed cases. The check has two passes:

1. every template file of the folder is parsed on its own (Word: the body, headers, footers and
   document properties as docxtpl sees them), so a syntax error is found even in a template or a
   macro file no sample case uses; a .docx that links an image or template from outside the file
   (an external relationship: Word would fetch it when the letter is opened) is refused too;
2. every document of every sample case is rendered with the real ``pipeline.render.Renderer``,
   in both formats, so undefined variables (StrictUndefined), sandbox refusals (``''.__class__``),
   files outside the folder (``{% include '/etc/passwd' %}``) and refused resources
   (``<img src="file:///etc/passwd">``) fail as they would in the batch.

Each problem names the template file, a line (HTML) or paragraph (Word) when one is known, and the
surrounding template text: for Word that is the text of the paragraphs around the tag, because
Word splits a tag over several XML runs (docxtpl joins them again, and so do we).
"""

from __future__ import annotations

import re
import traceback
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import TemplateNotFound, TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError
from weasyprint.urls import FatalURLFetchingError

from pipeline.read.issues import level_label

#: Problem kinds, with the words staff see.
KIND_LABELS = {
    "syntax": "書き方の誤り", "undefined": "未定義の変数", "sandbox": "許可されていない操作",
    "file": "フォルダ外のファイルの読み込み", "resource": "読み込みを拒否したリソース",
    "render": "書類を作成できません",
}
#: Relationship types of a .docx that make Word fetch something when the file is opened.
_FETCHING_RELS = ("image", "attachedTemplate", "oleObject", "subDocument", "frame", "package")
_URL = re.compile(r"(?:file|https?|ftp|data):[^\s'\"()<>]+|(?<=')/[^']+(?=')")
_QUOTED_NAME = re.compile(r"'([^']+)'(?: is undefined)?")
_TAG = re.compile(r"\{[{%#].*?[}%#]\}", re.DOTALL)
_XML_TAG = re.compile(r"<[^>]+>")
_CONTEXT_LINES = 1  # lines or paragraphs shown on each side of the problem
_BLOCK_TAG = re.compile(r"\{%[-+]?\s*(end)?(\w+)([^%]*)%\}")
_UNCLOSED = re.compile(r"innermost block that needs to be closed is '(\w+)'")
_BLOCKS = {"if", "for", "block", "macro", "call", "filter", "with", "autoescape", "raw", "set"}


@dataclass(frozen=True)
class TemplateProblem:
    """One problem of one template file.

    ``template`` is the file's path inside the templates folder; ``line`` is a line number for
    HTML and a paragraph number for Word (as docxtpl counts them), None when unknown;
    ``context`` is the surrounding template text, the problem's line marked with ``>``.
    """

    template: str
    kind: str
    detail: str
    line: int | None = None
    context: tuple[str, ...] = ()
    case_id: str | None = None

    def text(self) -> str:
        where = [f"{self.line}{'段落目' if self.template.endswith('.docx') else '行目'}"] \
            if self.line else []
        where += [f"案件 {self.case_id}"] if self.case_id else []
        suffix = f"（{'・'.join(where)}）" if where else ""
        return f"{KIND_LABELS[self.kind]}: {self.detail}{suffix}"


@dataclass
class TemplateReport:
    """The result of a check: every template file seen, and its problems."""

    templates: tuple[str, ...]
    problems: list[TemplateProblem] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)  # sample cases rendered (ids)
    skipped: list[str] = field(default_factory=list)  # samples that could not be read, why

    @property
    def ok(self) -> bool:
        return not self.problems

    def of(self, template: str) -> list[TemplateProblem]:
        return [p for p in self.problems if p.template == template]

    def add(self, problem: TemplateProblem) -> None:
        """Keep one problem per (template, kind, detail): every case repeats the same mistake.

        A syntax error is kept once per file: the render pass meets again what parsing found.
        """
        def key(p: TemplateProblem) -> tuple:
            return (p.template, p.kind, "" if p.kind == "syntax" else p.detail)

        if all(key(p) != key(problem) for p in self.problems):
            self.problems.append(problem)


def template_files(templates_dir: Path) -> tuple[str, ...]:
    """Every template of the folder: Word and HTML files, subfolders included, sorted."""
    found = [p for p in templates_dir.rglob("*") if p.suffix in (".docx", ".html")
             and p.is_file() and not p.name.startswith("~$")]
    return tuple(sorted(p.relative_to(templates_dir).as_posix() for p in found))


def check_templates(templates_dir: Path, samples: Sequence[Path], config: Any,
                    batch_date: date | None = None) -> TemplateReport:
    """Parse every template of ``templates_dir``, then render every sample case with them."""
    from pipeline.render import Renderer, RenderError

    templates_dir = Path(templates_dir).resolve()
    report = TemplateReport(template_files(templates_dir))
    for name in report.templates:
        for problem in _static_problems(templates_dir, name):
            report.add(problem)
    try:
        renderer = Renderer(templates_dir)
    except (RenderError, OSError) as exc:
        report.add(TemplateProblem("documents.css", "render", str(exc)))
        return report
    for sample in samples:
        _render_sample(renderer, Path(sample), config, batch_date or date.today(), report)
    return report


def report_lines(report: TemplateReport) -> list[str]:
    """What ``ninbai check-templates`` prints: per template 問題なし or エラー with its problems."""
    ok, bad_label = level_label("ok"), level_label("error")
    lines = []
    for name in report.templates:
        problems = report.of(name)
        lines.append(f"{bad_label if problems else ok}  {name}")
        for problem in problems:
            lines.append(f"    {problem.text()}")
            lines += [f"      {row}" for row in problem.context]
    lines += [f"{bad_label}  {p.template}\n    {p.text()}" for p in report.problems
              if p.template not in report.templates]
    lines += [f"[注意] サンプル案件を使えませんでした: {s}" for s in report.skipped]
    bad = len({p.template for p in report.problems})
    lines.append(f"テンプレート {len(report.templates)}件: {ok} {len(report.templates) - bad}件 / "
                 f"{bad_label} {bad}件（サンプル案件 {len(report.cases)}件で確認）")
    return lines


# --- pass 1: each file on its own ------------------------------------------------------------

def _static_problems(templates_dir: Path, name: str) -> list[TemplateProblem]:
    path = templates_dir / name
    try:
        if name.endswith(".docx"):
            return _docx_syntax(templates_dir, path, name) + _docx_external(path, name)
        return _html_syntax(templates_dir, path, name)
    except Exception as exc:  # noqa: BLE001 - a file Word or Jinja cannot open is a finding
        return [TemplateProblem(name, "render", f"ファイルを読めません（{type(exc).__name__}: {exc}）")]


def _html_syntax(templates_dir: Path, path: Path, name: str) -> list[TemplateProblem]:
    """Parse (not compile: filters of the review page are not ours) one HTML template."""
    from pipeline.render.env import make_env

    source = path.read_text("utf-8")
    try:
        make_env(templates_dir).parse(source, name, str(path))
    except TemplateSyntaxError as exc:
        return [_syntax_problem(name, exc, source.splitlines())]
    return []


def _docx_syntax(templates_dir: Path, path: Path, name: str) -> list[TemplateProblem]:
    """Parse each part of a Word template as docxtpl will hand it to Jinja."""
    from pipeline.render.env import make_env

    env = make_env(templates_dir, html=False)
    for source in docx_sources(path):
        try:
            env.parse(source)
        except TemplateSyntaxError as exc:
            return [_syntax_problem(name, exc, _paragraph_texts(source))]
    return []


def _syntax_problem(name: str, exc: TemplateSyntaxError, lines: list[str]) -> TemplateProblem:
    """A syntax error at its line; an unclosed block at the line that opened it.

    Jinja notices a missing ``{% endif %}`` only where the template (or the enclosing block)
    ends, which is rarely where staff must look.
    """
    detail, line = exc.message or str(exc), exc.lineno
    opened = _unclosed_start(lines, detail, line)
    if opened is not None and opened != line:
        unit = "段落目" if name.endswith(".docx") else "行目"
        detail += f"（{line}{unit}で検出。閉じられていないブロックの始まりは下の{opened}{unit}）"
        line = opened
    return TemplateProblem(name, "syntax", detail, line, _around(lines, line))


def _unclosed_start(lines: list[str], message: str, reported: int) -> int | None:
    """The line of the innermost block still open at ``reported`` (when Jinja names one)."""
    wanted = _UNCLOSED.search(message)
    if wanted is None:
        return None
    stack: list[tuple[str, int]] = []
    for number, text in enumerate(lines[:reported], 1):
        for end, tag, rest in _BLOCK_TAG.findall(text):
            if end and stack and stack[-1][0] == tag:
                stack.pop()
            elif not end and tag in _BLOCKS and not (tag == "set" and "=" in rest):
                stack.append((tag, number))
    return next((n for tag, n in reversed(stack) if tag == wanted.group(1)), None)


def docx_sources(path: Path) -> list[str]:
    """The Jinja sources docxtpl renders for a .docx: body, headers, footers, then properties.

    Built with docxtpl's own ``patch_xml`` (which joins a tag Word split over runs), with one
    paragraph per line as docxtpl's renderer has it, so a line number is a paragraph number.
    """
    from docxtpl import DocxTemplate

    doc = DocxTemplate(str(path))
    doc.init_docx()
    parts = [doc.get_xml()]
    for uri in (doc.HEADER_URI, doc.FOOTER_URI):
        parts += [doc.get_part_xml(part) for _, part in doc.get_headers_footers(uri)]
    sources = [re.sub(r"<w:p([ >])", r"\n<w:p\1", doc.patch_xml(xml)) for xml in parts]
    props = doc.docx.core_properties
    return sources + [v for v in (props.title, props.subject, props.author, props.comments,
                                  props.identifier, props.language) if v]


def _docx_external(path: Path, name: str) -> list[TemplateProblem]:
    """External relationships that make Word fetch a file or URL when the letter is opened."""
    problems = []
    with zipfile.ZipFile(path) as zf:
        for member in (m for m in zf.namelist() if m.endswith(".rels")):
            xml = zf.read(member).decode("utf-8", "replace")
            for rel in re.findall(r"<Relationship\b[^>]*>", xml):
                kind = re.search(r'Type="[^"]*/([^/"]+)"', rel)
                if 'TargetMode="External"' in rel and kind and kind.group(1) in _FETCHING_RELS:
                    target = re.search(r'Target="([^"]*)"', rel)
                    problems.append(TemplateProblem(name, "resource", "ファイルの外の"
                                    f"{kind.group(1)}を参照しています: {target and target.group(1)}"))
    return problems


# --- pass 2: render the sample cases -----------------------------------------------------------

def _render_sample(renderer: Any, sample: Path, config: Any, batch_date: date,
                   report: TemplateReport) -> None:
    from pipeline.compute import compute_case
    from pipeline.documents import build_views
    from pipeline.read.validate import load_case

    case, issues = load_case(sample, profiles=config.profile_names())
    if case is None:
        codes = ", ".join(sorted({i.code for i in issues if i.severity == "error"}))
        report.skipped.append(f"{sample.name}（{codes}）")
        return
    report.cases.append(case.case_id)
    figures = compute_case(case, config, batch_date)
    views = build_views(case, figures, config)
    for view in (*views, *_sample_covers(case, figures, config, views)):
        for fmt in ("docx", "pdf"):
            try:
                getattr(renderer, fmt)(view)
            except Exception as exc:  # noqa: BLE001 - every failure is a finding for the file
                report.add(diagnose(exc, renderer.templates_dir, view, fmt))


def _sample_covers(case: Any, figures: Any, config: Any, views: Sequence[Any]) -> list[Any]:
    """The 送付状 of each addressee of the sample, listing its letters (one page each: the page
    counts of a real packet do not change what the template can print)."""
    from pipeline.documents.common import CaseCommon
    from pipeline.documents.cover_letter import Enclosed, build_cover_letter

    common = CaseCommon.of(case, figures, config)
    names = dict.fromkeys(v.creditor.name for v in views if getattr(v, "creditor", None))
    return [build_cover_letter(common, name, [Enclosed(v.title, 1) for v in views
                                              if getattr(v, "creditor", None) is None
                                              or v.creditor.name == name])
            for name in names]


def diagnose(exc: BaseException, templates_dir: Path, view: Any, fmt: str) -> TemplateProblem:
    """A failed render as a problem of the template file it came from, with its context."""
    cause = exc.__cause__ or exc
    kind, detail = _classify(cause, exc)
    needle = _needle(kind, cause)
    name, line = _origin(cause, templates_dir, f"{view.template}.{fmt.replace('pdf', 'html')}",
                         needle)
    path = templates_dir / name
    if name.endswith(".docx"):
        line, context = _docx_context(path, line, needle)
    else:
        line, context = _html_context(path, line, needle)
    return TemplateProblem(name, kind, detail, line, context, getattr(view, "case_id", None))


def _classify(cause: BaseException, exc: BaseException) -> tuple[str, str]:
    """(kind, detail in Japanese, with the engine's words) of a render failure."""
    if isinstance(cause, TemplateSyntaxError):
        return "syntax", cause.message or str(cause)
    if isinstance(cause, SecurityError):
        return "sandbox", f"Pythonの内部には触れられません（{cause}）"
    if isinstance(cause, UndefinedError):
        return "undefined", f"変数名が正しくありません（{cause}）"
    if isinstance(cause, TemplateNotFound):
        return "file", f"テンプレートのフォルダにないファイルです（{cause.name}）"
    if isinstance(cause, FatalURLFetchingError):
        return "resource", f"テンプレートのフォルダの外のファイルやURLは読み込めません（{cause}）"
    return "render", str(exc) if exc is cause else f"{type(cause).__name__}: {cause}"


def _origin(cause: BaseException, templates_dir: Path, own: str, needle: str | None
            ) -> tuple[str, int | None]:
    """The template file (relative name) and line a failure points at.

    A syntax error names its file. Otherwise the traceback's frames inside the templates folder
    are searched from the innermost out for the line that holds ``needle`` (a misspelt name
    passed to a macro fails inside _parts.html, but the mistake is where it was written); with
    no such line, the innermost frame. A Word template is one source, ``<template>``.
    """
    if isinstance(cause, TemplateSyntaxError) and cause.filename:
        found = Path(cause.filename).resolve()
        if found.is_relative_to(templates_dir):
            return found.relative_to(templates_dir).as_posix(), cause.lineno
    frames = traceback.extract_tb(cause.__traceback__) if cause.__traceback__ else []
    if own.endswith(".docx"):
        lines = [f.lineno for f in frames if f.filename == "<template>"]
        return own, getattr(cause, "lineno", None) or (lines[-1] if lines else None)
    inside = [(Path(f.filename).resolve(), f.lineno) for f in frames
              if Path(f.filename).is_absolute()
              and Path(f.filename).resolve().is_relative_to(templates_dir)]
    if not inside:
        return own, getattr(cause, "lineno", None)
    holding = [(p, n) for p, n in inside if needle and needle in _line_of(p, n)]
    path, line = (holding or inside)[-1]
    return path.relative_to(templates_dir).as_posix(), line


def _line_of(path: Path, number: int | None) -> str:
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError:
        return ""
    return lines[number - 1] if number and 0 < number <= len(lines) else ""


def _needle(kind: str, cause: BaseException) -> str | None:
    """The word to look for when no line is known: the variable, attribute, file or URL."""
    text = str(cause)
    if kind in ("resource", "render"):
        url = _URL.search(text)
        return url.group(0).rsplit("/", 1)[-1] if url else None
    if kind == "file" and isinstance(cause, TemplateNotFound):
        return str(cause.name)
    names = _QUOTED_NAME.findall(text)
    if not names:
        return None
    # "access to attribute '__class__' of 'str' object": the attribute comes first;
    # "'… object' has no attribute 'nmae'" and "'x' is undefined": the name comes last.
    return names[0] if kind == "sandbox" else names[-1]


def _html_context(path: Path, line: int | None, needle: str | None
                  ) -> tuple[int | None, tuple[str, ...]]:
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError:
        return line, ()
    if line is None and needle:
        line = next((n for n, text in enumerate(lines, 1) if needle in text), None)
    return line, _around(lines, line)


def _docx_context(path: Path, line: int | None, needle: str | None
                  ) -> tuple[int | None, tuple[str, ...]]:
    """Paragraph texts around a failure in a Word template.

    docxtpl's error lines count the paragraphs of the document body; a failure elsewhere
    (header, footer) is found by looking for the variable or file name inside a tag.
    """
    try:
        sources = docx_sources(path)
    except Exception:  # noqa: BLE001 - no context rather than a second failure
        return line, ()
    body = _paragraph_texts(sources[0])
    if line is not None and needle and not _in_tag(body, line, needle):
        line = None  # the line came from another part: look for the name instead
    if line is None and needle:
        for paragraphs in (_paragraph_texts(s) for s in sources):
            hit = next((n for n in range(1, len(paragraphs) + 1)
                        if _in_tag(paragraphs, n, needle)), None)
            if hit:
                return hit, _around(paragraphs, hit)
        return None, ()
    return line, _around(body, line)


def _paragraph_texts(source: str) -> list[str]:
    """One docxtpl source line (one paragraph) → its text, XML tags removed."""
    import html

    return [html.unescape(_XML_TAG.sub("", line)) for line in source.splitlines()]


def _in_tag(lines: list[str], line: int, needle: str) -> bool:
    return 0 < line <= len(lines) and any(needle in tag for tag in _TAG.findall(lines[line - 1]))


def _around(lines: Sequence[str], line: int | None) -> tuple[str, ...]:
    """The problem's line and its neighbours, numbered, the problem's line marked ``>``."""
    if not line or line > len(lines):
        return ()
    first, last = max(1, line - _CONTEXT_LINES), min(len(lines), line + _CONTEXT_LINES)
    return tuple(f"{'>' if n == line else ' '} {n:>4}| {_shorten(lines[n - 1])}"
                 for n in range(first, last + 1))


def _shorten(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def default_samples() -> list[Path]:
    """The sample cases of a checkout: inputs/ beside the shipped templates/ folder.

    The samples are not package data (they are fictional cases for development, and an office's
    own templates are best tried on the office's cases), so an installed ninbai has none and the
    list is empty: ``ninbai check-templates`` then asks for ``--samples``.
    """
    from pipeline import shipped_templates

    folder = shipped_templates().resolve().parent / "inputs"
    return sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith("~$"))

