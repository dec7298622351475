"""Features: one row per word token (a candidate span) and one per sentence.

For each word the thesaurus offers the originals a spinner could have turned into it; the
language model scores each in the word's window (two words of history, two after) against
the word as written. The row says how much better the best original fits, how surprising
the written word is, how strongly the thesauri link the pair and in which direction, how
the word's frequency would shift, whether known collocations break, how well the word and
its best candidate fit the rest of the sentence (corpus word vectors), whether a phrase swap
or a tortured-phrase fingerprint covers the word, and what the neighbours look like.

``SpinFeatures`` wraps this as a scikit-learn transformer over tokenised sentences (made
on first use: a check does not import scikit-learn).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Sequence

import numpy as np

from . import segment
from .candidates.compiled import candidates
from .candidates.fingerprints import fingerprints
from .candidates.phrases import MAX_PHRASE_WORDS, phrase_table
from .channel import FEATURE_WEIGHTS, FUNCTION_WORDS, Weights, keep_score, link_score, swap_base
from .lm import UNK, language_model

__all__ = [
    "TOKEN_FEATURES", "SENTENCE_FEATURES", "CONTEXT_FEATURES", "SentenceRows", "token_rows", "token_rows_batch",
    "document_rows", "sentence_rows", "context_rows", "SpinFeatures",  # noqa: F822 (module __getattr__)
]  # fmt: skip

TOKEN_FEATURES = (
    "surprisal",  # -log p(word | two words before)
    "window_lp",  # log p of the word's window as written
    "lm_gain",  # best candidate's window log p minus the written one
    "channel_gain",  # the same with the channel weights (link evidence, degree, ...)
    "p_changed",  # 1 - posterior that the word is as written
    "log_n_candidates",
    "log_n_better",  # candidates that beat the written word (with the channel)
    "best_fwd",  # the best candidate's thesaurus entry lists the written word
    "best_sources",  # thesauri linking the pair
    "best_log_degree",  # synonyms the best candidate offers a spinner
    "uni_written",  # log unigram p of the written word
    "uni_best",  # ... of the best candidate
    "left_bigram_written",  # log(1 + count(prev, word))
    "right_bigram_written",  # log(1 + count(word, next))
    "left_bigram_best",
    "right_bigram_best",
    "phrase_idiom",  # a curated multiword phrase swap covers the word
    "phrase_gain",  # best LM gain of a phrase swap covering the word
    "fingerprint",  # a tortured-phrase fingerprint covers the word
    "function_word",
    "capitalised",  # capitalised inside the sentence
    "in_quotes",
    "unknown",  # the LM does not know the written word
    "neighbour_gain",  # max channel_gain of the words within two tokens
    "pair_gain",  # best joint swap of the word and an adjacent word ("faculty constructing")
    "vec_fit",  # cosine of the written word's vector with its sentence's other content words
    "vec_gain",  # the best candidate's vec_fit minus the written word's
    "sentence_mean_gain",  # mean channel_gain over the sentence's words
    "log_sentence_words",
    # document context: a spinner rewrites whole articles
    "doc_mean_p_changed",
    "doc_frac_gain_pos",
    "doc_mean_channel_gain",
    "doc_phrase_rate",
    "doc_log_sentences",
)
N_TOKEN_BASE = TOKEN_FEATURES.index("doc_mean_p_changed")

SENTENCE_FEATURES = (
    "max_p",
    "mean_p",
    "top3_mean_p",
    "sum_p",
    "n_over_05",
    "frac_over_03",
    "frac_over_05",
    "mean_channel_gain",
    "mean_p_changed",
    "log_words",
    "fingerprints",
    "phrases",
    "quoted_share",  # share of the sentence's words inside quotation marks
    "max_p_unquoted",  # the highest p among its words outside them (0 if none)
    "doc_mean_p",
    "doc_frac_over_03",
    "doc_frac_over_05",
    "doc_mean_sentence_max",
    "doc_log_sentences",
    # many spinners leave quoted speech alone: does the document's quoted text look as
    # spun as the rest? (-1 where the document has no such words)
    "doc_quoted_frac_over_05",
    "doc_unquoted_frac_over_05",
)

# The span model's second stage: each word's first-stage span probability among its
# neighbours', its sentence's and its document's (a spinner's swaps come in clusters), with a
# few of its own token features.
CONTEXT_FEATURES = (
    "p",  # the first stage's span probability
    "p_left",  # ... of the word before (0 at the sentence start)
    "p_right",
    "p_near2",  # max of the words two before and two after
    "sentence_max_p_others",  # the highest of the sentence's other words
    "sentence_mean_p_others",
    "sentence_n_over_05_others",
    "log_sentence_words",
    "doc_mean_p",
    "doc_frac_over_05",
    "doc_log_words",
    "channel_gain",
    "p_changed",
    "function_word",
    "capitalised",
    "surprisal",
    "uni_written",
)
_CONTEXT_OWN = [TOKEN_FEATURES.index(n) for n in CONTEXT_FEATURES[CONTEXT_FEATURES.index("channel_gain") :]]

_CTX = 2  # window: the word and the two words after it are scored
PAIR_TOP = 3  # joint swaps of adjacent words try each word's this many best candidates


@dataclass(frozen=True)
class SentenceRows:
    """Token feature rows of one sentence: ``rows[r]`` describes token ``index[r]``."""

    index: np.ndarray  # token positions of the word tokens
    rows: np.ndarray  # (len(index), len(TOKEN_FEATURES))
    best: list[str]  # best single-word candidate per row ("" if none)


def _window_lp(lm, ids: np.ndarray, pos: np.ndarray, last: np.ndarray, cand: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """log p of the window at padded positions ``pos`` with the word replaced by candidate
    ``cand[j]`` at position ``pos[owner[j]]``; ``last`` is the index of the last padded
    position of each one's sentence."""
    n1, n2 = ids[np.minimum(pos + 1, last)], ids[np.minimum(pos + 2, last)]
    return lm.window_logprob(ids[pos - 2], ids[pos - 1], n1, n2, pos + 1 <= last, pos + 2 <= last, cand, owner)


def token_rows(tokens: Sequence[str], weights: Weights | None = None) -> SentenceRows:
    """Feature rows for the word tokens of one tokenised sentence."""
    return token_rows_batch([tokens], weights)[0]


def token_rows_batch(sentences: Sequence[Sequence[str]], weights: Weights | None = None) -> list[SentenceRows]:
    """Feature rows for the word tokens of each tokenised sentence, computed in one batch
    (the same numbers as one sentence at a time, with far fewer, larger LM queries);
    ``weights``: the channel weights, ``channel.FEATURE_WEIGHTS`` unless given."""
    w = weights or FEATURE_WEIGHTS
    lm = language_model()
    batch = _batch(lm, sentences)
    if batch.n == 0:
        return [SentenceRows(np.zeros(0, dtype=np.int64), np.zeros((0, N_TOKEN_BASE)), []) for _ in sentences]
    cols = _candidate_columns(lm, batch, sentences, w)
    cols.update(_context_columns(lm, batch, sentences, cols, w))
    cols["sentence_mean_gain"], cols["log_sentence_words"] = np.zeros(batch.n), np.zeros(batch.n)
    rows = np.column_stack([cols[name] for name in TOKEN_FEATURES[:N_TOKEN_BASE]]).astype(np.float64)
    out = []
    for k, ws in enumerate(batch.word_lists):
        a, b = batch.bounds[k], batch.bounds[k + 1]
        if a < b:
            rows[a:b, -2] = cols["channel_gain"][a:b].mean()
            rows[a:b, -1] = math.log(b - a)
        out.append(SentenceRows(np.array(ws, dtype=np.int64), rows[a:b], cols["best_words"][a:b]))
    return out


@dataclass(frozen=True)
class _Batch:
    """Sentences end to end for batched LM queries: sentence k's token i sits at padded
    position ``base[k] + i + 2`` of ``ids``; one row per word token (numbers excluded)."""

    ids: np.ndarray  # padded word ids of all sentences
    base: list[int]
    norms: list[list[str]]
    word_lists: list[list[int]]  # per sentence, the token positions of its rows
    pos_w: np.ndarray  # per row: its padded position
    sent: np.ndarray  # per row: its sentence
    last: np.ndarray  # per row: the last padded position of its sentence
    flat_norm: list[str]  # per row: the normalised word
    bounds: np.ndarray  # sentence k's rows are bounds[k]:bounds[k + 1]

    @property
    def n(self) -> int:
        return len(self.pos_w)


def _batch(lm, sentences: Sequence[Sequence[str]]) -> _Batch:
    norms = [[segment.norm(t) for t in tokens] for tokens in sentences]
    ids_parts, base, pos_parts, sent_of, word_lists = [], [], [], [], []
    at = 0
    for k, norm in enumerate(norms):
        words = [i for i, t in enumerate(sentences[k]) if segment.is_word(t) and norm[i] != "<num>"]
        word_lists.append(words)
        ids_parts.append(np.concatenate([[0, 0], lm.ids(norm), [1]]))
        base.append(at)
        pos_parts.append(np.array(words, dtype=np.int64) + at + 2)
        sent_of.append(np.full(len(words), k))
        at += len(norm) + 3
    sent = np.concatenate(sent_of) if sent_of else np.zeros(0, dtype=np.int64)
    ends = np.array(base) + np.array([len(x) + 2 for x in norms])  # last padded index per sentence
    return _Batch(
        ids=np.concatenate(ids_parts).astype(np.int64) if ids_parts else np.zeros(0, dtype=np.int64),
        base=base,
        norms=norms,
        word_lists=word_lists,
        pos_w=np.concatenate(pos_parts) if pos_parts else np.zeros(0, dtype=np.int64),
        sent=sent,
        last=ends[sent] if len(sent) else np.zeros(0, dtype=np.int64),
        flat_norm=[norms[k][i] for k, ws in enumerate(word_lists) for i in ws],
        bounds=np.concatenate([[0], np.cumsum([len(ws) for ws in word_lists])]),
    )


def _candidate_columns(lm, batch: _Batch, sentences, w: Weights) -> dict:
    """Each word's candidates (looked up once per word type), scored in one batch: the
    columns that compare the best of them with the word as written, and what the later
    columns need (``_total``, ``_channel``, ``_keep``, ``_owner``, ``_cand_ids``, ``_best_ids``)."""
    n, ids, pos_w = batch.n, batch.ids, batch.pos_w
    type_of: dict[str, int] = {}
    token_type = np.fromiter((type_of.setdefault(x, len(type_of)) for x in batch.flat_norm), dtype=np.int64, count=n)
    per_type = [candidates(x) for x in type_of]
    type_len = np.array([len(ci) for ci, _ in per_type], dtype=np.int64)
    type_start = np.cumsum(type_len) - type_len
    type_ids = np.concatenate([ci for ci, _ in per_type])
    type_ev = np.concatenate([ev for _, ev in per_type], axis=1)
    lens = type_len[token_type]
    owner_a = np.repeat(np.arange(n), lens)  # candidate j belongs to word row owner_a[j]
    src = np.repeat(type_start[token_type] - (np.cumsum(lens) - lens), lens) + np.arange(len(owner_a))
    written_lp = _window_lp(lm, ids, pos_w, batch.last, ids[pos_w], np.arange(n))
    func = np.array([x in FUNCTION_WORDS for x in batch.flat_norm])
    keep = keep_score(func, w)
    capital = np.array([i > 0 and sentences[k][i][:1].isupper() for k, ws in enumerate(batch.word_lists) for i in ws], dtype=bool)
    cols = {
        "surprisal": -lm.logprob_ids(ids[pos_w - 2], ids[pos_w - 1], ids[pos_w]), "window_lp": written_lp,
        "lm_gain": np.zeros(n), "channel_gain": np.full(n, -10.0), "p_changed": np.zeros(n),
        "log_n_candidates": np.zeros(n), "log_n_better": np.zeros(n), "best_fwd": np.zeros(n),
        "best_sources": np.zeros(n), "best_log_degree": np.zeros(n), "function_word": func, "capitalised": capital,
        "best_words": [""] * n, "_keep": keep, "_owner": owner_a, "_cand_ids": type_ids[src],
        "_total": None, "_channel": None,
    }  # fmt: skip
    best_idx = np.full(n, -1)
    if len(owner_a):
        best_idx = _score_candidates(lm, batch, cols, type_ev[:, src], swap_base(func, capital, w), w)
    best_ids = ids[pos_w].copy()
    chosen = best_idx >= 0
    best_ids[chosen] = cols["_cand_ids"][best_idx[chosen]]
    cols["_best_ids"] = best_ids
    return cols


def _score_candidates(lm, batch: _Batch, cols: dict, evidence: np.ndarray, swap: np.ndarray, w: Weights) -> np.ndarray:
    """Fill the candidate columns of ``cols`` (rows with at least one candidate); each row's
    best candidate (index into the candidates, -1 if none)."""
    n, owner_a, cand_ids = batch.n, cols["_owner"], cols["_cand_ids"]
    written_lp, keep = cols["window_lp"], cols["_keep"]
    fwd_a, nsrc_a, ldeg_a = evidence
    cand_lp = _window_lp(lm, batch.ids, batch.pos_w, batch.last, cand_ids, owner_a)
    unigram = lm.artifact.arrays["uni_logp"][cand_ids].astype(np.float64) if w.frequency else 0.0
    channel = link_score(swap[owner_a], fwd_a, nsrc_a, ldeg_a, unigram, w)
    total = w.lm * cand_lp + channel
    written_total = w.lm * written_lp + keep
    n_cand = np.bincount(owner_a, minlength=n).astype(float)
    n_better = np.bincount(owner_a, weights=(total > written_total[owner_a]).astype(float), minlength=n)
    # per-owner maxima (owners are contiguous and sorted): the first candidate at the max
    has = np.flatnonzero(n_cand > 0)
    top = np.full(n, -np.inf)
    top[has] = np.maximum.reduceat(total, np.searchsorted(owner_a, has))
    at_top = np.flatnonzero(total == top[owner_a])
    first = at_top[np.searchsorted(owner_a[at_top], has)]
    best_idx = np.full(n, -1)
    best_idx[has] = first
    lm_best = np.full(n, -np.inf)
    np.maximum.at(lm_best, owner_a, cand_lp)
    cols["lm_gain"][has] = lm_best[has] - written_lp[has]
    cols["channel_gain"][has] = total[first] - written_total[has]
    # posterior of "as written" against all candidates
    mx = np.maximum(written_total, np.where(n_cand > 0, total[best_idx], -np.inf))
    denom = np.exp(written_total - mx)
    np.add.at(denom, owner_a, np.exp(total - mx[owner_a]))
    cols["p_changed"] = 1.0 - np.exp(written_total - mx) / denom
    cols["log_n_candidates"], cols["log_n_better"] = np.log1p(n_cand), np.log1p(n_better)
    cols["best_fwd"][has], cols["best_sources"][has], cols["best_log_degree"][has] = fwd_a[first], nsrc_a[first], ldeg_a[first]
    vocab = lm.words
    for r, j in zip(has.tolist(), cand_ids[first].tolist()):
        cols["best_words"][r] = vocab[j]
    cols["_total"], cols["_channel"] = total, channel
    return best_idx


def _context_columns(lm, batch: _Batch, sentences, cols: dict, w: Weights) -> dict:
    """The columns about the word's surroundings: frequencies and bigram counts as written
    and with the best candidate, phrase swaps, fingerprints, quotes, the neighbours' and an
    adjacent pair's gain, word-vector fit."""
    n, ids, pos_w, sent = batch.n, batch.ids, batch.pos_w, batch.sent
    best_ids = cols["_best_ids"]
    uni = lm.artifact.arrays["uni_logp"]

    def bigram(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.log1p(lm.counts_ids(np.stack([a, b], axis=1)))

    right = ids[np.minimum(pos_w + 1, batch.last)]
    left = ids[pos_w - 1]
    out = {
        "uni_written": uni[ids[pos_w]].astype(float), "uni_best": uni[best_ids].astype(float),
        "left_bigram_written": bigram(left, ids[pos_w]), "right_bigram_written": bigram(ids[pos_w], right),
        "left_bigram_best": bigram(left, best_ids), "right_bigram_best": bigram(best_ids, right),
        "unknown": ids[pos_w] == lm.vocab[UNK],
    }  # fmt: skip
    out["phrase_idiom"], out["phrase_gain"] = _phrase_evidence(lm, ids, batch.base, batch.norms, batch.word_lists)
    fp, quotes = np.zeros(n), np.zeros(n, dtype=bool)
    for k, ws in enumerate(batch.word_lists):
        if not ws:
            continue
        a, b = batch.bounds[k], batch.bounds[k + 1]
        fp[a:b] = _fingerprint_mask(sentences[k], ws)
        quotes[a:b] = np.array(segment.quote_mask(list(sentences[k])), dtype=bool)[ws]
    out["fingerprint"], out["in_quotes"] = fp, quotes
    ch_gain = cols["channel_gain"]
    neigh = np.full(n, -np.inf)
    for shift in (-2, -1, 1, 2):  # the best channel gain of the words within two, same sentence
        j = np.arange(n) + shift
        ok = (j >= 0) & (j < n)
        ok[ok] &= sent[j[ok]] == sent[ok]
        neigh[ok] = np.maximum(neigh[ok], ch_gain[j[ok]])
    neigh[np.isneginf(neigh)] = -10.0
    out["neighbour_gain"] = neigh
    out["pair_gain"] = np.full(n, -10.0)
    if len(cols["_owner"]):
        out["pair_gain"] = _pair_gain(
            lm, ids, pos_w, batch.last, sent, cols["_owner"], cols["_cand_ids"], cols["_total"], cols["_channel"],
            cols["_keep"], w.lm,
        )  # fmt: skip
    out["vec_fit"], out["vec_gain"] = _vector_fit(ids, pos_w, best_ids, sent, cols["function_word"])
    return out


def _vector_fit(
    ids: np.ndarray, pos_w: np.ndarray, best_ids: np.ndarray, sent: np.ndarray, func: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per word: how well it fits the rest of its sentence (cosine of its corpus word vector
    with the mean of the sentence's other content words), and how much better its best
    candidate would fit. A sense-blind swap ("the varsity shelling") fits its topic worse."""
    from .vectors import word_vectors

    vec = word_vectors()
    e_w = vec.rows(ids[pos_w])
    e_b = vec.rows(best_ids)
    known_w = vec.known(ids[pos_w])
    content = (~func & known_w)[:, None]
    k = int(sent.max()) + 1
    total = np.zeros((k, e_w.shape[1]))
    np.add.at(total, sent, e_w * content)
    others = total[sent] - e_w * content
    norm = np.linalg.norm(others, axis=1)
    c = others / np.maximum(norm, 1e-9)[:, None]
    fit_w = np.einsum("ij,ij->i", e_w, c)
    fit_b = np.einsum("ij,ij->i", e_b, c)
    ok = (norm > 0) & known_w
    return np.where(ok, fit_w, 0.0), np.where(ok & vec.known(best_ids), fit_b - fit_w, 0.0)


def _pair_gain(lm, ids, pos_w, last, sent, owner_a, cand_ids, total, channel, keep, lm_weight) -> np.ndarray:
    """Per word: the best gain (LM window plus channel, as ``channel_gain``) of replacing it
    *and* an adjacent word at once, each by one of its PAIR_TOP best single candidates; a
    spinner that swaps both words of a collocation ("school building" -> "faculty
    constructing") leaves each word's window looking fine on its own. -10 without a pair."""
    n = len(pos_w)
    out = np.full(n, -10.0)
    top = _top_candidates(owner_a, total, n, PAIR_TOP)
    r = np.flatnonzero((pos_w[1:] == pos_w[:-1] + 1) & (sent[1:] == sent[:-1]))  # pairs (r, r + 1)
    r = r[(top[r, 0] >= 0) & (top[r + 1, 0] >= 0)]
    if not len(r):
        return out
    t1, t2 = top[r], top[r + 1]  # (pairs, PAIR_TOP) candidate indices, -1 where none
    p, end = pos_w[r], last[r]
    h2, h1, a2, a3 = ids[p - 2], ids[p - 1], ids[np.minimum(p + 2, end)], ids[np.minimum(p + 3, end)]
    has2, has3 = p + 2 <= end, p + 3 <= end

    x, y = cand_ids[np.maximum(t1, 0)], cand_ids[np.maximum(t2, 0)]
    joint = lm.pair_window_logprob(h2, h1, x, y, a2, a3, has2, has3)  # (pairs, PAIR_TOP, PAIR_TOP)
    swapped = lm_weight * joint + channel[t1][:, :, None] + channel[t2][:, None, :]
    as_written = lm.pair_window_logprob(h2, h1, ids[p][:, None], ids[p + 1][:, None], a2, a3, has2, has3)[:, 0, 0]
    written = lm_weight * as_written + keep[r] + keep[r + 1]
    gain = swapped - written[:, None, None]
    gain[~((t1 >= 0)[:, :, None] & (t2 >= 0)[:, None, :])] = -np.inf
    best = np.full(n, -np.inf)
    best[r] = gain.reshape(len(r), -1).max(axis=1)
    has = np.isfinite(best)
    out[has] = best[has]
    out[1:][has[:-1]] = np.maximum(out[1:][has[:-1]], best[:-1][has[:-1]])
    return out


def _top_candidates(owner_a: np.ndarray, total: np.ndarray, n: int, k: int) -> np.ndarray:
    """(n, k) indices of each owner's k highest-scoring candidates, the first one among ties
    (owners are contiguous and sorted); -1 where an owner has fewer."""
    top = np.full((n, k), -1)
    count = np.bincount(owner_a, minlength=n)
    owners = np.flatnonzero(count)
    if not len(owners):
        return top
    starts = np.searchsorted(owner_a, owners)
    count = count[owners]
    work = total.copy()
    at_max = np.full(n, -np.inf)
    for j in range(k):
        at_max[owners] = np.maximum.reduceat(work, starts)
        hits = np.flatnonzero(work == at_max[owner_a])
        first = hits[np.searchsorted(owner_a[hits], owners)]
        live = count > j
        top[owners[live], j] = first[live]
        work[first[live]] = -np.inf
    return top


def _phrase_evidence(
    lm, ids: np.ndarray, base: Sequence[int], norms: Sequence[Sequence[str]], word_lists: Sequence[Sequence[int]]
) -> tuple[np.ndarray, np.ndarray]:
    """Per word (all sentences, in order): is it inside a curated multiword swap, and the best
    LM gain of a swap covering it. ``ids`` holds the padded sentences end to end, sentence
    ``k`` from ``base[k]``. All sequences are scored in one batch."""
    pt = phrase_table()
    n_words = sum(len(ws) for ws in word_lists)
    curated = np.zeros(n_words)
    gain = np.zeros(n_words)
    jobs = []  # (rows covered, index of the written sequence, indices of the swap sequences)
    seqs: list[np.ndarray] = []
    first_row = 0
    for k, (norm, words) in enumerate(zip(norms, word_lists)):
        where = {i: first_row + r for r, i in enumerate(words)}
        first_row += len(words)
        for a in range(len(norm)):
            for n in range(1, MAX_PHRASE_WORDS + 1):
                if a + n > len(norm):
                    break
                swaps = pt.originals(" ".join(norm[a : a + n]))
                if not swaps:
                    continue
                rows = [where[i] for i in range(a, a + n) if i in where]
                if any(sw.idiom for sw in swaps):
                    curated[rows] = 1.0
                at = base[k] + a  # padded position of the two history words
                hist, after = ids[at : at + 2], ids[at + n + 2 : at + n + 2 + _CTX]
                jobs.append((rows, len(seqs), range(len(seqs) + 1, len(seqs) + 1 + len(swaps))))
                seqs.append(np.concatenate([hist, ids[at + 2 : at + n + 2], after]))
                seqs += [np.concatenate([hist, _phrase_ids(lm, sw.original), after]) for sw in swaps]
    if not jobs:
        return curated, gain
    lp = _seqs_lp(lm, seqs)
    for rows, written, swapped in jobs:
        best = max(lp[j] for j in swapped) - lp[written]
        for r in rows:
            gain[r] = max(gain[r], best)
    return curated, gain


@lru_cache(maxsize=100_000)
def _phrase_ids(lm, phrase: str) -> np.ndarray:
    return lm.ids(phrase.split())


def _seqs_lp(lm, seqs: Sequence[np.ndarray]) -> list[float]:
    """Summed log p of each id sequence's words after its first two (one batched query)."""
    full = np.concatenate(seqs)
    lengths = np.array([len(x) for x in seqs])
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    owner = np.repeat(np.arange(len(seqs)), lengths - 2)
    i = np.arange(len(owner)) + np.repeat(starts - np.concatenate([[0], np.cumsum(lengths - 2)[:-1]]), lengths - 2)
    lp = lm.logprob_ids(full[i], full[i + 1], full[i + 2])
    return np.bincount(owner, weights=lp, minlength=len(seqs)).tolist()


def _fingerprint_mask(tokens: Sequence[str], words: Sequence[int]) -> np.ndarray:
    covered = np.zeros(len(tokens))
    for m in fingerprints().match_tokens(tokens):
        covered[m.first : m.last + 1] = 1.0
    return covered[list(words)]


def document_rows(parts: Sequence[SentenceRows]) -> list[SentenceRows]:
    """Append the document-context columns to the token rows of one document's sentences."""
    rows = [p.rows for p in parts if len(p.rows)]
    allrows = np.vstack(rows) if rows else np.zeros((0, N_TOKEN_BASE))
    if len(allrows):
        ci, pi, hi = (TOKEN_FEATURES.index(n) for n in ("channel_gain", "p_changed", "phrase_idiom"))
        doc = [
            allrows[:, pi].mean(), (allrows[:, ci] > 0).mean(), allrows[:, ci].mean(), allrows[:, hi].mean(),
            math.log(len(parts)),
        ]  # fmt: skip
    else:
        doc = [0.0] * (len(TOKEN_FEATURES) - N_TOKEN_BASE)
    return [
        SentenceRows(
            p.index,
            np.hstack([p.rows, np.tile(doc, (len(p.rows), 1))]) if len(p.rows) else np.zeros((0, len(TOKEN_FEATURES))),
            p.best,
        )
        for p in parts
    ]


def sentence_rows(
    span_p: Sequence[np.ndarray], token_feats: Sequence[SentenceRows], doc_ids: Sequence[int] | None = None
) -> np.ndarray:
    """Sentence feature rows from span probabilities and the token rows they came from;
    ``doc_ids`` says which document each sentence belongs to (default: all one)."""
    doc_ids = np.zeros(len(span_p), dtype=int) if doc_ids is None else np.asarray(doc_ids)
    n_own = SENTENCE_FEATURES.index("doc_mean_p")
    out = np.zeros((len(span_p), len(SENTENCE_FEATURES)))
    ci, pi, fi, hi, qi = (
        TOKEN_FEATURES.index(n) for n in ("channel_gain", "p_changed", "fingerprint", "phrase_idiom", "in_quotes")
    )
    for s, (p, tf) in enumerate(zip(span_p, token_feats)):
        if len(p) == 0:
            continue
        top = np.sort(p)[::-1]
        quoted = tf.rows[:, qi] > 0
        out[s, :n_own] = [
            top[0], p.mean(), top[:3].mean(), p.sum(), (p > 0.5).sum(), (p > 0.3).mean(), (p > 0.5).mean(),
            tf.rows[:, ci].mean(), tf.rows[:, pi].mean(), math.log(len(p)), tf.rows[:, fi].max(), tf.rows[:, hi].sum(),
            quoted.mean(), p[~quoted].max(initial=0.0),
        ]  # fmt: skip
    for d in np.unique(doc_ids):
        members = np.flatnonzero(doc_ids == d)
        ps = [span_p[i] for i in members if len(span_p[i])]
        if not ps:
            continue
        allp = np.concatenate(ps)
        quoted = np.concatenate([token_feats[i].rows[:, qi] > 0 for i in members if len(span_p[i])])
        out[members, n_own:] = [
            allp.mean(), (allp > 0.3).mean(), (allp > 0.5).mean(), np.mean([p.max() for p in ps]), math.log(len(members)),
            _share_over(allp[quoted], 0.5), _share_over(allp[~quoted], 0.5),
        ]  # fmt: skip
    return out


def _share_over(p: np.ndarray, t: float) -> float:
    return float((p > t).mean()) if len(p) else -1.0


def context_rows(X: np.ndarray, p: np.ndarray, row_sent: np.ndarray, row_doc: np.ndarray) -> np.ndarray:
    """Second-stage rows (``CONTEXT_FEATURES``) of word rows ``X`` with first-stage span
    probabilities ``p``; ``row_sent`` and ``row_doc`` number each row's sentence and document
    (non-decreasing: a sentence's rows are consecutive, in token order)."""
    p = np.asarray(p, dtype=float)
    rs, rd = np.asarray(row_sent), np.asarray(row_doc)
    n = len(p)
    if n == 0:
        return np.zeros((0, len(CONTEXT_FEATURES)))

    def shifted(k: int) -> np.ndarray:  # p of the word k rows later in the same sentence (k < 0: earlier)
        out = np.zeros(n)
        if abs(k) < n:
            a, b = (slice(k, None), slice(None, -k)) if k > 0 else (slice(None, k), slice(-k, None))
            out[b] = np.where(rs[a] == rs[b], p[a], 0.0)
        return out

    ns = np.bincount(rs)[rs].astype(float)
    over = (p >= 0.5).astype(float)
    # the sentence's highest and second-highest p: the best of the *other* words
    order = np.lexsort((-p, rs))
    first = np.r_[True, rs[order][1:] != rs[order][:-1]]
    second = np.r_[False, first[:-1]] & ~first
    top1, top2 = np.zeros(rs.max() + 1), np.zeros(rs.max() + 1)
    top1[rs[order][first]] = p[order][first]
    top2[rs[order][second]] = p[order][second]
    nd = np.bincount(rd)[rd].astype(float)
    return np.column_stack(
        [
            p, shifted(-1), shifted(1), np.maximum(shifted(-2), shifted(2)),
            np.where(p >= top1[rs], top2[rs], top1[rs]),
            (np.bincount(rs, p)[rs] - p) / np.maximum(ns - 1, 1),
            np.bincount(rs, over)[rs] - over,
            np.log(ns),
            np.bincount(rd, p)[rd] / nd, np.bincount(rd, over)[rd] / nd, np.log(nd),
            X[:, _CONTEXT_OWN],
        ]
    )  # fmt: skip


def __getattr__(name: str):
    if name == "SpinFeatures":
        return _spin_features()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _spin_features() -> type:
    """The ``SpinFeatures`` class (scikit-learn is imported only when it is asked for)."""
    from sklearn.base import BaseEstimator, TransformerMixin

    class SpinFeatures(TransformerMixin, BaseEstimator):
        """Token feature rows for documents (scikit-learn transformer).

        ``transform(X)`` takes a sequence of documents, each a sequence of tokenised sentences
        (sequences of token strings), and returns one row per *word* token, in order (so the
        output has more rows than the input has samples; ``token_index_`` of the last call maps
        rows back to (document, sentence, token)).
        """

        def __init__(self, *, weights: Weights | None = None):
            self.weights = weights

        def fit(self, X, y=None):
            self.n_features_out_ = len(TOKEN_FEATURES)
            return self

        def transform(self, X) -> np.ndarray:
            rows, index = [], []
            for d, doc in enumerate(X):
                parts = document_rows(token_rows_batch([list(tokens) for tokens in doc], self.weights))
                for s, p in enumerate(parts):
                    rows.append(p.rows)
                    index += [(d, s, int(i)) for i in p.index]
            self.token_index_ = index
            return np.vstack(rows) if rows else np.zeros((0, len(TOKEN_FEATURES)))

        def get_feature_names_out(self, input_features=None) -> np.ndarray:
            return np.array(TOKEN_FEATURES, dtype=object)

    SpinFeatures.__module__, SpinFeatures.__qualname__ = __name__, "SpinFeatures"  # found where pickle looks
    return SpinFeatures
