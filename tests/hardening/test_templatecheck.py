"""``ninbai check-templates``: staff-edited templates are tried on a sample case before a batch.

Each test edits a copy of templates/ the way a member of staff might (a typo, an unclosed block,
a tag Word split over runs) or the way an attacker would (Python internals, a file outside the
folder, a URL), and checks the problem is reported for the right file, with its kind and the
surrounding template text, and that nothing of the outside file is shown.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.config import load_config
from pipeline.render.templatecheck import check_templates, report_lines, template_files

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "inputs" / "2026-0142.xlsx"
DAY = date(2026, 11, 30)
KI = '<p class="ki">記</p>'  # an anchor every letter template has


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path_factory.mktemp("cwd"))  # a local ninbai.toml must not leak in
        return load_config(None)


@pytest.fixture
def root(tmp_path) -> Path:
    """A staff copy of the templates folder."""
    folder = tmp_path / "templates"
    shutil.copytree(REPO / "templates", folder)
    return folder


def edit_html(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text("utf-8")
    assert old in text  # the edit must hit, or the test proves nothing
    path.write_text(text.replace(old, new, 1), "utf-8")


def add_paragraphs(root: Path, name: str, *paragraphs: str | tuple[str, ...]) -> None:
    """Append paragraphs to a Word template; a tuple is one paragraph typed as several runs."""
    path = root / name
    document = docx.Document(str(path))
    for paragraph in paragraphs:
        p = document.add_paragraph()
        for run in (paragraph,) if isinstance(paragraph, str) else paragraph:
            p.add_run(run)
    document.save(str(path))


def check(root: Path, config):
    return check_templates(root, [SAMPLE], config, DAY)


def only_problem(report, template: str):
    assert [p.template for p in report.problems] == [template], report_lines(report)
    return report.problems[0]


# --- the shipped templates -------------------------------------------------------------------

def test_shipped_templates_pass(root, config):
    report = check(root, config)
    assert report.ok, report_lines(report)
    assert report.cases == ["2026-0142"]
    assert {"sale_request.docx", "sale_request.html", "_parts.html", "base.html"} <= \
        set(template_files(root))


# --- mistakes staff make ---------------------------------------------------------------------

def test_html_syntax_error_names_file_line_and_text(root, config):
    edit_html(root, "sale_request.html", KI, KI + "\n{% if debtor.name %}未完のブロック")
    problem = only_problem(check(root, config), "sale_request.html")
    assert problem.kind == "syntax" and problem.line is not None
    assert any(row.startswith(">") and "未完のブロック" in row for row in problem.context)


def test_syntax_error_in_a_macro_file_is_found_in_that_file(root, config):
    edit_html(root, "_parts.html", "{%- endmacro %}", "{%- endmacro %}\n{{ company.name }", )
    report = check(root, config)
    assert {p.template for p in report.problems} == {"_parts.html"}
    assert report.problems[0].kind == "syntax"


def test_html_undefined_variable_names_it_with_its_line(root, config):
    edit_html(root, "household_statement.html", "{{ income_text }}", "{{ incom_text }}")
    problem = only_problem(check(root, config), "household_statement.html")
    assert problem.kind == "undefined" and "incom_text" in problem.detail
    marked = [row for row in problem.context if row.startswith(">")]
    assert marked and "{{ incom_text }}" in marked[0]


def test_docx_undefined_variable_split_over_runs_shows_the_paragraphs(root, config):
    add_paragraphs(root, "household_statement.docx", "前の段落です",
                   ("収支の差額は {{ surp", "lus_txt }} です"), "後の段落です")
    problem = only_problem(check(root, config), "household_statement.docx")
    assert problem.kind == "undefined" and "surplus_txt" in problem.detail
    text = "\n".join(problem.context)
    assert "前の段落です" in text and "後の段落です" in text
    assert any(row.startswith(">") and "収支の差額は {{ surplus_txt }} です" in row
               for row in problem.context)


def test_docx_syntax_error_shows_the_paragraph(root, config):
    add_paragraphs(root, "repayment_proposal.docx", "{% if debtor.name %}閉じていない条件")
    problem = only_problem(check(root, config), "repayment_proposal.docx")
    assert problem.kind == "syntax"
    assert any("閉じていない条件" in row for row in problem.context)


# --- what must be refused --------------------------------------------------------------------

@pytest.mark.parametrize("tag", ["{{ ''.__class__ }}", "{{ ''.__class__.__mro__[1].__subclasses__() }}",
                                 "{{ debtor.__init__.__globals__ }}"])
def test_python_internals_are_refused_in_html(root, config, tag):
    edit_html(root, "sale_request.html", KI, KI + tag)
    problem = only_problem(check(root, config), "sale_request.html")
    assert problem.kind == "sandbox"


def test_python_internals_are_refused_in_docx(root, config):
    add_paragraphs(root, "sale_request.docx", "{{ ''.__class__.__mro__ }}")
    problem = only_problem(check(root, config), "sale_request.docx")
    assert problem.kind == "sandbox"
    assert any("__class__" in row for row in problem.context)


@pytest.mark.parametrize("target", ["/etc/passwd", "../../../../etc/passwd"])
def test_include_of_a_file_outside_is_refused_in_html(root, config, target):
    edit_html(root, "sale_request.html", KI, KI + f"{{% include '{target}' %}}")
    report = check(root, config)
    problem = only_problem(report, "sale_request.html")
    assert problem.kind == "file"
    assert "root:" not in "\n".join(report_lines(report))  # nothing of the file is shown


def test_include_of_a_file_outside_is_refused_in_docx(root, config):
    add_paragraphs(root, "household_statement.docx", "{% include '/etc/passwd' %}")
    report = check(root, config)
    problem = only_problem(report, "household_statement.docx")
    assert problem.kind == "file" and any("/etc/passwd" in row for row in problem.context)
    assert "root:" not in "\n".join(report_lines(report))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://127.0.0.1:9/pixel.png",
                                 "/etc/hostname"])
def test_resource_outside_the_folder_is_refused(root, config, url):
    edit_html(root, "sale_request.html", KI, KI + f'\n<img src="{url}">')
    problem = only_problem(check(root, config), "sale_request.html")
    assert problem.kind == "resource"
    assert any(url.rsplit("/", 1)[-1] in row for row in problem.context)


def test_docx_linking_an_outside_image_is_refused(root, config):
    path = root / "sale_request.docx"
    rel = ('<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
           'relationships/image" Target="file:///etc/passwd" TargetMode="External"/>')
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    member = "word/_rels/document.xml.rels"
    parts[member] = parts[member].replace(b"</Relationships>", rel.encode() + b"</Relationships>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    problem = only_problem(check(root, config), "sale_request.docx")
    assert problem.kind == "resource" and "file:///etc/passwd" in problem.detail


def test_a_docx_that_is_not_a_word_file_is_reported(root, config):
    (root / "household_statement.docx").write_bytes(b"not a zip")
    report = check(root, config)
    assert "household_statement.docx" in {p.template for p in report.problems}


# --- the command -----------------------------------------------------------------------------

def run_cli(*args: str):
    return CliRunner().invoke(main, ["check-templates", *args, "--samples", str(SAMPLE),
                                     "--date", "2026-11-30"])


def test_command_prints_ok_per_template_and_exits_0(root):
    result = run_cli("--templates", str(root))
    assert result.exit_code == 0, result.output
    assert "問題なし  sale_request.docx" in result.output
    assert not [line for line in result.output.splitlines() if line.startswith("エラー")]
    assert "OK" not in result.output and "NG" not in result.output  # staff read Japanese


def test_command_prints_the_problem_and_exits_1(root):
    edit_html(root, "repayment_proposal.html", "parts.paragraphs(waiver_text)",
              "parts.paragraphs(waiver_txt)")
    result = run_cli("--templates", str(root))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    at = lines.index("エラー  repayment_proposal.html")
    assert "waiver_txt" in lines[at + 1]
    assert any(re.match(r"\s+> +\d+\| .*waiver_txt", line) for line in lines[at + 2:at + 6])
    assert "Traceback" not in result.output


def test_command_without_the_folder_exits_2(tmp_path):
    result = run_cli("--templates", str(tmp_path / "nothing"))
    assert result.exit_code == 2 and "Traceback" not in result.output
