"""spundetect: find synonym-spun English text and say what it most likely said before.

Public API (nothing is loaded until first use)::

    import spundetect
    spundetect.suggest("press convention", context="He spoke at a press convention.")
"""

from __future__ import annotations

from .restore import Candidate, Weights, suggest

__all__ = ["suggest", "Candidate", "Weights", "__version__"]

__version__ = "0.1.0"
