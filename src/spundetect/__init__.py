"""spundetect: find synonym-spun English text and say what it most likely said before.

Public API (nothing is loaded until first use)::

    import spundetect
    report = spundetect.check(text)          # Report: score, spun, sentences, spans
    report.translated                        # Translated(score, likely): machine translation, apart from spin
    spundetect.suggest("press convention", context="He spoke at a press convention.")
    spundetect.strip_marks(spundetect.render_text(report)) == text   # marks come off exactly
    index = spundetect.SourceIndex.build([("story.txt", source_text)])
    index.trace("copy.txt", spun_text).matches[0].swaps      # what a spun copy changed
"""

from __future__ import annotations

from .channel import Weights
from .detector import Detector, check
from .render import render_text, strip_marks
from .restore import suggest
from .results import Report, SentenceResult, Span, Suggestion, Translated
from .trace import SourceIndex, Trace

__all__ = [
    "check", "suggest", "render_text", "strip_marks", "Detector", "Report", "SentenceResult", "Span", "Suggestion",
    "Translated", "Weights", "SourceIndex", "Trace", "__version__",
]  # fmt: skip

__version__ = "0.1.0"
