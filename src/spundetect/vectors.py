"""Word vectors: how well a word fits its sentence, from corpus co-occurrences.

Backed by the packaged ``vectors`` artifact (``build.vectors``): one int8 row per language
model word id, unit length x 127, memory-mapped.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np

from .lexicon import load_artifact

__all__ = ["WordVectors", "word_vectors"]


@dataclass(frozen=True)
class WordVectors:
    """Unit vectors indexed by language-model word id (zero rows for words without one)."""

    table: np.ndarray  # (LM vocabulary, dims) int8

    def rows(self, ids: np.ndarray) -> np.ndarray:
        """Float vectors of the word ids (unit length, or zero)."""
        return self.table[ids].astype(np.float64) / 127.0

    @cached_property
    def _known(self) -> np.ndarray:
        return self.table.any(axis=1)

    def known(self, ids: np.ndarray) -> np.ndarray:
        """Whether each word id has a vector."""
        return self._known[ids]


@cache
def word_vectors() -> WordVectors:
    """The packaged word vectors (loaded once)."""
    return WordVectors(load_artifact("vectors").arrays["vectors"])
