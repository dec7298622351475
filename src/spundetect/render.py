"""Rendering reports: annotated text, concise lines, JSON, JSON Lines and a standalone HTML page.

Every format carries the facts of the JSON contract (shared/DESIGN.md section 4).

The text format is the input with marks inserted, then one summary line:

- before each suspected span: ``[> ``; after it: `` [-> original | alternative | ...; score]``
  ("[> press convention [-> press conference | news conference; 0.97]"), the span's score
  after the semicolon;
- after each flagged sentence: `` [=> spin 0.93]`` (with ``--contextual``: `` [=> spin 0.41, contextual 0.83]``);
- where the input itself contains ``[->``, ``[=>`` or ``[>``, one ``>`` is added
  (``[->>``, ``[>>``), so that no input text is taken for a mark;
- the summary line starts with ``== `` on a line of its own; if the marked input does not
  end with a newline, one is added before the summary line, which then ends with
  `` (no newline at end of input)`` (as ``diff`` says it).

:func:`strip_marks` undoes all of this and gives back the input byte for byte (with
``--show all`` and without colour).
"""

from __future__ import annotations

import html
import io
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence, TextIO

from .results import (
    KNOWN_PHRASES_NOTE,
    SCHEMA_VERSION,
    VERDICTS,
    Report,
    SentenceResult,
    Translated,
    spun_by_known,
    verdict_of,
)

if TYPE_CHECKING:
    from .trace import Trace

__all__ = [
    "render_text", "render_concise", "render_json", "render_jsonl", "render_html", "strip_marks",
    "Totals", "Writer", "WRITERS", "join_reports", "SPAN_START", "MARK_OPEN", "MARK_CLOSE", "SENTENCE_OPEN", "NO_NEWLINE",
    "trace_summary", "render_trace_text", "render_trace_json", "render_trace_html",
]  # fmt: skip

SPAN_START = "[> "
MARK_OPEN, MARK_CLOSE = " [-> ", "]"
SENTENCE_OPEN = " [=> "
NO_NEWLINE = " (no newline at end of input)"
_LITERAL = re.compile(r"\[[-=]?>")  # input text that looks like the start of a mark
_MARK = re.compile(r" \[[-=]> [^\]\n]*\]")  # a mark (input text never matches: see _LITERAL)
_START = re.compile(r"\[> ")  # a span start (input "[>" is always escaped to "[>>")
_ESCAPED = re.compile(r"\[([-=]?)>>")
CAUTION = "A spin score is a risk marker, not proof."

_ANSI = {"span": "\x1b[1;31m", "mark": "\x1b[36m", "sentence": "\x1b[33m", "reset": "\x1b[0m"}


def _clean(s: str) -> str:
    """Mark contents hold no brackets or newlines (the syntax depends on it)."""
    return s.replace("[", "(").replace("]", ")").replace("\n", " ")


def _span_mark(originals: Sequence[str], score: float) -> str:
    return MARK_OPEN + (" | ".join(_clean(o) for o in originals[:3]) or "?") + f"; {score:.2f}" + MARK_CLOSE


@dataclass
class Totals:
    """What the summary of one document needs, added up over its chunks."""

    path: str | None
    threshold: float  # the document threshold
    sentences: int = 0
    flagged: int = 0
    spans: int = 0
    words: int = 0
    score_sum: float = 0.0  # sentence scores
    weighted_sum: float = 0.0  # chunk scores times their words
    chars: int = 0  # offset of the next chunk
    lines: int = 0  # line breaks before the next chunk
    notes: list[str] = field(default_factory=list)
    newline_at_end: bool = True  # the marked text ended with a newline
    evidence: bool = False  # a chunk holds a flagged sentence, a fingerprint or a span at the model's thresholds
    translated_sum: float = 0.0  # chunks' machine-translation scores times their words
    translated_likely: int = 0  # words in chunks called likely machine-translated
    translated_weight: int = 0  # words of the measured chunks (at least 1 each)
    known_phrases: set[str] = field(default_factory=set)  # distinct known tortured phrases of its chunks

    def add(self, report: Report) -> None:
        self.sentences += len(report.sentences)
        self.flagged += sum(s.spun for s in report.sentences)
        self.spans += sum(len(s.spans) for s in report.sentences)
        self.words += report.words
        self.score_sum += sum(s.score for s in report.sentences)
        self.weighted_sum += report.score * report.words
        self.chars += len(report.text)
        self.lines += report.text.count("\n")
        self.known_phrases |= report.known_phrases
        for note in report.notes + ((KNOWN_PHRASES_NOTE,) if spun_by_known(len(self.known_phrases)) else ()):
            if note not in self.notes:
                self.notes.append(note)
        self.evidence |= report.verdict != "clean"
        if report.translated is not None:
            weight = max(report.words, 1)
            self.translated_weight += weight
            self.translated_sum += report.translated.score * weight
            self.translated_likely += report.translated.likely * weight

    decided: Report | None = None  # a whole document: its own score and verdict

    @property
    def score(self) -> float:
        """The mean sentence score weighted by words (as :func:`spundetect.detector.document_score`):
        each chunk's score weighted by its words; the plain mean where no chunk has a word."""
        if self.decided is not None:
            return self.decided.score
        if self.words:
            return self.weighted_sum / self.words
        return self.score_sum / self.sentences if self.sentences else 0.0

    @property
    def spun(self) -> bool:
        """As :meth:`spundetect.detector.Detector.decide`: the score reaches the threshold
        and a sentence is flagged, or its chunks hold enough distinct known tortured phrases."""
        if self.decided is not None:
            return self.decided.spun
        return (bool(self.flagged) and self.score >= self.threshold) or spun_by_known(len(self.known_phrases))

    @property
    def verdict(self) -> str:
        """ "spun", "suspicious" or "clean" (:func:`spundetect.results.verdict_of`)."""
        if self.decided is not None:
            return self.decided.verdict
        return verdict_of(self.spun, self.evidence or self.flagged > 0)

    @property
    def translated(self) -> Translated | None:
        """The document's machine-translation signal: a whole report's own; over chunks, the
        word-weighted mean score, likely when most of the words are in likely chunks."""
        if self.decided is not None:
            return self.decided.translated
        if not self.translated_weight:
            return None
        total = self.translated_weight
        return Translated(self.translated_sum / total, self.translated_likely * 2 > total)

    @classmethod
    def of(cls, report: Report) -> "Totals":
        """The totals of one whole report (its score and verdict as the detector decided)."""
        threshold = report.threshold if report.threshold is not None else float("nan")
        t = cls(report.path, threshold=threshold, decided=report)
        t.add(report)
        return t


def score_words(t: Totals) -> str:
    """ "spin score 0.62 of 1 (likely spun from 0.83)": the score and where the verdict cuts."""
    cut = f" (likely spun from {t.threshold:.2f})" if t.threshold == t.threshold else ""  # nan: unknown
    return f"spin score {t.score:.2f} of 1{cut}"


def summary_line(t: Totals) -> str:
    notes = "".join(f" Note: {n}." for n in t.notes)
    mt = f" Apart from spinning: {t.translated.words()}." if t.translated is not None else ""
    return (
        f"== {_clean(t.path or '-')}: {VERDICTS[t.verdict]}; {score_words(t)}; "
        f"{t.flagged}/{t.sentences} sentences and {t.spans} span{'' if t.spans == 1 else 's'} flagged.{mt}{notes} {CAUTION}"
        + ("" if t.newline_at_end else NO_NEWLINE)
        + "\n"
    )


def render_text(report: Report, *, show: str = "all", color: bool = False) -> str:
    """The input with marks (see the module docstring), then the summary line.

    ``show="flagged"`` prints only the flagged sentences, each as ``path:line: text``
    (not removable: for reading, not for round trips)."""
    return _single(TextWriter(show=show, color=color), report)


def _single(writer: "Writer", report: Report) -> str:
    buf = io.StringIO()
    writer.out = buf
    writer.begin(report.path)
    writer.chunk(report, 0, 0)
    writer.end(Totals.of(report))
    return buf.getvalue()


def _marked(text: str, sentences: Sequence[SentenceResult], lo: int, hi: int, c: dict[str, str]) -> str:
    """text[lo:hi] with literal mark-like text escaped and the marks of ``sentences`` (those
    inside lo..hi) inserted."""
    inserts: list[tuple[int, int, str]] = []  # (position, order, string)
    for m in _LITERAL.finditer(text, lo, hi):
        inserts.append((m.end(), 0, ">"))
    # at one position: a span's mark, then a sentence's mark, then the next span's colour
    for s in sentences:
        for sp in s.spans:
            inserts.append((sp.start, 3, c["mark"] + SPAN_START + c["reset"] + c["span"]))
            mark = _span_mark([o.text for o in sp.originals], sp.score)
            inserts.append((sp.end, 1, c["reset"] + c["mark"] + mark + c["reset"]))
        if s.spun:
            ctx = "" if s.contextual is None else f", contextual {s.contextual:.2f}"
            inserts.append((s.end, 2, c["sentence"] + f"{SENTENCE_OPEN}spin {s.score:.2f}{ctx}{MARK_CLOSE}" + c["reset"]))
    inserts.sort(key=lambda t: (t[0], t[1]))
    out, pos = [], lo
    for at, _, s in inserts:
        out.append(text[pos:at])
        out.append(s)
        pos = at
    out.append(text[pos:hi])
    return "".join(out)


def strip_marks(annotated: str) -> str:
    """The input a text-format document output (``--show all``, no colour) was made from."""
    body, sep, last = annotated.rstrip("\n").rpartition("\n")
    if not last.startswith("== "):
        raise ValueError("not a spundetect text report (no summary line)")
    body = body + sep if sep else ""
    if last.endswith(NO_NEWLINE):
        body = body[:-1]
    return _ESCAPED.sub(r"[\1>", _START.sub("", _MARK.sub("", body)))


def render_concise(report: Report) -> str:
    """``path:line:col: score source: 'spun' -> 'original'``, one line per span, and one
    line for a flagged document."""
    return _single(ConciseWriter(), report)


def render_json(reports: Sequence[Report], model: dict[str, str]) -> str:
    """The JSON contract for whole reports (what ``check --format json`` writes)."""
    buf = io.StringIO()
    writer = JsonWriter(buf, model=model)
    for r in reports:
        writer.begin(r.path)
        writer.chunk(r, 0, 0)
        writer.end(Totals.of(r))
    writer.close()
    return buf.getvalue()


def render_jsonl(report: Report) -> str:
    """One JSON object per sentence (``"kind": "sentence"``, with its path and text), then
    one for the document (``"kind": "document"``)."""
    return _single(JsonlWriter(), report)


# --- writers: one document at a time, in chunks, with bounded memory --------------------


class Writer:
    """Writes one format to ``out``: ``begin(path)``, ``chunk(report, offset, line)`` for each
    chunk of the document (its report's offsets are relative to the chunk, which starts at
    character ``offset`` after ``line`` line breaks), ``end(totals)``; ``close()`` after the
    last document."""

    def __init__(self, out: TextIO | None = None, **options: Any):
        self.out = out
        self.options = options

    def begin(self, path: str | None) -> None:
        self.path = path or "-"

    def chunk(self, report: Report, offset: int, line: int) -> None:
        pass

    def end(self, totals: Totals) -> None:
        pass

    def close(self) -> None:
        pass


class TextWriter(Writer):
    def begin(self, path: str | None) -> None:
        super().begin(path)
        self.c = _ANSI if self.options.get("color") else dict.fromkeys(_ANSI, "")
        self.last = ""

    def chunk(self, report: Report, offset: int, line: int) -> None:
        if self.options.get("show") == "flagged":
            for s in report.sentences:
                if s.spun:
                    n = line + report.text.count("\n", 0, s.start) + 1
                    self.out.write(f"{self.path}:{n}: {_marked(report.text, [s], s.start, s.end, self.c)}\n")
            return
        body = _marked(report.text, report.sentences, 0, len(report.text), self.c)
        if body:
            self.last = body[-1]
        self.out.write(body)

    def end(self, totals: Totals) -> None:
        if self.options.get("show") != "flagged":
            totals.newline_at_end = self.last in ("", "\n")
            if not totals.newline_at_end:
                self.out.write("\n")
        self.out.write(summary_line(totals))


class ConciseWriter(Writer):
    def begin(self, path: str | None) -> None:
        super().begin(path)
        self.line_start = 0  # offset in the document where the current line starts

    def chunk(self, report: Report, offset: int, line: int) -> None:
        text = report.text
        for sp in report.spans:
            n = line + text.count("\n", 0, sp.start) + 1
            brk = text.rfind("\n", 0, sp.start)
            col = offset + sp.start - (offset + brk + 1 if brk >= 0 else self.line_start) + 1
            orig = repr(sp.originals[0].text) if sp.originals else "?"
            self.out.write(f"{self.path}:{n}:{col}: {sp.score:.2f} {sp.source}: {sp.text!r} -> {orig}\n")
        brk = text.rfind("\n")
        if brk >= 0:
            self.line_start = offset + brk + 1

    def end(self, totals: Totals) -> None:
        if totals.verdict != "clean":
            flagged = f"{totals.flagged}/{totals.sentences} sentences, {totals.spans} span{'' if totals.spans == 1 else 's'}"
            if spun_by_known(len(totals.known_phrases)):
                flagged += f"; {len(totals.known_phrases)} distinct known tortured phrases"
            words = "likely spun" if totals.verdict == "spun" else "some signs of spinning"
            self.out.write(f"{self.path}:1:1: {totals.score:.2f} document: {words} ({flagged})\n")
        mt = totals.translated
        if mt is not None and mt.likely:
            self.out.write(f"{self.path}:1:1: {mt.score:.2f} translated: likely machine-translated (not spinning)\n")


class JsonlWriter(Writer):
    def begin(self, path: str | None) -> None:
        self.raw_path = path
        self.index = 0

    def chunk(self, report: Report, offset: int, line: int) -> None:
        for s in report.sentences:
            row: dict[str, Any] = {"kind": "sentence", "path": self.raw_path, "sentence": self.index}
            row |= s.to_dict(offset)
            row["text"] = report.text[s.start : s.end]
            if report.source_offsets is not None:
                for sp, d in zip(s.spans, row["spans"]):
                    d["source_start"], d["source_end"] = report.source_span(sp.start, sp.end)
            self.out.write(json.dumps(row, ensure_ascii=False) + "\n")
            self.index += 1

    def end(self, totals: Totals) -> None:
        row = {"kind": "document", "path": self.raw_path} | _document_facts(totals)
        self.out.write(json.dumps(row, ensure_ascii=False) + "\n")


def _document_facts(t: Totals) -> dict[str, Any]:
    d: dict[str, Any] = {"score": round(t.score, 4), "spun": t.spun, "verdict": t.verdict, "threshold": _threshold(t)}
    d |= {"words": t.words, "sentences_flagged": t.flagged}
    d["spans"] = t.spans
    if t.translated is not None:
        d["translated"] = t.translated.to_dict()
    if t.notes:
        d["notes"] = list(t.notes)
    return d


def _threshold(t: Totals) -> float | None:
    return round(t.threshold, 4) if t.threshold == t.threshold else None


class JsonWriter(Writer):
    """The JSON contract, written as it goes: each document's sentences stream out, its
    score follows them."""

    def __init__(self, out: TextIO | None = None, *, model: dict[str, str], **options: Any):
        super().__init__(out, **options)
        self.out.write(json.dumps({"schema_version": SCHEMA_VERSION, "model": model})[:-1] + ', "documents": [')
        self.first_doc = True

    def begin(self, path: str | None) -> None:
        self.out.write(("" if self.first_doc else ", ") + '{"path": ' + json.dumps(path, ensure_ascii=False) + ', "sentences": [')
        self.first_doc = False
        self.first = True

    def chunk(self, report: Report, offset: int, line: int) -> None:
        d = report.to_dict(offset)
        for s in d["sentences"]:
            self.out.write(("" if self.first else ", ") + json.dumps(s, ensure_ascii=False))
            self.first = False

    def end(self, totals: Totals) -> None:
        facts = {"score": round(totals.score, 4), "spun": totals.spun, "verdict": totals.verdict, "threshold": _threshold(totals)}
        facts["words"] = totals.words
        if totals.translated is not None:
            facts["translated"] = totals.translated.to_dict()
        if totals.notes:
            facts["notes"] = list(totals.notes)
        self.out.write("], " + json.dumps(facts, ensure_ascii=False)[1:])

    def close(self) -> None:
        self.out.write("]}\n")


class HtmlWriter(Writer):
    """The HTML page needs every document whole: chunks are joined back into one report."""

    def __init__(
        self, out: TextIO | None = None, *, model: dict[str, str], fingerprints: dict[str, str] | None = None, **options: Any
    ):
        super().__init__(out, **options)
        self.model, self.fingerprints = model, fingerprints
        self.reports: list[Report] = []

    def begin(self, path: str | None) -> None:
        self.parts: list[tuple[Report, int]] = []

    def chunk(self, report: Report, offset: int, line: int) -> None:
        self.parts.append((report, offset))

    def end(self, totals: Totals) -> None:
        self.reports.append(join_reports([r for r, _ in self.parts], totals))

    def close(self) -> None:
        self.out.write(render_html(self.reports, self.model, self.fingerprints))


WRITERS: dict[str, type[Writer]] = {
    "text": TextWriter, "concise": ConciseWriter, "json": JsonWriter, "jsonl": JsonlWriter, "html": HtmlWriter,
}  # fmt: skip


def join_reports(parts: Sequence[Report], totals: Totals) -> Report:
    """One report from the consecutive chunks of a document (offsets made global)."""
    if len(parts) == 1:
        return parts[0]
    sentences, offset = [], 0
    for r in parts:
        sentences += [s.shifted(offset) for s in r.sentences]
        offset += len(r.text)
    first = parts[0]
    text = "".join(r.text for r in parts)
    return Report(
        text, totals.score, totals.spun, totals.words, tuple(sentences), first.path, first.model, tuple(totals.notes),
        verdict=totals.verdict, threshold=first.threshold, translated=totals.translated,
        known_phrases=frozenset(totals.known_phrases),
    )  # fmt: skip


# --- HTML -------------------------------------------------------------------------------

_CSS = """
body{font:15px/1.6 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header,footer{padding:.8em 1.5em;background:#fff;border-bottom:1px solid #ddd}
footer{border-top:1px solid #ddd;border-bottom:0;font-size:13px;color:#555}
.doc{display:flex;gap:1.5em;padding:1em 1.5em;border-bottom:2px solid #ccc}
.main{flex:3;min-width:0}
h1,h2{overflow-wrap:anywhere}
.text{white-space:pre-wrap;overflow-wrap:anywhere;background:#fff;padding:1em;border:1px solid #ddd}
aside{flex:1;min-width:16em;font-size:14px;overflow-wrap:anywhere}
sup a.ref{font-size:11px;text-decoration:none;color:#e65100}
.legend,.evidence{font-size:13px;color:#444}
.strip a.flagged{outline:2px solid #b71c1c;outline-offset:-2px}
details.restored{margin-top:.8em}
ins{background:#c8e6c9;text-decoration:none}
@media (max-width:700px){.doc{flex-direction:column;padding:.6em}aside{min-width:0}header,footer{padding:.6em}
 h1{font-size:1.4em}.text{padding:.6em}}
aside ol{padding-left:1.4em}
.sent.spun{background:#fff3e0}
mark.spun{background:#ffcc80;position:relative;cursor:help;border-bottom:2px solid #e65100}
mark.spun:hover::after{content:"\\2192  " attr(data-tip);position:absolute;left:0;top:1.6em;z-index:9;
 white-space:normal;width:max-content;max-width:60vw;background:#263238;color:#fff;padding:.2em .5em;
 border-radius:3px;font-size:13px}
.strip{display:flex;height:18px;margin:.4em 0;border:1px solid #bbb;max-width:40em}
.strip a{flex:1;display:block}
.score{font-size:1.3em;font-weight:bold}
.caution{color:#8a4b00}
"""


def _heat(score: float) -> str:
    """White (0) to red (1)."""
    g = int(255 - 200 * min(max(score, 0.0), 1.0))
    return f"rgb(255,{g},{g})"


def render_html(reports: Sequence[Report], model: dict[str, str], fingerprints: dict[str, str] | None = None) -> str:
    """A standalone page (no network requests): highlighted spans with their suggested
    originals on hover and in a side list, a sentence heat strip, the document score, the
    model and fingerprint-list versions."""
    from datetime import datetime, timezone

    from . import __version__

    e = html.escape
    names = [r.path or "-" for r in reports]
    title = "spundetect report" + (f": {names[0]}" if len(names) == 1 else f": {len(names)} documents" if names else "")
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{e(title)}</title><style>" + _CSS + "</style></head><body>",
        "<header><h1>spundetect report</h1>",
        f"<p class='caution'>{e(CAUTION)} Marked spans are phrases a synonym spinner may have produced; "
        "the suggested originals are guesses. Read the text before drawing conclusions.</p></header>",
    ]
    for d, r in enumerate(reports):
        parts.append(_html_document(r, d))
    fp = fingerprints or {}
    parts.append(
        "<footer>"
        f"Made by spundetect {e(__version__)} on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC with model "
        f"{e(model.get('name', ''))} {e(model.get('version', ''))} (sha256 {e(model.get('sha256', '')[:16])}…). "
        f"Tortured-phrase fingerprints: list sha256 {e(fp.get('list_sha256', '')[:16])}…; {e(fp.get('credit', ''))} "
        "This page makes no network requests.</footer></body></html>\n"
    )
    return "".join(parts)


_SOURCE_WORDS = {"fingerprint": "known tortured phrase", "phrase": "phrase rewrite", "synonym": "likely synonym swap"}


def _html_document(r: Report, d: int) -> str:
    e = html.escape
    flagged = sum(s.spun for s in r.sentences)
    kinds: dict[str, int] = {}
    for sp in r.spans:
        kinds[sp.source] = kinds.get(sp.source, 0) + 1
    evidence = ", ".join(f"{n} {_SOURCE_WORDS.get(k, k)}{'s' if n > 1 else ''}" for k, n in sorted(kinds.items()))
    evidence = evidence or "no marked spans"
    cut = f"; the document is likely spun from {r.threshold:.2f}" if r.threshold is not None else ""
    head = (
        f"<section class='doc' id='doc{d}'><div class='main'><h2>{e(r.path or '-')}</h2>"
        f"<div class='score verdict-{r.verdict}' data-score='{r.score:.4f}' data-verdict='{r.verdict}'>"
        f"{e(VERDICTS[r.verdict])}</div><div>{e(score_words(Totals.of(r)))}</div>"
        + (f"<div class='translated'>Apart from spinning: {e(r.translated.words())}</div>" if r.translated else "")
        + f"<div class='evidence'>Evidence: {e(evidence)}; {flagged} of {len(r.sentences)} sentences flagged; {r.words} words"
        + "".join(f"; {e(n)}" for n in r.notes)
        + "</div><div class='strip'>"
        + "".join(
            f"<a href='#d{d}s{i}' class='{'flagged' if s.spun else ''}' style='background:{_heat(s.score)}' "
            f"title='sentence {i + 1}: score {s.score:.2f}{' (flagged)' if s.spun else ''}'></a>"
            for i, s in enumerate(r.sentences)
        )
        + f"</div><div class='legend'>Sentence scores in order, white 0 to red 1; outlined: flagged sentences{e(cut)}."
        "</div><div class='text'>"
    )
    body, pos, k = [], 0, 0
    restored, rpos = [], 0
    for i, s in enumerate(r.sentences):
        body.append(e(r.text[pos : s.start]))
        cls = "sent spun" if s.spun else "sent"
        body.append(f"<span class='{cls}' id='d{d}s{i}' data-score='{s.score:.4f}'>")
        inner = s.start
        for sp in s.spans:
            body.append(e(r.text[inner : sp.start]))
            top = sp.originals[0] if sp.originals else None
            tip = f"{top.text} (probability {top.score:.2f})" if top else "no suggestion"
            body.append(
                f"<mark class='spun' id='d{d}m{k}' data-original='{e(top.text if top else '?')}' data-tip='{e(tip)}' "
                f"data-score='{sp.score:.4f}' data-source='{e(sp.source)}'>{e(sp.text)}</mark>"
                f"<sup><a class='ref' href='#d{d}l{k}'>{k + 1}</a></sup>"
            )
            restored.append(e(r.text[rpos : sp.start]) + (f"<ins>{e(top.text)}</ins>" if top else e(sp.text)))
            rpos = sp.end
            inner = sp.end
            k += 1
        body.append(e(r.text[inner : s.end]) + "</span>")
        pos = s.end
    body.append(e(r.text[pos:]))
    restored.append(e(r.text[rpos:]))
    original = (
        "<details class='restored'><summary>Reconstructed original (each span replaced by its top suggestion)</summary>"
        f"<div class='text'>{''.join(restored)}</div></details>"
    )
    side = ["<aside><h3>Suspected spans</h3><ol>"]
    for k, sp in enumerate(r.spans):
        originals = " | ".join(f"{e(o.text)} <small>(probability {o.score:.2f})</small>" for o in sp.originals) or "?"
        side.append(
            f"<li id='d{d}l{k}'><a href='#d{d}m{k}'><b>{e(sp.text)}</b></a> &rarr; {originals}"
            f"<br><small>span score {sp.score:.2f}; {e(_SOURCE_WORDS.get(sp.source, sp.source))}</small></li>"
        )
    side.append("</ol></aside>")
    return head + "".join(body) + "</div>" + original + "</div>" + "".join(side) + "</section>"


# --- trace results (spundetect trace) ---------------------------------------------------

_AGREES_WORDS = {"fingerprint": "known tortured phrase", "phrase": "phrase rewrite", "thesaurus": "thesaurus synonym"}


def trace_summary(t: "Trace") -> str:
    """The closing line for one suspect: its best source, how well it aligns, the swaps."""
    if not t.matches:
        return f"== {t.path}: no source found among {t.searched:,} documents"
    m = t.matches[0]
    known = sum(s.agrees is not None for s in m.swaps)
    line = (
        f"== {t.path}: source found: {m.path} (score {m.score:.2f}); {len(m.pairs)}/{m.sentences} sentences aligned"
        f" ({m.inserted} inserted, {m.dropped} dropped); {len(m.swaps)} swaps, {known} of them known spinner swaps"
    )
    if len(t.matches) > 1:
        line += "; also " + ", ".join(f"{o.path} ({o.score:.2f})" for o in t.matches[1:])
    return line


def render_trace_text(t: "Trace") -> str:
    """The suspect with its best source's swaps marked (``[> spun [-> original; kind]``, kind
    the resource that knows the swap or "aligned"), then :func:`trace_summary`.
    :func:`strip_marks` gives back the suspect byte for byte."""
    text = t.text
    inserts: list[tuple[int, int, str]] = [(m.end(), -1, ">") for m in _LITERAL.finditer(text)]
    for k, s in enumerate(t.matches[0].swaps if t.matches else ()):  # in text order: a swap's marks, then the next one's
        inserts.append((s.start, 2 * k, SPAN_START))
        mark = MARK_OPEN + (_clean(s.original) or "(nothing)") + f"; {s.agrees or 'aligned'}" + MARK_CLOSE
        inserts.append((s.end, 2 * k + 1, mark))
    inserts.sort(key=lambda x: (x[0], x[1]))
    out, pos = [], 0
    for at, _, mark in inserts:
        out.append(text[pos:at])
        out.append(mark)
        pos = at
    out.append(text[pos:])
    body = "".join(out)
    tail = ""
    if text and not text.endswith("\n"):
        body += "\n"
        tail = NO_NEWLINE
    return body + trace_summary(t) + tail + "\n"


def render_trace_json(traces: Sequence["Trace"]) -> str:
    """``{"schema_version": N, "suspects": [{"path", "searched", "matches": [...]}]}``."""
    return json.dumps({"schema_version": SCHEMA_VERSION, "suspects": [t.to_dict() for t in traces]}, ensure_ascii=False) + "\n"


_TRACE_CSS = """
body{font:15px/1.6 system-ui,sans-serif;margin:0;color:#222;background:#fafafa;overflow-wrap:anywhere}
header,footer,.suspect>h2,.suspect>p{padding:.4em 1.5em}
footer{border-top:1px solid #ddd;font-size:13px;color:#555}
.pair{display:flex;gap:1em;padding:0 1.5em 1em}
.pair>div{flex:1;min-width:0}
.text{white-space:pre-wrap;overflow-wrap:anywhere;background:#fff;padding:1em;border:1px solid #ddd}
h1,h2,h3{overflow-wrap:anywhere}
mark.swap{background:#ffcc80;border-bottom:2px solid #e65100}
mark.orig{background:#c8e6c9;border-bottom:2px solid #2e7d32}
mark.known{font-weight:600}
mark:target{outline:3px solid #1565c0}
sup a{font-size:11px;text-decoration:none}
@media (max-width:700px){.pair{flex-direction:column;padding:0 .6em .6em}header,footer,.suspect>h2,.suspect>p{padding:.4em .6em}}
"""


def render_trace_html(traces: Sequence["Trace"]) -> str:
    """A standalone page: for each suspect, the suspect and its best source side by side,
    each swap highlighted on both sides and linked both ways."""
    from datetime import datetime, timezone

    from . import __version__

    e = html.escape
    title = "spundetect trace" + (f": {traces[0].path}" if len(traces) == 1 else f": {len(traces)} suspects")
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{e(title)}</title><style>{_TRACE_CSS}</style></head><body>",
        "<header><h1>spundetect trace</h1><p>Each suspect beside the source it was most likely spun from. "
        "Highlighted: the words that differ; bold: swaps a thesaurus, the phrase table or the tortured-phrase list "
        "knows. Numbers link each swap to its other side.</p></header>",
    ]
    for n, t in enumerate(traces):
        parts.append(f"<section class='suspect' id='t{n}'><h2>{e(t.path)}</h2><p>{e(trace_summary(t)[3:])}</p>")
        if t.matches:
            m = t.matches[0]
            spun_side = _trace_side(t.text, [(s.start, s.end, s) for s in m.swaps], n, "s", "o", "swap")
            orig_side = _trace_side(m.text, [(s.source_start, s.source_end, s) for s in m.swaps], n, "o", "s", "orig")
            parts.append(
                f"<div class='pair'><div><h3>Suspect</h3><div class='text'>{spun_side}</div></div>"
                f"<div><h3>Source: {e(m.path)}</h3><div class='text'>{orig_side}</div></div></div>"
            )
        else:
            parts.append(f"<div class='pair'><div class='text'>{e(t.text)}</div></div>")
        parts.append("</section>")
    parts.append(
        f"<footer>Made by spundetect {e(__version__)} on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC. "
        "This page makes no network requests.</footer></body></html>\n"
    )
    return "".join(parts)


def _trace_side(text: str, spans: list, n: int, here: str, there: str, cls: str) -> str:
    e = html.escape
    out, pos = [], 0
    for k, (a, b, s) in sorted(enumerate(spans), key=lambda x: (x[1][0], x[0])):
        out.append(e(text[pos:a]))
        known = " known" if s.agrees else ""
        tip = f"{s.spun or '(nothing)'} / {s.original or '(nothing)'}" + (f": {_AGREES_WORDS[s.agrees]}" if s.agrees else "")
        out.append(
            f"<mark class='{cls}{known}' id='t{n}{here}{k}' title='{e(tip)}'>{e(text[a:b])}</mark>"
            f"<sup><a href='#t{n}{there}{k}'>{k + 1}</a></sup>"
        )
        pos = max(pos, b)
    out.append(e(text[pos:]))
    return "".join(out)
