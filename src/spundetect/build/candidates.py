"""Compile the candidate originals of the most frequent words into one table.

Looking up a word's originals means inflecting every synonym of each of its readings with
lemminflect: about 0.2 ms of Python per new word type, which was a quarter of a check on
fresh text. This table holds, for the ``N_WORDS`` words the language model finds most
probable (96 % of the running words of the corpus), exactly what ``computed_candidates`` gives:
each candidate's LM id, evidence bits and thesaurus degree, in the same order. Other
words take the computed path. Built from the thesaurus and LM artifacts and lemminflect.
"""

from __future__ import annotations

import logging

import numpy as np

from ..candidates.synonyms import thesaurus
from ..lm import BOS, EOS, UNK, language_model
from .artifact import write_artifact
from .sources import package_version

__all__ = ["build_candidates", "N_WORDS"]

log = logging.getLogger(__name__)

N_WORDS = 30_000


def build_candidates() -> dict:
    from ..candidates.compiled import FORMAT, computed_candidates

    lm = language_model()
    uni = np.asarray(lm.artifact.arrays["uni_logp"])
    order = np.argsort(-uni, kind="stable")  # most probable first; ties by id (deterministic)
    words = [lm.words[i] for i in order if lm.words[i] not in (BOS, EOS, UNK)][:N_WORDS]
    words.sort()
    indptr, ids, bits, degree = [0], [], [], []
    for word in words:
        cand_ids, cand_bits, cand_degree = computed_candidates(word)
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
        "kind": f"candidate originals (LM ids, evidence bits, degrees) of the {N_WORDS} most probable LM words",
        "words": len(words),
        "entries": int(indptr[-1]),
        "built_from": {"lm": lm.sha256, "thesaurus": thesaurus().sha256},
        "versions": {"lemminflect": package_version("lemminflect"), "numpy": package_version("numpy")},
        "licence": "derived from the thesaurus and lm artifacts (see their headers)",
    }
    write_artifact("candidates", header, arrays, {"words.txt": "\n".join(words) + "\n"})
    log.info("%d words, %d candidates", len(words), indptr[-1])
    return header
