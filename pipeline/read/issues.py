"""Problems as data: where they are (CellRef) and what they are (Issue).

Every stage returns issues instead of raising at the first one, so staff see every mistake of a
workbook at once, each with file, sheet and cell (``HX.xlsx 債権者!D3``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pipeline.text import drop_invisible

Severity = Literal["error", "high", "warn", "info"]

#: Order used to sort issues and cases, most severe first.
SEVERITY_RANK: dict[str, int] = {"error": 0, "high": 1, "warn": 2, "info": 3}

#: A case's level (状態) on every surface staff read, most severe first: a failed case, else its
#: most severe warning, else ``ok``. The codes stay in case.json and manifest.json for tools.
LEVELS: tuple[str, ...] = ("error", "high", "warn", "info", "ok")
#: The one table from a severity or level code to the Japanese word staff see (terminal,
#: summary.xlsx, index.html, case.json's ``*_label`` keys): never ``ok/warn/high/info``.
LEVEL_LABELS: dict[str, str] = {"error": "エラー", "high": "重要", "warn": "警告", "info": "参考",
                                "ok": "問題なし"}


def level_label(code: str) -> str:
    """The Japanese word for a severity or level code (an unknown code reads as 警告: a warning
    whose severity this version does not know is still something to look at)."""
    return LEVEL_LABELS.get(code, LEVEL_LABELS["warn"])


def level_of(status: str, severities: list[str]) -> str:
    """A case's level: ``error`` when it failed, else its most severe warning, else ``ok``."""
    if status == "error":
        return "error"
    return min(severities, key=lambda s: SEVERITY_RANK.get(s, SEVERITY_RANK["warn"]),
               default="ok")


@dataclass(frozen=True, slots=True)
class CellRef:
    """A place in a workbook: file name, sheet, and A1 cell (cell empty for a whole sheet/file)."""

    file: str
    sheet: str = ""
    cell: str = ""

    def __str__(self) -> str:
        if not self.sheet:
            return self.file
        if not self.cell:
            return f"{self.file} {self.sheet}"
        return f"{self.file} {self.sheet}!{self.cell}"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in a case.

    ``code`` is stable (tests and case.json use it); ``message`` is Japanese, for office staff,
    and says what is expected. ``raw`` is the value as the user typed it, as staff see it: the
    message and the raw value pass the one text rule (pipeline.text), so a right-to-left
    override typed into a cell never reaches the terminal, the manifest or the review.
    ``severity`` 'error' makes the case invalid; the others are warnings shown in the review.
    """

    code: str
    severity: Severity
    message: str
    where: CellRef | None = None
    raw: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", drop_invisible(self.message))  # frozen dataclass
        if self.raw is not None:
            object.__setattr__(self, "raw", drop_invisible(self.raw))

    def __str__(self) -> str:
        place = f"{self.where}: " if self.where else ""
        return drop_invisible(f"{place}{self.message}")  # the file name may hold U+202E

    @property
    def triple(self) -> tuple[str, str, str]:
        """(sheet, cell, code): what tests assert on, independent of message wording."""
        if self.where is None:
            return ("", "", self.code)
        return (self.where.sheet, self.where.cell, self.code)

    def to_dict(self) -> dict[str, str | None]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.where.file if self.where else None,
            "sheet": self.where.sheet if self.where else None,
            "cell": self.where.cell if self.where else None,
            "raw": self.raw,
        }


_DANGLING_COLON = re.compile(r"\s*[:：]\s*$")


def message_without_raw(message: str, raw: str | None) -> str | None:
    """The message with the quoted cell value 「…」 taken out, for output that is a log.

    Messages quote what the user typed (「山田 太郎」を読めません), and a cell may hold a person's
    name; the terminal and its logs get the message without it, the review page keeps it.
    None when the value still appears some other way: the caller then shows the place alone.
    """
    if not raw:
        return message
    text = _DANGLING_COLON.sub("", message.replace(f"「{raw}」", ""))
    return None if raw in text else text


def has_errors(issues: list[Issue] | tuple[Issue, ...]) -> bool:
    return any(i.severity == "error" for i in issues)
