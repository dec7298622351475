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

__all__ = ["Example", "Document", "split_lines", "make_examples", "make_documents", "SPLITS", "FILES", "datasheet"]

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


@dataclass(frozen=True)
class Document:
    """Consecutive examples of one source, all clean or all spun by one profile."""

    examples: tuple[Example, ...]
    profile: str


DOC_SIZES = (1, 1, 2, 4, 8, 12, 16, 24)


def make_documents(split: str, n_sentences: int, seed: int = 0, profiles: tuple[str, ...] = tuple(PROFILES)) -> list[Document]:
    """Documents of a split with about ``n_sentences`` sentences in all: half of them clean,
    the rest spun whole by one profile each (round-robin), sizes drawn from DOC_SIZES.

    A spinner rewrites a whole article, so a spun document's sentences are all run through
    the same profile; some come out unchanged (short ones, quoted ones) and are labelled clean.
    """
    rng = random.Random(f"docs:{split}:{seed}")
    by_source: dict[str, list[str]] = {}
    for source, line in split_lines(split):
        by_source.setdefault(source, []).append(line)
    sources = sorted(by_source)
    weights = [len(by_source[s]) for s in sources]
    cursor = {s: rng.randrange(len(by_source[s])) for s in sources}
    spinners = {name: Spinner.from_profile(PROFILES[name], seed=seed) for name in profiles}
    docs: list[Document] = []
    total = k = 0
    while total < n_sentences:
        source = rng.choices(sources, weights)[0]
        size = rng.choice(DOC_SIZES)
        lines = by_source[source]
        profile = "clean" if rng.random() < CLEAN_SHARE else profiles[k % len(profiles)]
        k += profile != "clean"
        examples = []
        while len(examples) < size:
            line = lines[cursor[source] % len(lines)]
            cursor[source] += 1
            tokens = [t.text for t in segment.tokenize(line)]
            if sum(segment.is_word(t) for t in tokens) < 4:
                continue
            examples.append(_example(tokens, profile, source, spinners))
        docs.append(Document(tuple(examples), profile))
        total += size
    return docs


def _example(tokens: list[str], profile: str, source: str, spinners: dict[str, Spinner]) -> Example:
    if profile == "clean":
        return Example(tuple(tokens), (False,) * len(tokens), ("",) * len(tokens), "clean", source)
    new, swaps, origin = spinners[profile].spin(tokens)
    originals = tuple(swaps[o].original if o >= 0 else "" for o in origin)
    return Example(tuple(new), tuple(o >= 0 for o in origin), originals, profile, source)


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
            out.append(_example(tokens, "clean", source, spinners))
            continue
        out.append(_example(tokens, profiles[k % len(profiles)], source, spinners))
        k += 1
    return out


def datasheet() -> dict:
    """Counts and checksums of what the splits are made from (for corpus/ and meta.json)."""
    files = {p.name: sha256_file(p) for p in corpus_files() if p.name in FILES}
    counts = {s: len(split_lines(s)) for s in SPLITS}
    return {"files_sha256": files, "holdout_lines_per_split": counts, "splits_percent": SPLITS, "clean_share": CLEAN_SHARE}
