"""Where build inputs come from: ``../shared`` and installed registry packages."""

from __future__ import annotations

import os
from importlib import metadata
from pathlib import Path
from typing import Iterator

from ..model import sha256_of as sha256_file

__all__ = ["shared_dir", "corpus_files", "read_lines", "sha256_file", "package_version", "HOLDOUT_MOD"]

# Corpus files used for the language model and known-term statistics.
CORPUS_FILES = (
    "wikinews_extracted.txt",
    "wikipedia_current_events.txt",
    "wikipedia_extracted.txt",
    "wikipedia_gensim_testdata.txt",
    "arxiv_abstracts.txt",
    "gum_cc.txt",
    "sotu_1946_2016.txt",
    "brown_informative.txt",
    "debian_handbook.txt",
    "wordnet_examples.txt",
)

# Every HOLDOUT_MOD-th line of every corpus file (by line number) is held out of the
# language model, so that rankers and classifiers can be trained and validated on
# sentences the LM never saw.
HOLDOUT_MOD = 20


def shared_dir() -> Path:
    """The ``shared`` folder: $SPUNDETECT_SHARED, else ``../shared`` beside the checkout."""
    env = os.environ.get("SPUNDETECT_SHARED")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve()
    candidates += [p / "shared" for p in here.parents] + [Path.cwd().parent / "shared"]
    for c in candidates:
        if (c / "corpus").is_dir():
            return c
    raise FileNotFoundError("cannot find the shared/ folder; set SPUNDETECT_SHARED")


def corpus_files() -> list[Path]:
    root = shared_dir() / "corpus"
    return [root / name for name in CORPUS_FILES]


def read_lines(path: Path, *, split: str = "train") -> Iterator[str]:
    """Lines of a corpus file: ``train`` (LM data), ``holdout`` (every HOLDOUT_MOD-th) or ``all``."""
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            held = i % HOLDOUT_MOD == HOLDOUT_MOD - 1
            if split == "all" or (split == "holdout") == held:
                line = line.strip()
                if line:
                    yield line


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"
