"""Rendering reports: annotated text, concise lines, JSON, JSON Lines and a standalone HTML page.

Every format carries the facts of the JSON contract (shared/DESIGN.md section 4).

The text format is the input with marks inserted, then one summary line:

- after each suspected span: `` [-> original | alternative | ...]``
  ("press convention [-> press conference]");
- after each flagged sentence: `` [=> spin 0.93]``;
- where the input itself contains ``[->`` or ``[=>``, one ``>`` is added (``[->>``), so
  that no input text is taken for a mark;
- the summary line starts with ``== `` on a line of its own; if the marked input does not
  end with a newline, one is added before the summary line, which then ends with
  `` (no newline at end of input)`` (as ``diff`` says it).

:func:`strip_marks` undoes all of this and gives back the input byte for byte (with
``--show all`` and without colour).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any, Sequence

from .results import SCHEMA_VERSION, Report

__all__ = [
    "render_text", "render_concise", "render_json", "render_jsonl", "render_html", "strip_marks",
    "MARK_OPEN", "MARK_CLOSE", "SENTENCE_OPEN", "NO_NEWLINE",
]  # fmt: skip

MARK_OPEN, MARK_CLOSE = " [-> ", "]"
SENTENCE_OPEN = " [=> "
NO_NEWLINE = " (no newline at end of input)"
_LITERAL = re.compile(r"\[[-=]>")  # input text that looks like the start of a mark
_MARK = re.compile(r" \[[-=]> [^\]\n]*\]")  # a mark (input text never matches: see _LITERAL)
_ESCAPED = re.compile(r"\[([-=])>>")
CAUTION = "A spin score is a risk marker, not proof."

_ANSI = {"span": "\x1b[1;31m", "mark": "\x1b[36m", "sentence": "\x1b[33m", "reset": "\x1b[0m"}


def _clean(s: str) -> str:
    """Mark contents hold no brackets or newlines (the syntax depends on it)."""
    return s.replace("[", "(").replace("]", ")").replace("\n", " ")


def _span_mark(originals: Sequence[str]) -> str:
    return MARK_OPEN + (" | ".join(_clean(o) for o in originals[:3]) or "?") + MARK_CLOSE


def summary_line(report: Report, newline_at_end: bool = True) -> str:
    flagged = sum(s.spun for s in report.sentences)
    verdict = "likely spun" if report.spun else "no spinning found"
    notes = "".join(f" Note: {n}." for n in report.notes)
    return (
        f"== {_clean(report.path or '-')}: spin score {report.score:.2f} ({verdict}); "
        f"{flagged}/{len(report.sentences)} sentences and {len(report.spans)} spans flagged.{notes} {CAUTION}"
        + ("" if newline_at_end else NO_NEWLINE)
        + "\n"
    )


def render_text(report: Report, *, show: str = "all", color: bool = False) -> str:
    """The input with marks (see the module docstring), then the summary line.

    ``show="flagged"`` prints only the flagged sentences, each as ``path:line: text``
    (not removable: for reading, not for round trips)."""
    c = _ANSI if color else dict.fromkeys(_ANSI, "")
    text = report.text
    if show == "flagged":
        out = []
        for s in report.sentences:
            if s.spun:
                line = text.count("\n", 0, s.start) + 1
                out.append(f"{report.path or '-'}:{line}: {_marked(report, s.start, s.end, c)}\n")
        return "".join(out) + summary_line(report)
    body = _marked(report, 0, len(text), c)
    complete = not body or body.endswith("\n")
    return body + ("" if complete else "\n") + summary_line(report, complete)


def _marked(report: Report, lo: int, hi: int, c: dict[str, str]) -> str:
    """text[lo:hi] with literal mark-like text escaped and the marks inserted."""
    text = report.text
    inserts: list[tuple[int, int, str]] = []  # (position, order, string)
    for m in _LITERAL.finditer(text, lo, hi):
        inserts.append((m.end(), 0, ">"))
    # at one position: a span's mark, then a sentence's mark, then the next span's colour
    for s in report.sentences:
        if s.end <= lo or s.start >= hi:
            continue
        for sp in s.spans:
            inserts.append((sp.start, 3, c["span"]))
            inserts.append((sp.end, 1, c["reset"] + c["mark"] + _span_mark([o.text for o in sp.originals]) + c["reset"]))
        if s.spun:
            inserts.append((s.end, 2, c["sentence"] + f"{SENTENCE_OPEN}spin {s.score:.2f}{MARK_CLOSE}" + c["reset"]))
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
    return _ESCAPED.sub(r"[\1>", _MARK.sub("", body))


def render_concise(report: Report) -> str:
    """``path:line:col: score source: 'spun' -> 'original'``, one line per span, and one
    line for a flagged document."""
    path = report.path or "-"
    out = []
    for sp in report.spans:
        line = report.text.count("\n", 0, sp.start) + 1
        col = sp.start - (report.text.rfind("\n", 0, sp.start) + 1) + 1
        orig = repr(sp.originals[0].text) if sp.originals else "?"
        out.append(f"{path}:{line}:{col}: {sp.score:.2f} {sp.source}: {sp.text!r} -> {orig}\n")
    if report.spun:
        flagged = sum(s.spun for s in report.sentences)
        out.append(f"{path}:1:1: {report.score:.2f} document: likely spun ({flagged}/{len(report.sentences)} sentences)\n")
    return "".join(out)


def render_json(reports: Sequence[Report], model: dict[str, str]) -> str:
    doc = {"schema_version": SCHEMA_VERSION, "model": model, "documents": [r.to_dict() for r in reports]}
    return json.dumps(doc, ensure_ascii=False)


def render_jsonl(report: Report) -> str:
    """One JSON object per sentence, with its path, text and the document's score."""
    out = []
    for i, s in enumerate(report.sentences):
        row: dict[str, Any] = {"path": report.path, "sentence": i} | s.to_dict()
        row["text"] = report.text[s.start : s.end]
        row["document_score"] = round(report.score, 4)
        row["document_spun"] = report.spun
        out.append(json.dumps(row, ensure_ascii=False) + "\n")
    return "".join(out)


# --- HTML -------------------------------------------------------------------------------

_CSS = """
body{font:15px/1.6 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header,footer{padding:.8em 1.5em;background:#fff;border-bottom:1px solid #ddd}
footer{border-top:1px solid #ddd;border-bottom:0;font-size:13px;color:#555}
.doc{display:flex;gap:1.5em;padding:1em 1.5em;border-bottom:2px solid #ccc}
.text{flex:3;white-space:pre-wrap;background:#fff;padding:1em;border:1px solid #ddd}
aside{flex:1;min-width:16em;font-size:14px}
aside ol{padding-left:1.4em}
.sent.spun{background:#fff3e0}
mark.spun{background:#ffcc80;position:relative;cursor:help;border-bottom:2px solid #e65100}
mark.spun:hover::after{content:"\\2192  " attr(data-original);position:absolute;left:0;top:1.6em;z-index:9;
 white-space:nowrap;background:#263238;color:#fff;padding:.2em .5em;border-radius:3px;font-size:13px}
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
    e = html.escape
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<title>spundetect report</title><style>" + _CSS + "</style></head><body>",
        "<header><h1>spundetect report</h1>",
        f"<p class='caution'>{e(CAUTION)} Marked spans are phrases a synonym spinner may have produced; "
        "the suggested originals are guesses. Read the text before drawing conclusions.</p></header>",
    ]
    for d, r in enumerate(reports):
        parts.append(_html_document(r, d))
    fp = fingerprints or {}
    parts.append(
        "<footer>"
        f"Model {e(model.get('name', ''))} {e(model.get('version', ''))} (sha256 {e(model.get('sha256', '')[:16])}…). "
        f"Tortured-phrase fingerprints: list sha256 {e(fp.get('list_sha256', '')[:16])}…; {e(fp.get('credit', ''))} "
        "Made by spundetect; this page makes no network requests.</footer></body></html>\n"
    )
    return "".join(parts)


def _html_document(r: Report, d: int) -> str:
    e = html.escape
    flagged = sum(s.spun for s in r.sentences)
    verdict = "likely spun" if r.spun else "no spinning found"
    head = (
        f"<section class='doc' id='doc{d}'><div style='flex:3'><h2>{e(r.path or '-')}</h2>"
        f"<div class='score' data-score='{r.score:.4f}'>spin score {r.score:.2f} ({verdict})</div>"
        f"<div>{r.words} words; {flagged}/{len(r.sentences)} sentences and {len(r.spans)} spans flagged"
        + "".join(f"; {e(n)}" for n in r.notes)
        + "</div><div class='strip' title='sentence scores, in order'>"
        + "".join(
            f"<a href='#d{d}s{i}' style='background:{_heat(s.score)}' title='sentence {i + 1}: {s.score:.2f}'></a>"
            for i, s in enumerate(r.sentences)
        )
        + "</div><div class='text'>"
    )
    body, pos = [], 0
    for i, s in enumerate(r.sentences):
        body.append(e(r.text[pos : s.start]))
        cls = "sent spun" if s.spun else "sent"
        body.append(f"<span class='{cls}' id='d{d}s{i}' data-score='{s.score:.4f}' title='sentence score {s.score:.2f}'>")
        inner = s.start
        for sp in s.spans:
            body.append(e(r.text[inner : sp.start]))
            originals = ", ".join(f"{o.text} ({o.score:.2f})" for o in sp.originals) or "no suggestion"
            top = sp.originals[0].text if sp.originals else "?"
            body.append(
                f"<mark class='spun' data-original='{e(top)}' title='{e(originals)}' "
                f"data-score='{sp.score:.4f}' data-source='{e(sp.source)}'>{e(sp.text)}</mark>"
            )
            inner = sp.end
        body.append(e(r.text[inner : s.end]) + "</span>")
        pos = s.end
    body.append(e(r.text[pos:]))
    side = ["<aside><h3>Suspected spans</h3><ol>"]
    for sp in r.spans:
        originals = " | ".join(e(o.text) for o in sp.originals) or "?"
        side.append(f"<li><b>{e(sp.text)}</b> &rarr; {originals} <small>({sp.score:.2f}, {e(sp.source)})</small></li>")
    side.append("</ol></aside>")
    return head + "".join(body) + "</div></div>" + "".join(side) + "</section>"
