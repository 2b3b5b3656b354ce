"""The one base of every frozen model: the validated Case, the configuration, the figures.

Frozen, so a stage cannot change what an earlier stage decided (a Case read once is the Case every
document prints); ``extra="forbid"``, so a misspelt field is an error, never a silently ignored
value (a key of ninbai.toml, a field of a row).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["Frozen"]


class Frozen(BaseModel):
    """A pydantic model that cannot be changed after validation and accepts no unknown field."""

    model_config = ConfigDict(frozen=True, extra="forbid")
