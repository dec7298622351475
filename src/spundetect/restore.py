"""Restore: rank the candidate originals of a span of a sentence.

A noisy-channel search. A hypothesis rewrites the span word by word or phrase by phrase,
each piece either kept as written or replaced by something a spinner could have turned
into it (thesaurus link, phrase swap). Its score is

    log p_LM(left context + hypothesis + right context)        (how natural the original is)
  + sum of channel log-weights of its pieces                    (how likely the spinner made
                                                                 the written text from it)

A beam search walks the span left to right, extending every kept hypothesis by every
option at once in numpy. Scores become probabilities by a softmax over all final
hypotheses, the unchanged text included, so a candidate's ``score`` is the model's belief
that it is the original.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from typing import Sequence

import numpy as np

from . import segment
from .candidates.acronyms import acronym_after, initials, spells
from .candidates.compiled import candidates
from .candidates.fingerprints import fingerprints
from .candidates.phrases import MAX_PHRASE_WORDS, phrase_table
from .candidates.synonyms import MOBY_FWD, TOOL, Link, thesaurus
from .candidates.terms import best_first, best_first_rows, search_terms
from .candidates.tool_links import tool_links
from .channel import FUNCTION_WORDS, Weights, fitted_weights, keep_score, link_score, phrase_score, swap_base
from .lm import BOS, EOS, UNK, language_model
from .results import Suggestion

__all__ = ["restore_span", "suggest", "agree", "agreeing_article", "MAX_SPAN_TOKENS"]

log = logging.getLogger(__name__)

MAX_SPAN_TOKENS = 8  # longer phrases are not searched (a spun span is a few words)
MAX_TERMS = 400  # known-term hypotheses kept for language-model scoring
ARTICLES = {"a": "an", "an": "a"}  # an article may have been the other one (it agrees with the next word)
NEGLIGIBLE = 40.0  # log-score below the best hypothesis at which one adds nothing a float can hold (e^-40 < 1e-17)


@dataclass(frozen=True)
class _Hypotheses:
    """Rewrites of the stretch searched so far, one row each: its words (a head text
    extended by a tail text, joined only when asked: most rows are pruned unread), channel
    log-weight, LM history (u, v) and log p, tokens changed, and whether a phrase-table swap
    is among its pieces. ``head_keys`` and ``tail_keys``, where known, are the heads' and
    tails' :func:`_text_hashes` (computed from the texts where not)."""

    heads: list[str]
    head: np.ndarray
    tails: list[str]
    tail: np.ndarray
    channel: np.ndarray
    u: np.ndarray
    v: np.ndarray
    lm: np.ndarray
    changed: np.ndarray
    phrase: np.ndarray
    head_keys: tuple[np.ndarray, np.ndarray] | None = None
    tail_keys: tuple[np.ndarray, np.ndarray] | None = None

    @staticmethod
    def of(texts: list[str], *arrays: np.ndarray) -> _Hypotheses:
        """Rows whose texts are given whole; ``arrays``: channel, u, v, lm, changed, phrase."""
        rows = _Hypotheses(texts, np.arange(len(texts)), [""], np.zeros(len(texts), dtype=np.int64), *arrays)
        rows.__dict__["texts"] = texts  # already joined (what :attr:`texts` would build)
        return rows

    @staticmethod
    def start(u: int, v: int) -> _Hypotheses:
        one = np.zeros(1)
        return _Hypotheses.of(
            [""], one, np.array([u], dtype=np.int64), np.array([v], dtype=np.int64), one, np.zeros(1, dtype=np.int64),
            np.zeros(1, dtype=bool),
        )  # fmt: skip

    def __len__(self) -> int:
        return len(self.head)

    @cached_property
    def texts(self) -> list[str]:
        heads, tails = self.heads, self.tails
        return [_join(heads[a], tails[b]) for a, b in zip(self.head.tolist(), self.tail.tolist())]

    def text(self, i: int) -> str:
        return _join(self.heads[self.head[i]], self.tails[self.tail[i]])

    def keys(self) -> np.ndarray:
        """A 64-bit hash of each row's text, computed without joining it: equal texts have
        equal keys (a key shared by different texts is possible, so callers compare texts
        where keys are shared)."""
        return self.key_parts()[0]

    def key_parts(self) -> tuple[np.ndarray, np.ndarray]:
        """Each row's :func:`_text_hashes`: its key and the base to the power of its word count."""
        head_hash, head_shift = self._head_keys()
        tail_hash, tail_shift = self._tail_keys()
        shift = tail_shift[self.tail]
        return head_hash[self.head] * shift + tail_hash[self.tail], head_shift[self.head] * shift

    def _head_keys(self) -> tuple[np.ndarray, np.ndarray]:
        return _text_hashes(self.heads) if self.head_keys is None else self.head_keys

    def _tail_keys(self) -> tuple[np.ndarray, np.ndarray]:
        return _text_hashes(self.tails) if self.tail_keys is None else self.tail_keys

    def take(self, rows: np.ndarray) -> _Hypotheses:
        return _Hypotheses(
            self.heads, self.head[rows], self.tails, self.tail[rows], *(getattr(self, f)[rows] for f in _ARRAYS),
            self.head_keys, self.tail_keys,
        )  # fmt: skip

    @staticmethod
    def concat(parts: Sequence[_Hypotheses]) -> _Hypotheses:
        """The rows of ``parts`` in order; text lists that parts share (the rows grown from
        one position share their heads) are taken once."""
        if len(parts) == 1:
            return parts[0]
        heads, head_at, head_keys = _shared_texts([(p.heads, p._head_keys) for p in parts])
        tails, tail_at, tail_keys = _shared_texts([(p.tails, p._tail_keys) for p in parts])
        return _Hypotheses(
            heads,
            np.concatenate([p.head + a for p, a in zip(parts, head_at)]),
            tails,
            np.concatenate([p.tail + a for p, a in zip(parts, tail_at)]),
            *(np.concatenate([getattr(p, f) for p in parts]) for f in _ARRAYS),
            head_keys,
            tail_keys,
        )


def _shared_texts(lists) -> tuple[list[str], list[int], tuple[np.ndarray, np.ndarray]]:
    """Text lists, each given with a function that gives its keys, joined with every list
    object taken once: the joined texts, where each given list starts in them, and the
    joined keys."""
    where: dict[int, int] = {}
    texts: list[str] = []
    keys = []
    at = []
    for listed, keys_of in lists:
        if id(listed) not in where:
            where[id(listed)] = len(texts)
            texts += listed
            keys.append(keys_of())
        at.append(where[id(listed)])
    return texts, at, _concat_keys(keys)


_ARRAYS = ("channel", "u", "v", "lm", "changed", "phrase")


def _concat_keys(keys: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    return np.concatenate([k[0] for k in keys]), np.concatenate([k[1] for k in keys])


def _join(a: str, b: str) -> str:
    return f"{a} {b}" if a and b else a or b


_HASH_BASE = 0x9E3779B97F4A7C15
_U64 = (1 << 64) - 1


def _text_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per text, the polynomial hash of its space-separated words (mod 2**64) and the base to
    the power of its word count: the hash of ``_join(a, b)`` is ``hash(a) * shift(b) + hash(b)``."""
    pairs = [_text_hash(text) for text in texts]
    return np.array([h for h, _ in pairs], dtype=np.uint64), np.array([s for _, s in pairs], dtype=np.uint64)


@lru_cache(maxsize=200_000)
def _text_hash(text: str) -> tuple[int, int]:
    h, shift = 0, 1
    for word in text.split(" ") if text else ():
        h = (h * _HASH_BASE + (hash(word) & _U64)) & _U64
        shift = (shift * _HASH_BASE) & _U64
    return h, shift


@dataclass(frozen=True)
class _Options:
    """The options at one position as arrays: tokens covered, words emitted (text, its
    :func:`_text_hashes` and a row of LM ids padded with -1), channel log-weight, tokens
    changed, phrase-table swap."""

    length: np.ndarray
    texts: list[str]
    keys: tuple[np.ndarray, np.ndarray]
    grid: np.ndarray
    channel: np.ndarray
    changed: np.ndarray
    phrase: np.ndarray

    @staticmethod
    def of(lm, opts) -> _Options:
        """The options given as (tokens covered, emitted words, channel log-weight, source)
        tuples; source None for the word kept as written. No options: one shared empty
        instance (most cached pieces are empty)."""
        if not opts:
            return _no_options()
        vocab, unk = lm.vocab, lm.vocab[UNK]
        seqs = [[vocab.get(w if o[3] is None else _lm_word(w), unk) for w in o[1]] for o in opts]
        texts = [" ".join(o[1]) for o in opts]
        return _Options(
            np.array([o[0] for o in opts], dtype=np.int64),
            texts,
            _text_hashes(texts),
            _grid(seqs),
            np.array([o[2] for o in opts], dtype=np.float64),
            np.array([0 if o[3] is None else max(o[0], len(o[1])) for o in opts], dtype=np.int64),
            np.array([o[3] == "phrase" for o in opts], dtype=bool),
        )

    def __len__(self) -> int:
        return len(self.texts)

    def take(self, rows: np.ndarray) -> _Options:
        return _Options(
            self.length[rows], [self.texts[i] for i in rows.tolist()], (self.keys[0][rows], self.keys[1][rows]),
            self.grid[rows], self.channel[rows], self.changed[rows], self.phrase[rows],
        )  # fmt: skip

    @staticmethod
    def concat(parts: Sequence[_Options]) -> _Options:
        """The options of ``parts`` in order (their id rows padded to the widest)."""
        parts = [p for p in parts if len(p)]
        if len(parts) == 1:
            return parts[0]
        grid = np.full((sum(map(len, parts)), max(p.grid.shape[1] for p in parts)), -1, dtype=np.int64)
        at = 0
        for p in parts:
            grid[at : at + len(p), : p.grid.shape[1]] = p.grid
            at += len(p)
        return _Options(
            np.concatenate([p.length for p in parts]), [t for p in parts for t in p.texts],
            _concat_keys([p.keys for p in parts]), grid,
            np.concatenate([p.channel for p in parts]), np.concatenate([p.changed for p in parts]),
            np.concatenate([p.phrase for p in parts]),
        )  # fmt: skip


@cache
def _no_options() -> _Options:
    empty = np.zeros(0, dtype=np.int64)
    keys = (np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.uint64))
    return _Options(empty, [], keys, np.zeros((0, 0), dtype=np.int64), np.zeros(0), empty, np.zeros(0, dtype=bool))


@lru_cache(maxsize=100_000)
def _lm_word(word: str) -> str:
    """The language model's word for an original the search brings in: the word itself, or
    for a hyphenated compound it does not know, the compound written solid where it knows
    that ("auto-regressive" read as "autoregressive")."""
    vocab = language_model().vocab
    if word in vocab or "-" not in word:
        return word
    joined = word.replace("-", "")
    return joined if joined in vocab else word


_LETTER_COMPOUND = re.compile(r"[A-Z]-[a-z]+")


def _proper(words: Sequence[str], a: int) -> bool:
    """A name or an acronym: capitalised inside the sentence, all capitals, or an
    abbreviation in brackets ("(ai)"). Most spinners leave these alone, so the search keeps
    them as written. A capital letter hyphened to a word ("X-beams", "T-shirt") is a common
    noun."""
    if _LETTER_COMPOUND.fullmatch(words[a]):
        return False
    if words[a][:1].isupper() and (a > 0 or (len(words[a]) > 1 and words[a].isupper())):
        return True
    return a > 0 and bool(acronym_after(words, a - 1))


def _swap_base(words: Sequence[str], norm_tokens: Sequence[str], a: int, length: int, w: Weights) -> float:
    """Channel log-weight of swapping ``length`` tokens at ``a``, before the link terms (the
    search keeps names as written, so none is proper here)."""
    return swap_base(length == 1 and norm_tokens[a] in FUNCTION_WORDS, False, w)


def _link_score(link: Link, base: float, w: Weights) -> float:
    unigram = float(language_model().unigram_logp(link.original.split()).sum()) if w.frequency else 0.0
    return link_score(base, bool(link.bits & (MOBY_FWD | TOOL)), link.n_sources, math.log(link.degree + 1), unigram, w)


def _keep_score(norm_word: str, w: Weights) -> float:
    return keep_score(norm_word in FUNCTION_WORDS, w)


@lru_cache(maxsize=100_000)
def _links(written: str) -> tuple[Link, ...]:
    """Thesaurus originals of a written word or phrase that the corpus knows, with the
    originals real tools were seen turning into it (tool links: marked ``TOOL``, which the
    channel scores as a link of every thesaurus in the spinner's direction)."""
    known = language_model().known
    links = [link for link in thesaurus().originals(written) if all(map(known, link.original.split()))]
    if " " in written:
        return tuple(links)
    at = {link.original: i for i, link in enumerate(links)}
    for tool in tool_links().originals(written):
        if tool.original in at:
            link = links[at[tool.original]]
            links[at[tool.original]] = dataclasses.replace(link, bits=link.bits | TOOL)
        elif known(tool.original):
            links.append(Link(tool.original, tool.lemma, TOOL, tool.degree))
    return tuple(links)


def _options(words: Sequence[str], norm_tokens: Sequence[str], a: int, end: int, w: Weights) -> _Options:
    """The options starting at token ``a``: the word kept, then what a spinner could have
    turned the next 1 to ``MAX_PHRASE_WORDS`` tokens into (each piece cached by its text)."""
    word = norm_tokens[a]
    kept = _kept_option(word, w)
    if not segment.is_word(word) or word == "<num>":
        return kept
    if _proper(words, a):  # a name is kept, but spinners write some capitals themselves ("PC" for "computer")
        return _Options.concat([kept, _phrase_options(word, 1, w, curated_only=True)])
    parts = [kept]
    if word in ARTICLES and a + 1 < end:  # the article agrees with the word after it, which may be swapped back
        parts.append(_article_option(word, w))
    for length in range(1, min(MAX_PHRASE_WORDS, end - a) + 1):
        sub = " ".join(norm_tokens[a : a + length])
        if length <= 3:
            parts.append(_link_options(sub, length, _swap_base(words, norm_tokens, a, length, w), w))
        parts.append(_phrase_options(sub, length, w))
    if "-" in word:
        hyphened = _hyphen_options(words, norm_tokens, a, w).items()
        parts.append(_Options.of(language_model(), [(1, [alt], score, "synonym") for alt, score in hyphened]))
    return _Options.concat(parts)


@lru_cache(maxsize=100_000)
def _kept_option(word: str, w: Weights) -> _Options:
    return _Options.of(language_model(), [(1, [word], _keep_score(word, w), None)])


@lru_cache(maxsize=16)
def _article_option(article: str, w: Weights) -> _Options:
    return _Options.of(language_model(), [(1, [ARTICLES[article]], _keep_score(article, w), "synonym")])


@lru_cache(maxsize=100_000)
def _link_options(sub: str, length: int, base: float, w: Weights) -> _Options:
    """The thesaurus originals of the ``length`` tokens ``sub`` (:func:`_links`)."""
    opts = [(length, link.original.split(), _link_score(link, base, w), "synonym") for link in _links(sub)]
    return _Options.of(language_model(), opts)


@lru_cache(maxsize=100_000)
def _phrase_options(sub: str, length: int, w: Weights, curated_only: bool = False) -> _Options:
    """The phrase-table originals of the ``length`` tokens ``sub``."""
    swaps = [s for s in phrase_table().originals(sub) if s.curated or not curated_only]
    return _Options.of(language_model(), [(length, s.original.split(), phrase_score(s.curated, w), "phrase") for s in swaps])


def _hyphen_options(words: Sequence[str], norm_tokens: Sequence[str], a: int, w: Weights) -> dict[str, float]:
    """A hyphenated compound with one part swapped back ("laptop-aided" -> "computer-aided")."""
    known = language_model().known
    parts = norm_tokens[a].split("-")
    base = _swap_base(words, norm_tokens, a, 1, w)
    out: dict[str, float] = {}
    for i, part in enumerate(parts):
        for link in _links(part):
            if " " in link.original:
                continue
            alt = "-".join(parts[:i] + [link.original] + parts[i + 1 :])
            if known(_lm_word(alt)) and alt not in out:
                out[alt] = _link_score(link, base, w)
    return out


def _word_channels(words: Sequence[str], norm_tokens: Sequence[str], a: int, w: Weights) -> tuple[np.ndarray, np.ndarray]:
    """Every single word that position ``a`` may have been (one or two thesaurus hops), as
    sorted LM ids with their channel log-weights; for the known-term search."""
    lm = language_model()
    word = norm_tokens[a]
    if not segment.is_word(word) or word == "<num>" or _proper(words, a):
        return _id_scores(lm, {word: _keep_score(word, w)})
    ids, offset, link = _channels_of(word, w)
    scores = offset + link * _swap_base(words, norm_tokens, a, 1, w)
    if "-" in word:
        extra = {alt: sc for alt, sc in _hyphen_options(words, norm_tokens, a, w).items() if alt in lm.vocab}
        extra_ids, extra_scores = _id_scores(lm, extra)
        new = ~np.isin(extra_ids, ids)
        ids, scores = np.concatenate([ids, extra_ids[new]]), np.concatenate([scores, extra_scores[new]])
        order = np.argsort(ids, kind="stable")
        ids, scores = ids[order], scores[order]
    return ids, scores


def _id_scores(lm, channels: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Known words of ``channels`` as sorted ids, and their scores."""
    known = [(lm.vocab[x], sc) for x, sc in channels.items() if x in lm.vocab]
    known.sort()
    return np.array([i for i, _ in known], dtype=np.int64), np.array([sc for _, sc in known], dtype=np.float64)


#: words whose two-hop channels are kept (an entry holds 20-460 KB of arrays: 20,000 of them
#: grew a process by 680 MB; recomputing one takes 0.3-2 ms, a span's search 5-10 ms)
CHANNEL_CACHE_WORDS = 2_000


@lru_cache(maxsize=CHANNEL_CACHE_WORDS)
def _channels_of(word: str, w: Weights) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cached, context-free part of :func:`_word_channels`: sorted ids, channel
    log-weights without the swap base, and whether the swap base applies (a link, not the
    word kept). A word reached twice keeps its first reading: kept, one hop, two hops (in
    the thesaurus's order). Callers must not modify the arrays."""
    lm = language_model()
    ids = [np.array([lm.vocab.get(word, -1)], dtype=np.int64)]
    scores = [np.array([_keep_score(word, w)], dtype=np.float64)]
    hop1, evidence = candidates(word)
    ids.append(hop1)
    scores.append(_link_scores(lm, hop1, evidence, 0.0, w))
    hops = [candidates(lm.words[first]) for first in hop1.tolist()] if w.two_hop > -50 else []
    if hops:  # every second hop scored at once
        hop2, evidence = np.concatenate([h[0] for h in hops]), np.concatenate([h[1] for h in hops], axis=1)
        ids.append(hop2)
        scores.append(_link_scores(lm, hop2, evidence, w.two_hop, w))
    uniq, first_seen = _first_of_each(np.concatenate(ids), len(lm.words))
    return uniq, np.concatenate(scores)[first_seen], (first_seen > 0).astype(np.float64)


def _distinct_ids(ids: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(ids, return_inverse=True)`` for ids below ``size``; long arrays of ids
    >= 0 through a table of that size."""
    if len(ids) < 2000 or ids.min() < 0:
        return np.unique(ids, return_inverse=True)
    present = np.zeros(size, dtype=bool)
    present[ids] = True
    uniq = np.flatnonzero(present)
    rank = np.empty(size, dtype=np.intp)
    rank[uniq] = np.arange(len(uniq))
    return uniq, rank[ids]


def _first_of_each(ids: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ids of ``ids`` that are >= 0, sorted, and where each first occurs: what
    ``np.unique(ids, return_index=True)`` gives for them. Ids must be below ``size``; long
    arrays are gathered through a table of that size (a tenth of the sort's time)."""
    if len(ids) < 2000:
        uniq, first = np.unique(ids, return_index=True)
        keep = uniq >= 0
        return uniq[keep], first[keep]
    at = np.flatnonzero(ids >= 0)
    first = np.full(size, len(ids), dtype=np.int64)
    np.minimum.at(first, ids[at], at)
    uniq = np.flatnonzero(first < len(ids))
    return uniq, first[uniq]


def _link_scores(lm, ids: np.ndarray, evidence: np.ndarray, base: float, w: Weights) -> np.ndarray:
    """:func:`_link_score` of the one-word links ``candidates`` gives, as an array."""
    unigram = lm.artifact.arrays["uni_logp"][ids].astype(np.float64) if w.frequency else 0.0
    return np.asarray(link_score(base, evidence[0], evidence[1], evidence[2], unigram, w), dtype=np.float64)


def _grid(seqs: Sequence[list[int]]) -> np.ndarray:
    """Id sequences as the rows of a matrix padded with -1."""
    lengths = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
    grid = np.full((len(seqs), int(lengths.max(initial=0))), -1, dtype=np.int64)
    grid[np.arange(grid.shape[1]) < lengths[:, None]] = [x for seq in seqs for x in seq]  # row by row, in order
    return grid


def _extend(
    lm, u: np.ndarray, v: np.ndarray, grid: np.ndarray, rows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """LM log p of each row of ``grid`` (ids padded with -1, see :func:`_grid`) after its
    (u, v) history; new histories. With ``rows``, ``u`` and ``v`` are the hypotheses'
    histories and ``rows`` says which one each row of ``grid`` extends (their trigram
    contexts are then looked up once each)."""
    context = None
    if rows is not None:
        g3, seen = lm.contexts(np.maximum(u, 0), np.maximum(v, 0))
        context, u, v = (g3[rows], seen[rows]), u[rows], v[rows]
    total = np.zeros(len(grid))
    u, v = u.copy(), v.copy()
    for t in range(grid.shape[1]):
        w = grid[:, t]
        mask = w >= 0
        if mask.all():
            total += lm.logprob_ids(u, v, w, context)
            u, v, context = v, w.copy(), None
            continue
        w = w[mask]
        total[mask] += lm.logprob_ids(u[mask], v[mask], w, None if context is None else (context[0][mask], context[1][mask]))
        context = None
        u[mask], v[mask] = v[mask], w
    return total, u, v


def _extend_by(lm, u: np.ndarray, v: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """``_extend(lm, u, v, np.tile(ids, (len(u), 1)))[0]``: every history followed by the
    same words. After the first of them a row's history is its last word and those words,
    so the later ones are looked up once per distinct last word."""
    total = np.zeros(len(u))
    if not len(ids) or not len(u):
        return total
    total += lm.logprob_ids(u, v, np.full(len(u), ids[0]))
    if len(ids) > 1:
        last, inverse = _distinct_ids(v, len(lm.words))
        hu, hv = last, np.full(len(last), ids[0])
        for w in ids[1:].tolist():
            total += lm.logprob_ids(hu, hv, np.full(len(last), w))[inverse]
            hu, hv = hv, np.full(len(last), w)
    return total


def restore_span(
    words: Sequence[str],
    start: int,
    end: int,
    *,
    k: int = 5,
    use_fingerprints: bool = True,
    weights: Weights | None = None,
    beam: int = 64,
    context: bool = True,
) -> list[Suggestion]:
    """Candidate originals of ``words[start:end]`` (token texts of one sentence), best first.

    With ``context=False`` the words are a phrase on its own: it is scored as a stretch of
    text (no sentence start or end), which keeps the search on known terms rather than on
    words that like to open or close sentences.

    Returns at most ``k`` candidates that differ from the written span; the unchanged
    span takes part in the normalisation but is not returned.
    """
    if not 0 <= start < end <= len(words):
        raise ValueError("span out of range")
    if k < 0:
        raise ValueError(f"k must be 0 or more, not {k}")
    if k == 0:
        return []
    weights = weights or fitted_weights("context" if context else "phrase")
    lm = language_model()
    norm_tokens = [segment.norm(t) for t in words]
    bracket, spelling = _spelling(words, norm_tokens, end, weights)
    out = _fingerprint_hits(words, start, end, bracket) if use_fingerprints else []
    if context:
        left = lm.ids([BOS, BOS] + norm_tokens[:start]).tolist()
        u0, v0 = left[-2], left[-1]
    else:
        u0, v0 = -1, -1  # a phrase on its own: no sentence start, no sentence end
    final = _beam_search(lm, words, norm_tokens, start, end, weights, (u0, v0), spelling, beam)
    if 2 <= end - start <= 3:
        terms = _term_beams(lm, words, norm_tokens, start, end, weights, u0, v0, spelling[1:])
        if terms is not None:
            final = terms if final is None else _Hypotheses.concat([final, terms])
    return _ranked(lm, words, norm_tokens, start, end, weights, final, out, (bracket, spelling[0]), context, k)


def _spelling(words: Sequence[str], norm_tokens: Sequence[str], end: int, w: Weights) -> tuple[int | None, tuple]:
    """Where an abbreviation in brackets follows the span ("... (AI)"), and what an original
    must spell: (the readings of its letters, their letters, how many span tokens they may
    cover); empty where there is none or a kept word between cannot spell it."""
    bracket = _bracket_after(words, end)
    spelt = acronym_after(words, bracket) if w.acronym > 0 and bracket is not None else ()
    letters = set("".join(spelt))
    if not all(_may_spell(x, letters) for x in norm_tokens[end : bracket or end]):
        spelt, letters = (), set()
    reach = max(map(len, spelt)) - (bracket - end) if spelt else 0
    return bracket, (spelt, letters, reach)


def _fingerprint_hits(words: Sequence[str], start: int, end: int, bracket: int | None) -> list[Suggestion]:
    """The expected originals of a known tortured phrase written at ``words[start:end]``, or
    of the one such phrase inside it, the span's other words kept as written ("relied on
    counterfeit consciousness" -> "relied on artificial intelligence") but for an article
    right before it, which agrees with the original ("a man-made brainpower" -> "an
    artificial intelligence")."""
    fps = fingerprints()
    fp = fps.lookup(" ".join(words[start:end])) or (fps.lookup(" ".join(words[start : end + 3])) if bracket == end else None)
    if fp is not None:
        return [Suggestion(e, 0.99, "fingerprint", len(e.split())) for e in fp.expected]
    inside = fps.match_tokens(words[start:end])
    if len(inside) != 1:
        return []
    m = inside[0]
    before = [segment.norm(w) for w in words[start : start + m.first]]
    after = [segment.norm(w) for w in words[start + m.last + 1 : end]]
    return [
        Suggestion(_surface(" ".join(_agreeing(before, e) + [e] + after), words[start:end]), 0.99, "fingerprint", len(e.split()))
        for e in m.fingerprint.expected
    ]


def _agreeing(before: list[str], original: str) -> list[str]:
    """``before`` with a final article made to agree with ``original``."""
    if not before or before[-1] not in ARTICLES:
        return before
    return before[:-1] + [agreeing_article(before[-1], original)]


def agreeing_article(article: str, text: str) -> str:
    """The article, "a" or "an" as ``article`` is written, that the language model puts
    before ``text``'s first word more often ("a" -> "an" before "artificial"); ``article``
    itself where neither is counted, or where it is no such article."""
    other = ARTICLES.get(article.lower())
    if other is None or not text.split():
        return article
    lm, first = language_model(), segment.norm(text.split()[0])
    if lm.count([other, first]) <= lm.count([article.lower(), first]):
        return article
    return other.capitalize() if article[:1].isupper() else other


def _beam_search(lm, words, norm_tokens, start: int, end: int, weights: Weights, left: tuple[int, int], spelling, beam: int):
    """Every hypothesis for tokens start..end-1 (a beam of ``beam`` per position): each token
    kept, or a run of tokens swapped back through a thesaurus link or a phrase-table row."""
    spelt, letters, reach = spelling
    pending: dict[int, list[_Hypotheses]] = {start: [_Hypotheses.start(*left)]}
    for pos in range(start, end):
        if pos not in pending:
            continue
        current = _Hypotheses.concat(pending.pop(pos))
        current = current.take(best_first(-(weights.lm * current.lm + current.channel), beam))
        o = _options(words, norm_tokens, pos, end, weights)
        if spelt and end - pos <= reach:
            spellable = [c == 0 or all(_may_spell(x, letters) for x in t.split()) for t, c in zip(o.texts, o.changed.tolist())]
            o = o.take(np.flatnonzero(spellable))
        rows = np.repeat(np.arange(len(current)), len(o))
        cols = np.tile(np.arange(len(o)), len(current))
        lp, nu, nv = _extend(lm, current.u, current.v, o.grid[cols], rows)
        lengths = o.length[cols]
        head_keys = current.key_parts()
        for length in np.flatnonzero(np.bincount(lengths)).tolist():  # the few lengths present, ascending
            at = np.flatnonzero(lengths == length)
            r, c = rows[at], cols[at]
            grown = _Hypotheses(
                heads=current.texts, head=r, tails=o.texts, tail=c, channel=current.channel[r] + o.channel[c],
                u=nu[at], v=nv[at], lm=current.lm[r] + lp[at], changed=current.changed[r] + o.changed[c],
                phrase=current.phrase[r] | o.phrase[c], head_keys=head_keys, tail_keys=o.keys,
            )  # fmt: skip
            pending.setdefault(pos + length, []).append(grown)
    return _Hypotheses.concat(pending[end]) if end in pending else None


def _ranked(
    lm, words, norm_tokens, start, end, weights: Weights, final: _Hypotheses | None, out: list[Suggestion], abbreviation,
    context, k,
):  # fmt: skip
    """The hypotheses scored with the words after the span (and the abbreviation bonus),
    normalised over all of them, best first after ``out`` (fingerprint hits), without the
    span as written; at most ``k``."""
    if final is None or not len(final):
        return out[:k]
    bracket, spelt = abbreviation
    written = " ".join(norm_tokens[start:end])
    right = norm_tokens[end : end + 2] + ([EOS] if context and end + 2 >= len(norm_tokens) else [])
    lp_right = _extend_by(lm, final.u, final.v, lm.ids(right))
    lm_total = final.lm + lp_right
    total = weights.lm * lm_total + final.channel
    if spelt:
        for i, text in enumerate(final.texts):
            if any(spells(norm_tokens[:start] + text.split() + norm_tokens[end:bracket], x) for x in spelt):
                total[i] += weights.acronym
    else:  # rows far below the best weigh nothing in the softmax: their texts are not built
        rows = np.flatnonzero((total >= total.max() - NEGLIGIBLE) | (final.changed == 0))  # and the span as written
        if len(rows) < len(final):
            final, total, lm_total = final.take(rows), total[rows], lm_total[rows]
    rows, identity = _distinct(final, total, written)
    post = np.exp(total[rows] - total[rows].max())
    post /= post.sum()
    seen = {c.text for c in out}
    rest = 1.0 - sum(c.score for c in out)  # what a fingerprint hit leaves to the search
    # rows are distinct texts: the written span and the fingerprint hits skip at most 1 + len(seen)
    for n in best_first_rows(-post, k - len(out) + len(seen) + 1):
        i = int(rows[n])
        text = final.text(i)
        if text == written or text in seen:
            continue
        gain = float(lm_total[i] - lm_total[identity]) if identity is not None else 0.0
        src = "phrase" if final.phrase[i] else "synonym"
        out.append(Suggestion(_surface(text, words[start:end]), float(post[n]) * rest, src, int(final.changed[i]), gain))
        if len(out) >= k:
            break
    return out


def _distinct(final: _Hypotheses, total: np.ndarray, written: str) -> tuple[np.ndarray, int | None]:
    """Each distinct text's best row (the first of equals), in the order the texts first
    occur; and the last row that reads ``written`` (None if none). Texts are joined only
    where rows share a key (:meth:`_Hypotheses.keys`): almost every row's text is distinct."""
    key = final.keys()
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.flatnonzero(np.concatenate([[True], sorted_key[1:] != sorted_key[:-1]]))
    sizes = np.diff(np.append(starts, len(key)))
    best, first = [order[starts[sizes == 1]]], [order[starts[sizes == 1]]]
    scores = total.tolist()
    for a, n in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist()):
        group: dict[str, list[int]] = {}  # text -> [best row, first row]; rows in ascending order
        for i in order[a : a + n].tolist():
            got = group.setdefault(final.text(i), [i, i])
            if scores[i] > scores[got[0]]:
                got[0] = i
        best.append(np.array([g[0] for g in group.values()], dtype=np.int64))
        first.append(np.array([g[1] for g in group.values()], dtype=np.int64))
    rows, firsts = np.concatenate(best), np.concatenate(first)
    by_first = np.full(len(key), -1, dtype=np.int64)  # each text's first row is its own: put them in row order
    by_first[firsts] = rows
    rows = by_first[by_first >= 0]
    written_key = _text_hashes([written])[0][0]
    identity = next((i for i in np.flatnonzero(key == written_key)[::-1].tolist() if final.text(i) == written), None)
    return rows, identity


def _bracket_after(words: Sequence[str], end: int, gap: int = 3) -> int | None:
    """Where an abbreviation in brackets opens right after ``words[:end]`` or after at most
    ``gap`` more words ("profound learning (DL)" for the span "profound"); None if none."""
    for j in range(end, min(end + gap + 1, len(words))):
        if words[j] == "(":
            return j if acronym_after(words, j) else None
        if not segment.is_word(words[j]):
            return None
    return None


def _may_spell(word: str, letters: set[str]) -> bool:
    """Whether a word brought in may start a letter of an abbreviation (function words may
    be skipped by it)."""
    return word in FUNCTION_WORDS or bool(letters & {s[0] for s in initials(word)})


def _term_beams(
    lm, words, norm_tokens, start: int, end: int, w: Weights, u0: int, v0: int, spelling: tuple[set[str], int] = (set(), 0)
) -> _Hypotheses | None:
    """Hypotheses from the known-term search, scored from the same history as the beam.
    ``spelling`` (letters, reach): an abbreviation follows, so within ``reach`` tokens of the
    end only words that may spell one of its letters are searched."""
    letters, reach = spelling
    options = [_word_channels(words, norm_tokens, a, w) for a in range(start, end)]
    options = [
        _spelling_only(lm, *opt, norm_tokens[a], letters) if letters and end - a <= reach else opt
        for opt, a in zip(options, range(start, end))
    ]
    found = search_terms(lm, options, limit=MAX_TERMS, count_weight=w.term_count)
    if not len(found):
        return None
    n = len(found)
    lp, nu, nv = _extend(lm, np.full(n, u0, dtype=np.int64), np.full(n, v0, dtype=np.int64), found.ids)
    written = lm.ids(norm_tokens[start:end])
    return _Hypotheses.of(
        found.texts(lm),
        found.channel + w.term_count * np.log(found.count),
        nu, nv, lp,
        (found.ids != written).sum(axis=1),
        np.zeros(n, dtype=bool),
    )  # fmt: skip


def _spelling_only(lm, ids: np.ndarray, scores: np.ndarray, written: str, letters: set[str]) -> tuple[np.ndarray, np.ndarray]:
    """The options of one position that keep the written word or may spell ``letters``."""
    keep = np.array([lm.words[i] == written or _may_spell(lm.words[i], letters) for i in ids.tolist()], dtype=bool)
    return ids[keep], scores[keep]


def _surface(text: str, written: Sequence[str]) -> str:
    """Give a restored phrase the written span's capitalisation where words are kept (a
    capital opening it, not an abbreviation's: "PC" -> "computer"), and punctuation its
    usual spacing ("micro, small (and) medium")."""
    kept = {segment.norm(w): w for w in written}
    words = [kept.get(w, w) for w in text.split()]
    opens = written and written[0][:1].isupper() and not (len(written[0]) > 1 and written[0].isupper())
    if opens and words and words[0][:1].islower():
        words[0] = words[0][:1].upper() + words[0][1:]
    return _TIGHT_OPEN.sub(r"\1", _TIGHT_CLOSE.sub(r"\1", " ".join(words)))


_TIGHT_CLOSE = re.compile(r" ([,.;:!?%)\]])")
_TIGHT_OPEN = re.compile(r"([(\[$]) ")


def agree(spans: Sequence[tuple[str, Sequence[Suggestion]]]) -> list[list[Suggestion]]:
    """One document's spans, each as its written text and its suggestions: a written text
    that recurs (compared word by word, case aside) gets the same suggestions in each place,
    ranked by their mean probability over its places (nought where a place did not suggest
    it), so that each context adds its evidence and a recurring spun term reads as one
    original throughout. Each place keeps the capitals of its own writing. Spans whose text
    occurs once keep their suggestions as they are."""
    keys = [" ".join(segment.norm(t.text) for t in segment.tokenize(written)) for written, _ in spans]
    places: dict[str, list[int]] = {}
    for i, (key, (_, found)) in enumerate(zip(keys, spans)):
        if found:
            places.setdefault(key, []).append(i)
    out = [list(found) for _, found in spans]
    for at in places.values():
        if len(at) < 2:
            continue
        total: dict[str, float] = {}
        first: dict[str, Suggestion] = {}
        for i in at:
            for c in spans[i][1]:
                text = c.text.lower()
                total[text] = total.get(text, 0.0) + c.score / len(at)
                first.setdefault(text, c)
        k = max(len(spans[i][1]) for i in at)
        best = sorted(total, key=lambda t: -total[t])[:k]
        for i in at:
            own = {c.text.lower(): c for c in spans[i][1]}
            written = [t.text for t in segment.tokenize(spans[i][0])]
            out[i] = [
                dataclasses.replace(own[t], score=total[t])
                if t in own
                else dataclasses.replace(first[t], text=_surface(t, written), score=total[t])
                for t in best
            ]
    return out


def suggest(
    phrase: str,
    context: str | None = None,
    k: int = 5,
    *,
    use_fingerprints: bool = True,
    weights: Weights | None = None,
) -> list[Suggestion]:
    """Likely originals of a (possibly spun) ``phrase``, best first.

    ``context`` is the sentence the phrase occurs in; without it the phrase is scored as a
    sentence of its own. An abbreviation in brackets at its end ("artificial data (ai)") is
    kept as written and guides the search. Phrases with no words, or longer than
    ``MAX_SPAN_TOKENS`` tokens (that abbreviation not counted), give an empty list.
    """
    if not isinstance(phrase, str) or not isinstance(context, (str, type(None))):
        raise TypeError("phrase and context must be str (decode bytes first)")
    tokens = segment.tokenize(phrase)
    span = [t.text for t in tokens]
    if not any(segment.is_word(t) for t in span) or len(span) > MAX_SPAN_TOKENS + 3:
        return []
    suffix = ""
    if len(span) > 3 and acronym_after(span, len(span) - 3):
        # "artificial data (ai)": restore the term, keep its abbreviation as written.
        suffix = phrase[tokens[-4].end : tokens[-1].end]
    elif len(span) > MAX_SPAN_TOKENS:
        return []
    words, start = span, 0
    if context:
        ctx = [t.text for t in segment.tokenize(context)]
        key = [segment.norm(t) for t in span]
        norm_ctx = [segment.norm(t) for t in ctx]
        hit = next((i for i in range(len(ctx) - len(span) + 1) if norm_ctx[i : i + len(span)] == key), None)
        if hit is None or len(ctx) == len(span):
            log.warning("phrase %r not found in its context; scoring it alone", phrase)
        else:
            words, start = ctx, hit
    end = start + len(span) - (3 if suffix else 0)
    found = restore_span(words, start, end, k=k, use_fingerprints=use_fingerprints, weights=weights, context=words is not span)
    return [dataclasses.replace(c, text=c.text + suffix) for c in found]
