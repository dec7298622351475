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
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Sequence

import numpy as np

from . import segment
from .candidates.acronyms import acronym_after, initials, spells
from .candidates.fingerprints import fingerprints
from .candidates.phrases import MAX_PHRASE_WORDS, phrase_table
from .candidates.synonyms import MOBY_FWD, Link, thesaurus
from .candidates.terms import search_terms
from .channel import FUNCTION_WORDS, Weights, fitted_weights, keep_score, link_score, phrase_score, swap_base
from .lm import BOS, EOS, language_model
from .results import Suggestion

__all__ = ["restore_span", "suggest", "MAX_SPAN_TOKENS"]

log = logging.getLogger(__name__)

MAX_SPAN_TOKENS = 8  # longer phrases are not searched (a spun span is a few words)
MAX_TERMS = 400  # known-term hypotheses kept for language-model scoring


@dataclass
class _Beam:
    ids: list[int]
    words: list[str]
    channel: float
    u: int
    v: int
    lm: float
    changed: int
    sources: set = field(default_factory=set)


def _proper(words: Sequence[str], a: int) -> bool:
    """A name or an acronym: capitalised inside the sentence, all capitals, or an
    abbreviation in brackets ("(ai)"). Most spinners leave these alone, so the search keeps
    them as written."""
    if words[a][:1].isupper() and (a > 0 or (len(words[a]) > 1 and words[a].isupper())):
        return True
    return a > 0 and bool(acronym_after(words, a - 1))


def _swap_base(words: Sequence[str], norm_tokens: Sequence[str], a: int, length: int, w: Weights) -> float:
    """Channel log-weight of swapping ``length`` tokens at ``a``, before the link terms (the
    search keeps names as written, so none is proper here)."""
    return swap_base(length == 1 and norm_tokens[a] in FUNCTION_WORDS, False, w)


def _link_score(link: Link, base: float, w: Weights) -> float:
    unigram = float(language_model().unigram_logp(link.original.split()).sum()) if w.frequency else 0.0
    return link_score(base, bool(link.bits & MOBY_FWD), link.n_sources, math.log(link.degree + 1), unigram, w)


def _keep_score(norm_word: str, w: Weights) -> float:
    return keep_score(norm_word in FUNCTION_WORDS, w)


@lru_cache(maxsize=100_000)
def _links(written: str) -> tuple[Link, ...]:
    """Thesaurus originals of a written word or phrase that the corpus knows."""
    known = language_model().known
    return tuple(link for link in thesaurus().originals(written) if all(map(known, link.original.split())))


def _options(words: Sequence[str], norm_tokens: Sequence[str], a: int, end: int, w: Weights):
    """(length, emitted words, channel log-weight, source) options starting at token ``a``."""
    pt = phrase_table()
    word = norm_tokens[a]
    opts = [(1, [word], _keep_score(word, w), None)]
    if not segment.is_word(word) or word == "<num>" or _proper(words, a):
        return opts
    for length in range(1, min(MAX_PHRASE_WORDS, end - a) + 1):
        sub = " ".join(norm_tokens[a : a + length])
        if length <= 3:
            base = _swap_base(words, norm_tokens, a, length, w)
            for link in _links(sub):
                opts.append((length, link.original.split(), _link_score(link, base, w), "synonym"))
        for swap in pt.originals(sub):
            score = phrase_score(swap.curated, w)
            opts.append((length, swap.original.split(), score, "phrase"))
    if "-" in word:
        opts += [(1, [alt], score, "synonym") for alt, score in _hyphen_options(words, norm_tokens, a, w).items()]
    return opts


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
            if known(alt) and alt not in out:
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


@lru_cache(maxsize=20_000)
def _channels_of(word: str, w: Weights) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cached, context-free part of :func:`_word_channels`: sorted ids, channel
    log-weights without the swap base, and whether the swap base applies (a link, not the
    word kept). Callers must not modify the arrays."""
    out = {word: (_keep_score(word, w), 0.0)}
    hop1 = [link for link in _links(word) if " " not in link.original]
    for link in hop1:
        out.setdefault(link.original, (_link_score(link, 0.0, w), 1.0))
    if w.two_hop > -50:
        for first in hop1:
            for link in _links(first.original):
                if " " not in link.original and link.original not in out:
                    out[link.original] = (_link_score(link, w.two_hop, w), 1.0)
    vocab = language_model().vocab
    rows = sorted((vocab[x], sc, ln) for x, (sc, ln) in out.items() if x in vocab)
    return (
        np.array([r[0] for r in rows], dtype=np.int64),
        np.array([r[1] for r in rows], dtype=np.float64),
        np.array([r[2] for r in rows], dtype=np.float64),
    )


def _extend(lm, u: np.ndarray, v: np.ndarray, seqs: list[list[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """LM log p of each id sequence after its (u, v) history; new histories."""
    n = len(seqs)
    m = max((len(s) for s in seqs), default=0)
    grid = np.full((n, m), -1, dtype=np.int64)
    for r, s in enumerate(seqs):
        grid[r, : len(s)] = s
    total = np.zeros(n)
    u, v = u.copy(), v.copy()
    for t in range(m):
        mask = grid[:, t] >= 0
        w = grid[mask, t]
        total[mask] += lm.logprob_ids(u[mask], v[mask], w)
        u[mask], v[mask] = v[mask], w
    return total, u, v


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
        final += _term_beams(lm, words, norm_tokens, start, end, weights, u0, v0, spelling[1:])
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
    """The expected originals of a known tortured phrase written at ``words[start:end]``."""
    fps = fingerprints()
    fp = fps.lookup(" ".join(words[start:end])) or (fps.lookup(" ".join(words[start : end + 3])) if bracket == end else None)
    return [Suggestion(e, 0.99, "fingerprint", len(e.split())) for e in fp.expected] if fp is not None else []


def _beam_search(lm, words, norm_tokens, start: int, end: int, weights: Weights, left: tuple[int, int], spelling, beam: int):
    """Every hypothesis for tokens start..end-1 (a beam of ``beam`` per position): each token
    kept, or a run of tokens swapped back through a thesaurus link or a phrase-table row."""
    spelt, letters, reach = spelling
    beams: dict[int, list[_Beam]] = {start: [_Beam([], [], 0.0, left[0], left[1], 0.0, 0)]}
    for pos in range(start, end):
        current = beams.pop(pos, [])
        if not current:
            continue
        current.sort(key=lambda b: -(weights.lm * b.lm + b.channel))
        current = current[:beam]
        opts = _options(words, norm_tokens, pos, end, weights)
        if spelt and end - pos <= reach:
            opts = [o for o in opts if o[3] is None or all(_may_spell(x, letters) for x in o[1])]
        pairs = [(b, o) for b in current for o in opts]
        opt_ids = [lm.ids(o[1]).tolist() for o in opts]
        seqs = [opt_ids[j] for _ in current for j in range(len(opts))]
        u = np.array([b.u for b, _ in pairs], dtype=np.int64)
        v = np.array([b.v for b, _ in pairs], dtype=np.int64)
        lp, nu, nv = _extend(lm, u, v, seqs)
        for r, (b, (length, emitted, ch, src)) in enumerate(pairs):
            nb = _Beam(
                b.ids + seqs[r],
                b.words + emitted,
                b.channel + ch,
                int(nu[r]),
                int(nv[r]),
                b.lm + float(lp[r]),
                b.changed + (0 if src is None else max(length, len(emitted))),
                b.sources | ({src} if src else set()),
            )
            beams.setdefault(pos + length, []).append(nb)
    return beams.get(end, [])


def _ranked(lm, words, norm_tokens, start, end, weights: Weights, final, out: list[Suggestion], abbreviation, context, k):
    """The hypotheses scored with the words after the span (and the abbreviation bonus),
    normalised over all of them, best first after ``out`` (fingerprint hits), without the
    span as written; at most ``k``."""
    bracket, spelt = abbreviation
    written = " ".join(norm_tokens[start:end])
    right = norm_tokens[end : end + 2] + ([EOS] if context and end + 2 >= len(norm_tokens) else [])
    right_ids = lm.ids(right).tolist()
    u = np.array([b.u for b in final], dtype=np.int64)
    v = np.array([b.v for b in final], dtype=np.int64)
    lp_right, _, _ = _extend(lm, u, v, [right_ids] * len(final))
    best: dict[str, tuple[float, _Beam, float]] = {}
    identity_lm = None
    for b, r in zip(final, lp_right):
        text = " ".join(b.words)
        lm_total = b.lm + float(r)
        total = weights.lm * lm_total + b.channel
        if spelt and any(spells(norm_tokens[:start] + b.words + norm_tokens[end:bracket], x) for x in spelt):
            total += weights.acronym
        if text == written:
            identity_lm = lm_total
        if text not in best or total > best[text][0]:
            best[text] = (total, b, lm_total)
    if not best:
        return out[:k]
    totals = np.array([t for t, _, _ in best.values()])
    post = np.exp(totals - totals.max())
    post /= post.sum()
    ranked = sorted(zip(post, best.items()), key=lambda x: -x[0])
    seen = {c.text for c in out}
    rest = 1.0 - sum(c.score for c in out)  # what a fingerprint hit leaves to the search
    for p, (text, (_, b, lm_total)) in ranked:
        if text == written or text in seen:
            continue
        gain = lm_total - identity_lm if identity_lm is not None else 0.0
        src = "phrase" if "phrase" in b.sources else "synonym"
        out.append(Suggestion(_surface(text, words[start:end]), float(p) * rest, src, b.changed, gain))
        if len(out) >= k:
            break
    return out


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
) -> list[_Beam]:
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
    if not found:
        return []
    seqs = [lm.ids(t[0]).tolist() for t in found]
    n = len(seqs)
    lp, nu, nv = _extend(lm, np.full(n, u0, dtype=np.int64), np.full(n, v0, dtype=np.int64), seqs)
    written = norm_tokens[start:end]
    beams = []
    for r, (term, channel, count) in enumerate(found):
        changed = sum(a != b for a, b in zip(term, written))
        channel += w.term_count * math.log(count)
        beams.append(_Beam(seqs[r], term, channel, int(nu[r]), int(nv[r]), float(lp[r]), changed, {"synonym"}))
    return beams


def _spelling_only(lm, ids: np.ndarray, scores: np.ndarray, written: str, letters: set[str]) -> tuple[np.ndarray, np.ndarray]:
    """The options of one position that keep the written word or may spell ``letters``."""
    keep = np.array([lm.words[i] == written or _may_spell(lm.words[i], letters) for i in ids.tolist()], dtype=bool)
    return ids[keep], scores[keep]


def _surface(text: str, written: Sequence[str]) -> str:
    """Give a restored phrase the written span's capitalisation where words are kept, and
    punctuation its usual spacing ("micro, small (and) medium")."""
    kept = {segment.norm(w): w for w in written}
    words = [kept.get(w, w) for w in text.split()]
    if written and written[0][:1].isupper() and words and words[0][:1].islower():
        words[0] = words[0][:1].upper() + words[0][1:]
    return _TIGHT_OPEN.sub(r"\1", _TIGHT_CLOSE.sub(r"\1", " ".join(words)))


_TIGHT_CLOSE = re.compile(r" ([,.;:!?%)\]])")
_TIGHT_OPEN = re.compile(r"([(\[$]) ")


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
