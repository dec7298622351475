"""Known tortured phrases (the Problematic Paper Screener list, CC BY 4.0).

Matching is over tokens, so a phrase only matches whole words ("coworkers" never hits
"worker"), case-insensitive and inflection-aware (plural nouns match their singular, on both
sides), and linear in the text: a token trie walked from each position,
never a loop over the 7,660 phrases. Phrases that occur in the clean training corpus are
legitimate English and are whitelisted at build time. The build also stores each phrase's
matching key and the plural -> singular pairs that matching can meet, so that loading and
matching need no lemmatiser (it was a sixth of a cold ``check``).

Credit: G. Cabanac, C. Labbé, A. Magazinov, "Tortured phrases: A dubious writing style
emerging in science" (2021), Problematic Paper Screener. Licence CC BY 4.0.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from typing import Sequence

from .. import segment
from ..lexicon import Artifact, load_artifact

__all__ = ["Fingerprint", "FingerprintMatch", "Fingerprints", "fingerprints", "canonical", "plural_pairs", "CREDIT"]

CREDIT = "Tortured-phrase fingerprints: Problematic Paper Screener (Cabanac, Labbé, Magazinov 2021), CC BY 4.0"
_END = ""  # trie key marking a complete phrase


@lru_cache(maxsize=200_000)
def canonical(word: str) -> str:
    """The matching key of a word: lower case, plural nouns reduced to the singular.

    Only number is merged: merging "-ing" forms with nouns would make "deep studying"
    (tortured) the same phrase as "deep study" (legitimate).
    """
    from .inflect import all_inflections, all_lemmas

    w = word.lower().replace("’", "'")
    noun = all_lemmas(w).get("NOUN")
    if noun and noun[0] != w and w in all_inflections(noun[0], "NOUN").get("NNS", ()):
        return noun[0]
    return w


def phrase_key(phrase: str) -> tuple[str, ...]:
    return tuple(canonical(t.text) for t in segment.tokenize(phrase))


def plural_pairs(keys: set[str]) -> dict[str, str]:
    """Every word ``w`` that :func:`canonical` changes, with its key, where ``w`` or its key is
    one of ``keys``: with these pairs, ``pairs.get(w, w)`` matches against a trie over
    ``keys`` exactly as ``canonical(w)`` does (any other word fails both ways). Words
    :func:`canonical` changes are the entries of lemminflect's lemma tables."""
    import lemminflect

    lem = lemminflect.Lemmatizer()
    words = set(lem._getLemmaDict()) | set(lem._getOverridesDict())
    pairs = {}
    for w in sorted(words):
        if w != w.lower() or "’" in w:
            continue
        c = canonical(w)
        if c != w and (w in keys or c in keys):
            pairs[w] = c
    return pairs


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


def build_trie(entries: Sequence[tuple[Fingerprint, tuple[str, ...]]]) -> dict:
    """A nested-dict trie over (fingerprint, its token keys); ``_END`` marks a complete phrase."""
    root: dict = {}
    for fp, keys in entries:
        node = root
        for key in keys:
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
    def _active(self) -> list[tuple[Fingerprint, tuple[str, ...]]]:
        """Active fingerprints with their matching keys (stored by the build)."""
        rows = self.artifact.text("fingerprints.tsv").splitlines()[1:]
        out = []
        for row in rows:
            tortured, expected, status, key = row.split("\t")
            if status == "active" and key:
                out.append((Fingerprint(tortured, tuple(e.strip() for e in expected.split("/"))), tuple(key.split(" "))))
        return out

    @property
    def entries(self) -> list[Fingerprint]:
        return [fp for fp, _ in self._active]

    @cached_property
    def whitelist(self) -> frozenset[str]:
        rows = [r.split("\t") for r in self.artifact.text("fingerprints.tsv").splitlines()[1:]]
        return frozenset(r[0] for r in rows if r[2] == "whitelisted")

    @cached_property
    def trie(self) -> dict:
        return build_trie(self._active)

    @cached_property
    def _plurals(self) -> dict[str, str]:
        return dict(line.split("\t") for line in self.artifact.text("plurals.tsv").splitlines())

    def key(self, word: str) -> str:
        """:func:`canonical` as far as matching can tell (from the stored pairs)."""
        w = word.lower().replace("’", "'")
        return self._plurals.get(w, w)

    def match_tokens(self, tokens: Sequence[str]) -> list[FingerprintMatch]:
        """Longest fingerprint starting at each token position (non-overlapping, left to right)."""
        return walk(self.trie, [self.key(t) for t in tokens])

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
