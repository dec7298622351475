"""Known-term candidates: corpus n-grams whose words are each linked to a written word.

Blindly multiplying per-word candidates gives 10^4-10^5 hypotheses for a three-word span.
Instead, search the language model's tables of attested bigrams and trigrams: a term is a
candidate when every word is the written word or one of its thesaurus neighbours (one or
two hops). The tables are sorted by packed key, so all n-grams that start with a given word
form one contiguous slice: the search gathers those slices for the first position's
candidates and filters the rest through a table of each position's allowed words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

from ..lm import BITS, MASK, LanguageModel

__all__ = ["search_terms", "Terms", "MIN_TERM_COUNT", "best_first", "best_first_rows"]

MIN_TERM_COUNT = 3


@dataclass(frozen=True)
class Terms:
    """Known terms found, one row each: word ids (a column per position), summed channel
    log-weight, and how often the corpus has the term."""

    ids: np.ndarray
    channel: np.ndarray
    count: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def texts(self, lm: LanguageModel) -> list[str]:
        """Each term's words joined by spaces."""
        words = lm.words
        if self.ids.shape[1] == 2:
            return [f"{words[a]} {words[b]}" for a, b in self.ids.tolist()]
        return [" ".join([words[i] for i in row]) for row in self.ids.tolist()]


_STARTS: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}  # (id of keys, shift) -> (keys, starts)
_SEEN: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]] = {}  # (id of keys, min count) -> table


def _seen(keys: np.ndarray, counts: np.ndarray, min_count: int, n: int) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """The ``n``-grams of a table seen at least ``min_count`` times, as (keys, counts) in key
    order, and the word ids at each position after the first as int32 columns (made once per
    table): about half of the stored n-grams, so half the rows to slice, and a word's column
    gathered without unpacking keys."""
    cached = _SEEN.get((id(keys), min_count))
    if cached is None or cached[0] is not keys:
        keep = np.asarray(counts) >= min_count
        kept = np.asarray(keys)[keep]
        cols = [((kept >> np.uint64(BITS * (n - 1 - j))) & np.uint64(MASK)).astype(np.int32) for j in range(1, n)]
        cached = _SEEN[(id(keys), min_count)] = (keys, kept, np.asarray(counts)[keep], cols)
    return cached[1], cached[2], cached[3]


def _starts(keys: np.ndarray, shift: int) -> np.ndarray:
    """Where each leading id's keys start in ``keys``, one entry per id and one past the
    last (made once per table): a slice is two lookups instead of two binary searches."""
    cached = _STARTS.get((id(keys), shift))
    if cached is None or cached[0] is not keys:
        last = int(keys[-1]) >> shift if len(keys) else 0
        cached = _STARTS[(id(keys), shift)] = (
            keys,
            np.searchsorted(keys, np.arange(last + 2, dtype=np.uint64) << np.uint64(shift)),
        )
    return cached[1]


def _slices(keys: np.ndarray, first: np.ndarray, shift: int) -> np.ndarray:
    """Indices into ``keys`` of every key whose leading id (key >> shift) is in ``first``."""
    starts = _starts(keys, shift)
    end = len(starts) - 1  # ids past the table's last leading id: empty slices at its end
    lo, hi = starts[np.minimum(first, end)], starts[np.minimum(first + 1, end)]
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
) -> Terms:
    """Attested 2- or 3-word n-grams matching per-position options.

    ``options[i]`` is (sorted word ids allowed at position ``i``, their channel log-weights).
    Returns each term seen >= ``min_count`` times with its summed channel log-weight and
    count; with ``limit``, only the best ``limit`` by channel + count_weight * log(count),
    best first.
    """
    n = len(options)
    none = Terms(np.zeros((0, n), dtype=np.int64), np.zeros(0), np.zeros(0, dtype=np.int64))
    if n not in (2, 3) or any(len(ids) == 0 for ids, _ in options):
        return none
    ar = lm.artifact.arrays
    table = (ar["bi_keys"], ar["bi_count"]) if n == 2 else (ar["tri_keys"], ar["tri_count"])
    keys, counts, later = _seen(*table, min_count, n)
    rows = _slices(keys, options[0][0], BITS * (n - 1))
    for j in range(1, n):  # keep the n-grams whose word at j is allowed there
        allowed = np.zeros(len(lm.words), dtype=bool)
        allowed[options[j][0]] = True
        rows = rows[allowed[later[j - 1][rows]]]
    if not len(rows):
        return none
    cols = [(keys[rows] >> np.uint64(BITS * (n - 1))).astype(np.int64)] + [c[rows].astype(np.int64) for c in later]
    channel = _score_table(*options[0], len(lm.words))[cols[0]]
    for j in range(1, n):
        channel = channel + _score_table(*options[j], len(lm.words))[cols[j]]
    found = counts[rows].astype(np.int64)
    ids = np.stack(cols, axis=1)
    if limit is not None:
        best = best_first(-(channel + count_weight * np.log(found)), limit)
        ids, channel, found = ids[best], channel[best], found[best]
    return Terms(ids, channel, found)


def _score_table(ids: np.ndarray, scores: np.ndarray, size: int) -> np.ndarray:
    """Each word id's channel log-weight at one position, NaN where it is not an option: a
    gather answers both whether an n-gram's word is allowed and its weight."""
    table = np.full(size, np.nan)
    table[ids] = scores
    return table


def best_first(cost: np.ndarray, limit: int) -> np.ndarray:
    """``np.argsort(cost, kind="stable")[:limit]``, sorting only the rows that can be among
    them (every row tied with the last one kept, so the order is the same)."""
    if limit < len(cost):
        last = np.partition(cost, limit - 1)[limit - 1]
        within = np.flatnonzero(cost <= last)  # in row order, so a stable sort keeps ties as the full one does
        return within[np.argsort(cost[within], kind="stable")][:limit]
    return np.argsort(cost, kind="stable")[:limit]


def best_first_rows(cost: np.ndarray, first: int) -> Iterator[int]:
    """The rows in ``np.argsort(cost, kind="stable")`` order: the first ``first`` from
    :func:`best_first`, the rest sorted only if the caller reads past them."""
    head = best_first(cost, max(first, 0))
    yield from head.tolist()
    if len(head) < len(cost):
        yield from np.argsort(cost, kind="stable")[len(head) :].tolist()
