"""Known tortured phrases (the Problematic Paper Screener list, CC BY 4.0).

Matching is over tokens, so a phrase only matches whole words ("coworkers" never hits
"worker"), case-insensitive and inflection-aware (plural nouns match their singular, on both
sides), and linear in the text: a token trie walked from each position,
never a loop over the 7,660 phrases. Phrases that occur in the clean training corpus are
legitimate English and are whitelisted at build time.

Credit: G. Cabanac, C. Labbé, A. Magazinov, "Tortured phrases: A dubious writing style
emerging in science" (2021), Problematic Paper Screener. Licence CC BY 4.0.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from typing import Sequence

from .. import segment
from ..lexicon import Artifact, load_artifact

__all__ = ["Fingerprint", "FingerprintMatch", "Fingerprints", "fingerprints", "canonical", "CREDIT"]

CREDIT = "Tortured-phrase fingerprints: Problematic Paper Screener (Cabanac, Labbé, Magazinov 2021), CC BY 4.0"
_END = ""  # trie key marking a complete phrase


@lru_cache(maxsize=200_000)
def canonical(word: str) -> str:
    """The matching key of a word: lower case, plural nouns reduced to the singular.

    Only number is merged: merging "-ing" forms with nouns would make "deep studying"
    (tortured) the same phrase as "deep study" (legitimate).
    """
    from .synonyms import _all_inflections, _all_lemmas

    w = word.lower().replace("’", "'")
    noun = _all_lemmas(w).get("NOUN")
    if noun and noun[0] != w and w in _all_inflections(noun[0], "NOUN").get("NNS", ()):
        return noun[0]
    return w


def phrase_key(phrase: str) -> tuple[str, ...]:
    return tuple(canonical(t.text) for t in segment.tokenize(phrase))


@dataclass(frozen=True, slots=True)
class Fingerprint:
    tortured: str
    expected: tuple[str, ...]  # alternatives ("economic development/profit growth")


@dataclass(frozen=True, slots=True)
class FingerprintMatch:
    """A fingerprint found at token positions ``first .. last`` (inclusive)."""

    first: int
    last: int
    fingerprint: Fingerprint


def build_trie(entries: Sequence[Fingerprint]) -> dict:
    """A nested-dict trie over canonical token keys; ``_END`` marks a complete phrase."""
    root: dict = {}
    for fp in entries:
        node = root
        for key in phrase_key(fp.tortured):
            node = node.setdefault(key, {})
        node.setdefault(_END, fp)
    return root


def walk(trie: dict, keys: Sequence[str]) -> list[FingerprintMatch]:
    """Non-overlapping longest matches, left to right; linear for a bounded phrase length."""
    out: list[FingerprintMatch] = []
    i = 0
    while i < len(keys):
        node, best = trie, None
        j = i
        while j < len(keys) and keys[j] in node:
            node = node[keys[j]]
            if _END in node:
                best = FingerprintMatch(i, j, node[_END])
            j += 1
        if best:
            out.append(best)
            i = best.last + 1
        else:
            i += 1
    return out


@dataclass(frozen=True, eq=False)
class Fingerprints:
    """The compiled list and its token trie; use :func:`fingerprints` for the shared one."""

    artifact: Artifact

    @property
    def version(self) -> str:
        """The sha256 of the source list (``shared/lexicon/pps_tortured_phrases.tsv``)."""
        return self.artifact.header["list_sha256"]

    @cached_property
    def entries(self) -> list[Fingerprint]:
        rows = self.artifact.text("fingerprints.tsv").splitlines()[1:]
        out = []
        for row in rows:
            tortured, expected, status = row.split("\t")
            if status == "active":
                out.append(Fingerprint(tortured, tuple(e.strip() for e in expected.split("/"))))
        return out

    @cached_property
    def whitelist(self) -> frozenset[str]:
        rows = self.artifact.text("fingerprints.tsv").splitlines()[1:]
        return frozenset(r.split("\t")[0] for r in rows if r.endswith("\twhitelisted"))

    @cached_property
    def trie(self) -> dict:
        return build_trie(self.entries)

    def match_tokens(self, tokens: Sequence[str]) -> list[FingerprintMatch]:
        """Longest fingerprint starting at each token position (non-overlapping, left to right)."""
        return walk(self.trie, [canonical(t) for t in tokens])

    def match(self, text: str) -> list[tuple[int, int, Fingerprint]]:
        """(start, end, fingerprint) character spans of fingerprints in ``text``."""
        toks = segment.tokenize(text)
        return [(toks[m.first].start, toks[m.last].end, m.fingerprint) for m in self.match_tokens([t.text for t in toks])]

    def lookup(self, phrase: str) -> Fingerprint | None:
        """The fingerprint that is exactly ``phrase`` (inflection-aware), if any."""
        toks = [t.text for t in segment.tokenize(phrase)]
        found = self.match_tokens(toks)
        if len(found) == 1 and found[0].first == 0 and found[0].last == len(toks) - 1:
            return found[0].fingerprint
        return None


@cache
def fingerprints() -> Fingerprints:
    """The packaged fingerprint list (loaded on first use, then cached)."""
    return Fingerprints(load_artifact("fingerprints"))
