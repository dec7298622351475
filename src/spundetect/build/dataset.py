"""Training, validation and test data: clean sentences held out of the LM, spun by profiles.

Lines are the language model's held-out lines (every 20th line of each corpus file), so
the LM features of training sentences look like those of unseen text. Each line goes to
one split by a hash of its text (train 70 %, validation 15 %, test 15 %). Half of the
sentences of each split stay clean; the other half are spun by one of the profiles in
``build.spinner.PROFILES``, chosen round-robin. The seeds and ``shared/eval`` are never read.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from functools import cache

from .. import segment
from .sources import corpus_files, read_lines, sha256_file
from .spinner import PROFILES, Spinner

__all__ = ["Example", "split_lines", "make_examples", "SPLITS", "FILES", "datasheet"]

# WordNet's usage examples are lower-case fragments, not prose; they are left out.
FILES = tuple(p for p in (
    "wikinews_extracted.txt", "wikipedia_current_events.txt", "wikipedia_extracted.txt",
    "wikipedia_gensim_testdata.txt", "arxiv_abstracts.txt", "gum_cc.txt", "sotu_1946_2016.txt",
    "brown_informative.txt", "debian_handbook.txt",
))  # fmt: skip
SPLITS = {"train": (0, 70), "validation": (70, 85), "test": (85, 100)}
CLEAN_SHARE = 0.5


@dataclass(frozen=True)
class Example:
    """One sentence: its tokens, which tokens a spinner wrote, and what they were."""

    tokens: tuple[str, ...]
    spun: tuple[bool, ...]  # per token
    originals: tuple[str, ...]  # per token: the original phrase of the swap ("" if none)
    profile: str  # "clean" or a profile name
    source: str  # corpus file

    @property
    def label(self) -> bool:
        return any(self.spun)


def _bucket(line: str) -> int:
    return int(hashlib.md5(line.encode("utf-8")).hexdigest()[:8], 16) % 100


@cache
def split_lines(split: str) -> tuple[tuple[str, str], ...]:
    """(file name, line) pairs of a split, in corpus order."""
    lo, hi = SPLITS[split]
    out = []
    for path in corpus_files():
        if path.name not in FILES:
            continue
        for line in read_lines(path, split="holdout"):
            if lo <= _bucket(line) < hi:
                out.append((path.name, line))
    return tuple(out)


def make_examples(split: str, n: int, seed: int = 0, profiles: tuple[str, ...] = tuple(PROFILES)) -> list[Example]:
    """``n`` examples of a split: a seeded sample, half clean, half spun (profiles round-robin)."""
    rng = random.Random(f"{split}:{seed}")
    lines = list(split_lines(split))
    rng.shuffle(lines)
    spinners = {name: Spinner.from_profile(PROFILES[name], seed=seed) for name in profiles}
    out: list[Example] = []
    k = 0
    for source, line in lines:
        if len(out) >= n:
            break
        tokens = [t.text for t in segment.tokenize(line)]
        if sum(segment.is_word(t) for t in tokens) < 4:
            continue
        if rng.random() < CLEAN_SHARE:
            out.append(Example(tuple(tokens), (False,) * len(tokens), ("",) * len(tokens), "clean", source))
            continue
        name = profiles[k % len(profiles)]
        k += 1
        new, swaps, origin = spinners[name].spin(tokens)
        spun = tuple(o >= 0 for o in origin)
        originals = tuple(swaps[o].original if o >= 0 else "" for o in origin)
        out.append(Example(tuple(new), spun, originals, name, source))
    return out


def datasheet() -> dict:
    """Counts and checksums of what the splits are made from (for corpus/ and meta.json)."""
    files = {p.name: sha256_file(p) for p in corpus_files() if p.name in FILES}
    counts = {s: len(split_lines(s)) for s in SPLITS}
    return {"files_sha256": files, "holdout_lines_per_split": counts, "splits_percent": SPLITS, "clean_share": CLEAN_SHARE}
