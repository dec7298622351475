"""The machine-translation signal: how likely a text is machine-translated into English.

A second score beside the spin score, never mixed into it. Each sentence is counted once
(:func:`sentence_counts`: function words, punctuation, function-word patterns, sentence
openings, marker words, lengths); a document's features are rates over the sum of its
sentences' counts, a sentence's over its own (:func:`rates`). A document also gets
measures of lexical variety, repetition and words left untranslated (:func:`variety`),
which need its words in order (:func:`document_features`). Two gradient-boosted tree
ensembles, one for documents and one for sentences, turn the rates into probabilities.
Their trees and thresholds are a data artifact of plain arrays and JSON
(``python -m spundetect.build translated``), so loading runs no code.

The features are about style, which carries across topics and systems: no topical word is
one, curly and straight quotes count alike, and the language model is not used (it was
trained on part of the original-English corpus the classifier learns from).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Sequence

import numpy as np

from . import segment
from .channel import FUNCTION_WORDS
from .lexicon import ArtifactError, load_artifact
from .model import TreeEnsemble
from .results import Translated

__all__ = [
    "Translated", "TranslationScores", "TranslationModel", "translation_model", "sentence_counts", "rates",
    "count_names", "rate_names", "pattern_bigrams", "variety", "document_features", "document_feature_names",
    "word_count", "MIN_DOCUMENT_WORDS", "VARIETY",
]  # fmt: skip

FUNCTION = tuple(sorted(FUNCTION_WORDS))
#: punctuation counted, after curly and dash forms are folded into plain ones
PUNCT = tuple(",.;:!?\"'()-%$/&")
FOLD = {"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "‐": "-"}
#: sentence openings counted (any other first word is "other")
OPENINGS = tuple(
    """the in he she it this however but and a they we i " at on according as for with after since although while
    meanwhile also moreover furthermore therefore thus additionally so there these that if when to from by previously
    currently now then yet still besides instead nevertheless consequently accordingly""".split()
)
#: words translated text is known to over- or under-use whatever the topic (reporting verbs,
#: connectives, the general nouns of officialese, informal words), counted per word
MARKERS = tuple(
    """said says say noted stressed stated emphasized emphasised pointed added explained indicated highlighted underlined
    announced told reported claimed believes according regard regarding respect terms aspect aspects field level process
    situation issue issues measures carry carried implement implementation relevant respective corresponding certain
    various significant significantly addition additionally furthermore moreover however therefore thus meanwhile
    currently previously already also just really actually quite pretty lot lots got gonna kind sort way thing things
    stuff okay ok yeah well let's it's don't can't won't i'm we're they're that's there's""".split()
)
#: counts kept per sentence before the per-word and per-sentence columns
SCALARS = (
    "words", "sentences", "words_sq", "word_chars", "capitals", "digits", "contractions", "hyphenated", "long_words", "content",
)  # fmt: skip
#: a document with fewer words is given a score but never called likely machine-translated
MIN_DOCUMENT_WORDS = 60
#: a document's lexical variety and repetition (:func:`variety`), after its rates
VARIETY = (
    "moving_type_token", "content_type_token", "content_repeated", "same_opening", "non_ascii_words", "word_doubled",
    "trigram_repeated",
)  # fmt: skip
VARIETY_WINDOW = 50  # words in each window of the moving type-token ratio


def pattern_bigrams(norms: Sequence[str]) -> list[str]:
    """Function-word patterns of adjacent words: "of the", "* of", "the *" ("*": any other word)."""
    fw = [w if w in FUNCTION_WORDS else "*" for w in norms]
    return [a + " " + b for a, b in zip(fw, fw[1:])]


def count_names(bigrams: Sequence[str]) -> list[str]:
    """The columns of :func:`sentence_counts` with the pattern vocabulary ``bigrams``."""
    return (
        list(SCALARS) + [f"fw:{w}" for w in FUNCTION] + [f"punct:{p}" for p in PUNCT]
        + [f"open:{w}" for w in OPENINGS] + ["open:other"] + [f"mark:{w}" for w in MARKERS]
        + [f"pat:{b}" for b in bigrams]
    )  # fmt: skip


def sentence_counts(
    sentences: Sequence[Sequence[str]], bigrams: Sequence[str], words: list[list[str]] | None = None
) -> np.ndarray:
    """One row of counts per tokenised sentence (columns: :func:`count_names`). Each
    sentence's normalised words are appended to ``words`` when it is given (for
    :func:`variety`)."""
    names = count_names(bigrams)
    width, other = len(names), names.index("open:other")
    open_col = {w: names.index(f"open:{w}") for w in OPENINGS}
    pat_col = {b: width - len(bigrams) + k for k, b in enumerate(bigrams)}
    out = np.zeros((len(sentences), width))
    for i, tokens in enumerate(sentences):
        acc = [0] * width
        norms: list[str] = []
        first = None
        for j, t in enumerate(tokens):
            w, increments, flag = _token(t)
            for c, v in increments:
                acc[c] += v
            if w is None:  # punctuation; ``flag``: a quotation mark (it can open a sentence)
                if first is None and flag:
                    first = '"'
                continue
            first = w if first is None else first
            norms.append(w)
            acc[4] += flag and j > 0  # capitalised inside the sentence
        acc[1] = 1
        acc[2] = acc[0] ** 2
        if first is not None:
            acc[open_col.get(first, other)] += 1
        for b in pattern_bigrams(norms):
            if b in pat_col:
                acc[pat_col[b]] += 1
        out[i] = acc
        if words is not None:
            words.append(norms)
    return out


_TOKENS: dict[str, tuple] = {}  # token text -> what it adds to its sentence's counts (memo)
MAX_MEMO = 500_000


def _token(t: str) -> tuple[str | None, tuple[tuple[int, int], ...], bool]:
    """(its normalised form, or None for punctuation; the (column, count) pairs it adds; a
    flag: capitalised for a word, a quotation mark for punctuation)."""
    got = _TOKENS.get(t)
    if got is not None:
        return got
    fw, mark, punct = _columns()
    f = FOLD.get(t, t)
    if not segment.is_word(f):
        got = (None, ((punct[f], 1),) if f in punct else (), f == '"')
    else:
        w = segment.norm(f)
        inc = [(0, 1), (3, len(f))]
        inc += [(k, 1) for k, hit in ((5, w == "<num>"), (6, "'" in w), (7, "-" in w), (8, len(w) >= 10)) if hit]
        inc += [(mark[w], 1)] if w in mark else []
        inc += [(fw[w], 1)] if w in fw else ([(9, 1)] if w != "<num>" else [])
        got = (w, tuple(inc), f[0].isupper() and not f.isupper())
    if len(_TOKENS) >= MAX_MEMO:
        _TOKENS.clear()
    _TOKENS[t] = got
    return got


@cache
def _columns() -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Columns of the function words, marker words and punctuation (before the patterns)."""
    col = {n: i for i, n in enumerate(count_names(()))}
    return (
        {w: col[f"fw:{w}"] for w in FUNCTION}, {w: col[f"mark:{w}"] for w in MARKERS}, {p: col[f"punct:{p}"] for p in PUNCT},
    )  # fmt: skip


def rates(counts: np.ndarray) -> np.ndarray:
    """Features from summed counts (one row per document or sentence): log word count,
    sentence-length mean and spread, word length; every other count per word, openings per
    sentence (columns: :func:`rate_names`)."""
    c = np.atleast_2d(np.asarray(counts, dtype=float))
    words = np.maximum(c[:, :1], 1)
    sents = np.maximum(c[:, 1:2], 1)
    mean_len = c[:, 0] / sents[:, 0]
    spread = np.sqrt(np.maximum(c[:, 2] / sents[:, 0] - mean_len**2, 0)) / np.maximum(mean_len, 1)
    scalars = np.column_stack([np.log1p(c[:, 0]), np.log1p(mean_len), spread, c[:, 3] / words[:, 0], c[:, 4:10] / words])
    rest = c[:, len(SCALARS) :] / words
    at = len(FUNCTION) + len(PUNCT)
    rest[:, at : at + len(OPENINGS) + 1] = c[:, len(SCALARS) + at : len(SCALARS) + at + len(OPENINGS) + 1] / sents
    return np.hstack([scalars, rest])


def rate_names(bigrams: Sequence[str]) -> list[str]:
    head = ["log_words", "log_mean_sentence_words", "sentence_words_spread", "word_chars"] + list(SCALARS[4:])
    return head + count_names(bigrams)[len(SCALARS) :]


def variety(sentences: Sequence[Sequence[str]]) -> list[float]:
    """Lexical variety and repetition of one tokenised document (names: :data:`VARIETY`)."""
    return _variety([[w for w in (_token(t)[0] for t in tokens) if w is not None] for tokens in sentences])


def _variety(words: Sequence[Sequence[str]]) -> list[float]:
    """:func:`variety` of a document's sentences as normalised words (punctuation left out,
    as :func:`sentence_counts` gives them): the mean type-token ratio of its windows of
    VARIETY_WINDOW words (of all its words when shorter); distinct content words per content
    word; the share of content words that already occur in the sentence before; the share
    of sentences that open with the same word as the one before; words with a letter
    outside ASCII (names and words left untranslated) and words that repeat the word before
    ("the the"), per word; word trigrams that repeat one earlier in their sentence, per
    trigram (a system looping)."""
    flat: list[str] = []
    repeated = content = doubled = looped = trigrams = foreign = 0
    before: set[str] = set()
    distinct: set[str] = set()
    openings: list[str] = []
    for norms in words:
        here = [w for w in norms if w not in FUNCTION_WORDS and w != "<num>"]
        content += len(here)
        repeated += sum(w in before for w in here) if before else 0
        before = set(here)
        distinct |= before
        openings.append(norms[0] if norms else "")
        doubled += sum(a == b for a, b in zip(norms, norms[1:]))
        grams = list(zip(norms, norms[1:], norms[2:]))
        trigrams += len(grams)
        looped += len(grams) - len(set(grams))
        foreign += sum(not w.isascii() for w in norms)
        flat += norms
    n = len(flat)
    if n > VARIETY_WINDOW:
        # word j is new to window s (words s .. s+W-1) when s <= j < s+W and its last
        # occurrence before j is before s: so many windows count it among their types
        last: dict[str, int] = {}
        prev = np.empty(n, dtype=np.int64)
        for j, w in enumerate(flat):
            prev[j] = last.get(w, -1)
            last[w] = j
        at = np.arange(n)
        first = np.maximum(prev + 1, at - VARIETY_WINDOW + 1)
        types = int(np.maximum(np.minimum(at, n - VARIETY_WINDOW) - first + 1, 0).sum())
        moving = types / (n - VARIETY_WINDOW + 1) / VARIETY_WINDOW
    else:
        moving = len(set(flat)) / max(n, 1)
    same = sum(a == b for a, b in zip(openings, openings[1:])) / max(len(openings) - 1, 1)
    per_content, per_word = max(content, 1), max(n, 1)
    return [
        moving, len(distinct) / per_content, repeated / per_content, same, foreign / per_word, doubled / per_word,
        looped / max(trigrams, 1),
    ]  # fmt: skip


def document_features(documents: Sequence[Sequence[Sequence[str]]], bigrams: Sequence[str]) -> np.ndarray:
    """One row per tokenised document: the rates of its summed sentence counts, then its
    :func:`variety` (columns: :func:`document_feature_names`)."""
    words: list[list[list[str]]] = [[] for _ in documents]
    counts = [sentence_counts(d, bigrams, w) for d, w in zip(documents, words)]
    return _document_rows(counts, words, len(count_names(bigrams)))


def _document_rows(counts: Sequence[np.ndarray], words: Sequence[Sequence[Sequence[str]]], width: int) -> np.ndarray:
    """:func:`document_features` from each document's sentence counts and normalised words."""
    summed = np.array([c.sum(axis=0) for c in counts]).reshape(-1, width)
    measures = np.array([_variety(w) for w in words]).reshape(-1, len(VARIETY))
    return np.hstack([rates(summed), measures])


def word_count(sentences: Sequence[Sequence[str]]) -> int:
    """Words in a tokenised document, as the counts count them (punctuation is not a word)."""
    return sum(_token(t)[0] is not None for tokens in sentences for t in tokens)


def document_feature_names(bigrams: Sequence[str]) -> list[str]:
    return rate_names(bigrams) + list(VARIETY)


@dataclass(frozen=True)
class TranslationScores:
    """What :meth:`TranslationModel.score` gives for one document."""

    document: Translated
    sentences: tuple[Translated, ...]


class TranslationModel:
    """The document and sentence classifiers of the ``translated`` artifact, with their
    thresholds (each flags 1 % of the validation split's original-English texts)."""

    def __init__(self, header: dict, weights: dict, arrays: dict[str, np.ndarray]):
        self.bigrams = tuple(weights["bigrams"])
        if weights.get("document_features") != document_feature_names(self.bigrams):
            raise ArtifactError(
                "data 'translated' was built with other features; rebuild it with `python -m spundetect.build translated`"
            )
        self.thresholds = {k: float(v) for k, v in weights["thresholds"].items()}
        self.document, self.sentence = (
            TreeEnsemble.from_arrays({k: arrays[f"{name}_{k}"] for k in TreeEnsemble.ARRAYS}, weights["baseline"][name])
            for name in ("document", "sentence")
        )
        self.sha256 = header.get("sha256", "")
        self.header = header

    def score(self, sentences: Sequence[Sequence[str]]) -> TranslationScores:
        """Scores of one document and of each of its tokenised sentences."""
        return self.score_many([sentences])[0]

    def score_many(self, documents: Sequence[Sequence[Sequence[str]]]) -> list[TranslationScores]:
        """:meth:`score` for each document, with one call of each classifier for all."""
        words: list[list[list[str]]] = [[] for _ in documents]
        counts = [sentence_counts(d, self.bigrams, w) for d, w in zip(documents, words)]
        width = len(count_names(self.bigrams))
        doc_p = self.document.proba(_document_rows(counts, words, width))
        flat = np.vstack(counts) if counts else np.zeros((0, width))
        sent_p = self.sentence.proba(rates(flat)) if len(flat) else np.zeros(0)
        out, at = [], 0
        for c, p in zip(counts, doc_p):
            words = c[:, 0]
            likely = bool(len(c) and p >= self.thresholds["document"] and words.sum() >= MIN_DOCUMENT_WORDS)
            cut = self.thresholds["sentence"]
            sents = tuple(Translated(float(q), bool(n > 0 and q >= cut)) for q, n in zip(sent_p[at : at + len(c)], words))
            out.append(TranslationScores(Translated(float(p) if len(c) else 0.0, likely), sents))
            at += len(c)
        return out


@cache
def translation_model() -> TranslationModel:
    """The packaged machine-translation model (loaded on first use, then cached)."""
    art = load_artifact("translated")
    return TranslationModel(art.header, json.loads(art.text("weights.json")), art.arrays)
