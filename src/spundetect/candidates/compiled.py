"""Candidate originals of a single written word, from the compiled table (built by
``python -m spundetect.build candidates``), else computed from the thesaurus and
lemminflect. Both give the same arrays (tests/test_synonyms.py). The table is complete for
lower-case words: one it lacks has no candidates."""

from __future__ import annotations

import logging
from functools import cache, cached_property, lru_cache

import numpy as np

from ..lexicon import Artifact, ArtifactError, load_artifact
from ..lm import UNK, language_model
from .synonyms import MOBY_FWD, MOBY_REV, ROGET, WORDNET, thesaurus
from .tool_links import tool_links

__all__ = ["FORMAT", "CandidateTable", "candidate_table", "candidates", "computed_candidates"]

log = logging.getLogger(__name__)

FORMAT = 2
_NONE = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


def computed_candidates(word: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(LM ids, evidence bits, degrees) of the LM-known one-word originals of ``word``."""
    lm = language_model()
    forms, bits, degree = thesaurus().single_word_originals(word)
    ids = lm.ids(forms)
    keep = np.flatnonzero(ids != lm.vocab[UNK])
    return ids[keep], np.array(bits, dtype=np.int64)[keep], np.array(degree, dtype=np.int64)[keep]


class CandidateTable:
    """The compiled table; :meth:`get` returns None for a word it cannot answer for (one with
    capitals: the computed path treats those otherwise)."""

    def __init__(self, artifact: Artifact):
        self.artifact = artifact

    @cached_property
    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.artifact.text("words.txt").split("\n")[:-1])}

    def get(self, word: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        i = self.index.get(word)
        if i is None:
            return _NONE if word == word.lower() and self.artifact.header.get("complete") else None
        ar = self.artifact.arrays
        a, b = int(ar["indptr"][i]), int(ar["indptr"][i + 1])
        return ar["ids"][a:b].astype(np.int64), ar["bits"][a:b], ar["degree"][a:b]  # bits and degree as stored


@cache
def candidate_table() -> CandidateTable | None:
    """The packaged table, or None (with a warning) when it is missing or was compiled from
    other thesaurus or LM data than the packaged ones: it would give other candidates."""
    try:
        art = load_artifact("candidates")
    except ArtifactError as e:
        log.warning("%s; computing candidates instead", e)
        return None
    built = art.header.get("built_from", {})
    if built != {"lm": language_model().sha256, "thesaurus": thesaurus().sha256}:
        log.warning("the compiled candidate table is for other lm/thesaurus data; computing candidates instead")
        return None
    return CandidateTable(art)


@lru_cache(maxsize=200_000)
def candidates(word: str) -> tuple[np.ndarray, np.ndarray]:
    """Known single-word originals of ``word``, tool links included: their LM ids and one
    (3, n) array of fwd bit, number of sources and log degree (compact: one entry per word
    type, cached)."""
    table = candidate_table()
    found = table.get(word) if table is not None else None
    ids, b, degree = found if found is not None else computed_candidates(word)
    forward, n_sources, log_degree = _evidence_tables()
    if len(degree) and degree.max() >= len(log_degree):
        log_degree = np.log(np.arange(degree.max() + 1, dtype=np.float64) + 1.0)
    evidence = np.array([forward[b], n_sources[b], log_degree[degree]], dtype=np.float64).reshape(3, len(ids))
    return _with_tool_links(word, ids, evidence)


@cache
def _evidence_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """By evidence bits: the forward bit and the number of thesauri (0 to 3); by degree:
    log(degree + 1). Gathers instead of arithmetic on each word's links."""
    b = np.arange(256, dtype=np.int64)
    n_sources = (b & (MOBY_FWD | MOBY_REV) > 0).astype(np.int64) + (b & WORDNET > 0) + (b & ROGET > 0)
    log_degree = np.log(np.arange(1 << 16, dtype=np.float64) + 1.0)
    return (b & MOBY_FWD > 0).astype(np.float64), n_sources.astype(np.float64), log_degree


def _with_tool_links(word: str, ids: np.ndarray, evidence: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Add the originals real tools were seen turning into ``word`` (tool links), as links
    of every thesaurus in the spinner's direction (forward, three sources); a thesaurus
    link they confirm becomes one."""
    lm = language_model()
    extra = {lm.vocab[t.original]: t.degree for t in tool_links().originals(word) if t.original in lm.vocab}
    if not extra:
        return ids, evidence
    evidence = evidence.copy()
    at = {x: i for i, x in enumerate(ids.tolist())}
    for x in extra:
        if x in at:
            evidence[0, at[x]], evidence[1, at[x]] = 1.0, 3.0
    new = [x for x in extra if x not in at]
    degree = np.array([extra[x] for x in new], dtype=np.float64)
    added = np.vstack([np.ones(len(new)), np.full(len(new), 3.0), np.log(degree + 1.0)])
    return np.concatenate([ids, np.array(new, dtype=np.int64)]), np.hstack([evidence, added])
