"""The computations of rules v1 (docs/rules.md): a validated Case → its Figures.

Pure functions over frozen models: no I/O, no clock, no globals — the batch date comes in as an
argument. One module per rule family: money (rounding, allocation), claims (claims at settlement),
deductions (the 費用控除), distribution (配分案 waterfall), auction (競売との比較), household
(生活状況表), repayment (残債務の返済計画), checks (dates, listing price), warnings (the catalogue).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.compute.case import compute_case

__all__ = ["compute_case"]


def __getattr__(name: str) -> Any:
    """``compute_case`` is loaded on first use, so that importing one rule module (``money`` for
    the review page's amounts) does not load every rule and model: an unchanged rerun needs none."""
    if name == "compute_case":
        from pipeline.compute.case import compute_case

        return compute_case
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
