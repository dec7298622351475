"""spundetect: find synonym-spun English text and say what it most likely said before.

Public API (nothing is loaded until first use)::

    import spundetect
    report = spundetect.check(text)          # Report: score, spun, sentences, spans
    spundetect.suggest("press convention", context="He spoke at a press convention.")
"""

from __future__ import annotations

from .detector import Detector, check
from .restore import Candidate, Weights, suggest
from .results import Report, SentenceResult, Span, Suggestion

__all__ = [
    "check", "suggest", "Detector", "Report", "SentenceResult", "Span", "Suggestion", "Candidate", "Weights",
    "__version__",
]  # fmt: skip

__version__ = "0.1.0"
