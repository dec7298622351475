"""Acronym evidence: a term followed by its abbreviation in brackets spells its initials.

Paper-mill text keeps the abbreviation a spinner cannot swap: "counterfeit consciousness
(AI)", "irregular walk (RW)". The letters constrain the original: its words must start with
them ("artificial intelligence", "random walk"). Function words ("of", "and") may or may
not give a letter ("sum of squared errors (SSE)", "department of energy (DOE)"), and the
parts of a hyphenated word may each give one ("non-governmental organization (NGO)").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["acronym_after", "initials", "spells"]

_ACRONYM_RE = re.compile(r"^[A-Za-z]{2,8}$")
# Words an abbreviation may skip.
_SKIPPABLE = frozenset(["a", "an", "the", "of", "and", "or", "for", "in", "on", "to", "with", "by", "at", "from", "&"])


def acronym_after(words: Sequence[str], end: int) -> tuple[str, ...]:
    """The letter strings an abbreviation in brackets right after ``words[:end]`` may spell:
    ``("wsn", "wsns")`` for "( WSNs )" (a plural "s" may or may not be a letter); empty when
    none follows. An abbreviation has two capitals or more, or is any lower-case word in
    text with no capitals at all (the tortured-phrase list is lower-cased)."""
    if end + 3 > len(words) or words[end] != "(" or words[end + 2] != ")":
        return ()
    token = words[end + 1]
    if not _ACRONYM_RE.match(token):
        return ()
    if sum(c.isupper() for c in token) < 2 and not (token.islower() and not any(c.isupper() for w in words for c in w)):
        return ()  # "(Thursday)"; a lower-case one only in lower-cased text ("artificial data (ai)")
    letters = token.lower()
    if letters.endswith("s") and len(letters) > 2:
        return (letters, letters[:-1])
    return (letters,)


def initials(word: str) -> set[str]:
    """The letters a word may give an abbreviation: its first, or one per hyphenated part."""
    parts = [p for p in word.lower().split("-") if p]
    if not parts:
        return set()
    return {parts[0][0], "".join(p[0] for p in parts)}


def spells(words: Sequence[str], letters: str) -> bool:
    """Whether the initials of the last words of ``words`` spell ``letters`` (right to left,
    function words optionally skipped); the first letter must come from a word, not a skip."""

    def match(i: int, j: int) -> bool:
        if j == 0:
            return True
        if i == 0:
            return False
        word = words[i - 1]
        if any(letters[:j].endswith(s) and match(i - 1, j - len(s)) for s in initials(word)):
            return True
        return word.lower() in _SKIPPABLE and match(i - 1, j)

    return bool(letters) and match(len(words), len(letters))
