"""Compile the candidate originals of every word that has any into one table.

Looking up a word's originals means inflecting every synonym of each of its readings with
lemminflect: about 0.2 ms of Python per new word type, which was a quarter of a check on
fresh text, and loading lemminflect's tables costs a third of a second more. This table
holds exactly what ``computed_candidates`` gives (each candidate's LM id, evidence bits and
thesaurus degree, in the same order) for every lower-case word that has a candidate. Such a
word is a thesaurus entry or a word lemminflect's lemma tables hold (the computed path reads
no other lemmas), so the build computes those and the LM's vocabulary, keeps the non-empty
ones, and marks the table ``complete``: a lower-case word it lacks has no candidates, with
no lemminflect at run time. Built from the thesaurus and LM artifacts and lemminflect.
"""

from __future__ import annotations

import logging

import numpy as np

from ..candidates.synonyms import thesaurus
from ..lm import BOS, EOS, UNK, language_model
from .artifact import write_artifact
from .sources import package_version

__all__ = ["build_candidates", "lookup_words"]

log = logging.getLogger(__name__)


def lookup_words() -> list[str]:
    """Every lower-case word whose candidates may be non-empty, and the LM's words, sorted."""
    import lemminflect

    lem = lemminflect.Lemmatizer()
    words = set(lem._getLemmaDict()) | set(lem._getOverridesDict())
    words |= {w for w in thesaurus().words if " " not in w}
    words |= {w for w in language_model().words if w not in (BOS, EOS, UNK)}
    return sorted(w for w in words if w == w.lower())


def build_candidates() -> dict:
    from ..candidates.compiled import FORMAT, computed_candidates

    lm = language_model()
    words, found = [], []
    for word in lookup_words():
        cand = computed_candidates(word)
        if len(cand[0]):
            words.append(word)
            found.append(cand)
    indptr, ids, bits, degree = [0], [], [], []
    for cand_ids, cand_bits, cand_degree in found:
        ids.append(cand_ids)
        bits.append(cand_bits)
        degree.append(cand_degree)
        indptr.append(indptr[-1] + len(cand_ids))
    all_bits, all_degree = np.concatenate(bits), np.concatenate(degree)
    if all_bits.max() >= 1 << 8 or all_degree.max() >= 1 << 16:
        raise ValueError("evidence bits or degrees too large for the table's uint8/uint16 columns")
    arrays = {
        "indptr": np.array(indptr, dtype=np.int64),
        "ids": np.concatenate(ids).astype(np.int32),
        "bits": all_bits.astype(np.uint8),
        "degree": all_degree.astype(np.uint16),
    }
    header = {
        "format": FORMAT,
        "kind": "candidate originals (LM ids, evidence bits, degrees) of every lower-case word that has any",
        "complete": True,
        "words": len(words),
        "entries": int(indptr[-1]),
        "built_from": {"lm": lm.sha256, "thesaurus": thesaurus().sha256},
        "versions": {"lemminflect": package_version("lemminflect"), "numpy": package_version("numpy")},
        "licence": "derived from the thesaurus and lm artifacts (see their headers)",
    }
    write_artifact("candidates", header, arrays, {"words.txt": "\n".join(words) + "\n"})
    log.info("%d words, %d candidates", len(words), indptr[-1])
    return header
