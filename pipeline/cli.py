"""The ``ninbai`` command (spec/cli.md): a thin click layer over the library.

Each command turns its options into library calls and library outcomes into output and an exit
code: 0 success, 1 some case invalid or failed, 2 the command could not run. Problems print as
``file sheet!cell: message`` with the path as the user gave it. No traceback ever reaches the
user: an unexpected exception becomes a Japanese message and exit 2 (see ``NinbaiGroup``).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from pipeline.config import Config, ConfigError, load_config
from pipeline.issues import Issue
from pipeline.newcase import write_blank_case
from pipeline.validate import load_case
from pipeline.workbook import discover_inputs


class CannotRun(click.ClickException):
    """The command could not run (missing input, bad configuration, …): exit 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"エラー: {self.format_message()}", err=True)


class NinbaiGroup(click.Group):
    """Turns any unexpected exception of a command into a message and exit 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - the promise is: never a traceback
            click.echo(f"エラー: 予期しない問題で中断しました（{type(exc).__name__}: {exc}）。"
                       "システム担当者に連絡してください", err=True)
            ctx.exit(2)


@click.group(cls=NinbaiGroup)
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="設定ファイル（TOML）。省略時は ./ninbai.toml、なければ標準設定")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None) -> None:
    """任意売却の案件ワークブックを検証し、債権者向けの書類を作成します。

    \b
    例:
      ninbai new-case inputs/2026-0180.xlsx --case-id 2026-0180
      ninbai validate inputs/
    """
    ctx.ensure_object(dict)["config_path"] = config_path


def settings(ctx: click.Context) -> Config:
    """The effective configuration for this run (``--config``, ./ninbai.toml or the defaults)."""
    root = ctx.find_root()
    root.ensure_object(dict)
    if "config" not in root.obj:
        path = root.obj.get("config_path")
        if path is not None and not path.is_file():
            raise CannotRun(f"設定ファイルが見つかりません: {path}")
        try:
            root.obj["config"] = load_config(path)
        except ConfigError as exc:
            raise CannotRun(str(exc)) from None
    return root.obj["config"]


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
    mark = "" if issue.severity == "error" else "[警告] "
    return f"{place}: {mark}{issue.message}"


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="結果をJSONで出力する")
@click.pass_context
def validate(ctx: click.Context, inputs: tuple[Path, ...], as_json: bool) -> None:
    """ワークブックを読んで検証だけ行い、問題をすべてファイル・シート・セル付きで表示します。

    INPUT はフォルダ（中の *.xlsx すべて）またはファイル。1件でもエラーがあれば終了コード 1。

    \b
    例:
      ninbai validate inputs/
      ninbai validate inputs/2026-0142.xlsx --json
    """
    files = input_files(inputs)
    profiles = tuple(settings(ctx).profiles)
    results = [(path, *load_case(path, profiles)) for path in files]
    if as_json:
        click.echo(json.dumps([_result_dict(*r) for r in results], ensure_ascii=False, indent=2))
    else:
        for result in results:
            _print_result(*result)
        bad = sum(case is None for _, case, _ in results)
        click.echo(f"検証 {len(results)}件: OK {len(results) - bad}件 / NG {bad}件")
    ctx.exit(1 if any(case is None for _, case, _ in results) else 0)


def _print_result(path: Path, case, issues: list[Issue]) -> None:
    for issue in issues:
        click.echo(issue_line(issue, path))
    errors = sum(i.severity == "error" for i in issues)
    warns = len(issues) - errors
    if case is None:
        click.echo(f"NG  {path}  エラー{errors}件" + (f"・警告{warns}件" if warns else ""))
    else:
        click.echo(f"OK  {path}  {case.case_id}" + (f"  警告{warns}件" if warns else ""))


def _result_dict(path: Path, case, issues: list[Issue]) -> dict:
    return {"file": str(path), "case_id": case.case_id if case else None,
            "valid": case is not None, "issues": [i.to_dict() for i in issues]}


@main.command("new-case")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--case-id", help="案件番号を記入しておく（英数字・-・_ で40文字まで）")
@click.pass_context
def new_case(ctx: click.Context, path: Path, case_id: str | None) -> None:
    """空の案件ワークブックを作ります（プルダウンと入力ヒント付き）。既存のファイルは上書きしません。

    \b
    例:
      ninbai new-case inputs/2026-0180.xlsx --case-id 2026-0180
    """
    if path.suffix.lower() != ".xlsx":
        raise CannotRun(f"ファイル名は .xlsx で終わるようにしてください: {path}")
    profiles = tuple(settings(ctx).profiles)
    try:
        write_blank_case(path, case_id, profiles)
    except FileExistsError:
        raise CannotRun(f"{path} は既にあります。上書きはしません（別の名前にしてください）") from None
    except ValueError as exc:
        raise CannotRun(str(exc)) from None
    except OSError as exc:
        raise CannotRun(f"{path} を書き込めません（{exc.strerror}）") from None
    click.echo(f"作成しました: {path}")
