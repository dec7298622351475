"""The pipeline: text -> sentences -> token features -> span, sentence, document scores -> Report.

Flagged words (span probability at or above the model's span threshold) are merged with
their flagged neighbours and with any curated phrase swap or fingerprint they touch into
spans; each span gets its suggested originals from the restore search in its sentence.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Sequence

import numpy as np

from . import segment
from .candidates.fingerprints import fingerprints
from .candidates.phrases import MAX_PHRASE_WORDS, phrase_table
from .features import SentenceRows, sentence_rows, token_rows
from .model import SpinModel, load_model
from .restore import restore_span
from .results import Report, SentenceResult, Span, Suggestion

__all__ = ["Detector", "check", "document_score"]

log = logging.getLogger(__name__)

MAX_SPAN_WORDS = 4
N_SUGGESTIONS = 3


class Detector:
    """Scores documents with a trained :class:`~spundetect.model.SpinModel`.

    ``threshold`` overrides the model's sentence and document thresholds (``spun`` flags);
    scores themselves do not change.
    """

    def __init__(self, model: SpinModel, *, threshold: float | None = None, suggestions: int = N_SUGGESTIONS):
        self.model = model
        self.threshold = threshold
        self.suggestions = suggestions

    @classmethod
    def load(cls, path: str | Path | None = None, *, trust: bool = False, **kwargs) -> "Detector":
        """The packaged model, or a model folder/file at ``path`` (checksum-verified)."""
        return cls(load_model(Path(path) if path else None, trust=trust), **kwargs)

    @property
    def model_info(self) -> dict[str, str]:
        meta = self.model.meta
        return {"name": meta.get("name", ""), "version": meta.get("version", ""), "sha256": meta.get("sha256", "")}

    def check(self, text: str, path: str | None = None) -> Report:
        """Score ``text``; every offset in the report indexes ``text`` as given."""
        th = self.model.thresholds
        sent_t = self.threshold if self.threshold is not None else th["sentence"]
        doc_t = self.threshold if self.threshold is not None else th["document"]
        sents = segment.sentences(text)
        parts, span_p, sent_p = self.score([[t.text for t in s.tokens] for s in sents])
        results = []
        for s, rows, p, sp in zip(sents, parts, span_p, sent_p):
            tokens = [t.text for t in s.tokens]
            spans = []
            for a, b, score, fp in self.groups(tokens, rows, p, bool(sp >= th["sentence"])):
                cands = restore_span(tokens, a, b, k=self.suggestions)
                source = "fingerprint" if fp else (cands[0].source if cands else "synonym")
                start, end = s.tokens[a].start, s.tokens[b - 1].end
                originals = tuple(Suggestion(c.text, c.score) for c in cands)
                spans.append(Span(start, end, text[start:end], score, source, originals))
            results.append(SentenceResult(s.start, s.end, float(sp), bool(sp >= sent_t), tuple(spans)))
        score = document_score(sent_p)
        words = sum(1 for s in sents for t in s.tokens if t.is_word)
        return Report(text, score, bool(score >= doc_t and len(sents) > 0), words, tuple(results), path, self.model_info)

    def score(self, sentences: Sequence[Sequence[str]]) -> tuple[list[SentenceRows], list[np.ndarray], np.ndarray]:
        """Token rows, span probabilities per word token, and sentence probabilities."""
        parts = [token_rows(list(tokens)) for tokens in sentences]
        span_p = [self.model.span_proba(rows.rows) for rows in parts]
        sent_p = self.model.sentence_proba(sentence_rows(span_p, parts)) if parts else np.zeros(0)
        return parts, span_p, sent_p

    def groups(
        self, tokens: Sequence[str], rows: SentenceRows, p: np.ndarray, sentence_flagged: bool
    ) -> list[tuple[int, int, float, bool]]:
        """Token ranges to report as spans: (start, end, score, fingerprint?).

        A word is flagged at the model's span threshold, or at the lower ``span_in_flagged``
        threshold when its sentence is flagged: evidence from the sentence lends strength
        to its words. Fingerprint matches are always flagged.
        """
        th = self.model.thresholds
        n = len(tokens)
        prob = np.zeros(n)
        prob[rows.index] = p
        span_t = th["span_in_flagged"] if sentence_flagged else th["span"]
        flagged = prob >= span_t
        fp_tokens = np.zeros(n, dtype=bool)
        for m in fingerprints().match_tokens(tokens):
            fp_tokens[m.first : m.last + 1] = True
        flagged |= fp_tokens
        if not flagged.any():
            return []
        out = []
        for a, b in _group(tokens, flagged):
            fp = bool(fp_tokens[a:b].any())
            out.append((a, b, float(max(prob[a:b].max(), 0.99 if fp else 0.0)), fp))
        return out


def document_score(sentence_p: np.ndarray) -> float:
    """The mean sentence probability: a density, so a long clean text does not add up to spin."""
    return float(np.mean(sentence_p)) if len(sentence_p) else 0.0


def _group(tokens: Sequence[str], flagged: np.ndarray) -> list[tuple[int, int]]:
    """Token ranges to report: runs of flagged words, widened to curated phrase swaps that
    overlap them ("the place", "got here"), at most MAX_SPAN_WORDS tokens each."""
    n = len(tokens)
    norm = [segment.norm(t) for t in tokens]
    pt = phrase_table()
    mark = flagged.copy()
    for a in range(n):
        for k in range(MAX_PHRASE_WORDS, 1, -1):
            if a + k <= n and mark[a : a + k].any():
                swaps = pt.originals(" ".join(norm[a : a + k]))
                if any(sw.curated for sw in swaps):
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
