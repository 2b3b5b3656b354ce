"""プロファイル of a creditor: staff pick a Japanese name (住宅金融支援機構, 標準), the case keeps the
configuration's key (jhf, standard).

The configuration names each profile twice: its key (``[profiles.jhf]``, what compute looks up)
and its ``label`` (「住宅金融支援機構」, what staff know it by). The blank workbook's dropdown shows
the labels; the reader takes a label or a key (so workbooks written before the labels, saying
``jhf``, keep working) and returns the key. ``profiles`` is everywhere a collection of keys, or a
mapping key → label (``Config.profile_names()``); keys alone show as themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping

from pipeline.read.values import BadValue, normalize_label, raw_text

__all__ = ["DEFAULT_PROFILE", "dropdown_words", "parse_profile", "profile_names"]

#: The profile of a creditor whose プロファイル is blank (models.Creditor.profile's default).
DEFAULT_PROFILE = "standard"


def profile_names(profiles: Collection[str]) -> dict[str, str]:
    """Key → the name staff see: the label of a mapping, the key itself otherwise."""
    if isinstance(profiles, Mapping):
        return {str(key): str(label) for key, label in profiles.items()}
    return {key: key for key in profiles}


def _fold(word: str) -> str:
    """As parse_choice compares words: full/half width, spaces and ASCII case do not count."""
    return normalize_label(word).casefold()


def dropdown_words(profiles: Collection[str]) -> dict[str, str]:
    """The dropdown's words, in configuration order → their keys: 「標準」→"standard".

    A label that another profile also uses, or that is another profile's key, or that is blank,
    cannot say which profile it means: that profile shows its key instead.
    """
    names = profile_names(profiles)
    keys = {_fold(key): key for key in names}
    labels = Counter(_fold(label) for label in names.values())
    words: dict[str, str] = {}
    for key, label in names.items():
        folded = _fold(label)
        clear = folded and labels[folded] == 1 and keys.get(folded, key) == key
        words[label if clear else key] = key
    return words


def parse_profile(value: object, profiles: Collection[str]) -> str:
    """The profile key of a プロファイル cell: its name in the dropdown, or the key itself
    (「住宅金融支援機構」→"jhf", 「ＪＨＦ」→"jhf"). Anything else → choice_invalid listing the names."""
    words = dropdown_words(profiles)
    accepted = {_fold(key): key for key in words.values()}
    accepted.update({_fold(word): key for word, key in words.items()})
    typed = _fold(raw_text(value))
    if typed in accepted:
        return accepted[typed]
    raise BadValue("choice_invalid", "次のいずれか: " + "／".join(words))
