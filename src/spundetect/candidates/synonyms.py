"""Synonym candidates: the words a spinner could have replaced with the written word.

Backed by the compiled reverse thesaurus index (``build.thesaurus``). Inflection-aware:
"constructing" -> lemma "construct" -> original lemma "build" -> "building".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np

from ..lexicon import Artifact, load_artifact
from .inflect import inflect, word_readings

__all__ = ["Link", "Thesaurus", "thesaurus", "MOBY_FWD", "MOBY_REV", "WORDNET", "ROGET", "TOOL", "IDX_BITS"]

# Evidence bits of a link written -> original.
MOBY_FWD = 1  # Moby's entry for the original lists the written word (the spinner's direction)
MOBY_REV = 2  # Moby's entry for the written word lists the original
WORDNET = 4  # they share a WordNet synset
ROGET = 8  # they share a Roget sense group
TOOL = 16  # a real spinner was seen making this swap (candidates.tool_links; not in the index)
IDX_BITS = 24


@dataclass(frozen=True, slots=True)
class Link:
    """A candidate original for a written word."""

    original: str  # inflected like the written word
    lemma: str  # the thesaurus entry
    bits: int  # evidence bits
    degree: int  # how many synonyms the original offers a spinner

    @property
    def n_sources(self) -> int:
        """How many thesauri link them; a tool link counts as all three."""
        b = self.bits
        if b & TOOL:
            return 3
        return int(bool(b & (MOBY_FWD | MOBY_REV))) + int(bool(b & WORDNET)) + int(bool(b & ROGET))


@dataclass(frozen=True, eq=False)
class Thesaurus:
    """The packaged reverse synonym index; use :func:`thesaurus` for the shared instance."""

    artifact: Artifact

    @cached_property
    def words(self) -> list[str]:
        return self.artifact.text("vocab.txt").split("\n")[:-1]

    @cached_property
    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    @property
    def sha256(self) -> str:
        return self.artifact.sha256

    def _raw(self, lemma: str) -> list[tuple[int, int]]:
        i = self.index.get(lemma)
        if i is None:
            return []
        ar = self.artifact.arrays
        a, b = int(ar["indptr"][i]), int(ar["indptr"][i + 1])
        packed = np.asarray(ar["links"][a:b], dtype=np.int64)
        return list(zip((packed & ((1 << IDX_BITS) - 1)).tolist(), (packed >> IDX_BITS).tolist()))

    def degree(self, lemma: str) -> int:
        i = self.index.get(lemma)
        return 0 if i is None else int(self.artifact.arrays["degree"][i])

    def linked(self, written: str, original: str) -> int:
        """Evidence bits linking two lemmas (0 if the thesauri do not link them)."""
        j = self.index.get(original)
        return next((bits for k, bits in self._raw(written) if k == j), 0)

    def originals(self, written: str) -> tuple[Link, ...]:
        """Candidate originals of a lower-cased written word or phrase, inflected like it
        (not cached here: callers cache the compact form they need)."""
        found: dict[str, Link] = {}
        words = self.words
        degree = self.artifact.arrays["degree"]
        for k, bits in self._raw(written):
            lemma = words[k]
            found[lemma] = Link(lemma, lemma, bits, int(degree[k]))
        if " " not in written:
            for lemma, upos, tag in word_readings(written):
                if lemma == written:
                    continue
                for k, bits in self._raw(lemma):
                    form = inflect(words[k], upos, tag)
                    if form and form != written and form not in found:
                        found[form] = Link(form, words[k], bits, int(degree[k]))
        found.pop(written, None)
        return tuple(found.values())

    @cached_property
    def _degrees(self) -> list[int]:
        return self.artifact.arrays["degree"].tolist()

    def single_word_originals(self, written: str) -> tuple[list[str], list[int], list[int]]:
        """The one-word entries of :meth:`originals`, in the same order, as plain lists
        (forms, evidence bits, degrees): the fast path for per-word features."""
        found: dict[str, tuple[int, int]] = {}
        words, degree = self.words, self._degrees
        for k, bits in self._raw(written):
            lemma = words[k]
            if " " not in lemma:
                found[lemma] = (bits, degree[k])
        if " " not in written:
            for lemma, upos, tag in word_readings(written):
                if lemma == written:
                    continue
                for k, bits in self._raw(lemma):
                    word = words[k]
                    if " " in word:
                        continue
                    form = inflect(word, upos, tag)
                    if form and form != written and form not in found:
                        found[form] = (bits, degree[k])
        found.pop(written, None)
        return list(found), [b for b, _ in found.values()], [d for _, d in found.values()]


@cache
def thesaurus() -> Thesaurus:
    """The packaged thesaurus index (loaded on first use, then cached)."""
    return Thesaurus(load_artifact("thesaurus"))
