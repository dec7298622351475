"""Synthetic spinning of clean text: the training data for the ranker and the classifier.

A spinner maps original -> synonym without regard to context. This one uses the same
thesaurus links as the detector, in the spinner's direction (the original's entry lists
the synonym), and re-inflects the synonym like the original word. Every swap is recorded,
so each token carries its label and its original.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Sequence

import numpy as np

from .. import segment
from ..candidates.inflect import inflect, word_readings
from ..candidates.synonyms import IDX_BITS, MOBY_FWD, Thesaurus, thesaurus
from ..channel import FUNCTION_WORDS
from ..lm import language_model

__all__ = ["Swap", "Profile", "PROFILES", "EXTRA_PROFILES", "ALL_PROFILES", "Spinner", "real_choices"]


@dataclass(frozen=True, slots=True)
class Swap:
    """Tokens ``start .. end-1`` of the original became ``written`` (a phrase for phrase swaps)."""

    start: int
    end: int
    original: str
    written: str


@dataclass(frozen=True)
class Profile:
    """How one kind of spinning tool behaves (see corpus/README.md)."""

    name: str
    rate: float  # share of eligible content words swapped
    direction_only: bool = False  # only Moby original->synonym links (a Moby-based tool)
    protect_capitalised: bool = True  # skip capitalised words inside a sentence (names)
    protect_quotes: bool = False  # skip quoted speech
    adjacent: bool = True  # may swap neighbouring words (else never two in a row)
    phrase_rate: float = 0.0  # chance of applying each applicable phrase swap first
    real_rate: float = 0.0  # chance of a real tool's choice (:func:`real_choices`) where one is known
    hyphen_parts: bool = False  # swap the parts of hyphenated words too ("pre-training" -> "pre-preparing")


PROFILES = {
    "light": Profile("light", 0.10, protect_quotes=True, adjacent=False, phrase_rate=0.2),
    "medium": Profile("medium", 0.30, phrase_rate=0.5),
    "heavy": Profile("heavy", 0.50, protect_capitalised=False, phrase_rate=0.8),
    "moby": Profile("moby", 0.30, direction_only=True, protect_quotes=True, phrase_rate=0.0),
}
#: profiles a training run may add (``spundetect train --profile NAME``); the packaged model
#: was trained on PROFILES alone
EXTRA_PROFILES = {
    # a SpinBot-style tool: most content words, names and headings too, sense-blind picks
    # that real tools make, their phrase rewrites (spinbot_swaps.tsv), hyphenated words' parts
    "tool": Profile("tool", 0.55, protect_capitalised=False, phrase_rate=0.9, real_rate=0.8, hyphen_parts=True),
}
ALL_PROFILES = {**PROFILES, **EXTRA_PROFILES}
SPINBOT_SWAPS = Path(__file__).with_name("spinbot_swaps.tsv")


@cache
def real_choices() -> dict[str, tuple[tuple[str, ...], tuple[float, ...]]]:
    """original lemma -> (written words, their odds): the word swaps of real spinner output,
    read from the tortured-phrase list's development rows (never its 1,000 evaluation rows):
    where a tortured phrase and its expected phrase have the same number of words, each pair
    of differing words ("profound learning" / "deep learning": deep -> profound). Real tools
    pick from every sense of a word ("network" -> "organization", "regression" -> "relapse")."""
    from ..evaluation import pps_dev_rows

    counts: dict[str, dict[str, int]] = {}
    for tortured, expected in pps_dev_rows():
        tw, ew = tortured.split(), expected[0].split()
        if len(tw) != len(ew):
            continue
        for orig, written in zip(ew, tw):
            if orig != written and orig.isalpha() and written.isalpha():
                readings = word_readings(orig)
                lemma = readings[0][0] if readings else orig
                bucket = counts.setdefault(lemma, {})
                bucket[written] = bucket.get(written, 0) + 1
    return {k: (tuple(v), tuple(c / sum(v.values()) for c in v.values())) for k, v in sorted(counts.items())}


@dataclass(eq=False)
class Spinner:
    """Word-level thesaurus spinner.

    ``rate``: share of content words swapped; ``direction_only``: only use links where the
    original's Moby entry lists the synonym (a Moby-based tool), else any thesaurus link;
    ``protect_capitalised``: leave capitalised words inside a sentence alone.
    """

    rate: float = 0.3
    direction_only: bool = False
    protect_capitalised: bool = True
    seed: int = 0
    protect_quotes: bool = False
    adjacent: bool = True
    phrase_rate: float = 0.0
    real_rate: float = 0.0
    hyphen_parts: bool = False

    @classmethod
    def from_profile(cls, profile: Profile, seed: int = 0) -> "Spinner":
        return cls(
            rate=profile.rate, direction_only=profile.direction_only, protect_capitalised=profile.protect_capitalised,
            seed=seed, protect_quotes=profile.protect_quotes, adjacent=profile.adjacent, phrase_rate=profile.phrase_rate,
            real_rate=profile.real_rate, hyphen_parts=profile.hyphen_parts,
        )  # fmt: skip

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    @cached_property
    def forward(self) -> tuple[Thesaurus, np.ndarray, np.ndarray, np.ndarray]:
        """original id -> (written id, bits), sorted by original."""
        th = thesaurus()
        ar = th.artifact.arrays
        indptr = np.asarray(ar["indptr"], dtype=np.int64)
        packed = np.asarray(ar["links"], dtype=np.int64)
        written = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
        orig = packed & ((1 << IDX_BITS) - 1)
        bits = packed >> IDX_BITS
        order = np.argsort(orig, kind="stable")
        ptr = np.searchsorted(orig[order], np.arange(len(indptr)))
        return th, ptr, written[order], bits[order]

    def synonyms(self, lemma: str) -> list[str]:
        th, ptr, written, bits = self.forward
        i = th.index.get(lemma)
        if i is None:
            return []
        sel = slice(ptr[i], ptr[i + 1])
        ws, bs = written[sel], bits[sel]
        if self.direction_only:
            ws = ws[(bs & MOBY_FWD) > 0]
        return [th.words[j] for j in ws.tolist()]

    def spin_word(self, word: str) -> str | None:
        """A random synonym of ``word`` inflected like it, or None (with ``hyphen_parts``,
        a hyphenated word gets its parts swapped instead)."""
        if self.hyphen_parts and "-" in word.strip("-"):
            parts = word.split("-")
            new = [(self.spin_word(p) if len(p) >= 4 and p.isalpha() and self.rng.random() < 0.7 else None) or p for p in parts]
            return "-".join(new) if new != parts else None
        w = word.lower()
        known = language_model().known
        options: list[str] = []
        readings = word_readings(w) or [(w, "", "")]
        lemma, upos, tag = self.rng.choice(readings)
        real = real_choices().get(lemma) if self.real_rate else None
        if real and self.rng.random() < self.real_rate:
            pick = self.rng.choices(real[0], real[1])[0]
            form = (inflect(pick, upos, tag) if upos else None) or pick
            if form != w:
                return form.capitalize() if word[:1].isupper() else form
        for syn in self.synonyms(lemma):
            form = inflect(syn, upos, tag) if upos else syn
            if form and form != w and " " not in form and known(form):
                options.append(form)
        if not options:
            return None
        out = self.rng.choice(options)
        return out.capitalize() if word[:1].isupper() else out

    @cached_property
    def phrase_swaps(self) -> dict[tuple[str, ...], list[str]]:
        """original phrase (tokens) -> written phrases: the phrase table's multiword rows
        (one-word rows are synonyms like the thesaurus's), excluding the rows taken from
        observations of the seed article (provenance "design"); with ``real_rate``, also the
        rewrites of ``spinbot_swaps.tsv``."""
        from ..candidates.phrases import phrase_table

        out: dict[tuple[str, ...], list[str]] = {}
        for swaps in phrase_table().table.values():
            for sw in swaps:
                if sw.provenance != "design" and (" " in sw.written or " " in sw.original):
                    out.setdefault(tuple(sw.original.split()), []).append(sw.written)
        if self.real_rate:  # a tool like the real ones: their rewrites too
            for line in SPINBOT_SWAPS.read_text(encoding="utf-8").splitlines():
                if line and not line.startswith(("#", "written\t")):
                    written, original = line.split("\t")
                    out.setdefault(tuple(original.split()), []).append(written)
        return out

    def spin(self, tokens: Sequence[str]) -> tuple[list[str], list[Swap], list[int]]:
        """Spin a tokenised sentence.

        Returns the new tokens, the swaps made (offsets into the *original* tokens) and, for
        each new token, the index of the swap that produced it (-1 where untouched).
        """
        quoted = segment.quote_mask(list(tokens)) if self.protect_quotes else [False] * len(tokens)
        swaps: list[Swap] = []
        out: list[str] = []
        origin: list[int] = []
        i = 0
        prev_swapped = False
        lower = [t.lower() for t in tokens]
        while i < len(tokens):
            t = tokens[i]
            if quoted[i] or not segment.is_word(t):
                out.append(t)
                origin.append(-1)
                i += 1
                prev_swapped = False
                continue
            # phrase swaps first (longest original phrase starting here)
            if self.phrase_rate:
                done = False
                for n in (3, 2, 1):
                    key = tuple(lower[i : i + n])
                    options = self.phrase_swaps.get(key) if len(key) == n and not any(quoted[i : i + n]) else None
                    if options and self.rng.random() < self.phrase_rate:
                        written = self.rng.choice(options)
                        if t[:1].isupper():
                            written = written[:1].upper() + written[1:]
                        swaps.append(Swap(i, i + n, " ".join(tokens[i : i + n]), written))
                        for w in written.split():
                            out.append(w)
                            origin.append(len(swaps) - 1)
                        i += n
                        prev_swapped = True
                        done = True
                        break
                if done:
                    continue
            eligible = (
                t.lower() not in FUNCTION_WORDS
                and segment.norm(t) != "<num>"
                and not (self.protect_capitalised and i > 0 and t[:1].isupper())
                and (self.adjacent or not prev_swapped)
            )
            new = self.spin_word(t) if eligible and self.rng.random() < self.rate else None
            if new:
                swaps.append(Swap(i, i + 1, t, new))
                out.append(new)
                origin.append(len(swaps) - 1)
                prev_swapped = True
            else:
                out.append(t)
                origin.append(-1)
                prev_swapped = False
            i += 1
        return out, swaps, origin
