"""Build the word vectors (``python -m spundetect.build vectors``).

Co-occurrence vectors of the language model's words, from the same corpus lines as the LM
(``../shared/corpus``, LM training split): counts of each word with the CONTEXT_WORDS most
frequent content words within WINDOW tokens, positive PMI (context counts smoothed to the
power 0.75), truncated SVD to DIMS dimensions (seeded), rows scaled to unit length and
stored as int8 (x 127). They tell the classifier how well a word fits its sentence.
"""

from __future__ import annotations

import logging

import numpy as np
import scipy.sparse as sp

from ..channel import FUNCTION_WORDS
from ..lm import BOS, EOS, UNK, language_model
from .artifact import write_artifact
from .lm import corpus_token_lines
from .sources import corpus_files, package_version, sha256_file

__all__ = ["build_vectors"]

log = logging.getLogger(__name__)

FORMAT = 1
DIMS = 64
WINDOW = 8
CONTEXT_WORDS = 10_000
SEED = 0
_CHUNK = 100_000  # lines counted at once


def _cooccurrences(lm, context_of: np.ndarray) -> sp.csr_matrix:
    """(LM words, context words) counts of pairs within WINDOW tokens of one line."""
    n_words, n_ctx = len(lm.words), int(context_of.max()) + 1
    skip = {lm.vocab[BOS], lm.vocab[EOS], lm.vocab[UNK]}
    counts = sp.csr_matrix((n_words, n_ctx))
    sep = np.full(WINDOW, -1, dtype=np.int64)
    parts: list[np.ndarray] = []

    def add(parts: list[np.ndarray]) -> sp.csr_matrix:
        ids = np.concatenate(parts)
        ctx = np.where(ids >= 0, context_of[np.maximum(ids, 0)], -1)
        rows, cols = [], []
        for d in range(1, WINDOW + 1):
            for a, b in ((ids[:-d], ctx[d:]), (ids[d:], ctx[:-d])):
                ok = (a >= 0) & (b >= 0)
                rows.append(a[ok])
                cols.append(b[ok])
        r, c = np.concatenate(rows), np.concatenate(cols)
        return sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(n_words, n_ctx))

    for k, toks in enumerate(corpus_token_lines("train"), 1):
        ids = lm.ids(toks).astype(np.int64)
        ids[np.isin(ids, list(skip))] = -1
        parts += [ids, sep]
        if k % _CHUNK == 0:
            counts = counts + add(parts)
            parts = []
            log.info("%d lines", k)
    if parts:
        counts = counts + add(parts)
    return counts


def build_vectors() -> dict:
    lm = language_model()
    uni = lm.artifact.arrays["uni_logp"]
    order = np.argsort(-uni, kind="stable")
    context = [int(i) for i in order if lm.words[i].isalpha() and lm.words[i] not in FUNCTION_WORDS][:CONTEXT_WORDS]
    context_of = np.full(len(lm.words), -1, dtype=np.int64)
    context_of[context] = np.arange(len(context))
    counts = _cooccurrences(lm, context_of).tocoo()
    log.info("%d word-context pairs", counts.nnz)

    row_sum = np.asarray(counts.tocsr().sum(axis=1)).ravel()
    ctx_p = np.asarray(counts.tocsc().sum(axis=0)).ravel() ** 0.75
    pmi = np.log(counts.data * ctx_p.sum() / (np.maximum(row_sum[counts.row], 1) * ctx_p[counts.col]))
    keep = pmi > 0
    ppmi = sp.csr_matrix((pmi[keep], (counts.row[keep], counts.col[keep])), shape=counts.shape)

    from sklearn.decomposition import TruncatedSVD

    emb = TruncatedSVD(DIMS, random_state=SEED).fit_transform(ppmi)
    emb /= np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-9)
    table = np.round(emb * 127).astype(np.int8)
    header = {
        "format": FORMAT,
        "kind": "PPMI-SVD word vectors indexed by LM word id (int8, unit length x 127)",
        "dims": DIMS,
        "window": WINDOW,
        "context_words": len(context),
        "seed": SEED,
        "built_from": {"lm": lm.sha256},
        "sources": {"shared/corpus": {p.name: sha256_file(p) for p in corpus_files()}},
        "versions": {"numpy": package_version("numpy"), "scikit-learn": package_version("scikit-learn")},
        "licence": "derived from ../shared/corpus (see corpus/README.md for the sources' licences)",
    }
    write_artifact("vectors", header, {"vectors": table})
    return header
