"""Click in Japanese: usage, help, option values and parsing errors as staff read them.

Click writes its own texts in English through ``gettext``, whose only hook is the process-wide
default domain chosen by the LANGUAGE/LANG environment: no way for one program to say
"Japanese" without changing the environment of everything it runs. So ninbai uses click's
documented extension points instead and never touches click's internals:

- ``JapaneseContext.formatter_class`` (``HelpFormatter.write_usage(prefix=)``): 「使い方:」;
- ``Command(options_metavar=)``, ``Group(subcommand_metavar=)``, ``format_options``,
  ``format_commands``: 「[オプション]」「コマンド [引数]...」 and the section headings;
- ``get_help_option``: the help option's own text (and ``-h`` by ``help_option_names``);
- ``JapaneseOption.get_help_record``: 「（必須）」 instead of ``[required]``;
- ``ParamType.convert`` of ``DateType``, ``CountType``, ``PathType``: their refusals in Japanese;
- ``parse_args`` / ``invoke`` / ``resolve_command`` of the group and the commands: a parsing error (``MissingParameter``, ``NoSuchOption``, ``BadOptionUsage``,
  ``BadParameter``, an unknown command, extra arguments) is raised again as a
  ``JapaneseUsageError`` built from the exception's documented attributes (``param``,
  ``option_name``, ``possibilities``), never from its English text. An error this table does not
  know gets a Japanese line that sends staff to ``-h``: no English ever reaches them.

tests/test_cli_japanese.py runs every one of these errors, so a click release that changes how
they are raised fails there, not in front of staff.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import IO, Any

import click

USAGE_PREFIX = "使い方: "
OPTIONS_METAVAR = "[オプション]"
SUBCOMMAND_METAVAR = "コマンド [引数]..."
HELP_OPTION_NAMES = ["-h", "--help"]
HELP_OPTION_TEXT = "この説明を表示して終わる"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _echo_err(line: str) -> None:
    try:
        click.echo(line, err=True)
    except OSError:
        pass  # a closed stderr loses only this message; the exit code still says it


class JapaneseUsageError(click.UsageError):
    """A command line that cannot be run, told in Japanese: the usage line, where to find the
    help, and 「エラー: …」 (exit 2, as click's own usage errors)."""

    def show(self, file: IO[Any] | None = None) -> None:
        if self.ctx is not None:
            _echo_err(self.ctx.get_usage())
            _echo_err(f"詳しくは「{self.ctx.command_path} -h」で確認できます。")
        _echo_err(f"エラー: {self.format_message()}")


# --- help --------------------------------------------------------------------------------------

class JapaneseFormatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, USAGE_PREFIX if prefix is None else prefix)


class JapaneseContext(click.Context):
    formatter_class = JapaneseFormatter


class JapaneseOption(click.Option):
    """An option whose help line carries only its Japanese text (and 「（必須）」): click's
    ``[default: …]``, ``[required]`` and range notes are English."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        record = super().get_help_record(ctx)
        if record is None:
            return None
        return record[0], (self.help or "") + ("（必須）" if self.required else "")


def _option_rows(command: click.Command, ctx: click.Context) -> list[tuple[str, str]]:
    return [record for param in command.get_params(ctx)
            if not isinstance(param, click.Argument) and (record := param.get_help_record(ctx))]


def _short_help(command: click.Command, width: int) -> str:
    """The first sentence of a command's help (up to 「。」), cut to ``width`` columns."""
    text = command.short_help or (command.help or "").strip().split("\n")[0]
    text = text.split("。")[0]
    shown, columns = "", 0
    for char in text:
        columns += 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if columns > width:
            return shown + "…"
        shown += char
    return shown


class _Japanese(click.Command):
    """What a command and the group share: context, help option, option list, extra arguments."""

    context_class = JapaneseContext

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION_TEXT
        return option

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parsing errors in Japanese, with this command's context (the parser raises some
        without one, and the context says which option was meant)."""
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise japanese_error(exc, ctx) from None

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = _option_rows(self, ctx)
        if rows:
            with formatter.section("オプション"):
                formatter.write_dl(rows)


class JapaneseCommand(_Japanese):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Extra arguments refused in Japanese: parsed as allowed, then refused here."""
        if ctx.allow_extra_args:
            return super().parse_args(ctx, args)
        ctx.allow_extra_args = True
        try:
            rest = super().parse_args(ctx, args)
        finally:
            ctx.allow_extra_args = False
        if rest and not ctx.resilient_parsing:
            raise JapaneseUsageError(f"余分な引数があります: {' '.join(rest)}", ctx)
        return rest


class JapaneseGroup(_Japanese, click.Group):
    command_class = JapaneseCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        kwargs.setdefault("subcommand_metavar", SUBCOMMAND_METAVAR)
        settings = kwargs.setdefault("context_settings", {})
        settings.setdefault("help_option_names", HELP_OPTION_NAMES)
        super().__init__(*args, **kwargs)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = [(name, command) for name in self.list_commands(ctx)
                    if (command := self.get_command(ctx, name)) and not command.hidden]
        if commands:
            width = formatter.width - 6 - max(len(name) for name, _ in commands)
            with formatter.section("コマンド"):
                formatter.write_dl([(name, _short_help(c, width)) for name, c in commands])

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise japanese_error(exc, ctx) from None

    def resolve_command(self, ctx: click.Context, args: list[str]
                        ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        if self.get_command(ctx, name) is None and not name.startswith("-") \
                and not ctx.resilient_parsing:
            known = "・".join(self.list_commands(ctx))
            raise JapaneseUsageError(f"「{name}」というコマンドはありません（{known}）", ctx)
        return super().resolve_command(ctx, args)


# --- errors ------------------------------------------------------------------------------------

#: click ≥ 8.2 shows the help for a command given no arguments through this error; it is help,
#: not an error, and is left as it is.
_HELP_ERRORS: tuple[type[Exception], ...] = tuple(
    c for c in (getattr(click.exceptions, "NoArgsIsHelpError", None),) if c is not None)


def japanese_error(exc: click.UsageError, ctx: click.Context | None = None) -> click.UsageError:
    """The same usage error in Japanese (``JapaneseUsageError``), from its attributes."""
    if isinstance(exc, (JapaneseUsageError, *_HELP_ERRORS)):
        return exc
    ctx = exc.ctx or ctx
    if isinstance(exc, click.MissingParameter):
        message = _missing(exc.param)
    elif isinstance(exc, click.NoSuchOption):
        message = f"「{exc.option_name}」というオプションはありません"
        if exc.possibilities:
            message += f"（もしかして: {'・'.join(sorted(exc.possibilities))}）"
    elif isinstance(exc, click.BadOptionUsage):
        message = _option_usage(exc.option_name, ctx)
    elif isinstance(exc, click.BadParameter):
        message = _bad_value(exc)
    elif ctx is not None and isinstance(ctx.command, click.Group):
        message = "コマンドを指定してください（" + "・".join(ctx.command.list_commands(ctx)) + "）"
    else:
        message = "コマンドの指定が正しくありません"
    return JapaneseUsageError(message, ctx)


def _name(param: click.Parameter | None) -> str:
    """An option by its long name, an argument by its metavar (every argument of ninbai has a
    Japanese one)."""
    if param is None:
        return "値"
    if isinstance(param, click.Argument):
        return (param.metavar or (param.name or "").upper()).rstrip(".")
    return max(param.opts, key=len)


def _missing(param: click.Parameter | None) -> str:
    if isinstance(param, click.Option):
        return f"オプション {_name(param)} を指定してください" + (f"（{param.help}）"
                                                                  if param.help else "")
    return f"「{_name(param)}」を指定してください"


def _option_usage(option_name: str, ctx: click.Context | None) -> str:
    params = ctx.command.params if ctx is not None else []
    option = next((p for p in params if isinstance(p, click.Option) and option_name in p.opts),
                  None)
    if option is not None and option.is_flag:
        return f"オプション {option_name} には値をつけません"
    return f"オプション {option_name} には値が必要です"


def _bad_value(exc: click.BadParameter) -> str:
    where = _name(exc.param)
    if isinstance(getattr(exc.param, "type", None), JapaneseType):
        return f"「{where}」の値が正しくありません: {exc.message}"
    return f"「{where}」の値が正しくありません"


# --- option values -----------------------------------------------------------------------------

class JapaneseType(click.ParamType):
    """A value type whose refusals (``self.fail``) are written in Japanese."""


class DateType(JapaneseType):
    """A date written YYYY-MM-DD (full-width digits as typed in Japanese input mode too)."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None
                ) -> date:
        if isinstance(value, date):
            return value
        text = unicodedata.normalize("NFKC", str(value)).strip().replace("ー", "-")
        try:
            if _ISO_DATE.fullmatch(text):
                return date.fromisoformat(text)
        except ValueError:
            pass
        self.fail(f"「{value}」は日付として読めません。YYYY-MM-DD（例 2026-11-30）で指定してください",
                  param, ctx)


class CountType(JapaneseType):
    """A whole number of at least ``minimum`` (``--jobs``)."""

    name = "count"

    def __init__(self, minimum: int = 1) -> None:
        self.minimum = minimum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None
                ) -> int:
        if isinstance(value, int):
            number = value
        else:
            text = unicodedata.normalize("NFKC", str(value)).strip()
            if not re.fullmatch(r"[+-]?\d+", text):
                self.fail(f"「{value}」は整数ではありません。{self.minimum}以上の整数で指定してください",
                          param, ctx)
            number = int(text)
        if number < self.minimum:
            self.fail(f"「{value}」は使えません。{self.minimum}以上の整数で指定してください", param, ctx)
        return number


class PathType(JapaneseType):
    """A path that, when it exists, must be a file (``kind="file"``) or a folder (``"folder"``);
    whether it must exist is the command's to say, with its own message."""

    name = "path"

    def __init__(self, kind: str | None = None) -> None:
        self.kind = kind

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None
                ) -> Path:
        path = Path(value)
        if self.kind == "file" and path.is_dir():
            self.fail(f"「{value}」はフォルダです。ファイルを指定してください", param, ctx)
        if self.kind == "folder" and path.exists() and not path.is_dir():
            self.fail(f"「{value}」はファイルです。フォルダを指定してください", param, ctx)
        return path


def option(*decls: str, **attrs: Any) -> Any:
    """``click.option`` with ``JapaneseOption``."""
    return click.option(*decls, cls=JapaneseOption, **attrs)
