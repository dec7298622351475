"""Rendering reports: annotated text and the JSON contract (shared/DESIGN.md section 4)."""

from __future__ import annotations

import json
from typing import Sequence

from .results import SCHEMA_VERSION, Report

__all__ = ["render_json", "render_text", "MARK_OPEN", "MARK_CLOSE"]

# Inline mark after a suspected span: "press convention [-> press conference]".
MARK_OPEN, MARK_CLOSE = " [-> ", "]"


def render_json(reports: Sequence[Report], model: dict[str, str]) -> str:
    doc = {"schema_version": SCHEMA_VERSION, "model": model, "documents": [r.to_dict() for r in reports]}
    return json.dumps(doc, ensure_ascii=False)


def render_text(report: Report) -> str:
    """The input with a mark after each suspected span, then a one-line summary."""
    out, pos = [], 0
    for sp in report.spans:
        out.append(report.text[pos : sp.end])
        alts = " | ".join(o.text for o in sp.originals[:3]) or "?"
        out.append(f"{MARK_OPEN}{alts}{MARK_CLOSE}")
        pos = sp.end
    out.append(report.text[pos:])
    body = "".join(out)
    if body and not body.endswith("\n"):
        body += "\n"
    flagged = sum(s.spun for s in report.sentences)
    verdict = "likely spun" if report.spun else "no spinning found"
    summary = (
        f"== {report.path or '-'}: spin score {report.score:.2f} ({verdict}); "
        f"{flagged}/{len(report.sentences)} sentences and {len(report.spans)} spans flagged. "
        "A risk marker, not proof.\n"
    )
    return body + summary
