"""Known-term candidates: corpus n-grams whose words are each linked to a written word.

Blindly multiplying per-word candidates gives 10^4-10^5 hypotheses for a three-word span.
Instead, search the language model's tables of attested bigrams and trigrams: a term is a
candidate when every word is the written word or one of its thesaurus neighbours (one or
two hops). The tables are sorted by packed key, so all n-grams that start with a given word
form one contiguous slice: the search gathers those slices for the first position's
candidates and filters the rest with ``np.isin``.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from ..lm import BITS, MASK, LanguageModel

__all__ = ["search_terms", "MIN_TERM_COUNT"]

MIN_TERM_COUNT = 3


def _slices(keys: np.ndarray, first: np.ndarray, shift: int) -> np.ndarray:
    """Indices into ``keys`` of every key whose leading id (key >> shift) is in ``first``."""
    lo = np.searchsorted(keys, (first.astype(np.uint64) << np.uint64(shift)))
    hi = np.searchsorted(keys, ((first + 1).astype(np.uint64) << np.uint64(shift)))
    lens = hi - lo
    if lens.sum() == 0:
        return np.empty(0, dtype=np.int64)
    starts = np.repeat(lo - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
    return starts + np.arange(lens.sum())


def search_terms(
    lm: LanguageModel, options: Sequence[Mapping[str, float]], min_count: int = MIN_TERM_COUNT
) -> list[tuple[list[str], float, int]]:
    """Attested 2- or 3-word n-grams matching per-position options.

    ``options[i]`` maps each allowed word at position ``i`` to its channel log-weight.
    Returns (words, channel + nothing else, count) for each term seen >= ``min_count`` times.
    """
    n = len(options)
    if n not in (2, 3):
        return []
    ar = lm.artifact.arrays
    vocab = lm.vocab
    id_maps = [{vocab[w]: s for w, s in opt.items() if w in vocab} for opt in options]
    if not all(id_maps):
        return []
    sets = [np.fromiter(m, dtype=np.int64) for m in id_maps]
    keys, counts = (ar["bi_keys"], ar["bi_count"]) if n == 2 else (ar["tri_keys"], ar["tri_count"])
    idx = _slices(keys, np.sort(sets[0]), BITS * (n - 1))
    idx = idx[np.asarray(counts[idx]) >= min_count]
    k = np.asarray(keys[idx]).astype(np.int64)
    cols = [(k >> (BITS * (n - 1 - j))) & MASK for j in range(n)]
    keep = np.ones(len(k), dtype=bool)
    for j in range(1, n):
        keep &= np.isin(cols[j], sets[j])
    words = lm.words
    out = []
    for row in np.flatnonzero(keep):
        ids = [int(c[row]) for c in cols]
        out.append(([words[i] for i in ids], sum(id_maps[j][i] for j, i in enumerate(ids)), int(counts[idx[row]])))
    return out
