"""Train the interpolated Kneser-Ney trigram language model on ``shared/corpus``.

It reads the training lines of the general corpus files and of the genre files (fiction,
reviews, biomedical, technical, forum posts) before their held-back part, less the
paragraphs ``spundetect train --genre`` would take: a model that has read only news and
encyclopedia text finds clean fiction as surprising as spun text.

Counting is done with numpy on packed 64-bit n-gram keys (three 21-bit word ids), so the
18 M-word corpus trains in about a minute on two cores. Trigrams and bigrams seen once are
pruned; what is stored is, per n-gram, the discounted interpolation term and, per context,
its back-off weight, so that a query is three binary searches (see ``spundetect.lm``).
"""

from __future__ import annotations

import logging
from collections import Counter

import numpy as np

from .. import segment
from ..eval_real import GENRE_HOLDOUT, GENRES, genre_file, genre_training_part
from ..lm import BITS, BOS, EOS, MASK, UNK, pack
from .artifact import write_artifact
from .sources import HOLDOUT_MOD, corpus_files, package_version, read_lines, sha256_file

__all__ = ["build_lm", "corpus_token_lines"]

log = logging.getLogger(__name__)

MIN_WORD_COUNT = 3  # rarer words map to <unk>
MIN_NGRAM_COUNT = 2  # n-grams seen once are pruned from storage


def corpus_token_lines(split: str = "train"):
    """Normalised word tokens of every corpus line (punctuation kept as tokens)."""
    for path in corpus_files():
        for line in read_lines(path, split=split):
            yield [segment.norm(t.text) for t in segment.tokenize(line)]
    if split == "train":
        for line in genre_lm_lines():
            yield [segment.norm(t.text) for t in segment.tokenize(line)]


def genre_lm_lines():
    """The genre files' lines before their held-back part, less the paragraphs training takes."""
    from .dataset import genre_sentences

    for name in GENRES:
        taken = {p for p, _ in genre_sentences(name)}
        for line in genre_training_part(name):
            if line.strip() and line.strip() not in taken:
                yield line.strip()


def _discount(counts: np.ndarray) -> float:
    n1 = int((counts == 1).sum())
    n2 = int((counts == 2).sum())
    return n1 / (n1 + 2 * n2) if n1 + n2 else 0.75


def _group_sum(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique sorted ``keys`` with the sum of ``values`` and the number of rows per key."""
    uniq, idx, n = np.unique(keys, return_inverse=True, return_counts=True)
    return uniq, np.bincount(idx, weights=values, minlength=len(uniq)), n


def build_lm() -> dict:
    counts, lines = _count_words()
    vocab = [BOS, EOS, UNK] + sorted(w for w, c in counts.items() if c >= MIN_WORD_COUNT and w not in (BOS, EOS, UNK))
    if len(vocab) >= 1 << BITS:
        raise ValueError("vocabulary too large for the key packing")
    log.info("%d lines, %d tokens, vocabulary %d", len(lines), sum(counts.values()), len(vocab))
    tri_keys, tri_counts = _trigram_counts(lines, {w: i for i, w in enumerate(vocab)})
    del lines
    arrays, discounts = _kneser_ney(tri_keys, tri_counts, len(vocab))
    sources = {p.name: sha256_file(p) for p in corpus_files() + [genre_file(name) for name in GENRES]}
    header = {
        "format": 1,
        "kind": "interpolated Kneser-Ney trigram, lower-cased, pruned to n-grams seen >= 2 times",
        "discounts": discounts,
        "vocabulary": len(vocab),
        "unk_types": sum(1 for c in counts.values() if c < MIN_WORD_COUNT),
        "tokens": int(sum(counts.values())),
        "holdout": (
            f"every {HOLDOUT_MOD}th line of each general file is held out (line % {HOLDOUT_MOD} == {HOLDOUT_MOD - 1}); "
            f"of each genre file, the lines from {GENRE_HOLDOUT:.0%} on and the paragraphs `train --genre` takes"
        ),
        "sources": {"shared/corpus": sources},
        "versions": {"numpy": package_version("numpy")},
        "licence": (
            "statistics of shared/corpus (see shared/corpus/SOURCES.md); WordNet 3.0 Copyright 2006 by Princeton University"
        ),
    }
    write_artifact("lm", header, arrays, {"vocab.txt": "\n".join(vocab) + "\n"})
    return header


def _count_words() -> tuple[Counter, list[list[str]]]:
    """Word counts of the training lines, and the lines."""
    log.info("counting words")
    counts: Counter[str] = Counter()
    lines = []
    for toks in corpus_token_lines("train"):
        counts.update(toks)
        lines.append(toks)
    return counts, lines


def _trigram_counts(lines: list[list[str]], ids: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct packed trigrams of the lines (two <s> before each, </s> after) and their counts."""
    seq: list[int] = []
    unk = ids[UNK]
    for toks in lines:
        seq += [0, 0]
        seq += [ids.get(t, unk) for t in toks]
        seq.append(1)
    arr = np.asarray(seq, dtype=np.int64)
    del seq
    a, b, c = arr[:-2], arr[1:-1], arr[2:]
    keep = c != 0  # the third word of a trigram is never a sentence start
    tri_keys, tri_counts = np.unique(pack(a[keep], b[keep], c[keep]), return_counts=True)
    log.info("%d distinct trigrams", len(tri_keys))
    return tri_keys, tri_counts


def _kneser_ney(tri_keys: np.ndarray, tri_counts: np.ndarray, n_vocab: int) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """The interpolated Kneser-Ney arrays (pruned to n-grams seen MIN_NGRAM_COUNT times) and
    the discounts of the trigram and bigram levels."""
    u, v, w = tri_keys >> (2 * BITS), (tri_keys >> BITS) & MASK, tri_keys & MASK
    d3 = _discount(tri_counts)
    # Trigram level: contexts (u, v) with their count and number of distinct followers.
    ctx3 = pack(np.zeros_like(u), u, v)
    ctx3_keys, ctx3_count, ctx3_types = _group_sum(ctx3, tri_counts.astype(np.float64))
    pos = np.searchsorted(ctx3_keys, ctx3)
    a3 = np.maximum(tri_counts - d3, 0) / ctx3_count[pos]
    g3 = d3 * ctx3_types / ctx3_count

    # Bigram level, Kneser-Ney continuation counts: N1+(. v w).
    bi = pack(np.zeros_like(v), v, w)
    bi_keys, bi_cont, _ = _group_sum(bi, np.ones(len(bi)))
    bv, bw = (bi_keys >> BITS) & MASK, bi_keys & MASK
    d2 = _discount(bi_cont)
    ctx2_total = np.bincount(bv, weights=bi_cont, minlength=n_vocab)
    ctx2_types = np.bincount(bv, minlength=n_vocab)
    with np.errstate(divide="ignore", invalid="ignore"):
        a2 = np.maximum(bi_cont - d2, 0) / ctx2_total[bv]
        g2 = np.where(ctx2_total > 0, d2 * ctx2_types / np.maximum(ctx2_total, 1), 1.0)

    # Unigram level: N1+(. w) / N1+(. .), floored for words never seen as a continuation.
    uni = np.bincount(bw, minlength=n_vocab).astype(np.float64) + 0.5
    uni /= uni.sum()

    # Raw bigram counts (for the known-term index): c(v w) = sum over u of c(u v w).
    bi_raw_keys, bi_raw, _ = _group_sum(bi, tri_counts.astype(np.float64))

    keep3 = tri_counts >= MIN_NGRAM_COUNT
    keepc3 = ctx3_count >= MIN_NGRAM_COUNT
    keep2 = bi_raw >= MIN_NGRAM_COUNT
    assert np.array_equal(bi_raw_keys, bi_keys)
    arrays = {
        "uni_logp": np.log(uni).astype(np.float32),
        "bi_keys": bi_keys[keep2].astype(np.uint64),
        "bi_a": a2[keep2].astype(np.float32),
        "bi_count": np.minimum(bi_raw[keep2], 2**31 - 1).astype(np.int32),
        "bi_gamma": g2.astype(np.float32),
        "tri_keys": tri_keys[keep3].astype(np.uint64),
        "tri_a": a3[keep3].astype(np.float32),
        "tri_count": np.minimum(tri_counts[keep3], 2**31 - 1).astype(np.int32),
        "ctx_keys": ctx3_keys[keepc3].astype(np.uint64),
        "ctx_gamma": g3[keepc3].astype(np.float32),
    }
    return arrays, {"trigram": round(d3, 6), "bigram": round(d2, 6)}
