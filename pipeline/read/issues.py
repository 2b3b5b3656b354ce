"""Problems as data: where they are (CellRef) and what they are (Issue).

Every stage returns issues instead of raising at the first one, so staff see every mistake of a
workbook at once, each with file, sheet and cell (``HX.xlsx 債権者!D3``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pipeline.text import drop_invisible

Severity = Literal["error", "high", "warn", "info"]

#: Order used to sort issues and cases, most severe first.
SEVERITY_RANK: dict[str, int] = {"error": 0, "high": 1, "warn": 2, "info": 3}


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


def has_errors(issues: list[Issue] | tuple[Issue, ...]) -> bool:
    return any(i.severity == "error" for i in issues)
