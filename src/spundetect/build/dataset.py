"""Training, validation and test data: clean sentences held out of the LM, spun by profiles.

Lines are the language model's held-out lines (every 20th line of each corpus file), so
the LM features of training sentences look like those of unseen text. Each line goes to
one split by a hash of its text (train 70 %, validation 15 %, test 15 %). Half of the
sentences of each split stay clean; the other half are spun by one of the profiles in
``build.spinner.PROFILES``, chosen round-robin. The seeds and ``shared/eval`` are never read.

With ``genres`` (names from ``eval_real.GENRES``: ``spundetect train --genre NAME``, or
``--genres`` for all; the packaged model is trained without), those genre files (fiction,
reviews, biomedical abstracts, technical documentation, forum posts: one paragraph a line,
none of it in the LM) add up to GENRE_SENTENCES sentences each: every so many paragraphs
from the first ``GENRE_HOLDOUT`` of the file (the rest is held back to measure false
alarms, ``spundetect.eval_real``), split into sentences that stay together (a paragraph
goes to one split, and its sentences follow each other, so a document of consecutive lines
reads as the paragraph did). Whatever the genres, the validation split's paragraphs of every
genre file also serve whole and clean, one document each, to pick the thresholds
(:func:`genre_documents`).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from functools import cache

from .. import segment
from ..eval_real import GENRES, genre_file, genre_training_part
from .sources import corpus_files, read_lines, sha256_file
from .spinner import ALL_PROFILES, PROFILES, Spinner

__all__ = [
    "Example", "Document", "split_lines", "make_examples", "make_documents", "genre_documents", "SPLITS", "FILES", "datasheet",
]  # fmt: skip

# WordNet's usage examples are lower-case fragments, not prose; they are left out.
FILES = tuple(p for p in (
    "wikinews_extracted.txt", "wikipedia_current_events.txt", "wikipedia_extracted.txt",
    "wikipedia_gensim_testdata.txt", "arxiv_abstracts.txt", "gum_cc.txt", "sotu_1946_2016.txt",
    "brown_informative.txt", "debian_handbook.txt",
))  # fmt: skip
SPLITS = {"train": (0, 70), "validation": (70, 85), "test": (85, 100)}
CLEAN_SHARE = 0.5
GENRE_SENTENCES = 2400  # taken from each genre file, over all splits, from at most
GENRE_PARAGRAPHS = 1000  # evenly spaced paragraphs (fiction's 1,000 give about 2,900)


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


def make_documents(
    split: str, n_sentences: int, seed: int = 0, profiles: tuple[str, ...] = tuple(PROFILES), genres: tuple[str, ...] = ()
) -> list[Document]:
    """Documents of a split with about ``n_sentences`` sentences in all: half of them clean,
    the rest spun whole by one profile each (round-robin), sizes drawn from DOC_SIZES.

    A spinner rewrites a whole article, so a spun document's sentences are all run through
    the same profile; some come out unchanged (short ones, quoted ones) and are labelled clean.
    ``profiles`` may name :data:`build.spinner.EXTRA_PROFILES` too.
    """
    rng = random.Random(f"docs:{split}:{seed}")
    by_source: dict[str, list[str]] = {}
    for source, line in split_lines(split, genres):
        by_source.setdefault(source, []).append(line)
    sources = sorted(by_source)
    weights = [len(by_source[s]) for s in sources]
    cursor = {s: rng.randrange(len(by_source[s])) for s in sources}
    spinners = {name: Spinner.from_profile(ALL_PROFILES[name], seed=seed) for name in profiles}
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
def split_lines(split: str, genres: tuple[str, ...] = ()) -> tuple[tuple[str, str], ...]:
    """(file name, line) pairs of a split, in corpus order: LM held-out lines, then the
    sentences of the paragraphs of the ``genres`` files taken for training (:func:`genre_sentences`)."""
    lo, hi = SPLITS[split]
    out = []
    for path in corpus_files():
        if path.name not in FILES:
            continue
        for line in read_lines(path, split="holdout"):
            if lo <= _bucket(line) < hi:
                out.append((path.name, line))
    for name in genres:
        for paragraph, sentences in genre_sentences(name):
            if lo <= _bucket(paragraph) < hi:
                out += [(f"{name}.txt", s) for s in sentences]
    return tuple(out)


@cache
def genre_sentences(name: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(paragraph, its sentences) taken from a genre file for the splits: evenly spaced
    paragraphs of its training part (never :func:`spundetect.eval_real.genre_holdout`'s
    lines) until about GENRE_SENTENCES sentences or GENRE_PARAGRAPHS paragraphs."""
    usable = genre_training_part(name)
    out, total = [], 0
    for paragraph in usable[:: max(1, len(usable) // GENRE_PARAGRAPHS)]:
        text = paragraph.strip()
        sentences = tuple(text[s.start : s.end] for s in segment.sentences(text))
        if not sentences:
            continue
        out.append((text, sentences))
        total += len(sentences)
        if total >= GENRE_SENTENCES:
            break
    return tuple(out)


def genre_documents(split: str) -> list[Document]:
    """Clean documents of every genre file for a split: each paragraph :func:`genre_sentences`
    takes whose hash falls in ``split``, whole, one document (as the held-back genres are
    checked). Training picks thresholds on the validation split's; no model learns from
    them, and the language model never reads them."""
    lo, hi = SPLITS[split]
    docs = []
    for name in GENRES:
        for paragraph, sentences in genre_sentences(name):
            if not lo <= _bucket(paragraph) < hi:
                continue
            examples = []
            for sentence in sentences:
                tokens = tuple(t.text for t in segment.tokenize(sentence))
                if any(segment.is_word(t) for t in tokens):
                    examples.append(Example(tokens, (False,) * len(tokens), ("",) * len(tokens), "clean", f"{name}.txt"))
            if examples:
                docs.append(Document(tuple(examples), "clean"))
    return docs


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


def datasheet(genres: tuple[str, ...] = ()) -> dict:
    """Counts and checksums of what the splits are made from (for corpus/ and meta.json)."""
    files = {p.name: sha256_file(p) for p in corpus_files() if p.name in FILES}
    files |= {f"{g}.txt": sha256_file(genre_file(g)) for g in genres}
    counts = {s: len(split_lines(s, genres)) for s in SPLITS}
    return {"files_sha256": files, "holdout_lines_per_split": counts, "splits_percent": SPLITS, "clean_share": CLEAN_SHARE}
