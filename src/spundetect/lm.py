"""N-gram language model queries (interpolated Kneser-Ney trigram, built by ``build.lm``).

    p(w | u v) = A3(u v w) + G3(u v) * p(w | v)       (A3 = 0, G3 = 1 when unseen)
    p(w | v)   = A2(v w)   + G2(v)   * p(w)

All lookups are vectorised binary searches over sorted, memory-mapped uint64 keys, behind
a bit filter that answers most absent keys at once (:class:`KeyIndex`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from itertools import repeat
from typing import Sequence

import numpy as np

from .lexicon import Artifact, load_artifact

__all__ = ["LanguageModel", "KeyIndex", "language_model", "pack", "BOS", "EOS", "UNK", "BITS", "MASK"]

BITS = 21
BOS, EOS, UNK = "<s>", "</s>", "<unk>"
MASK = (1 << BITS) - 1


def pack(a, b, c):
    """Pack three word-id arrays into one int64 key (a is the oldest word)."""
    return (np.asarray(a, dtype=np.int64) << (2 * BITS)) | (np.asarray(b, dtype=np.int64) << BITS) | np.asarray(c, dtype=np.int64)


_HASH = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of key * this


class KeyIndex:
    """Sorted uint64 keys searched in batches. A one-hash bit filter (16 to 32 bits per
    key, built on first use) answers most absent keys without a binary search: in the
    candidate windows about 70 % of the word pairs asked about are not stored."""

    def __init__(self, keys: np.ndarray):
        self.keys = keys
        self.bits = max(int(len(keys)).bit_length() + 4, 10)

    @cached_property
    def _filter(self) -> np.ndarray:
        packed = np.zeros(1 << (self.bits - 3), dtype=np.uint8)
        slot = self._slot(self.keys)
        np.bitwise_or.at(packed, slot >> 3, np.left_shift(1, slot & 7).astype(np.uint8))
        return packed

    def _slot(self, q: np.ndarray) -> np.ndarray:
        return ((q * _HASH) >> np.uint64(64 - self.bits)).astype(np.intp)

    def locate(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(index of each ``query`` key, clipped to a valid index; whether it is there)."""
        q = np.asarray(query).astype(np.uint64)
        keys = self.keys
        if len(keys) == 0 or len(q) == 0:
            return np.zeros(len(q), dtype=np.intp), np.zeros(len(q), dtype=bool)
        if len(q) <= 64:
            pos = np.minimum(np.searchsorted(keys, q), len(keys) - 1)
            return pos, keys[pos] == q
        slot = self._slot(q)
        maybe = np.flatnonzero((self._filter[slot >> 3] >> (slot & 7).astype(np.uint8)) & 1)
        pos = np.zeros(len(q), dtype=np.intp)
        hit = np.zeros(len(q), dtype=bool)
        if len(maybe):
            qm = q[maybe]
            # sorted, distinct queries walk the keys in order: several times faster
            order = np.argsort(qm)
            qs = qm[order]
            first = np.empty(len(qs), dtype=bool)
            first[0] = True
            np.not_equal(qs[1:], qs[:-1], out=first[1:])
            pm = np.empty(len(qm), dtype=np.intp)
            pm[order] = np.searchsorted(keys, qs[first])[np.cumsum(first) - 1]
            np.minimum(pm, len(keys) - 1, out=pm)
            pos[maybe] = pm
            hit[maybe] = keys[pm] == qm
        return pos, hit

    def find(self, values: np.ndarray, query: np.ndarray, default: float) -> tuple[np.ndarray, np.ndarray]:
        """(values of the ``query`` keys, or ``default``; whether each was found)."""
        at, hit = self.locate(query)
        return np.where(hit, values[at], default).astype(np.float64), hit

    def lookup(self, values: np.ndarray, query: np.ndarray, default: float) -> np.ndarray:
        return self.find(values, query, default)[0]


@dataclass(frozen=True, eq=False)
class LanguageModel:
    """A packaged trigram model; use :func:`language_model` to get the shared instance."""

    artifact: Artifact

    @cached_property
    def words(self) -> list[str]:
        return self.artifact.text("vocab.txt").split("\n")[:-1]

    @cached_property
    def vocab(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    @property
    def sha256(self) -> str:
        return self.artifact.sha256

    @cached_property
    def _tri(self) -> KeyIndex:
        return KeyIndex(self.artifact.arrays["tri_keys"])

    def ids(self, words: Sequence[str]) -> np.ndarray:
        """Word ids of normalised words (unknown words -> <unk>)."""
        v = self.vocab
        return np.fromiter(map(v.get, words, repeat(v[UNK], len(words))), dtype=np.int64, count=len(words))

    def known(self, word: str) -> bool:
        return word in self.vocab

    def logprob_ids(
        self, u: np.ndarray, v: np.ndarray, w: np.ndarray, context: tuple[np.ndarray, np.ndarray] | None = None
    ) -> np.ndarray:
        """Natural-log p(w | u v) for arrays of word ids; a negative id means "no history"
        (v < 0: the unigram probability; u < 0: the bigram). ``context``: :meth:`contexts`
        of (u, v) where the caller has it (many words after few histories)."""
        ar = self.artifact.arrays
        u, v, w = np.asarray(u), np.asarray(v), np.asarray(w)
        p1 = self._uni_p[w]
        vv = np.maximum(v, 0)
        a2, bigram = self._bigrams(vv, w)
        p2 = a2 + ar["bi_gamma"][vv].astype(np.float64) * p1
        p2 = np.where(v < 0, p1, p2)
        uu = np.maximum(u, 0)
        # a trigram (u v w) is only stored when its context (u v) is, and its bigram (v w):
        # pruning keeps n-grams seen twice, and a trigram is seen no more often than its
        # bigram. Look up only those.
        g3, seen = self.contexts(uu, vv) if context is None else context
        seen = seen & (u >= 0) & (v >= 0)
        p3 = np.where(seen, g3 * p2, p2)
        at = np.flatnonzero(seen & bigram)
        p3[at] += self._tri.lookup(ar["tri_a"], pack(uu[at], vv[at], w[at]), 0.0)
        # <unk> stands for many rare types: share its mass among them.
        return np.log(p3) - np.where(w == 2, self._log_unk_types, 0.0)

    def contexts(self, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(back-off G3 of each trigram context (u v), or 1; whether it is a stored context),
        for ids >= 0."""
        index, _, gamma, _, _, is_ctx = self._pairs
        i, hit = index.locate(pack(0, u, v))
        return np.where(hit, gamma[i].astype(np.float64), 1.0), hit & is_ctx[i]

    def _bigrams(self, v: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(A2 of the bigram v w or 0, whether it is a stored bigram): the half of
        :meth:`_pair` that :meth:`logprob_ids` reads."""
        index, a, _, _, is_bi, _ = self._pairs
        i, hit = index.locate(pack(0, v, w))
        return np.where(hit, a[i].astype(np.float64), 0.0), hit & is_bi[i]

    @cached_property
    def _uni_p(self) -> np.ndarray:
        """Each word's unigram probability, as float64."""
        return np.exp(self.artifact.arrays["uni_logp"].astype(np.float64))

    @cached_property
    def _pairs(self) -> tuple[KeyIndex, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """One sorted table of word pairs, as bigram (v w) and as trigram context (u v):
        (its index, bigram term A2 or 0, context back-off G3 or 1, bigram count or 0, is a
        bigram, is a context). Contexts are bigrams seen twice, so the table is the bigram
        keys plus a handful; every pair query goes through it."""
        ar = self.artifact.arrays
        bk, ck = ar["bi_keys"], ar["ctx_keys"]
        pos = np.minimum(np.searchsorted(bk, ck), len(bk) - 1)
        extra = ck[bk[pos] != ck]
        keys = np.insert(bk, np.searchsorted(bk, extra), extra)
        at_bi, at_ctx = np.searchsorted(keys, bk), np.searchsorted(keys, ck)
        a = np.zeros(len(keys), dtype=np.float32)  # as stored; float64 once gathered
        a[at_bi] = ar["bi_a"]
        gamma = np.ones(len(keys), dtype=np.float32)
        gamma[at_ctx] = ar["ctx_gamma"]
        count = np.zeros(len(keys), dtype=np.int32)
        count[at_bi] = ar["bi_count"]
        is_bi, is_ctx = np.zeros(len(keys), dtype=bool), np.zeros(len(keys), dtype=bool)
        is_bi[at_bi] = True
        is_ctx[at_ctx] = True
        return KeyIndex(keys), a, gamma, count, is_bi, is_ctx

    def _pair(self, v: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(A2 of the bigram v w or 0, G3 of the context v w or 1, whether v w is a stored
        bigram, whether it is a stored context)."""
        index, a, gamma, _, is_bi, is_ctx = self._pairs
        i, hit = index.locate(pack(0, v, w))
        return (
            np.where(hit, a[i].astype(np.float64), 0.0),
            np.where(hit, gamma[i].astype(np.float64), 1.0),
            hit & is_bi[i],
            hit & is_ctx[i],
        )

    def _pair_counts(self, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        index, _, _, count, _, _ = self._pairs
        i, hit = index.locate(pack(0, v, w))
        return np.where(hit, count[i], 0).astype(np.float64)

    def window_logprob(self, h2, h1, n1, n2, has1, has2, cand, owner) -> np.ndarray:
        """log p(c | h2 h1) + log p(n1 | h1 c) + log p(n2 | c n1) for each candidate word
        ``cand[j]`` at position ``owner[j]`` (the n1/n2 terms only where ``has1``/``has2``).

        The same numbers as three :meth:`logprob_ids` calls with fewer lookups: the pair
        (h1 c) is both a bigram and a context, the history (h2 h1) and the bigram (n1 n2)
        are looked up once per position, and a trigram (u v w) is only searched where both
        (u v) is a context and (v w) a bigram (pruning keeps no trigram otherwise)."""
        c = np.asarray(cand)
        _, g_hh, _, ctx_hh = self._pair(h2, h1)  # per position
        a_nn, _, bi_nn, _ = self._pair(n1, n2)
        p2_n2 = self._p2(a_nn, n1, n2)
        H2, H1, N1, N2 = h2[owner], h1[owner], n1[owner], n2[owner]
        a_hc, g_hc, bi_hc, ctx_hc = self._pair(H1, c)
        a_cn, g_cn, bi_cn, ctx_cn = self._pair(c, N1)

        lp3 = self._lp3
        p2 = self._p2(a_hc, H1, c)
        lp = lp3(p2, g_hh[owner], ctx_hh[owner] & bi_hc, H2, H1, c)
        p2 = self._p2(a_cn, c, N1)
        lp = lp + np.where(has1[owner], lp3(p2, g_hc, ctx_hc & bi_cn, H1, c, N1), 0.0)
        lp = lp + np.where(has2[owner], lp3(p2_n2[owner], g_cn, ctx_cn & bi_nn[owner], c, N1, N2), 0.0)
        return lp

    def _p2(self, a: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Bigram p(w | v) from its looked-up part ``a`` (the A2 of the pair, 0 if none)."""
        ar = self.artifact.arrays
        return a + ar["bi_gamma"][v].astype(np.float64) * np.exp(ar["uni_logp"][w].astype(np.float64))

    def _lp3(self, p2, g, search, u, v, w) -> np.ndarray:
        """log p(w | u v) from the bigram probability ``p2`` of (v w), the back-off weight
        ``g`` of the context (u v) (1 where it is none) and where to search the trigram."""
        p3 = g * p2
        at = np.flatnonzero(search)
        p3[at] = self._tri.lookup(self.artifact.arrays["tri_a"], pack(u[at], v[at], w[at]), 0.0) + p3[at]
        return np.log(p3) - np.where(w == 2, self._log_unk_types, 0.0)

    def pair_window_logprob(self, h2, h1, x, y, a2, a3, has2, has3) -> np.ndarray:
        """(pairs, len x, len y): log p(x | h2 h1) + log p(y | h1 x) + log p(a2 | x y)
        + log p(a3 | y a2) for each pair of candidates ``x[i, j]``, ``y[i, k]`` written at
        two adjacent positions after the history ``h2[i] h1[i]`` and before ``a2[i] a3[i]``
        (those terms only where ``has2``/``has3``). The same numbers as four
        :meth:`logprob_ids` queries, with each pair of words looked up once."""
        p2 = self._p2
        n, kx, ky = len(x), x.shape[1], y.shape[1]
        xs, ys = x.ravel(), y.ravel()  # (n kx), (n ky)
        row_x, row_y, row_t = np.repeat(np.arange(n), kx), np.repeat(np.arange(n), ky), np.repeat(np.arange(n), kx * ky)
        of_x = np.repeat(np.arange(n * kx), ky)  # each triple (i, j, k): its x[i, j] and y[i, k]
        of_y = row_t * ky + np.tile(np.arange(ky), n * kx)
        X, Y = xs[of_x], ys[of_y]
        _, g_hh, _, ctx_hh = self._pair(h2, h1)
        a_hx, g_hx, bi_hx, ctx_hx = self._pair(h1[row_x], xs)
        a_xy, g_xy, bi_xy, ctx_xy = self._pair(X, Y)
        a_ya, g_ya, bi_ya, ctx_ya = self._pair(ys, a2[row_y])
        a_aa, _, bi_aa, _ = self._pair(a2, a3)
        first = self._lp3(p2(a_hx, h1[row_x], xs), g_hh[row_x], ctx_hh[row_x] & bi_hx, h2[row_x], h1[row_x], xs)
        mid = self._lp3(p2(a_xy, X, Y), g_hx[of_x], ctx_hx[of_x] & bi_xy, h1[row_t], X, Y)
        third = self._lp3(p2(a_ya[of_y], Y, a2[row_t]), g_xy, ctx_xy & bi_ya[of_y], X, Y, a2[row_t])
        last = self._lp3(p2(a_aa[row_y], a2[row_y], a3[row_y]), g_ya, ctx_ya & bi_aa[row_y], ys, a2[row_y], a3[row_y])
        lp = first.reshape(n, kx, 1) + mid.reshape(n, kx, ky)
        lp += np.where(has2[:, None, None], third.reshape(n, kx, ky), 0.0)
        return lp + np.where(has3[:, None], last.reshape(n, ky), 0.0)[:, None, :]

    @cached_property
    def _log_unk_types(self) -> float:
        return float(np.log(max(self.artifact.header.get("unk_types", 1), 1)))

    def sentence_logprobs(self, words: Sequence[str]) -> np.ndarray:
        """Per-position log p of ``words`` + </s>, after two <s> (length len(words) + 1)."""
        ids = np.concatenate([[0, 0], self.ids(words), [1]])
        return self.logprob_ids(ids[:-2], ids[1:-1], ids[2:])

    def count(self, words: Sequence[str]) -> int:
        """How often a 2- or 3-word n-gram occurs in the training corpus (0 if pruned or unseen)."""
        ar = self.artifact.arrays
        ids = self.ids(words)
        if (ids == self.vocab[UNK]).any():
            return 0
        if len(words) == 2:
            return int(self._pair_counts(ids[:1], ids[1:])[0])
        if len(words) == 3:
            return int(self._tri.lookup(ar["tri_count"], pack(ids[:1], ids[1:2], ids[2:]), 0)[0])
        raise ValueError("count() takes 2 or 3 words")

    def counts_ids(self, ids: np.ndarray) -> np.ndarray:
        """Corpus counts of n-grams given as an (n, 2) or (n, 3) array of word ids."""
        ar = self.artifact.arrays
        if ids.shape[1] == 2:
            return self._pair_counts(ids[:, 0], ids[:, 1])
        return self._tri.lookup(ar["tri_count"], pack(ids[:, 0], ids[:, 1], ids[:, 2]), 0)

    def unigram_logp(self, words: Sequence[str]) -> np.ndarray:
        return self.artifact.arrays["uni_logp"][self.ids(words)].astype(np.float64)


@cache
def language_model() -> LanguageModel:
    """The packaged language model (loaded on first use, then cached)."""
    return LanguageModel(load_artifact("lm"))
