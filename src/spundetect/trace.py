"""Tracing a spun text to its source: find the documents it was likely spun from, align it
with each, and report every swap.

The stages, in the order the data flows:

1. **Fixed words.** A spinner swaps content words for synonyms and leaves alone what its
   thesaurus has no entry for: function words, numbers, names (capitalised inside a
   sentence) and words no thesaurus lists (DSpin, Zhang et al., NDSS 2011, calls them the
   *immutables*). :func:`fixed_pattern` keeps each such word and writes ``*`` for every
   other word, so "the press convention was held on 4 May" reads
   ``the * * was * on 4 may``: the pattern survives the spinning.
2. **Shingles.** Every run of :data:`SHINGLE` words of the pattern with at least
   :data:`MIN_FIXED` fixed words is hashed to 64 bits (:func:`shingle_hashes`).
3. **Index and search.** :class:`SourceIndex` keeps each source's shingle hashes in one
   sorted array with their document numbers (an inverted index, searched with
   ``numpy.searchsorted``). A suspect's shingles vote for the sources that hold them; the
   :data:`TOP_CANDIDATES` with most votes are scored: the share of the suspect's shingles
   the source holds. A source is a match from :data:`MATCH_SCORE` (and :data:`MIN_SHARED`
   shingles) when at least one of its sentences aligns with one of the suspect's.
4. **Alignment** (:func:`align`): each suspect sentence is paired with the source
   sentence most like it (so reordered, inserted and dropped sentences are handled), then
   the words of each pair are aligned by ``difflib``; every run of differing words is a
   :class:`Swap`, with whether the thesaurus, the phrase table or the tortured-phrase list
   links the two sides (``agrees``).

An index is saved as a ``.npz`` of plain arrays (loaded with ``allow_pickle=False``: loading
runs no code) and a JSON header.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from . import segment

__all__ = [
    "Swap", "SourceMatch", "Trace", "SourceIndex", "IndexFileError", "fixed_pattern", "shingle_hashes", "align",
    "SHINGLE", "MIN_FIXED", "MATCH_SCORE", "MIN_SHARED", "TOP_CANDIDATES", "sentence_pairs_tsv",
]  # fmt: skip

SHINGLE = 5  # words per shingle
MIN_FIXED = 3  # fixed words a shingle needs ("of the * * *" is in every document)
# Share of the suspect's shingles a source must hold to be a match: clean 10-line documents of
# shared/eval reach at most 0.10 against 2,000 corpus documents, real spun copies 0.29-0.39.
MATCH_SCORE = 0.15
MIN_SHARED = 3  # and this many shingles at least (a one-line suspect has few)
TOP_CANDIDATES = 20  # sources scored exactly per suspect
MAX_POSTINGS = 5_000  # a shingle held by more sources than this is too common to vote
SENTENCE_MATCH = 0.3  # difflib ratio of word lists from which two sentences are aligned
INDEX_FORMAT = 1

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_DIGIT = re.compile(r"\d")
_ALIGN_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")
_WILD = "*"
# odd 64-bit multipliers, one per shingle position (fixed: saved indexes depend on them)
_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD], dtype=np.uint64
)


class IndexFileError(Exception):
    """An index file that cannot be read (missing, damaged, another format)."""


# --- 1. fixed words -------------------------------------------------------------------


@cache
def _spinnable() -> frozenset[str]:
    """Words some thesaurus lists: a spinner may swap them."""
    from .candidates.synonyms import thesaurus
    from .channel import FUNCTION_WORDS

    return frozenset(thesaurus().words) - FUNCTION_WORDS


def fixed_pattern(text: str) -> list[str]:
    """Per word of ``text``: the word in lower case where a spinner leaves it alone, else ``*``."""
    spinnable = _spinnable()
    out = []
    for m in _WORD.finditer(text):
        word = m.group(0)
        lower = word.lower()
        if lower not in spinnable or _DIGIT.search(word) or (word[0].isupper() and not _sentence_initial(text, m.start())):
            out.append(lower)
        else:
            out.append(_WILD)
    return out


def _sentence_initial(text: str, at: int) -> bool:
    before = text[max(0, at - 3) : at].rstrip(" \"'“‘(")
    return not before or before[-1] in ".!?\n:"


# --- 2. shingles ----------------------------------------------------------------------

_TOKEN_HASHES: dict[str, np.uint64] = {}


def _token_hash(word: str) -> np.uint64:
    h = _TOKEN_HASHES.get(word)
    if h is None:
        h = np.uint64(int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little"))
        if len(_TOKEN_HASHES) < 1_000_000:
            _TOKEN_HASHES[word] = h
    return h


def shingle_hashes(text: str) -> np.ndarray:
    """The sorted unique 64-bit hashes of the text's shingles (see the module docstring)."""
    pattern = fixed_pattern(text)
    n = len(pattern) - SHINGLE + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    tokens = np.array([_token_hash(w) for w in pattern], dtype=np.uint64)
    fixed = np.cumsum(np.r_[0, [w != _WILD for w in pattern]])
    keep = fixed[SHINGLE:] - fixed[:n] >= MIN_FIXED
    h = np.zeros(n, dtype=np.uint64)
    for j in range(SHINGLE):
        h += tokens[j : j + n] * _MIX[j]  # wraps modulo 2**64 by design
    return np.unique(h[keep])


# --- results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Swap:
    """One run of words the suspect has in place of the source's: ``spun ==
    suspect[start:end]``, ``original == source[source_start:source_end]`` (either may be
    empty: words inserted or dropped). ``agrees``: "fingerprint", "phrase" or "thesaurus"
    when that resource links the two sides (a swap spinners make), else None."""

    spun: str
    original: str
    start: int
    end: int
    source_start: int
    source_end: int
    agrees: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "spun": self.spun, "original": self.original, "start": self.start, "end": self.end,
            "source_start": self.source_start, "source_end": self.source_end, "agrees": self.agrees,
        }  # fmt: skip


@dataclass(frozen=True)
class SourceMatch:
    """A source the suspect was likely spun from. ``score``: the share of the suspect's
    shingles the source holds. ``pairs``: aligned (suspect, source) sentence ranges."""

    path: str
    score: float
    text: str
    swaps: tuple[Swap, ...]
    pairs: tuple[tuple[int, int, int, int], ...]
    sentences: int  # the suspect's sentences
    inserted: int  # suspect sentences with no source sentence
    dropped: int  # source sentences with no suspect sentence

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "score": round(self.score, 4), "sentences": self.sentences,
            "sentences_aligned": len(self.pairs), "sentences_inserted": self.inserted,
            "sentences_dropped": self.dropped, "swaps": [s.to_dict() for s in self.swaps],
        }  # fmt: skip

    def sentence_pairs(self, suspect: str) -> list[tuple[str, str]]:
        """The aligned (original, spun) sentence texts."""
        return [(self.text[c:d], suspect[a:b]) for a, b, c, d in self.pairs]


@dataclass(frozen=True)
class Trace:
    """What tracing one suspect found: its matches, best first (empty: no source found
    among ``searched`` documents)."""

    path: str
    text: str
    matches: tuple[SourceMatch, ...]
    searched: int

    @property
    def found(self) -> bool:
        return bool(self.matches)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "searched": self.searched, "matches": [m.to_dict() for m in self.matches]}


# --- 3. index and search --------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SourceIndex:
    """Source documents and the inverted index of their shingles."""

    names: tuple[str, ...]
    texts: tuple[str, ...]
    hashes: np.ndarray  # (postings,) uint64, sorted
    docs: np.ndarray  # (postings,) int32: the document each hash belongs to
    shingles: np.ndarray  # (documents,) int32: each document's count of distinct shingles

    @classmethod
    def build(cls, documents: Iterable[tuple[str, str]]) -> "SourceIndex":
        """Index ``(name, text)`` pairs (read one at a time)."""
        names, texts, parts, counts = [], [], [], []
        for name, text in documents:
            h = shingle_hashes(text)
            names.append(name)
            texts.append(text)
            parts.append(h)
            counts.append(len(h))
        hashes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
        docs = np.repeat(np.arange(len(parts), dtype=np.int32), counts)
        order = np.argsort(hashes, kind="stable")
        return cls(tuple(names), tuple(texts), hashes[order], docs[order], np.array(counts, dtype=np.int32))

    def __len__(self) -> int:
        return len(self.names)

    # persistence: plain arrays and JSON, nothing that runs code on load

    def save(self, path: Path) -> None:
        """Write the index to ``path`` (an ``.npz`` file), atomically
        (:class:`spundetect.outputs.SafeOutput`; errors raise its ``OutputError``)."""
        from .outputs import SafeOutput

        out = SafeOutput(Path(path), binary=True)
        try:
            self.write(out.file)
            out.commit()
        finally:
            out.discard()

    def write(self, f) -> None:
        """Write the index as an ``.npz`` to the binary file ``f``."""
        blob = "\0".join(self.texts).encode("utf-8")
        header = {"format": INDEX_FORMAT, "documents": len(self), "names": list(self.names)}
        np.savez(
            f, hashes=self.hashes, docs=self.docs, shingles=self.shingles,
            texts=np.frombuffer(blob, dtype=np.uint8),
            header=np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8),
        )  # fmt: skip

    @classmethod
    def load(cls, path: Path) -> "SourceIndex":
        try:
            with np.load(path, allow_pickle=False) as z:
                header = json.loads(z["header"].tobytes().decode("utf-8"))
                if header.get("format") != INDEX_FORMAT:
                    raise IndexFileError(f"{path}: index format {header.get('format')}, this version reads {INDEX_FORMAT}")
                texts = z["texts"].tobytes().decode("utf-8").split("\0") if header["documents"] else []
                index = cls(tuple(header["names"]), tuple(texts), z["hashes"], z["docs"], z["shingles"])
        except IndexFileError:
            raise
        except OSError as e:
            raise IndexFileError(f"{path}: {e.strerror or e}") from None
        except Exception as e:  # not an npz, missing arrays, bad JSON, ...
            raise IndexFileError(f"{path}: not a spundetect index ({e.__class__.__name__})") from None
        if not (len(index.names) == len(index.texts) == len(index.shingles)) or len(index.hashes) != len(index.docs):
            raise IndexFileError(f"{path}: not a spundetect index (inconsistent arrays)")
        return index

    # search

    def candidates(self, hashes: np.ndarray, k: int = TOP_CANDIDATES) -> list[tuple[int, float]]:
        """Up to ``k`` (document, score) pairs with MIN_SHARED shingles in common, best first;
        score: the share of ``hashes`` the document holds."""
        if not len(hashes) or not len(self.hashes):
            return []
        lo = np.searchsorted(self.hashes, hashes, side="left")
        hi = np.searchsorted(self.hashes, hashes, side="right")
        width = hi - lo
        use = (width > 0) & (width <= MAX_POSTINGS)
        if not use.any():
            return []
        idx = np.concatenate([np.arange(a, b) for a, b in zip(lo[use], hi[use])])
        votes = np.bincount(self.docs[idx], minlength=len(self))
        top = np.argsort(-votes, kind="stable")[:k]
        top = top[votes[top] >= MIN_SHARED]
        return [(int(d), float(votes[d]) / len(hashes)) for d in top]

    def trace(self, path: str, text: str, top: int = 3) -> Trace:
        """The sources ``text`` was likely spun from (up to ``top``), each aligned with it."""
        found = []
        for d, score in self.candidates(shingle_hashes(text)):
            if score < MATCH_SCORE or len(found) >= top:
                break
            match = align(text, self.names[d], self.texts[d], score)
            if match.pairs:
                found.append(match)
        return Trace(path, text, tuple(found), len(self))


# --- 4. alignment -----------------------------------------------------------------------


def align(suspect: str, source_path: str, source: str, score: float = float("nan")) -> SourceMatch:
    """Pair the suspect's sentences with the source's, then report the differing words of
    each pair as swaps."""
    sus = segment.sentences(suspect)
    src = segment.sentences(source)
    src_words = [_lower_words(source, s.start, s.end) for s in src]
    by_word: dict[str, set[int]] = {}
    for j, words in enumerate(src_words):
        for w in set(words):
            by_word.setdefault(w, set()).add(j)
    pairs, used, swaps = [], set(), []
    previous = -1
    for s in sus:
        words = _lower_words(suspect, s.start, s.end)
        j = _best_sentence(words, src_words, by_word, previous)
        if j is None:
            continue
        used.add(j)
        previous = j
        t = src[j]
        pairs.append((s.start, s.end, t.start, t.end))
        swaps += _word_swaps(suspect, s.start, s.end, source, t.start, t.end)
    return SourceMatch(
        source_path, score, source, tuple(swaps), tuple(pairs), len(sus), len(sus) - len(pairs), len(src) - len(used)
    )


def _lower_words(text: str, a: int, b: int) -> list[str]:
    return [m.group(0).lower() for m in _ALIGN_TOKEN.finditer(text, a, b)]


def _best_sentence(words: list[str], src_words: list[list[str]], by_word: dict[str, set[int]], previous: int) -> int | None:
    """The source sentence most like ``words`` (difflib ratio), among those sharing the most
    fixed words with it and the one after the previous match; None under SENTENCE_MATCH."""
    spinnable = _spinnable()
    shared: dict[int, int] = {}
    for w in set(words):
        if w not in spinnable and w[0].isalnum():
            for j in by_word.get(w, ()):
                shared[j] = shared.get(j, 0) + 1
    pool = sorted(shared, key=lambda j: -shared[j])[:5]
    if previous + 1 < len(src_words):
        pool.append(previous + 1)
    best, best_ratio = None, SENTENCE_MATCH
    for j in dict.fromkeys(pool):
        ratio = difflib.SequenceMatcher(None, words, src_words[j], autojunk=False).ratio()
        if ratio >= best_ratio:
            best, best_ratio = j, ratio
    return best


def _word_swaps(suspect: str, a: int, b: int, source: str, c: int, d: int) -> list[Swap]:
    sus = list(_ALIGN_TOKEN.finditer(suspect, a, b))
    src = list(_ALIGN_TOKEN.finditer(source, c, d))
    matcher = difflib.SequenceMatcher(None, [m.group(0).lower() for m in sus], [m.group(0).lower() for m in src], autojunk=False)
    out = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if all(not m.group(0)[0].isalnum() for m in sus[i1:i2] + src[j1:j2]):
            continue  # punctuation only
        start = sus[i1].start() if i1 < i2 else (sus[i1].start() if i1 < len(sus) else b)
        end = sus[i2 - 1].end() if i1 < i2 else start
        s_start = src[j1].start() if j1 < j2 else (src[j1].start() if j1 < len(src) else d)
        s_end = src[j2 - 1].end() if j1 < j2 else s_start
        spun, original = suspect[start:end], source[s_start:s_end]
        out.append(Swap(spun, original, start, end, s_start, s_end, _agrees(spun, original)))
    return out


def _agrees(spun: str, original: str) -> str | None:
    """Which resource links ``original`` -> ``spun`` as a swap a spinner makes, if any."""
    if not spun or not original:
        return None
    w, o = spun.lower(), original.lower()
    from .candidates.phrases import phrase_table
    from .candidates.synonyms import thesaurus

    if o in _tortured().get(w, ()):
        return "fingerprint"
    if any(p.original == o for p in phrase_table().originals(w)):
        return "phrase"
    if " " not in w and any(link.original == o for link in thesaurus().originals(w)):
        return "thesaurus"
    return None


@cache
def _tortured() -> dict[str, frozenset[str]]:
    """Tortured phrase -> its expected originals (lower case)."""
    from .candidates.fingerprints import fingerprints

    out: dict[str, set[str]] = {}
    for fp in fingerprints().entries:
        out.setdefault(fp.tortured.lower(), set()).update(e.lower() for e in fp.expected)
    return {k: frozenset(v) for k, v in out.items()}


def sentence_pairs_tsv(traces: Sequence[Trace]) -> str:
    """The aligned (original, spun) sentence pairs of every suspect's best match, as TSV."""
    rows = ["suspect\tsource\toriginal\tspun"]
    for t in traces:
        if t.matches:
            m = t.matches[0]
            for original, spun in m.sentence_pairs(t.text):
                rows.append("\t".join(_tsv(x) for x in (t.path, m.path, original, spun)))
    return "\n".join(rows) + "\n"


def _tsv(s: str) -> str:
    return s.replace("\t", " ").replace("\r", " ").replace("\n", " ")
