"""Known-term candidates: corpus n-grams whose words are each linked to a written word.

Blindly multiplying per-word candidates gives 10^4-10^5 hypotheses for a three-word span.
Instead, search the language model's tables of attested bigrams and trigrams: a term is a
candidate when every word is the written word or one of its thesaurus neighbours (one or
two hops). The tables are sorted by packed key, so all n-grams that start with a given word
form one contiguous slice: the search gathers those slices for the first position's
candidates and filters the rest with ``np.isin``.
"""

from __future__ import annotations

from typing import Sequence

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
    lm: LanguageModel,
    options: Sequence[tuple[np.ndarray, np.ndarray]],
    min_count: int = MIN_TERM_COUNT,
    *,
    limit: int | None = None,
    count_weight: float = 0.0,
) -> list[tuple[list[str], float, int]]:
    """Attested 2- or 3-word n-grams matching per-position options.

    ``options[i]`` is (sorted word ids allowed at position ``i``, their channel log-weights).
    Returns (words, summed channel log-weight, count) for each term seen >= ``min_count``
    times; with ``limit``, only the best ``limit`` by channel + count_weight * log(count),
    best first.
    """
    n = len(options)
    if n not in (2, 3) or any(len(ids) == 0 for ids, _ in options):
        return []
    ar = lm.artifact.arrays
    keys, counts = (ar["bi_keys"], ar["bi_count"]) if n == 2 else (ar["tri_keys"], ar["tri_count"])
    idx = _slices(keys, options[0][0], BITS * (n - 1))
    idx = idx[np.asarray(counts[idx]) >= min_count]
    k = np.asarray(keys[idx]).astype(np.int64)
    cols = [(k >> (BITS * (n - 1 - j))) & MASK for j in range(n)]
    keep = np.ones(len(k), dtype=bool)
    for j in range(1, n):
        keep &= np.isin(cols[j], options[j][0])
    rows = np.flatnonzero(keep)
    if not len(rows):
        return []
    channel = options[0][1][np.searchsorted(options[0][0], cols[0][rows])]
    for j in range(1, n):
        channel = channel + options[j][1][np.searchsorted(options[j][0], cols[j][rows])]
    found = np.asarray(counts[idx[rows]])
    if limit is not None:
        best = np.argsort(-(channel + count_weight * np.log(found)), kind="stable")[:limit]
        rows, channel, found = rows[best], channel[best], found[best]
    words = lm.words
    return [([words[int(c[row])] for c in cols], float(channel[r]), int(found[r])) for r, row in enumerate(rows)]
