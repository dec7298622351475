"""Compile the tortured-phrase list (``shared/lexicon``) into package data, with a whitelist.

A listed phrase that occurs in the clean training corpus (``shared/corpus``) is legitimate
English somewhere ("hazard ratio", say) and is whitelisted rather than flagged. The
evaluation set is not consulted.
"""

from __future__ import annotations

import logging
from collections import Counter

from .. import segment
from ..candidates.fingerprints import CREDIT, Fingerprint, build_trie, canonical, phrase_key, plural_pairs, walk
from .artifact import write_artifact
from .sources import corpus_files, package_version, read_lines, sha256_file, shared_dir

__all__ = ["build_fingerprints"]

log = logging.getLogger(__name__)

MIN_CLEAN_HITS = 1  # occurrences in clean text that make a phrase a legitimate term


def build_fingerprints() -> dict:
    src = shared_dir() / "lexicon" / "pps_tortured_phrases.tsv"
    rows = []
    for line in src.read_text(encoding="utf-8").splitlines()[1:]:
        tortured, expected = line.split("\t")
        rows.append((tortured.strip(), expected.strip()))
    keys = [phrase_key(t) for t, _ in rows]
    trie = build_trie([(Fingerprint(t, tuple(e.split("/"))), k) for (t, e), k in zip(rows, keys)])
    hits: Counter[str] = Counter()
    for path in corpus_files():
        for line in read_lines(path, split="all"):
            for m in walk(trie, [canonical(t.text) for t in segment.tokenize(line)]):
                hits[m.fingerprint.tortured] += 1
    whitelist = {t for t, n in hits.items() if n >= MIN_CLEAN_HITS}
    log.info("%d fingerprints, %d whitelisted (seen in the clean corpus)", len(rows), len(whitelist))
    text = "tortured\texpected\tstatus\tkey\n" + "".join(
        f"{t}\t{e}\t{'whitelisted' if t in whitelist else 'active'}\t{' '.join(k)}\n" for (t, e), k in zip(rows, keys)
    )
    pairs = plural_pairs({w for k in keys for w in k})
    header = {
        "format": 2,
        "kind": "tortured-phrase fingerprints with a corpus-derived whitelist",
        "rows": len(rows),
        "whitelisted": len(whitelist),
        "plural_pairs": len(pairs),
        "versions": {"lemminflect": package_version("lemminflect")},
        "list_sha256": sha256_file(src),
        "credit": CREDIT,
        "licence": "CC BY 4.0 (Problematic Paper Screener); see shared/lexicon/README.md",
        "sources": {
            "shared/lexicon/pps_tortured_phrases.tsv": sha256_file(src),
            "shared/corpus": {p.name: sha256_file(p) for p in corpus_files()},
        },
    }
    plurals = "".join(f"{w}\t{c}\n" for w, c in sorted(pairs.items()))
    write_artifact("fingerprints", header, {}, {"fingerprints.tsv": text, "plurals.tsv": plurals})
    return header
