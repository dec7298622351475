"""The pipeline: text -> sentences -> token features -> span, sentence, document scores -> Report.

Word rows get a first-stage span probability; sentences are scored from those, and spans
from a second stage that weighs each word's probability among its neighbours', its
sentence's and its document's (``features.context_rows``). Flagged words (second-stage
probability at or above the model's span threshold) are merged with their flagged
neighbours and with any curated multiword swap or fingerprint they touch into spans; each
span gets its suggested originals from the restore search in its sentence, and a span
text that recurs in the document the suggestions of all its places pooled
(:func:`spundetect.restore.agree`).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, replace
from functools import cache
from pathlib import Path
from typing import NamedTuple, Sequence

import numpy as np

from . import segment
from .candidates.acronyms import acronym_after
from .candidates.compiled import candidates
from .candidates.fingerprints import fingerprints
from .candidates.phrases import MAX_PHRASE_WORDS, phrase_table
from .channel import FEATURE_WEIGHTS, FUNCTION_WORDS
from .contextual import ContextualModel, combine, for_spin_model, may_reach
from .features import SentenceRows, document_rows, sentence_rows, token_rows_batch
from .lm import language_model
from .model import ModelError, SpinModel, load_model
from .restore import agree, agreeing_article, restore_span
from .results import (
    KNOWN_PHRASES_NOTE,
    MIN_ALTERNATIVE,
    Report,
    SentenceResult,
    Span,
    Suggestion,
    Translated,
    spun_by_known,
    verdict_of,
)
from .translated import TranslationScores, translation_model

__all__ = ["Detector", "check", "document_score", "DocumentScores", "Decision", "SpanGroup"]

log = logging.getLogger(__name__)

MAX_SPAN_WORDS = 4
COLLOCATION_RATIO = 10  # a restored pair this much more frequent than the written one
# A span's restoration takes in a neighbouring content word at this span probability: on the
# validation split such neighbours were spun 84 times in 99 when the joint restoration
# changed them, and under 0.4 about half the time or less; restored jointly, the stretch came
# out right 26 times instead of 2.
NEIGHBOUR_P = 0.4
N_SUGGESTIONS = 3
BATCH_TOKENS = 1500  # token features are computed this many tokens at a time
MAX_SENTENCE_TOKENS = 150  # longer "sentences" (no punctuation) are scored in pieces
MIN_LANGUAGE_WORDS, MIN_FUNCTION_RATE, MIN_ENGLISH_KNOWN = 8, 0.08, 0.5


class Detector:
    """Scores documents with a trained :class:`~spundetect.model.SpinModel`.

    ``threshold`` overrides the model's sentence and document thresholds (``spun`` flags);
    ``span_threshold`` overrides its span thresholds, in every sentence (lower: weaker
    suspicions shown too; fingerprint matches are always shown). Scores themselves do not
    change. ``suggestions`` is how many originals to suggest per span (0: none, and no
    restore search: the fast way to score a crawl). ``translated`` adds the
    machine-translation signal (:mod:`spundetect.translated`) to every document and
    sentence, apart from the spin scores. ``contextual`` (a
    :class:`~spundetect.contextual.ContextualModel`, opt-in) reads every sentence a second
    time with a transformer encoder: each sentence gets a contextual score, the mean of the
    spin model's probability and the encoder's, and is flagged also where that reaches the
    stage's threshold (see :meth:`decide`). The stage reads only the sentences whose score
    could reach its threshold (:func:`~spundetect.contextual.may_reach`; the others' is
    None), unless ``contextual_every``.
    """

    def __init__(
        self,
        model: SpinModel,
        *,
        threshold: float | None = None,
        span_threshold: float | None = None,
        suggestions: int = N_SUGGESTIONS,
        translated: bool = True,
        contextual: ContextualModel | None = None,
        contextual_every: bool = False,
    ):
        self.model = model
        self.contextual = contextual
        self.contextual_every = contextual_every
        self.threshold = threshold
        self.span_threshold = span_threshold
        self.suggestions = suggestions
        self.translated = translated

    @classmethod
    def load(cls, path: str | Path | None = None, *, trust: bool = False, contextual: bool = False, **kwargs) -> "Detector":
        """The packaged model, or a model folder/file at ``path`` (checksum-verified);
        ``contextual``: with the contextual stage (:mod:`spundetect.contextual`; raises
        :class:`~spundetect.contextual.ContextualError` when it cannot run)."""
        model = load_model(Path(path) if path else None, trust=trust)
        _check_features(model)
        _check_artifacts(model)
        stage = for_spin_model(model.meta.get("sha256", "")) if contextual else None
        return cls(model, contextual=stage, **kwargs)

    def warm(self) -> "Detector":
        """Load the lexical data every check needs now (the LM vocabulary, pair table and key
        filters, the thesaurus and candidate tables, the phrase table, the fingerprints),
        without running the model: worker processes forked afterwards share them instead of
        each loading its own. lemminflect's tables are left to the restore search, the one
        stage that reads them: a worker loads them when it first restores a span, while the
        other works (the parent loading them would hold up every worker)."""
        from .candidates.synonyms import thesaurus

        thesaurus().index
        if self.translated:
            translation_model()
        token_rows_batch([("The", "minister", "spoke", "at", "a", "press", "convention", "in", "the", "capital", ".")] * 10)
        return self

    @property
    def document_threshold(self) -> float:
        """The spin score from which a document is likely spun (with a flagged sentence)."""
        return self.threshold if self.threshold is not None else self.model.thresholds["document"]

    @property
    def sentence_threshold(self) -> float:
        """The score from which a sentence is flagged on its own evidence (a sentence in a
        spun document is flagged lower; see :meth:`decide`)."""
        return self.threshold if self.threshold is not None else self.model.thresholds["sentence"]

    @property
    def model_info(self) -> dict[str, str]:
        meta = self.model.meta
        info = {"name": meta.get("name", ""), "version": meta.get("version", ""), "sha256": meta.get("sha256", "")}
        if self.contextual is not None:
            info["contextual"] = self.contextual.sha256
        return info

    def check(self, text: str, path: str | None = None, *, source_offsets: np.ndarray | None = None) -> Report:
        """Score ``text``; every offset in the report indexes ``text`` as given
        (``source_offsets`` maps them further, e.g. into the HTML the text came from)."""
        return self.check_many([text], [path], [source_offsets])[0]

    def check_many(
        self,
        texts: Sequence[str],
        paths: Sequence[str | None] | None = None,
        source_offsets: Sequence[np.ndarray | None] | None = None,
    ) -> list[Report]:
        """Score several documents at once: the same reports as :meth:`check` one by one,
        with one model call for all of them (each call has a fixed cost of some
        milliseconds, as much as scoring a few hundred words: batch short documents)."""
        if isinstance(texts, str):
            raise TypeError("check_many takes a list of texts; check one text with check()")
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"a text to check must be str, not {type(text).__name__} (decode bytes first)")
        paths = paths or [None] * len(texts)
        source_offsets = source_offsets or [None] * len(texts)
        docs, scored = [], []
        for text in texts:
            sents = segment.sentences(text, MAX_SENTENCE_TOKENS)
            language = _language_note(sents)
            docs.append((sents, language))
            if not language:
                scored.append([[t.text for t in s.tokens] for s in sents])
        results = iter(self.score_many(scored))
        reports = []
        for text, path, offsets, (sents, language) in zip(texts, paths, source_offsets, docs):
            words = [sentence_words(s.tokens) for s in sents]
            if language:
                empty = tuple(SentenceResult(s.start, s.end, 0.0, False) for s in sents)
                report = Report(
                    text, 0.0, False, sum(words), empty, path, self.model_info, (language,), offsets,
                    threshold=self.document_threshold,
                )  # fmt: skip
            else:
                report = self._report(text, path, offsets, sents, words, next(results))
            reports.append(report)
        return self._with_translated(reports, docs)

    def _with_contextual(
        self, scores: list[DocumentScores], documents: Sequence[Sequence[Sequence[str]]]
    ) -> list[DocumentScores]:
        """Each sentence's contextual score (:func:`spundetect.contextual.combine`) beside
        its spin probability (None without the stage; NaN for a sentence it did not read)."""
        if self.contextual is None:
            return scores
        cut = self.threshold if self.threshold is not None else self.contextual.threshold
        read = [np.ones(len(s.sentence_p), bool) if self.contextual_every else may_reach(s.sentence_p, cut) for s in scores]
        texts = [" ".join(tokens) for r, sentences in zip(read, documents) for i, tokens in enumerate(sentences) if r[i]]
        q = iter(self.contextual.sentence_scores(texts))
        out = []
        for s, r in zip(scores, read):
            ctx = np.full(len(s.sentence_p), np.nan)
            ctx[r] = combine(s.sentence_p[r], [next(q) for _ in range(int(r.sum()))])
            out.append(s._replace(contextual_p=ctx))
        return out

    def _with_translated(self, reports: list[Report], docs: list) -> list[Report]:
        """The reports with the machine-translation signal of each document and sentence
        (not measured for a text that is not English: it reads 0)."""
        if not self.translated:
            return reports
        english = [i for i, (_, language) in enumerate(docs) if not language]
        tokenised = [[[t.text for t in s.tokens] for s in docs[i][0]] for i in english]
        scores = dict(zip(english, translation_model().score_many(tokenised)))
        out = []
        for i, report in enumerate(reports):
            zero = Translated(0.0, False)
            got = scores.get(i) or TranslationScores(zero, tuple(zero for _ in report.sentences))
            sentences = tuple(replace(r, translated=t) for r, t in zip(report.sentences, got.sentences))
            out.append(replace(report, sentences=sentences, translated=got.document))
        return out

    def _report(self, text, path, offsets, sents, words, scores: DocumentScores) -> Report:
        """``words``: each sentence's word tokens. A sentence holding a known tortured phrase
        is flagged whatever its score, and a document holding two distinct ones is likely
        spun (:meth:`decide`); the verdict counts the spans shown at the model's own
        span thresholds (``span_threshold`` shows more, and changes no verdict)."""
        tokens_of = [[t.text for t in s.tokens] for s in sents]
        matched = [_fingerprints_in(tokens) for tokens in tokens_of]
        known = [mask for mask, _ in matched]
        has_known = [k.any() for k in known]
        phrases = frozenset().union(*(found for _, found in matched))
        sent_p = scores.sentence_p
        ctx_p = scores.contextual_p
        span_max = scores.span_max
        decision = self.decide(sent_p, words, has_known, ctx_p, known_phrases=len(phrases), span_max=span_max)
        span_t = decision.span_thresholds
        own_t = (
            span_t
            if self.span_threshold is None
            else _own(self).decide(sent_p, words, has_known, ctx_p, known_phrases=len(phrases), span_max=span_max).span_thresholds
        )
        evidence = bool(decision.sentences.any())
        found: list[list[tuple[int, int, float, str, list]]] = []  # each sentence's spans
        per_sentence = zip(sents, tokens_of, scores.rows, scores.span_p, span_t, known, own_t)
        for s, tokens, rows, p, st, fp, own in per_sentence:
            found.append([])
            groups = self.groups(tokens, rows, p, st, fp)
            prob = _token_probs(len(tokens), rows, p) if groups else None  # most sentences have no span
            for g in groups:
                evidence |= g.fingerprint or g.score >= own
                a, b, cands = self._restore(tokens, g.start, g.end, prob)
                source = "fingerprint" if g.fingerprint else (cands[0].source if cands else "synonym")
                found[-1].append((s.tokens[a].start, s.tokens[b - 1].end, g.score, source, cands))
        agreed = iter(agree([(text[a:b], c) for spans in found for a, b, _, source, c in spans if source != "fingerprint"]))
        results = []
        ctx = [None if ctx_p is None or np.isnan(ctx_p[i]) else float(ctx_p[i]) for i in range(len(sents))]
        for s, sp, spun, spans, c in zip(sents, sent_p, decision.sentences, found, ctx):
            out = []
            for start, end, score, source, cands in spans:
                cands = cands if source == "fingerprint" else next(agreed)
                shown = [c for i, c in enumerate(cands) if i == 0 or c.score >= MIN_ALTERNATIVE]
                out.append(Span(start, end, text[start:end], score, source, tuple(shown)))
            results.append(SentenceResult(s.start, s.end, float(sp), bool(spun), tuple(out), contextual=c))
        notes = (KNOWN_PHRASES_NOTE,) if spun_by_known(len(phrases)) else ()
        return Report(
            text, decision.score, decision.spun, sum(words), tuple(results), path, self.model_info, notes, offsets,
            verdict=verdict_of(decision.spun, evidence), threshold=self.document_threshold, known_phrases=phrases,
        )  # fmt: skip

    def _restore(self, tokens: Sequence[str], a: int, b: int, prob: np.ndarray) -> tuple[int, int, list]:
        """Suggestions for tokens a..b-1 (``prob``: each token's span probability), widened
        to a neighbouring content word

        - for a one-word span, when the restored pair, one of its words kept as written, is a
          known collocation that the written pair is not ("convention" in "press convention"
          -> "press conference"; "pull" in "pull again" -> "pull back"), so that the mark
          shows the collocation the swap broke. The pair is searched only where such a
          collocation is in sight (:func:`_collocation_in_sight`);
        - for any span, when the neighbour's span probability reaches NEIGHBOUR_P and the
          stretch restored with it changes it too ("within the" + "space" -> "in the area");
        - to the article right before it, when a suggestion needs the other one ("a" before
          "man-made brainpower" -> "an artificial intelligence").
        """
        if self.suggestions <= 0:  # scoring only: no restore search
            return a, b, []
        return _with_article(tokens, *self._widened(tokens, a, b, prob))

    def _widened(self, tokens: Sequence[str], a: int, b: int, prob: np.ndarray) -> tuple[int, int, list]:
        """:meth:`_restore` before the article rule."""
        cands = restore_span(tokens, a, b, k=self.suggestions)
        if not cands:
            return a, b, cands
        lm = language_model()
        for na, nb, j in ((a - 1, b, a - 1), (a, b + 1, b)):
            if na < 0 or nb > len(tokens) or not segment.is_word(tokens[j]) or tokens[j].lower() in FUNCTION_WORDS:
                continue
            likely = prob[j] >= NEIGHBOUR_P
            collocation = b - a == 1 and (likely or _collocation_in_sight(lm, tokens, a, j, cands))
            if not (collocation or likely):
                continue
            wide = restore_span(tokens, na, nb, k=self.suggestions)
            if not wide:
                continue
            top = wide[0].text.lower().split()
            written = [segment.norm(t) for t in tokens[na:nb]]
            one_changed = len(top) == 2 and (top[0] == written[0]) != (top[1] == written[1])
            if collocation and one_changed and lm.count(top) >= COLLOCATION_RATIO * (lm.count(written) + 1):
                return na, nb, wide
            edge = (top[0] if j < a else top[-1]) if top else ""
            if likely and edge != segment.norm(tokens[j]):
                return na, nb, wide
        return a, b, cands

    def decide(
        self,
        sent_p: np.ndarray,
        words: Sequence[int] | None = None,
        known: Sequence[bool] | None = None,
        contextual_p: np.ndarray | None = None,
        *,
        known_phrases: int = 0,
        span_max: Sequence[float] | None = None,
    ) -> Decision:
        """Document score and verdict, sentence verdicts, and each sentence's span threshold;
        ``words``: each sentence's word tokens (the weights of :func:`document_score`);
        ``known``: which sentences hold a known tortured phrase (flagged whatever their score);
        ``known_phrases``: how many distinct ones the document holds (from
        ``results.KNOWN_PHRASES_SPUN`` on, the document is flagged whatever its score, and
        its other sentences have a spun document around them);
        ``contextual_p``: the contextual stage's scores, which flag a sentence from the stage's
        own threshold (``--threshold`` replaces it too); the document score is the model's;
        ``span_max``: each sentence's highest word span probability (:attr:`DocumentScores.span_max`).
        A sentence the sentence tier flags on its own (no spun document around it) must show
        what it found: a word of at least ``span_in_flagged`` (without ``span_max``, or
        under ``--threshold``, the tier alone decides).

        Evidence lends strength downwards. A sentence whose *other* sentences average at
        least the document threshold (a spun document around it) is flagged at the lower
        ``sentence_in_flagged_doc``; in a flagged sentence the span threshold is
        ``span_in_flagged`` (``span_in_flagged_doc`` with a spun document around it).
        A one-sentence document borrows nothing. A document is flagged when its score reaches
        the document threshold and at least one of its sentences is flagged. ``--threshold``
        replaces the document and sentence thresholds, ``--span-threshold`` every span threshold.
        """
        th = self.model.thresholds
        p = np.asarray(sent_p, dtype=float)
        n = len(p)
        w = _weights(n, words)
        score = document_score(p, w)
        doc_t = self.threshold if self.threshold is not None else th["document"]
        rest = w.sum() - w
        others = np.divide((w * p).sum() - w * p, rest, out=np.zeros(n), where=rest > 0) if n > 1 else np.zeros(n)
        by_known = spun_by_known(known_phrases)
        backed = (others >= doc_t) | (by_known and n > 1)
        if self.threshold is not None:
            sent_spun = p >= self.threshold
        else:
            alone = p >= th["sentence"]
            if span_max is not None:
                alone &= np.asarray(span_max, dtype=float) >= th["span_in_flagged"]
            sent_spun = alone | (backed & (p >= th["sentence_in_flagged_doc"]))
        if known is not None and n:
            sent_spun = sent_spun | np.asarray(known, dtype=bool)
        if contextual_p is not None and self.contextual is not None and n:
            cut = self.threshold if self.threshold is not None else self.contextual.threshold
            sent_spun = sent_spun | (np.nan_to_num(np.asarray(contextual_p, dtype=float), nan=0.0) >= cut)
        span_t = np.where(sent_spun, np.where(backed, th["span_in_flagged_doc"], th["span_in_flagged"]), th["span"])
        if self.span_threshold is not None:
            span_t = np.full(n, self.span_threshold)
        return Decision(score, bool(n and ((score >= doc_t and sent_spun.any()) or by_known)), sent_spun, span_t)

    def score(self, sentences: Sequence[Sequence[str]]) -> DocumentScores:
        """Token rows, span probabilities per word token, and sentence probabilities of the
        tokenised sentences of *one* document."""
        return self.score_many([sentences])[0]

    def score_many(self, documents: Sequence[Sequence[Sequence[str]]]) -> list[DocumentScores]:
        """:meth:`score` for each document (tokenised sentences), with the token features
        computed ~BATCH_TOKENS at a time across documents and one call of each model."""
        base_rows: list[SentenceRows] = []
        batch: list[list[str]] = []
        size = 0
        for sentences in documents:
            for tokens in sentences:  # batches of ~BATCH_TOKENS: big LM queries, bounded memory
                batch.append(list(tokens))
                size += len(tokens)
                if size >= BATCH_TOKENS:
                    base_rows += token_rows_batch(batch)
                    batch, size = [], 0
        if batch:
            base_rows += token_rows_batch(batch)
        bounds = np.cumsum([0] + [len(sentences) for sentences in documents])
        doc_parts = [document_rows(base_rows[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
        rows = [p.rows for parts in doc_parts for p in parts]
        lens = [len(r) for r in rows]
        X = np.vstack(rows) if any(lens) else np.zeros((0, 0))
        first = self.model.span_proba(X) if len(X) else np.zeros(0)
        first_p = np.split(first, np.cumsum(lens)[:-1]) if rows else []
        sent_rows = [sentence_rows(first_p[a:b], parts) for a, b, parts in zip(bounds[:-1], bounds[1:], doc_parts) if parts]
        sent_flat = self.model.sentence_proba(np.vstack(sent_rows)) if sent_rows else np.zeros(0)
        # sentences are scored from the first stage's span probabilities; spans by the second
        # stage, which weighs each word's first-stage probability among its neighbours'
        row_sent = np.repeat(np.arange(len(rows)), lens)
        sent_doc = np.repeat(np.arange(len(doc_parts)), [len(parts) for parts in doc_parts])
        flat = self.model.span_context_proba(X, first, row_sent, sent_doc[row_sent])
        span_p = np.split(flat, np.cumsum(lens)[:-1]) if rows else []
        scores = [DocumentScores(parts, span_p[a:b], sent_flat[a:b]) for a, b, parts in zip(bounds[:-1], bounds[1:], doc_parts)]
        return self._with_contextual(scores, documents)

    def groups(
        self, tokens: Sequence[str], rows: SentenceRows, p: np.ndarray, span_t: float, fp_tokens: np.ndarray | None = None
    ) -> list[SpanGroup]:
        """Token ranges to report as spans (:class:`SpanGroup`): words whose
        span probability reaches ``span_t`` (see :meth:`decide`), and fingerprint matches
        (``fp_tokens``, computed when not given)."""
        n = len(tokens)
        prob = _token_probs(n, rows, p)
        flagged = prob >= span_t
        if fp_tokens is None:
            fp_tokens = _fingerprints_in(tokens)[0]
        flagged |= fp_tokens
        if not flagged.any():
            return []
        out = []
        for a, b in _group(tokens, flagged):
            fp = bool(fp_tokens[a:b].any())
            out.append(SpanGroup(a, b, float(max(prob[a:b].max(), 0.99 if fp else 0.0)), fp))
        return out


class DocumentScores(NamedTuple):
    """What :meth:`Detector.score` gives for one document: each sentence's token feature
    rows, its words' span probabilities, the sentence probabilities, and with the contextual
    stage each sentence's contextual score."""

    rows: list[SentenceRows]
    span_p: list[np.ndarray]
    sentence_p: np.ndarray
    contextual_p: np.ndarray | None = None

    @property
    def span_max(self) -> np.ndarray:
        """Each sentence's highest word span probability (0 for a sentence without words)."""
        return np.array([float(p.max()) if len(p) else 0.0 for p in self.span_p])


class Decision(NamedTuple):
    """What :meth:`Detector.decide` gives: the document score and whether it is likely spun,
    each sentence's flag, and each sentence's span threshold."""

    score: float
    spun: bool
    sentences: np.ndarray
    span_thresholds: np.ndarray


class SpanGroup(NamedTuple):
    """Token range ``start:end`` of one span to report, its score, and whether a known
    tortured phrase makes it."""

    start: int
    end: int
    score: float
    fingerprint: bool


def _with_article(tokens: Sequence[str], a: int, b: int, cands: list) -> tuple[int, int, list]:
    """The span a..b-1 and its suggestions, taking in the article right before it where a
    suggestion needs the other one, each suggestion then led by its own."""
    article = tokens[a - 1] if a > 0 else ""
    if all(agreeing_article(article, c.text) == article for c in cands):  # no article, or it agrees
        return a, b, cands
    return a - 1, b, [replace(c, text=f"{agreeing_article(article, c.text)} {c.text}") for c in cands]


def _collocation_in_sight(lm, tokens: Sequence[str], a: int, j: int, cands: Sequence[Suggestion]) -> bool:
    """Whether the one-word span at ``a`` and its neighbour at ``j`` may restore to a
    collocation COLLOCATION_RATIO times likelier than the written pair, one word kept: one of
    the span's own suggestions beside the neighbour as written, or one of the neighbour's
    one-hop originals beside the span word as written (the neighbour swapped back: "pull
    again" -> "pull back"). The pair's own search costs several times the span's and is
    rarely kept; this test spares most of them (the real development documents and the
    examples lost one widened span of 424, to a wrong restoration either way)."""
    written = [segment.norm(tokens[a]), segment.norm(tokens[j])]
    need = COLLOCATION_RATIO * (lm.count(written[::-1] if j < a else written) + 1)
    for c in cands:
        x = c.text.lower().split()
        if len(x) == 1 and lm.count([written[1], x[0]] if j < a else [x[0], written[1]]) >= need:
            return True
    ids = candidates(written[1])[0]
    if not len(ids) or written[0] not in lm.vocab:  # an unknown word's pairs are not counted
        return False
    at = np.full(len(ids), lm.vocab[written[0]], dtype=np.int64)
    return bool(lm.counts_ids(np.stack([ids, at] if j < a else [at, ids], axis=1)).max() >= need)


def _fingerprints_in(tokens: Sequence[str]) -> tuple[np.ndarray, frozenset[str]]:
    """Which tokens belong to a known tortured phrase (its bracketed abbreviation excluded:
    "irregular walk (RW)" keeps "(RW)" as written), and which phrases they are."""
    fp = np.zeros(len(tokens), dtype=bool)
    matches = fingerprints().match_tokens(tokens)
    for m in matches:
        last = m.last
        if last - m.first >= 3 and acronym_after(tokens, last - 2):
            last -= 3
        fp[m.first : last + 1] = True
    return fp, frozenset(m.fingerprint.tortured for m in matches)


def _own(detector: "Detector") -> "Detector":
    """The same detector at the model's own span thresholds (what verdicts count)."""
    return Detector(
        detector.model, threshold=detector.threshold, suggestions=0, contextual=detector.contextual,
        contextual_every=detector.contextual_every,
    )  # fmt: skip


def sentence_words(tokens: Sequence) -> int:
    """Word tokens of a sentence (``segment.Token`` objects or token strings), as
    ``Report.words`` counts them: the weight of its score in the document's."""
    return sum(t.is_word if isinstance(t, segment.Token) else segment.is_word(t) for t in tokens)


def _token_probs(n: int, rows: SentenceRows, p: np.ndarray) -> np.ndarray:
    """Span probabilities per token of an ``n``-token sentence (0 for tokens without a row)."""
    prob = np.zeros(n)
    prob[rows.index] = p
    return prob


def _language_note(sents: Sequence[segment.Sentence]) -> str | None:
    """A note when a text of at least MIN_LANGUAGE_WORDS words does not look English: under
    MIN_FUNCTION_RATE of its words are English function words (1 in 1,000 sentences of
    shared/corpus with 8+ words is that low), or under half are in the language model's
    vocabulary. The model knows English only; elsewhere it would flag noise."""
    lm = language_model()
    words = [t.norm for s in sents for t in s.tokens if t.is_word and not t.text[:1].isdigit()]
    if len(words) < MIN_LANGUAGE_WORDS:
        return None
    sample = words[:: max(1, len(words) // 5000)]
    function = sum(w in FUNCTION_WORDS for w in sample) / len(sample)
    known = sum(map(lm.known, sample)) / len(sample)
    if function >= MIN_FUNCTION_RATE and known >= MIN_ENGLISH_KNOWN:
        return None
    return f"not English ({function:.0%} English function words, {known:.0%} words known): nothing flagged"


def _check_features(model: SpinModel) -> None:
    """Refuse a model trained on other features than this code computes (an older model)."""
    from .features import CONTEXT_FEATURES, SENTENCE_FEATURES, TOKEN_FEATURES

    recorded = model.meta.get("features", {})
    n_span = getattr(model.span, "n_features_in_", len(TOKEN_FEATURES))
    expected = {"span": TOKEN_FEATURES, "span_context": CONTEXT_FEATURES, "sentence": SENTENCE_FEATURES}
    weights = model.meta.get("feature_weights")
    if weights is not None and weights != asdict(FEATURE_WEIGHTS):
        raise ModelError(
            f"model {model.name} was trained on features with other channel weights than this version of "
            "spundetect uses; retrain it with `spundetect train`"
        )
    if n_span != len(TOKEN_FEATURES) or any(k in recorded and tuple(recorded[k]) != v for k, v in expected.items()):
        raise ModelError(
            f"model {model.name} was trained on other features than this version of spundetect computes "
            f"({n_span} span features, this version {len(TOKEN_FEATURES)}); retrain it with `spundetect train`"
        )


def _check_artifacts(model: SpinModel) -> None:
    """Refuse to run without the packaged data the model was trained with (ArtifactError),
    and warn when they differ: its features would then not be the ones it learnt from. Data
    the spin features do not read (the machine-translation signal's and the restore search's
    weights, which models before SPIN_ARTIFACTS recorded too) is not checked."""
    from .lexicon import SPIN_ARTIFACTS, load_artifact

    for name, sha in model.meta.get("artifacts", {}).items():
        if sha == "missing" or name not in SPIN_ARTIFACTS:
            continue
        current = load_artifact(name).sha256  # a missing artifact: ArtifactError, one line
        if current != sha:
            log.warning(
                "model %s was trained with %s data %s, packaged is %s: scores may be off",
                model.name,
                name,
                sha[:12],
                current[:12],
            )


def document_score(sentence_p: np.ndarray, words: Sequence[int] | None = None) -> float:
    """The mean sentence probability, each sentence weighted by its word tokens (``words``;
    equal weights without them): a density, so a long clean text does not add up to spin,
    and a heading or a caption weighs what its few words weigh."""
    if not len(sentence_p):
        return 0.0
    return float(np.average(sentence_p, weights=_weights(len(sentence_p), words)))


def _weights(n: int, words: Sequence[int] | None) -> np.ndarray:
    """Sentence weights: word counts, or all ones where none are given or all are zero."""
    w = np.ones(n) if words is None else np.asarray(words, dtype=float)
    return w if w.sum() > 0 else np.ones(n)


def _group(tokens: Sequence[str], flagged: np.ndarray) -> list[tuple[int, int]]:
    """Token ranges to report: runs of flagged words, widened to curated multiword swaps that
    overlap them ("the place", "got here"), at most MAX_SPAN_WORDS tokens each."""
    n = len(tokens)
    norm = [segment.norm(t) for t in tokens]
    pt = phrase_table()
    mark = flagged.copy()
    for a in range(n):
        for k in range(MAX_PHRASE_WORDS, 1, -1):
            if a + k <= n and mark[a : a + k].any():
                swaps = pt.originals(" ".join(norm[a : a + k]))
                if any(sw.idiom for sw in swaps):
                    mark[a : a + k] = True
                    break
    out = []
    i = 0
    while i < n:
        if mark[i] and segment.is_word(tokens[i]):
            j = i
            while j + 1 < n and mark[j + 1] and segment.is_word(tokens[j + 1]) and j + 1 - i < MAX_SPAN_WORDS:
                j += 1
            out.append((i, j + 1))
            i = j + 1
        else:
            i += 1
    return out


def check(text: str) -> Report:
    """Check ``text`` with the packaged model (loaded once, then cached)."""
    return _default().check(text)


@cache
def _default() -> Detector:
    return Detector.load()
