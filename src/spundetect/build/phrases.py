"""Compile the phrase-swap table: curated spinner idioms plus multiword thesaurus entries.

Curated rows come from ``phrase_swaps.tsv`` beside this file (each with its provenance).
Mined rows: the inflected forms of multiword thesaurus entries (2-3 words, a phrasal verb
first) whose original's entry lists them (the direction a spinner swaps), both sides
frequent in the corpus: the forms that single-word inflection cannot reach ("carry out" ->
"carrying out", "carried out"). The base forms are served by the thesaurus index itself.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..candidates.synonyms import MOBY_FWD, ROGET, WORDNET, thesaurus
from ..lm import language_model
from .artifact import write_artifact
from .sources import sha256_file

__all__ = ["build_phrases", "CURATED"]

log = logging.getLogger(__name__)

CURATED = Path(__file__).with_name("phrase_swaps.tsv")
MIN_COUNT = 20
VERB_TAGS = ("VBD", "VBG", "VBZ")


def _curated() -> list[tuple[str, str, str]]:
    rows = []
    for line in CURATED.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("written\t") or not line.strip():
            continue
        written, original, provenance = line.split("\t")
        rows.append((written.lower(), original.lower(), provenance))
    return rows


def _freq(lm, phrase: str) -> int:
    words = phrase.split()
    if len(words) == 1:
        return MIN_COUNT if lm.known(phrase) else 0
    return lm.count(words) if len(words) <= 3 else 0


def _mined(lm) -> list[tuple[str, str, str]]:
    import lemminflect

    th = thesaurus()
    rows = []
    for written in th.words:
        parts = written.split()
        if len(parts) < 2 or _freq(lm, written) < MIN_COUNT:
            continue
        for link in th.originals(written):
            if not link.bits & MOBY_FWD or _freq(lm, link.original) < MIN_COUNT:
                continue
            src = "+".join(n for b, n in ((MOBY_FWD, "moby"), (WORDNET, "wordnet"), (ROGET, "roget")) if link.bits & b)
            # The base form is served by the thesaurus index itself; phrasal verbs: inflect the first word of both sides alike.
            if "VERB" not in lemminflect.getAllLemmas(parts[0]):
                continue
            for tag in VERB_TAGS:
                w = lemminflect.getInflection(parts[0], tag=tag)
                o_parts = link.original.split()
                o = lemminflect.getInflection(o_parts[0], tag=tag)
                if w and o:
                    wf = " ".join([w[0]] + parts[1:])
                    of = " ".join([o[0]] + o_parts[1:])
                    if _freq(lm, wf) >= MIN_COUNT:
                        rows.append((wf, of, f"mined:{src}:inflected"))
    return rows


def build_phrases() -> dict:
    lm = language_model()
    rows: dict[tuple[str, str], str] = {}
    curated = _curated()
    for w, o, p in curated + _mined(lm):
        if w != o:
            rows.setdefault((w, o), p)
    text = "written\toriginal\tprovenance\n" + "".join(f"{w}\t{o}\t{p}\n" for (w, o), p in sorted(rows.items()))
    header = {
        "format": 1,
        "kind": "phrase-swap table: written phrase -> original phrase, with provenance",
        "rows": len(rows),
        "curated": len(curated),
        "sources": {"phrase_swaps.tsv": sha256_file(CURATED), "thesaurus": thesaurus().sha256, "lm": lm.sha256},
    }
    write_artifact("phrases", header, {}, {"phrases.tsv": text})
    log.info("%d phrase swaps (%d curated)", len(rows), len(curated))
    return header
