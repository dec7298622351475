"""Tool links: word swaps real spinners were seen making ("errand" for "task", "utilizing"
for "using"), compiled by ``python -m spundetect.build toollinks`` from the tortured-phrase
list's development rows. The restore search scores such a swap as a link every thesaurus
agrees on, in the spinner's direction (:func:`spundetect.restore._links`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache, cached_property

from ..lexicon import Artifact, load_artifact
from .fingerprints import CREDIT

__all__ = ["ToolLink", "ToolLinks", "tool_links", "FORMAT", "CREDIT"]

FORMAT = 2


@dataclass(frozen=True, slots=True)
class ToolLink:
    """An original a real tool was seen turning into the written word."""

    original: str  # inflected like the written word
    lemma: str
    degree: int  # how many synonyms the thesaurus offers for the lemma
    count: int  # how often the development rows show the swap (the lemmas' count for inflected forms)


@dataclass(frozen=True, eq=False)
class ToolLinks:
    """The packaged table; use :func:`tool_links` for the shared instance."""

    artifact: Artifact

    @cached_property
    def table(self) -> dict[str, tuple[ToolLink, ...]]:
        out: dict[str, list[ToolLink]] = defaultdict(list)
        for row in self.artifact.text("links.tsv").splitlines()[1:]:
            written, original, lemma, degree, count = row.split("\t")
            out[written].append(ToolLink(original, lemma, int(degree), int(count)))
        return {w: tuple(links) for w, links in out.items()}

    @property
    def sha256(self) -> str:
        return self.artifact.sha256

    def originals(self, written: str) -> tuple[ToolLink, ...]:
        """Originals real tools were seen turning into the lower-case word ``written``, the
        word's own pairs first, then its lemma's, inflected like it."""
        return self.table.get(written, ())


@cache
def tool_links() -> ToolLinks:
    """The packaged tool links (loaded on first use, then cached)."""
    return ToolLinks(load_artifact("toollinks"))
