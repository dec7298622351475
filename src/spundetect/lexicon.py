"""Lazy, cached loaders of the data that ships inside the package.

Each artifact is a folder under ``spundetect/data/`` with a ``header.json`` (format, version,
sources, per-file sha256) beside its files. Arrays are ``.npy`` files opened memory-mapped, so
loading costs little until a lookup touches them; nothing is read at import time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["DATA_DIR", "HEADER", "Artifact", "load_artifact", "ArtifactError"]

DATA_DIR = Path(__file__).resolve().parent / "data"
HEADER = "header.json"

# Formats this code reads, by artifact name.
FORMATS = {
    "thesaurus": 1, "lm": 1, "candidates": 2, "fingerprints": 2, "phrases": 1, "ranker": 2, "vectors": 1, "toollinks": 2,
    "translated": 2, "contextual": 1,
}  # fmt: skip
#: the artifacts spin features read, whose checksums a spin model records; ``translated`` is
#: the machine-translation signal's own classifier, ``ranker`` the restore search's weights
#: (the features read ``channel.FEATURE_WEIGHTS``) and ``contextual`` the opt-in second
#: reading of sentences: none feeds the spin model's features
SPIN_ARTIFACTS = tuple(n for n in FORMATS if n not in ("translated", "ranker", "contextual"))


class ArtifactError(RuntimeError):
    """A packaged data file is missing, of another format, or damaged."""


@dataclass(frozen=True)
class Artifact:
    """A loaded artifact: its header, its arrays (memory-mapped) and its text files."""

    name: str
    path: Path
    header: dict[str, Any]
    arrays: dict[str, np.ndarray] = field(repr=False)

    @property
    def sha256(self) -> str:
        return self.header["sha256"]

    def text(self, filename: str) -> str:
        return (self.path / filename).read_text(encoding="utf-8")

    def size_bytes(self) -> int:
        return sum((self.path / f).stat().st_size for f in self.header["files"])


@cache
def load_artifact(name: str, data_dir: Path | None = None) -> Artifact:
    """Open the artifact ``name`` (checked header, memory-mapped arrays); cached."""
    root = (data_dir or DATA_DIR) / name
    try:
        header = json.loads((root / HEADER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtifactError(
            f"packaged data '{name}' is missing ({root}); rebuild it with `python -m spundetect.build {name}`"
        ) from None
    expected = FORMATS.get(name)
    if header.get("format") != expected:
        raise ArtifactError(f"data '{name}' has format {header.get('format')}, this code reads {expected}")
    arrays = {
        # a plain ndarray view of the map: indexing a np.memmap subclass is slow
        f[:-4]: np.load(root / f, mmap_mode="r", allow_pickle=False).view(np.ndarray)
        for f in header["files"]
        if f.endswith(".npy")
    }
    return Artifact(name, root, header, arrays)
