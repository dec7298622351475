"""Result types: frozen dataclasses with character offsets into the text as given."""

from __future__ import annotations

import html
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = [
    "Suggestion", "Span", "SentenceResult", "Report", "Translated", "SCHEMA_VERSION", "VERDICTS", "verdict_of", "MIN_ALTERNATIVE",
    "KNOWN_PHRASES_SPUN", "KNOWN_PHRASES_NOTE", "spun_by_known",
]  # fmt: skip

# 2: each document has "verdict" and "threshold", and "translated" with it; 3: with the
# contextual stage, each sentence has "contextual" and the model "contextual"
SCHEMA_VERSION = 3

#: a document's verdict, and how the reports say it in words
VERDICTS = {
    "spun": "likely spun",
    "suspicious": "some signs of spinning: review the marked sentences",
    "clean": "no signs of spinning",
}
#: suggested originals after the first are shown only from this probability
MIN_ALTERNATIVE = 0.01


# A document holding this many distinct known tortured phrases is likely spun whatever its
# score, as the Problematic Paper Screener flags papers by their count of such phrases (no
# document of shared/corpus's 13 M words of clean English holds two).
KNOWN_PHRASES_SPUN = 2
KNOWN_PHRASES_NOTE = f"{KNOWN_PHRASES_SPUN} or more distinct known tortured phrases: likely spun whatever the spin score"


def spun_by_known(phrases: int) -> bool:
    """Whether a document's number of distinct known tortured phrases makes it likely spun."""
    return phrases >= KNOWN_PHRASES_SPUN


def verdict_of(spun: bool, evidence: bool) -> str:
    """The one document verdict: "spun" when the document is flagged; else "suspicious" when
    it holds any evidence (a flagged sentence, a known tortured phrase, a span shown at the
    model's own thresholds); else "clean"."""
    return "spun" if spun else ("suspicious" if evidence else "clean")


def _r(x: float) -> float:
    return round(float(x), 4)


@dataclass(frozen=True)
class Translated:
    """How likely a text is machine-translated into English (:mod:`spundetect.translated`):
    ``score`` in 0..1, and ``likely`` when it reaches the model's threshold. A signal of its
    own, never part of the spin score or verdict."""

    score: float
    likely: bool

    def to_dict(self) -> dict[str, Any]:
        return {"score": _r(self.score), "likely": self.likely}

    def words(self) -> str:
        """ "likely machine-translated (0.97)" or "machine translation not likely (0.12)"."""
        if self.likely:
            return f"likely machine-translated ({self.score:.2f})"
        return f"machine translation not likely ({self.score:.2f})"


@dataclass(frozen=True)
class Suggestion:
    """A suggested original for a span: what :func:`spundetect.suggest` returns and what
    :attr:`Span.originals` holds. ``score`` is the restore search's probability that it is the
    original; ``source`` the kind of evidence ("synonym", "phrase" or "fingerprint");
    ``changed`` how many words differ from the written span; ``gain`` its language-model
    log-probability gain over the text as written."""

    text: str
    score: float
    source: str = "synonym"
    changed: int = 0
    gain: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "score": _r(self.score)}


@dataclass(frozen=True)
class Span:
    """A suspected spun span: ``text == document[start:end]``."""

    start: int
    end: int
    text: str
    score: float
    source: str  # "synonym", "phrase" or "fingerprint"
    originals: tuple[Suggestion, ...] = ()

    def to_dict(self, offset: int = 0) -> dict[str, Any]:
        return {
            "start": self.start + offset,
            "end": self.end + offset,
            "text": self.text,
            "score": _r(self.score),
            "source": self.source,
            "originals": [o.to_dict() for o in self.originals],
        }


@dataclass(frozen=True)
class SentenceResult:
    start: int
    end: int
    score: float
    spun: bool
    spans: tuple[Span, ...] = ()
    translated: Translated | None = None  # None: not measured (--no-translated)
    contextual: float | None = None  # the contextual stage's score; None: not run (no --contextual)

    def to_dict(self, offset: int = 0) -> dict[str, Any]:
        d = {
            "start": self.start + offset,
            "end": self.end + offset,
            "score": _r(self.score),
            "spun": self.spun,
            "spans": [s.to_dict(offset) for s in self.spans],
        }
        if self.contextual is not None:
            d["contextual"] = _r(self.contextual)
        if self.translated is not None:
            d["translated"] = self.translated.to_dict()
        return d

    def shifted(self, offset: int) -> "SentenceResult":
        """The same result with offsets moved by ``offset`` (joining chunks of a document)."""
        spans = tuple(replace(sp, start=sp.start + offset, end=sp.end + offset) for sp in self.spans)
        return replace(self, start=self.start + offset, end=self.end + offset, spans=spans)


@dataclass(frozen=True)
class Report:
    """The result of checking one document."""

    text: str = field(repr=False)
    score: float
    spun: bool
    words: int
    sentences: tuple[SentenceResult, ...]
    path: str | None = None
    model: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    #: for HTML input: where each character of ``text`` starts and ends in the source, (n, 2)
    source_offsets: Any = field(default=None, repr=False, compare=False)
    #: "spun", "suspicious" or "clean" (:func:`verdict_of`); derived from ``spun`` and the
    #: sentences when not given
    verdict: str = ""
    threshold: float | None = None  # the document threshold the verdict used
    translated: Translated | None = None  # how likely machine-translated; None: not measured
    #: the distinct known tortured phrases it holds (as the list writes them)
    known_phrases: frozenset[str] = field(default=frozenset(), repr=False)

    def __post_init__(self) -> None:
        if not self.verdict:
            evidence = any(s.spun or s.spans for s in self.sentences)
            object.__setattr__(self, "verdict", verdict_of(self.spun, evidence))

    @property
    def spans(self) -> list[Span]:
        return [sp for s in self.sentences for sp in s.spans]

    def to_dict(self, offset: int = 0) -> dict[str, Any]:
        """The document object of the JSON contract (shared/DESIGN.md section 4); ``offset``
        is added to every offset (a chunk of a longer input)."""
        d: dict[str, Any] = {
            "path": self.path,
            "score": _r(self.score),
            "spun": self.spun,
            "verdict": self.verdict,
            "threshold": None if self.threshold is None else _r(self.threshold),
            "words": self.words,
            "sentences": [s.to_dict(offset) for s in self.sentences],
        }
        if self.translated is not None:
            d["translated"] = self.translated.to_dict()
        if self.notes:
            d["notes"] = list(self.notes)
        if self.source_offsets is not None:
            # HTML input: where each span starts and ends in the source markup
            for s in d["sentences"]:
                for sp in s["spans"]:
                    sp["source_start"], sp["source_end"] = self.source_span(sp["start"], sp["end"])
        return d

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Source offsets of ``text[start:end]`` (the same offsets for plain text)."""
        if self.source_offsets is None:
            return start, end
        return int(self.source_offsets[start, 0]), int(self.source_offsets[end - 1, 1])

    def __repr__(self) -> str:
        flagged = sum(s.spun for s in self.sentences)
        return (
            f"Report(path={self.path!r}, verdict={self.verdict!r}, score={self.score:.4f}, words={self.words}, "
            f"sentences={len(self.sentences)} ({flagged} flagged), spans={len(self.spans)})"
        )

    def records(self, level: str = "span") -> list[dict[str, Any]]:
        """Flat rows for ``pandas.DataFrame(report.records(level))``: one per ``"span"``
        (the default), per ``"sentence"`` (every sentence, flagged or not) or for the
        ``"document"`` (one row, so clean documents keep a row)."""
        if level == "document":
            flagged = sum(s.spun for s in self.sentences)
            row = {
                "path": self.path, "verdict": self.verdict, "score": _r(self.score), "spun": self.spun,
                "words": self.words, "sentences": len(self.sentences), "sentences_flagged": flagged,
                "spans": len(self.spans),
            }  # fmt: skip
            return [row | _translated_columns(self.translated)]
        if level == "sentence":
            return [
                {
                    "path": self.path, "sentence": i, "start": s.start, "end": s.end, "text": self.text[s.start : s.end],
                    "score": _r(s.score), "spun": s.spun, "spans": len(s.spans),
                } | ({} if s.contextual is None else {"contextual": _r(s.contextual)}) | _translated_columns(s.translated)
                for i, s in enumerate(self.sentences)
            ]  # fmt: skip
        if level != "span":
            raise ValueError(f"level must be 'document', 'sentence' or 'span', not {level!r}")
        rows = []
        for i, s in enumerate(self.sentences):
            for sp in s.spans:
                rows.append(
                    {
                        "path": self.path,
                        "sentence": i,
                        "sentence_score": _r(s.score),
                        "start": sp.start,
                        "end": sp.end,
                        "text": sp.text,
                        "score": _r(sp.score),
                        "source": sp.source,
                        "original": sp.originals[0].text if sp.originals else None,
                    }
                )
        return rows

    def _repr_html_(self) -> str:
        cut = f" (likely spun from {self.threshold:.2f})" if self.threshold is not None else ""
        flagged = sum(s.spun for s in self.sentences)
        parts = [
            f"<div><b>{VERDICTS[self.verdict]}</b>: spin score {self.score:.2f} of 1{cut}; {self.words} words, "
            f"{flagged}/{len(self.sentences)} sentences flagged. <i>A spin score is a risk marker, not proof.</i>"
            + (f"<br>Apart from spinning: {self.translated.words()}." if self.translated is not None else "")
            + "</div>"
            "<div style='line-height:1.8;white-space:pre-wrap'>"
        ]
        pos = 0
        for sp in self.spans:
            parts.append(html.escape(self.text[pos : sp.start]))
            title = ", ".join(f"{o.text} ({o.score:.2f})" for o in sp.originals) or "no suggestion"
            parts.append(
                f"<mark title='{html.escape(title, quote=True)}'>{html.escape(sp.text)}</mark>"
                f"<sub>&rarr; {html.escape(sp.originals[0].text) if sp.originals else '?'}</sub>"
            )
            pos = sp.end
        parts.append(html.escape(self.text[pos:]) + "</div>")
        return "".join(parts)


def _translated_columns(t: Translated | None) -> dict[str, Any]:
    return {} if t is None else {"translated_score": _r(t.score), "translated_likely": t.likely}
