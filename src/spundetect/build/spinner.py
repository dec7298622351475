"""Synthetic spinning of clean text: the training data for the ranker and the classifier.

A spinner maps original -> synonym without regard to context. This one uses the same
thesaurus links as the detector, in the spinner's direction (the original's entry lists
the synonym), and re-inflects the synonym like the original word. Every swap is recorded,
so each token carries its label and its original.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

import numpy as np

from .. import segment
from ..candidates.synonyms import IDX_BITS, MOBY_FWD, Thesaurus, _inflect, _inflections, thesaurus
from ..lm import language_model
from ..restore import FUNCTION_WORDS

__all__ = ["Swap", "Spinner"]


@dataclass(frozen=True, slots=True)
class Swap:
    index: int  # token index in the sentence
    original: str
    written: str


@dataclass(eq=False)
class Spinner:
    """Word-level thesaurus spinner.

    ``rate``: share of content words swapped; ``direction_only``: only use links where the
    original's Moby entry lists the synonym (a Moby-based tool), else any thesaurus link;
    ``protect_capitalised``: leave capitalised words inside a sentence alone.
    """

    rate: float = 0.3
    direction_only: bool = False
    protect_capitalised: bool = True
    seed: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    @cached_property
    def forward(self) -> tuple[Thesaurus, np.ndarray, np.ndarray, np.ndarray]:
        """original id -> (written id, bits), sorted by original."""
        th = thesaurus()
        ar = th.artifact.arrays
        indptr = np.asarray(ar["indptr"], dtype=np.int64)
        packed = np.asarray(ar["links"], dtype=np.int64)
        written = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
        orig = packed & ((1 << IDX_BITS) - 1)
        bits = packed >> IDX_BITS
        order = np.argsort(orig, kind="stable")
        ptr = np.searchsorted(orig[order], np.arange(len(indptr)))
        return th, ptr, written[order], bits[order]

    def synonyms(self, lemma: str) -> list[str]:
        th, ptr, written, bits = self.forward
        i = th.index.get(lemma)
        if i is None:
            return []
        sel = slice(ptr[i], ptr[i + 1])
        ws, bs = written[sel], bits[sel]
        if self.direction_only:
            ws = ws[(bs & MOBY_FWD) > 0]
        return [th.words[j] for j in ws.tolist()]

    def spin_word(self, word: str) -> str | None:
        """A random synonym of ``word`` inflected like it, or None."""
        w = word.lower()
        known = language_model().known
        options: list[str] = []
        readings = _inflections(w) or [(w, "", "")]
        lemma, upos, tag = self.rng.choice(readings)
        for syn in self.synonyms(lemma):
            form = _inflect(syn, upos, tag) if upos else syn
            if form and form != w and " " not in form and known(form):
                options.append(form)
        if not options:
            return None
        out = self.rng.choice(options)
        return out.capitalize() if word[:1].isupper() else out

    def spin(self, tokens: Sequence[str]) -> tuple[list[str], list[Swap]]:
        """Spin a tokenised sentence; returns the new tokens and the swaps made."""
        out = list(tokens)
        swaps = []
        for i, t in enumerate(tokens):
            if not segment.is_word(t) or t.lower() in FUNCTION_WORDS or segment.norm(t) == "<num>":
                continue
            if self.protect_capitalised and i > 0 and t[:1].isupper():
                continue
            if self.rng.random() >= self.rate:
                continue
            new = self.spin_word(t)
            if new:
                out[i] = new
                swaps.append(Swap(i, t, new))
        return out, swaps
