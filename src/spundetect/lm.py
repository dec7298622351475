"""N-gram language model queries (interpolated Kneser-Ney trigram, built by ``build.lm``).

    p(w | u v) = A3(u v w) + G3(u v) * p(w | v)       (A3 = 0, G3 = 1 when unseen)
    p(w | v)   = A2(v w)   + G2(v)   * p(w)

All lookups are vectorised binary searches over sorted, memory-mapped uint64 keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from typing import Sequence

import numpy as np

from .lexicon import Artifact, load_artifact

__all__ = ["LanguageModel", "language_model", "pack", "BOS", "EOS", "UNK", "BITS", "MASK"]

BITS = 21
BOS, EOS, UNK = "<s>", "</s>", "<unk>"
MASK = (1 << BITS) - 1


def pack(a, b, c):
    """Pack three word-id arrays into one int64 key (a is the oldest word)."""
    return (np.asarray(a, dtype=np.int64) << (2 * BITS)) | (np.asarray(b, dtype=np.int64) << BITS) | np.asarray(c, dtype=np.int64)


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray, default: float) -> np.ndarray:
    return _find(keys, values, query, default)[0]


def _find(keys: np.ndarray, values: np.ndarray, query: np.ndarray, default: float) -> tuple[np.ndarray, np.ndarray]:
    """(values of ``query`` keys, or ``default``; whether each was found)."""
    q = query.astype(np.uint64)
    if len(keys) == 0 or len(q) == 0:
        return np.full(len(q), default, dtype=np.float64), np.zeros(len(q), dtype=bool)
    if len(q) > 64:  # sorted, distinct queries walk the keys in order: several times faster
        order = np.argsort(q)
        qs = q[order]
        first = np.empty(len(qs), dtype=bool)
        first[0] = True
        np.not_equal(qs[1:], qs[:-1], out=first[1:])
        pos = np.empty(len(q), dtype=np.intp)
        pos[order] = np.searchsorted(keys, qs[first])[np.cumsum(first) - 1]
    else:
        pos = np.searchsorted(keys, q)
    pos_c = np.minimum(pos, len(keys) - 1)
    hit = keys[pos_c] == q
    return np.where(hit, values[pos_c], default).astype(np.float64), hit


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

    def ids(self, words: Sequence[str]) -> np.ndarray:
        """Word ids of normalised words (unknown words -> <unk>)."""
        v = self.vocab
        unk = v[UNK]
        return np.fromiter((v.get(w, unk) for w in words), dtype=np.int64, count=len(words))

    def known(self, word: str) -> bool:
        return word in self.vocab

    def logprob_ids(self, u: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Natural-log p(w | u v) for arrays of word ids; a negative id means "no history"
        (v < 0: the unigram probability; u < 0: the bigram)."""
        ar = self.artifact.arrays
        u, v, w = np.asarray(u), np.asarray(v), np.asarray(w)
        p1 = np.exp(ar["uni_logp"][w].astype(np.float64))
        vv = np.maximum(v, 0)
        bikey = pack(0, vv, w)
        p2 = _lookup(ar["bi_keys"], ar["bi_a"], bikey, 0.0) + ar["bi_gamma"][vv].astype(np.float64) * p1
        p2 = np.where(v < 0, p1, p2)
        uu = np.maximum(u, 0)
        # a trigram (u v w) is only stored when its context (u v) is: look up the rest only
        g3, seen = _find(ar["ctx_keys"], ar["ctx_gamma"], pack(0, uu, vv), 1.0)
        p3 = p2.copy()
        at = np.flatnonzero(seen & (u >= 0) & (v >= 0))
        p3[at] = _lookup(ar["tri_keys"], ar["tri_a"], pack(uu[at], vv[at], w[at]), 0.0) + g3[at] * p2[at]
        # <unk> stands for many rare types: share its mass among them.
        return np.log(p3) - np.where(w == 2, self._log_unk_types, 0.0)

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
            return int(_lookup(ar["bi_keys"], ar["bi_count"], pack(0, ids[:1], ids[1:]), 0)[0])
        if len(words) == 3:
            return int(_lookup(ar["tri_keys"], ar["tri_count"], pack(ids[:1], ids[1:2], ids[2:]), 0)[0])
        raise ValueError("count() takes 2 or 3 words")

    def counts_ids(self, ids: np.ndarray) -> np.ndarray:
        """Corpus counts of n-grams given as an (n, 2) or (n, 3) array of word ids."""
        ar = self.artifact.arrays
        if ids.shape[1] == 2:
            return _lookup(ar["bi_keys"], ar["bi_count"], pack(0, ids[:, 0], ids[:, 1]), 0)
        return _lookup(ar["tri_keys"], ar["tri_count"], pack(ids[:, 0], ids[:, 1], ids[:, 2]), 0)

    def unigram_logp(self, words: Sequence[str]) -> np.ndarray:
        return self.artifact.arrays["uni_logp"][self.ids(words)].astype(np.float64)


@cache
def language_model() -> LanguageModel:
    """The packaged language model (loaded on first use, then cached)."""
    return LanguageModel(load_artifact("lm"))
