"""Phrase-swap candidates: multiword spinner idioms ("got here" -> "came").

Backed by the compiled phrase-swap table (``build.phrases``): curated rows and inflected
multiword thesaurus entries, each with its provenance.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache, cached_property

from ..lexicon import Artifact, load_artifact

__all__ = ["PhraseSwap", "PhraseTable", "phrase_table", "MAX_PHRASE_WORDS"]

MAX_PHRASE_WORDS = 4


@dataclass(frozen=True, slots=True)
class PhraseSwap:
    written: str
    original: str
    provenance: str

    @property
    def curated(self) -> bool:
        return not self.provenance.startswith("mined")

    @property
    def idiom(self) -> bool:
        """A curated swap with several words on either side: the multiword idioms no
        thesaurus has. (Curated one-word rows are synonyms like any other.)"""
        return self.curated and (" " in self.written or " " in self.original)


@dataclass(frozen=True, eq=False)
class PhraseTable:
    """written phrase (lower case) -> the originals it may stand for."""

    artifact: Artifact

    @cached_property
    def table(self) -> dict[str, tuple[PhraseSwap, ...]]:
        out: dict[str, list[PhraseSwap]] = defaultdict(list)
        for row in self.artifact.text("phrases.tsv").splitlines()[1:]:
            written, original, provenance = row.split("\t")
            out[written].append(PhraseSwap(written, original, provenance))
        return {k: tuple(v) for k, v in out.items()}

    @property
    def sha256(self) -> str:
        return self.artifact.sha256

    def originals(self, written: str) -> tuple[PhraseSwap, ...]:
        return self.table.get(written, ())


@cache
def phrase_table() -> PhraseTable:
    """The packaged phrase-swap table (loaded on first use, then cached)."""
    return PhraseTable(load_artifact("phrases"))
