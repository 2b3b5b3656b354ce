"""The ``ninbai`` command (docs/cli.md): a thin click layer over the library.

Each command turns its options into library calls and library outcomes into output and an exit
code: 0 success, 1 some case invalid or failed, 2 the command could not run. Problems print as
``file sheet!cell: message`` with the path as the user gave it. No traceback ever reaches the
user: an unexpected exception becomes a Japanese message and exit 2 (see ``NinbaiGroup``).

The command line owns the terminal and the settings file: every line goes through ``say`` (a
closed output, as in ``ninbai build inputs/ | head -1``, never stops a command), ``build`` shows
the library's progress events as a bar on a terminal or as one line per case otherwise, Ctrl-C
ends with a Japanese line and exit 130, and ``config_file`` alone decides which settings file a
run uses; the library is handed the resulting ``Config``.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from collections.abc import Iterable
from contextlib import ExitStack
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import click

import pipeline
from pipeline.batch import BatchError, BatchRequest, BatchResult, CaseDone, run_batch
from pipeline.batch.approve import ApproveError, approve_cases
from pipeline.batch.atomic import os_error_text
from pipeline.batch.export import ExportError, export_packets
from pipeline.batch.lock import BatchLocked
from pipeline.batch.manifest import (
    RESULT_LABELS,
    InputRecord,
    StateFileError,
    load_approvals,
    read_manifest,
    standing_approvals,
)
from pipeline.batch.review import (
    INDEX_NAME,
    error_summary,
    review_cases,
    review_json,
    review_lines,
)
from pipeline.cli_japanese import (
    CountType,
    DateType,
    JapaneseGroup,
    PathType,
    option,
)
from pipeline.compute.deadlines import DEFAULT_DAYS, Due, case_deadlines, day_text, due_deadlines
from pipeline.config import (
    CONFIG_ENV,
    Config,
    ConfigError,
    find_config,
    load_config,
    require_company,
)
from pipeline.eras import date_text
from pipeline.read.issues import Issue, level_label, level_of
from pipeline.read.models import Case
from pipeline.read.schema import CASE_ID_EXPECTED, CASE_ID_PATTERN, DATE_RANGES
from pipeline.read.workbook import discover_inputs
from pipeline.text import drop_invisible, pad

#: Exit status after Ctrl-C (128 + SIGINT, as shells report it); 1 means "some case failed".
INTERRUPTED = 130
INTERRUPTED_LINE = "中断しました。"


def say(line: str = "", err: bool = False) -> None:
    """Print one line to stdout (``err``: stderr). An output that is gone — a closed pipe such as
    ``| head -1``, a lost terminal — only loses its lines: the command goes on and ends with the
    exit code of its work, and Python's closing flush finds nothing left to complain about."""
    try:
        click.echo(line, err=err)
    except OSError:
        _discard_output(sys.stderr if err else sys.stdout)


def _discard_output(stream: IO[str]) -> None:
    """Point the file descriptor under ``stream`` at /dev/null, so its later writes and the
    flush at exit succeed silently (the recipe of Python's signal documentation for EPIPE)."""
    try:
        descriptor = stream.fileno()
    except (OSError, ValueError):
        return  # not a real file (a test's capture): nothing is left to flush at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)


def load_case(path: Path, profiles: Any) -> tuple[Case | None, list[Issue]]:
    """``pipeline.read.validate.load_case``, imported when ``validate`` runs: the validator loads
    openpyxl (≈0.15 s), which a ``build`` with nothing to rebuild never needs."""
    from pipeline.read.validate import load_case as read_and_validate

    return read_and_validate(path, profiles)


class CannotRun(click.ClickException):
    """The command could not run (missing input, bad configuration, …): exit 2."""

    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        say(f"エラー: {self.format_message()}", err=True)


#: The one table from an exception to what staff read (exit 2 for all of them):
#: the library's refusals carry their Japanese message already, so their text is printed as it
#: is; an ``OSError`` becomes its short Japanese reason (``os_error_text``) and the file's name;
#: anything else is unexpected: a Japanese line, and the traceback only with NINBAI_DEBUG=1.
STAFF_MESSAGE_ERRORS: tuple[type[Exception], ...] = (
    ConfigError, BatchError, BatchLocked, StateFileError, ApproveError, ExportError)
UNEXPECTED = "予期しない問題で中断しました。システム担当者に連絡してください"
DEBUG_ENV = "NINBAI_DEBUG"


def staff_message(exc: Exception) -> str:
    """What staff read for ``exc`` (see ``STAFF_MESSAGE_ERRORS``): never English, never a path
    they did not give."""
    if isinstance(exc, STAFF_MESSAGE_ERRORS):
        return str(exc)
    if isinstance(exc, OSError):
        name = Path(exc.filename).name if isinstance(exc.filename, str) else ""
        return f"{name}: {os_error_text(exc)}" if name else os_error_text(exc)
    return UNEXPECTED


class NinbaiGroup(JapaneseGroup):
    """Turns every exception of a command into a Japanese message and exit 2 (``staff_message``),
    and Ctrl-C into 「中断しました。」 and exit 130 (instead of click's ``Aborted!`` and exit 1)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            say(INTERRUPTED_LINE, err=True)
            ctx.exit(INTERRUPTED)
        except Exception as exc:  # noqa: BLE001 - the promise is: never a traceback
            if os.environ.get(DEBUG_ENV) and not isinstance(exc, STAFF_MESSAGE_ERRORS):
                traceback.print_exception(exc)
            say(f"エラー: {staff_message(exc)}", err=True)
            ctx.exit(2)


@click.group(cls=NinbaiGroup)
@click.version_option(pipeline.__version__, "--version", prog_name="ninbai",
                      message="%(prog)s %(version)s", help="版を表示して終わる")
@option("--config", "config_path", type=PathType("file"), metavar="ファイル",
        help="設定ファイル（TOML）。省略時は環境変数 NINBAI_CONFIG、作業中のフォルダとその上、"
             "入力のフォルダとその上の ninbai.toml の順に探す")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None) -> None:
    """任意売却の案件ワークブックを検証し、債権者向けの書類を作成します。

    各コマンドの使い方は「ninbai コマンド -h」で表示します。

    \b
    例:
      ninbai init ~/任意売却
      ninbai new-case inputs/2026-0180.xlsx --case-id 2026-0180
      ninbai validate inputs/
      ninbai build inputs/
    """
    ctx.ensure_object(dict)["config_path"] = config_path


def config_file(given: Path | None, inputs: Iterable[Path] = ()) -> Path | None:
    """The settings file of this run (docs/cli.md, Configuration): ``--config``, $NINBAI_CONFIG,
    ninbai.toml in the working folder or its parents, then in the inputs' folders or their
    parents; None: the shipped defaults alone. The one place that hands the environment and the
    folders to ``find_config``; the library never looks by itself."""
    folders = dict.fromkeys(p if p.is_dir() else p.parent for p in inputs)
    return find_config(given, os.environ.get(CONFIG_ENV), Path.cwd(), folders)


def settings(ctx: click.Context, inputs: Iterable[Path] = ()) -> Config:
    """The effective configuration for this run; the file it came from is kept for messages."""
    root = ctx.find_root()
    root.ensure_object(dict)
    if "config" not in root.obj:
        path = config_file(root.obj.get("config_path"), inputs)
        root.obj["config"], root.obj["config_file"] = load_config(path), path
    return root.obj["config"]


def shown_path(path: Path) -> str:
    """A path as staff gave it or as it sits under the working folder, else in full."""
    if not path.is_absolute():
        return str(path)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def input_files(inputs: tuple[Path, ...]) -> list[Path]:
    """The workbooks named by INPUT... (folders expanded); CannotRun if there are none."""
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        raise CannotRun("入力が見つかりません: " + ", ".join(missing))
    files = discover_inputs(inputs)
    if not files:
        raise CannotRun("ワークブック（*.xlsx）が見つかりません: " + ", ".join(map(str, inputs)))
    return files


def issue_line(issue: Issue, shown: Path) -> str:
    """``inputs/2026-0142.xlsx 債権者!D7: message``, with the path as the user gave it."""
    place = str(shown)
    if issue.where and issue.where.sheet:
        place += f" {issue.where.sheet}" + (f"!{issue.where.cell}" if issue.where.cell else "")
    mark = "" if issue.severity == "error" else f"[{level_label(issue.severity)}] "
    return f"{place}: {mark}{issue.message}"


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=PathType(), metavar="入力...")
@option("--json", "as_json", is_flag=True, help="結果をJSONで出力する")
@click.pass_context
def validate(ctx: click.Context, inputs: tuple[Path, ...], as_json: bool) -> None:
    """ワークブックを読んで検証だけ行い、問題をすべてファイル・シート・セル付きで表示します。

    入力はフォルダ（中の *.xlsx すべて）またはファイル。1件でもエラーがあれば終了コード 1。

    \b
    例:
      ninbai validate inputs/
      ninbai validate inputs/2026-0142.xlsx --json
    """
    files = input_files(inputs)
    profiles = settings(ctx, inputs).profile_names()
    results = [(path, *load_case(path, profiles)) for path in files]
    if as_json:
        say(json.dumps([_result_dict(*r) for r in results], ensure_ascii=False, indent=2))
    else:
        for result in results:
            _print_result(*result)
        bad = sum(case is None for _, case, _ in results)
        say(f"検証 {len(results)}件: 作成できる {len(results) - bad}件 / {level_label('error')} {bad}件")
    ctx.exit(1 if any(case is None for _, case, _ in results) else 0)


def _print_result(path: Path, case: Case | None, issues: list[Issue]) -> None:
    for issue in issues:
        say(issue_line(issue, path))
    errors = sum(i.severity == "error" for i in issues)
    warns = len(issues) - errors
    level = level_of("error" if case is None else "ok", [i.severity for i in issues])
    if case is None:
        say(f"{level_label(level)}  {path}  エラー{errors}件" + (f"・警告{warns}件" if warns else ""))
    else:
        say(f"{level_label(level)}  {path}  {case.case_id}" + (f"  警告{warns}件" if warns else ""))


def _result_dict(path: Path, case: Case | None, issues: list[Issue]) -> dict[str, Any]:
    return {"file": str(path), "case_id": case.case_id if case else None,
            "valid": case is not None, "issues": [i.to_dict() for i in issues]}


@main.command()
@click.argument("folder", type=PathType("folder"), metavar="フォルダ")
def init(folder: Path) -> None:
    """事務所の作業フォルダを作ります: 設定ファイル ninbai.toml（会社の情報を記入）、案件の
    inputs/、書類の outputs/、ひな形を差し替える templates/ と説明の README.md。

    既に ninbai.toml があるフォルダには何もしません（上書きしません）。

    \b
    例:
      ninbai init ~/任意売却
    """
    from pipeline.workspace import WorkspaceExists, init_workspace

    try:
        created = init_workspace(folder)
    except WorkspaceExists as exc:
        raise CannotRun(str(exc)) from None
    except OSError as exc:
        raise CannotRun(f"{folder} に作業フォルダを作れません（{os_error_text(exc)}）") from None
    say(f"作業フォルダを作りました: {folder}")
    say("  作成: " + "、".join(created.made))
    if created.kept:
        say("  既にあるため、そのままにしました: " + "、".join(created.kept))
    say(f"次に {folder / 'ninbai.toml'} の [company]（会社名・所在地・電話番号・免許番号）を記入して"
        "ください。使い方は README.md にあります")


@main.command("new-case")
@click.argument("path", type=PathType("file"), metavar="ファイル")
@option("--case-id", metavar="案件番号", help="案件番号を記入しておく（英数字・-・_ で40文字まで）")
@click.pass_context
def new_case(ctx: click.Context, path: Path, case_id: str | None) -> None:
    """空の案件ワークブックを作ります（プルダウンと入力ヒント付き）。既存のファイルは上書きしません。

    \b
    例:
      ninbai new-case inputs/2026-0180.xlsx --case-id 2026-0180
    """
    from pipeline.read.newcase import write_blank_case

    if path.suffix.lower() != ".xlsx":
        raise CannotRun(f"ファイル名は .xlsx で終わるようにしてください: {path}")
    profiles = settings(ctx, [path]).profile_names()
    try:
        write_blank_case(path, case_id, profiles)
    except FileExistsError:
        raise CannotRun(f"{path} は既にあります。上書きはしません（別の名前にしてください）") from None
    except ValueError as exc:
        raise CannotRun(str(exc)) from None
    except OSError as exc:
        raise CannotRun(f"{path} を書き込めません（{os_error_text(exc)}）") from None
    say(f"作成しました: {path}")


@main.command("check-templates")
@option("--templates", "templates_dir", type=PathType("folder"), metavar="フォルダ",
        help="確認するテンプレートのフォルダ。省略時は使用中のもの（templates/）")
@option("--samples", multiple=True, type=PathType(), metavar="案件",
        help="使うサンプル案件（フォルダまたはファイル）。省略時はリポジトリの inputs/"
                   "（パッケージとしてインストールした場合は指定が必要です）")
@option("--date", "batch_date", type=DateType(), metavar="YYYY-MM-DD",
        help="書類の作成日。省略時は今日")
@click.pass_context
def check_templates(ctx: click.Context, templates_dir: Path | None, samples: tuple[Path, ...],
                    batch_date: date | None) -> None:
    """テンプレート（Word・HTML）をサンプル案件で試しに作成し、誤りを周りの文とともに表示します。

    書き方の誤り・未定義の変数・許可されていない操作・フォルダ外のファイルやURLの読み込みを
    テンプレートのファイルごとに報告します。1件でも誤りがあれば終了コード 1。

    \b
    例:
      ninbai check-templates
      ninbai check-templates --templates ~/templates-edit --samples inputs/2026-0142.xlsx
    """
    from pipeline.render import default_templates_dir
    from pipeline.render.templatecheck import check_templates as run_check
    from pipeline.render.templatecheck import default_samples, report_lines

    if templates_dir is not None and not templates_dir.is_dir():
        raise CannotRun(f"テンプレートのフォルダが見つかりません: {templates_dir}")
    files = input_files(samples) if samples else default_samples()
    if not files:
        raise CannotRun("サンプル案件が見つかりません。--samples で案件ワークブック（フォルダまたは"
                        "ファイル）を指定してください（インストールしたパッケージにサンプル案件は"
                        "含まれません）")
    config = settings(ctx, files)
    with ExitStack() as stack:
        folder = templates_dir or office_templates(ctx.find_root().obj["config_file"], stack) \
            or default_templates_dir()
        report = run_check(folder, files, config, batch_date)
    for line in report_lines(report):
        say(line)
    if not report.cases:
        raise CannotRun("読めるサンプル案件がないため、テンプレートを試せませんでした")
    ctx.exit(0 if report.ok else 1)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=PathType(), metavar="入力...")
@option("--out", default=Path("outputs"), type=PathType("folder"), metavar="フォルダ",
        help="出力先のフォルダ。省略時は outputs")
@option("--batch", "batch_name", metavar="名前",
        help="バッチ名（出力先の下のフォルダ名）。省略時は基準日")
@option("--date", "batch_date", type=DateType(), metavar="YYYY-MM-DD",
        help="基準日（書類の作成日の既定値）。省略時は今日")
@option("--jobs", type=CountType(1), metavar="数", help="並列に処理するプロセス数。省略時はCPU数")
@option("--only", multiple=True, metavar="案件番号",
        help="この案件番号（またはファイル名）の案件だけ作り直す。複数指定可")
@option("--force", is_flag=True, help="変更のない案件も作り直す（承認済みの書類は上書きしない）")
@option("--wait", is_flag=True, help="同じ出力先を別の処理が使用中なら終わるまで待つ")
@option("--config", "config_path", type=PathType("file"), metavar="ファイル",
        help="設定ファイル（ninbai --config と同じ）")
@click.pass_context
def build(ctx: click.Context, inputs: tuple[Path, ...], out: Path, batch_name: str | None,
          batch_date: date | None, jobs: int | None, only: tuple[str, ...], force: bool,
          wait: bool, config_path: Path | None) -> None:
    """月末の一括処理: ワークブックごとに書類（Word・PDF）と case.json を作り、
    summary.xlsx・確認ページ index.html・manifest.json を書きます。

    変更のない案件（入力・設定・テンプレート・版が同じ）は作り直しません。
    1件でも失敗があれば終了コード 1（他の案件は作成済み）。

    \b
    例:
      ninbai build inputs/
      ninbai build inputs/ --date 2026-11-30 --jobs 2
      ninbai build inputs/ --date 2026-11-30 --only 2026-0142
    """
    if config_path is not None:
        ctx.find_root().ensure_object(dict)["config_path"] = config_path
    files = input_files(inputs)
    config = settings(ctx, inputs)
    used = ctx.find_root().obj["config_file"]
    require_company(config, used and Path(shown_path(used)))
    say(f"設定ファイル: {shown_path(used)}")  # require_company refused a run without one
    day = batch_date or date.today()
    _check_batch_date(day)
    request = BatchRequest(tuple(files), out, batch_name or day.isoformat(), day,
                           jobs or os.cpu_count() or 1, only, force, wait)
    display = ProgressDisplay(terminal=_on_terminal())
    try:
        with ExitStack() as stack:
            templates = office_templates(used, stack)
            result = run_batch(request, config, report=display, templates=templates)
    except KeyboardInterrupt:
        display.close()
        say(f"{INTERRUPTED_LINE}作成を終えた案件はそのまま残り、次の build で残りを作成します。",
            err=True)
        ctx.exit(INTERRUPTED)
    display.close()
    for notice in result.notices:
        say(notice, err=True)
    for line in closing_lines(result):
        say(line)
    if result.unmatched_only:
        say("--only に一致する案件がありません: " + ", ".join(result.unmatched_only), err=True)
        if not result.processed:
            ctx.exit(2)
    ctx.exit(result.exit_code)


def office_templates(config_path: Path | None, stack: ExitStack) -> Path | None:
    """The templates of this run when the workspace of ``config_path`` has its own templates/:
    the shipped ones with the office's over them, in a folder that lives as long as ``stack``.
    None: the templates in use as they are."""
    from pipeline.render import default_templates_dir
    from pipeline.workspace import merged_templates, template_names, workspace_templates

    own = workspace_templates(config_path) if config_path else None
    if own is None or not template_names(own):
        return None
    work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ninbai-templates-")))
    say(f"テンプレート: {shown_path(own)} の{len(template_names(own))}件を付属のものの代わりに使います")
    return merged_templates(own, default_templates_dir(), work / "templates")


def _check_batch_date(day: date) -> None:
    """The batch date is the 作成日 of every case that leaves it blank: it has the same range."""
    first, last = DATE_RANGES["取引"]
    if not first <= day <= last:
        raise CannotRun(f"--date {day.isoformat()} は使えません。{date_text(first)}〜"
                        f"{date_text(last)}の日付を指定してください")


def _on_terminal() -> bool:
    return sys.stdout.isatty()


class ProgressDisplay:
    """How ``build`` shows the batch's ``CaseDone`` events.

    On a terminal, a progress bar redrawn in place, labelled 作成中 and naming the case last
    finished; otherwise (a log, CI, a pipe) one line per case from ``case_line``. Either way a
    case is named by its id or file name, never by a person.
    """

    def __init__(self, terminal: bool) -> None:
        self.terminal = terminal
        self._stack = ExitStack()
        self._bar: Any = None

    def __call__(self, event: CaseDone) -> None:
        if not self.terminal:
            say(case_line(event))
            return
        try:
            if self._bar is None:  # the total is known with the first event
                self._bar = self._stack.enter_context(click.progressbar(
                    length=event.total, label="作成中", show_pos=True,
                    item_show_func=lambda record: record.label if record else None))
            self._bar.update(1, event.record)
        except OSError:
            self.terminal = False  # the terminal is gone: go on without a display
            _discard_output(sys.stdout)

    def close(self) -> None:
        """End the bar's line (before the closing table or the interrupt message)."""
        try:
            self._stack.close()
        except OSError:
            _discard_output(sys.stdout)


def case_line(event: CaseDone) -> str:
    """One line per case for a log: case id (or file name), 状態 in Japanese (問題なし, 警告, …),
    warnings; never a name."""
    record, width = event.record, len(str(event.total))
    return (f"[{event.done:>{width}}/{event.total}] {record.label:<20} "
            f"{pad(level_label(record.level), 8)} 警告{len(record.warnings)}件  "
            f"{RESULT_LABELS[record.result]}")


#: How many of a failed case's problems the closing table prints before 「ほかN件」.
FAILED_SHOWN = 3


def closing_lines(result: BatchResult) -> list[str]:
    """The table at the end of ``ninbai build``: built / warnings / failed / unchanged, then each
    failed case with its first problems."""
    counts = result.counts()
    lines = [f"  作成      {counts['built']:>5}件", f"  うち警告  {counts['warnings']:>5}件",
             f"  失敗      {counts['failed']:>5}件", f"  変更なし  {counts['unchanged']:>5}件"]
    for record in result.processed:
        if record.status == "error":
            lines += failed_lines(record)
    lines.append(f"所要時間 {result.seconds:.1f}秒")
    lines.append(f"確認ページ: {result.batch_dir / 'index.html'}")
    return lines


def failed_lines(record: InputRecord) -> list[str]:
    """「  失敗: 2026-0142」, then its first problems in Japanese with their place (「債権者!D7
    元金残高を金額として読めません」), then 「ほかN件」. Never the internal codes, and never the
    cell's value the message quotes: this output is a log, and a cell may hold a person's name
    (the full message is on the review page and in ``ninbai validate``)."""
    lines = [f"  失敗: {record.label}"]
    lines += [f"    {error_summary(e)}" for e in record.errors[:FAILED_SHOWN]]
    if len(record.errors) > FAILED_SHOWN:
        lines.append(f"    ほか{len(record.errors) - FAILED_SHOWN}件（確認ページに全件）")
    return [drop_invisible(line) for line in lines]


@main.command()
@click.argument("batch_dir", type=PathType("folder"), metavar="バッチフォルダ")
@option("--json", "as_json", is_flag=True, help="結果をJSONで出力する")
@option("--details", is_flag=True,
              help="警告の全文（金額・名称を含む）を表示する。既定はコードと見出しのみ")
@click.pass_context
def review(ctx: click.Context, batch_dir: Path, as_json: bool, details: bool) -> None:
    """バッチの案件を重大なものから順に、状態と警告つきで表示します。

    既定では警告をコード・見出し・セルだけで示し、氏名や金額は画面に出しません
    （全文は --details か確認ページ index.html で）。

    \b
    例:
      ninbai review outputs/2026-11-30
      ninbai review outputs/2026-11-30 --details
    """
    notices: list[str] = []
    manifest = read_manifest(batch_dir)
    approvals = standing_approvals(batch_dir, load_approvals(batch_dir, notices))
    if manifest is None:
        raise CannotRun(f"{batch_dir} に manifest.json がありません（build の出力フォルダを指定してください）")
    for notice in notices:
        say(notice, err=True)
    cases = review_cases(manifest, approvals)
    if as_json:
        say(json.dumps(review_json(cases), ensure_ascii=False, indent=2))
    else:
        for line in review_lines(cases, details=details, zone=settings(ctx).review.timezone):
            say(line)
        say(f"確認ページ: {batch_dir / INDEX_NAME}")
    ctx.exit(1 if any(c.level == "error" for c in cases) else 0)


@main.command()
@click.argument("batch_dir", type=PathType("folder"), metavar="バッチフォルダ")
@click.argument("case_ids", nargs=-1, required=True, metavar="案件番号...")
@option("--by", required=True, metavar="名前", help="確認・承認した人の名前")
@option("--override", metavar="理由",
        help="重要な警告（書類に「案」）のある案件を、それでも承認する理由（承認と一緒に記録）")
@click.pass_context
def approve(ctx: click.Context, batch_dir: Path, case_ids: tuple[str, ...], by: str,
            override: str | None) -> None:
    """案件の書類を確認・承認したことを記録します（誰が・いつ・各ファイルの sha256）。

    承認済みの書類は以後の build で上書きされず、入力が変わると新しい版（<案件番号>/rev2/）に作られます。
    重要な警告のある案件（書類に「案」）は、--override で理由を書いたときだけ承認します。

    \b
    例:
      ninbai approve outputs/2026-11-30 2026-0142 2026-0148 --by "佐藤 花子"
      ninbai approve outputs/2026-11-30 2026-0172 --by "佐藤 花子" --override "第1順位と合意済み"
    """
    result = approve_cases(batch_dir, list(case_ids), by, override=override,
                           zone=settings(ctx).review.timezone)
    for approval in result.approved:
        despite = "・重要な警告を承知で承認" if approval.override else ""
        say(f"承認しました: {approval.case_id}（{approval.folder}・{len(approval.files)}ファイル"
            f"{despite}）")
    for case_id in result.already:
        say(f"承認済みです: {case_id}")
    for problem in result.problems:
        say(f"承認できません: {problem}", err=True)
    for notice in result.notices:
        say(notice, err=True)
    ctx.exit(1 if result.problems else 0)


@main.command()
@click.argument("batch_dir", type=PathType("folder"), metavar="バッチフォルダ")
@option("--to", "to", required=True, type=PathType("folder"), metavar="フォルダ",
        help="書き出し先（案件番号ごとのフォルダを作ります）")
@click.pass_context
def export(ctx: click.Context, batch_dir: Path, to: Path) -> None:
    """承認済みの案件の送付書類一式（債権者ごとのPDF）を、送付用のフォルダに書き出します。

    承認された版のファイルが承認したときのままの案件だけを <フォルダ>/<案件番号>/ にコピーします。
    承認されていない案件・承認後に変更された案件は書き出さず、理由を表示します（終了コード 1）。
    書き出し先にある内容の違う同名のファイルは上書きしません。

    \b
    例:
      ninbai export outputs/2026-11-30 --to 送付/2026-11-30
    """
    result = export_packets(batch_dir, to)
    for place in result.copied:
        say(f"書き出しました: {place}")
    for place in result.present:
        say(f"書き出し済みです: {place}")
    for problem in result.problems:
        say(f"書き出せません: {problem}", err=True)
    for notice in result.notices:
        say(notice, err=True)
    ctx.exit(1 if result.problems else 0)


# ---------------------------------------------------------------------------------------------
# ninbai deadlines / ninbai history (issue 16: the cases after the first send)
# ---------------------------------------------------------------------------------------------


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=PathType(), metavar="入力...")
@option("--days", type=CountType(0), default=DEFAULT_DAYS, show_default=False, metavar="日数",
        help=f"今日から何日先までの期限を表示するか。省略時は{DEFAULT_DAYS}日")
@option("--date", "today", type=DateType(), metavar="YYYY-MM-DD",
        help="この日を今日として数える。省略時は設定のタイムゾーン（[review] timezone）の今日")
@option("--json", "as_json", is_flag=True, help="結果をJSONで出力する")
@click.pass_context
def deadlines(ctx: click.Context, inputs: tuple[Path, ...], days: int, today: date | None,
              as_json: bool) -> None:
    """全案件の期限（回答期限・入札期間開始日・開札期日・決済予定日）を日付の早い順に表示します。

    表示するのは、今日から指定日数以内のものと期限切れのものです。

    期限切れは、回答待ちのまま過ぎた回答期限と、過ぎた決済予定日です。

    過ぎた入札期間開始日・開札期日は、期限ではなく経過した事実なので表示しません。

    読めないワークブックは最初のエラーとともに表示し、終了コード 1。

    \b
    例:
      ninbai deadlines inputs/
      ninbai deadlines inputs/ --days 14 --date 2026-11-30
    """
    files = input_files(inputs)
    config = settings(ctx, inputs)
    day = today or datetime.now(ZoneInfo(config.review.timezone)).date()
    results = [(path, *load_case(path, config.profile_names())) for path in files]
    cases = [(path, case) for path, case, _ in results if case is not None]
    due = due_deadlines(((case.case_id, case_deadlines(case)) for _, case in cases), day, days)
    failed = [(path, [i for i in issues if i.severity == "error"])
              for path, case, issues in results if case is None]
    files_of = {case.case_id: path for path, case in cases}
    if as_json:
        say(json.dumps(deadlines_json(due, failed, files_of, day, days), ensure_ascii=False,
                       indent=2))
    else:
        for line in deadline_lines(due, failed, day, days, len(results)):
            say(line)
    ctx.exit(1 if failed else 0)


def deadline_lines(due: list[Due], failed: list[tuple[Path, list[Issue]]], day: date, days: int,
                   total: int) -> list[str]:
    """The terminal listing: a heading, one line per deadline (date, 残り, 案件番号, 期限,
    債権者), then each workbook that could not be read with its first error. The debtor is not
    named (the case id finds the case); creditors are, as staff must know whom to chase."""
    overdue = sum(d.overdue for d in due)
    lines = [(f"期限 {day_text(day)}から{days}日以内と期限切れ: {len(due)}件"
              f"（うち期限切れ {overdue}件・案件 {total - len(failed)}件を確認）")]
    for d in due:
        lines.append(f"{pad(d.day, 20)}  {pad(d.when, 8)}  {d.case_id:<12} {pad(d.deadline.label, 18)}"
                     f"  {d.deadline.creditor or ''}".rstrip())
    for path, errors in failed:
        first = error_summary(errors[0].to_dict()) if errors else ""
        more = f"（ほか{len(errors) - 1}件）" if len(errors) > 1 else ""
        lines.append(f"読めません: {shown_path(path)}  {first}{more}")
    if failed:
        lines.append(f"読めないワークブック {len(failed)}件（ninbai validate で全件を確認できます）")
    return [drop_invisible(line) for line in lines]


def deadlines_json(due: list[Due], failed: list[tuple[Path, list[Issue]]],
                   files_of: dict[str, Path], day: date, days: int) -> dict[str, Any]:
    """``ninbai deadlines --json``: the day and window, the deadlines in order (each with its
    workbook), and the workbooks that could not be read with their errors."""
    return {"today": day.isoformat(), "days": days,
            "deadlines": [{**d.to_json(), "file": str(files_of[d.case_id])} for d in due],
            "failed": [{"file": str(path), "errors": [e.to_dict() for e in errors]}
                       for path, errors in failed]}


@main.command()
@click.argument("case_id", metavar="案件番号")
@option("--out", default=Path("outputs"), type=PathType("folder"), metavar="フォルダ",
        help="出力先のフォルダ（バッチフォルダの親）。省略時は outputs")
@option("--json", "as_json", is_flag=True, help="結果をJSONで出力する")
@click.pass_context
def history(ctx: click.Context, case_id: str, out: Path, as_json: bool) -> None:
    """案件の履歴: 出力フォルダの全バッチでの版を古い順に表示します（価格変更履歴）。

    売却価格、債権者ごとの配分額と残債務、警告、承認（誰が・いつ・理由・今も有効か）を示します。

    金額や承認の理由も表示します（自分の画面で確認するためのものです）。

    案件がどのバッチにもなければ終了コード 1。

    \b
    例:
      ninbai history 2026-0142
      ninbai history 2026-0142 --out outputs --json
    """
    from pipeline.batch.history import case_history, history_json, history_lines

    if not CASE_ID_PATTERN.fullmatch(case_id):
        raise CannotRun(f"案件番号「{case_id}」は使えません（{CASE_ID_EXPECTED}）")
    if not out.is_dir():
        raise CannotRun(f"出力フォルダが見つかりません: {out}")
    found = case_history(out, case_id)
    if as_json:
        say(json.dumps(history_json(found), ensure_ascii=False, indent=2))
    else:
        for line in history_lines(found, settings(ctx).review.timezone):
            say(line)
    ctx.exit(0 if found.revisions else 1)


# ---------------------------------------------------------------------------------------------
# ninbai revoke / serve / user (docs/serve.md)
# ---------------------------------------------------------------------------------------------


@main.command()
@click.argument("batch_dir", type=PathType("folder"), metavar="バッチフォルダ")
@click.argument("case_id", metavar="案件番号")
@option("--by", required=True, metavar="名前", help="承認を取り消す人の名前")
@option("--reason", required=True, metavar="理由", help="取り消す理由（取消と一緒に記録）")
@click.pass_context
def revoke(ctx: click.Context, batch_dir: Path, case_id: str, by: str, reason: str) -> None:
    """案件の承認を取り消します（誰が・いつ・理由を記録。承認の記録は履歴に残ります）。

    取り消した版は未承認に戻り、次の build では（入力が変わっていれば）その版が作り直されます。

    \b
    例:
      ninbai revoke outputs/2026-11-30 2026-0142 --by "佐藤 花子" --reason "売却価格の誤り"
    """
    from pipeline.batch.approve import revoke_approval

    revocation = revoke_approval(batch_dir, case_id, by, reason,
                                 zone=settings(ctx).review.timezone)
    say(f"承認を取り消しました: {case_id}（{revocation.approval.folder}）")


@main.command()
@click.argument("out_dir", type=PathType("folder"), metavar="出力フォルダ")
@option("--host", default="127.0.0.1", show_default=True, metavar="アドレス",
        help="待ち受けるアドレス。127.0.0.1 以外（例 0.0.0.0）は利用者の登録が必要")
@option("--port", default=8000, show_default=True, type=CountType(1), metavar="番号",
        help="待ち受けるポート番号")
@click.pass_context
def serve(ctx: click.Context, out_dir: Path, host: str, port: int) -> None:
    """出力フォルダのバッチをブラウザで確認・承認・送付記録できるようにします。

    既定ではこのパソコンだけ（127.0.0.1）で開きます。事務所の他のパソコンから開くには
    ninbai user add で利用者を登録し、--host 0.0.0.0 で起動します。

    \b
    例:
      ninbai serve outputs
      ninbai serve outputs --host 0.0.0.0 --port 8000
    """
    from datetime import timedelta

    from pipeline.serve import ServeRefused, check_bind, run
    from pipeline.serve.app import ServeSettings, create_app
    from pipeline.serve.rebuild import WarmBuilder

    if not out_dir.is_dir():
        raise CannotRun(f"出力フォルダが見つかりません: {out_dir}")
    config = settings(ctx)
    try:
        check_bind(host, config.users)
    except ServeRefused as exc:
        raise CannotRun(str(exc)) from None
    with ExitStack() as stack:
        # 作り直し: one warm worker for the server's life, with the office's templates as
        # ``ninbai build`` uses them
        builder = stack.enter_context(WarmBuilder(
            config, office_templates(ctx.find_root().obj.get("config_file"), stack)))
        app = create_app(ServeSettings(
            out_dir.resolve(), zone=config.review.timezone, users=dict(config.users),
            idle=timedelta(hours=config.serve.session_idle_hours),
            attempts=config.serve.login_attempts,
            lockout=timedelta(minutes=config.serve.lockout_minutes), builder=builder))
        try:
            run(app, host, port, say, prepare=lambda: _warm(builder, out_dir))
        except OSError as exc:
            raise CannotRun(f"{host}:{port} で待ち受けられません（{os_error_text(exc)}。"
                            "別のポート番号を --port で指定してください）") from None


def _warm(builder: Any, out_dir: Path) -> None:
    """Start the rebuild worker, warmed with a built workbook so the first click is fast."""
    say("作り直しの準備をしています…")
    from pipeline.serve.rebuild import any_workbook

    builder.start(warm_up=any_workbook(out_dir))


@main.group(cls=JapaneseGroup)
def user() -> None:
    """ninbai serve の利用者を管理します（設定ファイル ninbai.toml の [users]）。"""


@user.command("add")
@click.argument("name", metavar="名前")
@click.pass_context
def user_add(ctx: click.Context, name: str) -> None:
    """利用者を登録します（パスワードを2回たずね、ソルト付きのハッシュだけを記録）。

    登録済みの名前なら、パスワードを変更します。設定ファイルの他の部分は変わりません。

    \b
    例:
      ninbai user add "佐藤 花子"
    """
    from pipeline.serve.users import (
        UserError,
        add_user,
        check_new_password,
        check_user_name,
        hash_password,
    )

    root = ctx.find_root().obj
    path = config_file(root.get("config_path"))
    if path is None:
        raise CannotRun("設定ファイル ninbai.toml が見つかりません。作業フォルダで実行するか、"
                        "--config で指定してください（ninbai init で作れます）")
    try:
        name = check_user_name(name)
        password = click.prompt("パスワード", hide_input=True, err=True)
        again = click.prompt("もう一度パスワード", hide_input=True, err=True)
        check_new_password(password, again)
        replaced = add_user(path, name, hash_password(password))
    except UserError as exc:
        raise CannotRun(str(exc)) from None
    say(f"{'パスワードを変更しました' if replaced else '利用者を登録しました'}: {name}（{shown_path(path)}）")
