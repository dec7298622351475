"""Compile the word swaps real spinners were seen making (``python -m spundetect.build toollinks``).

Read from the tortured-phrase list's development rows (``shared/lexicon``; never its 1,000
evaluation rows, see ``evaluation.pps_dev_rows``): where a tortured phrase and its first
expected phrase have the same number of words, each pair of differing content words, written
-> original ("profound learning" / "deep learning": profound -> deep), with how often it was
seen; and the same pairs as lemmas, so that "errands" -> "tasks" also serves "errand". Every
inflected form is listed with its originals (inflected alike), their lemma and thesaurus
degree, so that a check looks them up without a lemmatiser. Real
tools pick synonyms from every sense of a word ("organization" for "network", "relapse" for
"regression"), links our thesauri do not have. Function words are left out: their changes in
the list are agreement ("a" / "an"), not synonym swaps.
"""

from __future__ import annotations

import logging
from collections import Counter

from ..candidates.inflect import all_inflections, first_lemma, inflect, word_readings
from ..candidates.synonyms import thesaurus
from ..candidates.tool_links import CREDIT, FORMAT
from ..channel import FUNCTION_WORDS
from .artifact import write_artifact
from .sources import package_version, sha256_file, shared_dir

__all__ = ["build_tool_links", "word_pairs"]

log = logging.getLogger(__name__)

UPOS = ("NOUN", "VERB", "ADJ", "ADV")  # the parts of speech whose forms a lemma pair serves


def _is_word(w: str) -> bool:
    return w.replace("-", "").isalpha() and w not in FUNCTION_WORDS


def word_pairs() -> Counter[tuple[str, str]]:
    """(written, original) word pairs of the development rows, with their counts."""
    from ..evaluation import pps_dev_rows

    pairs: Counter[tuple[str, str]] = Counter()
    for tortured, expected in pps_dev_rows():
        written, original = tortured.split(), expected[0].split()
        if len(written) != len(original):
            continue
        pairs.update((w, o) for w, o in zip(written, original) if w != o and _is_word(w) and _is_word(o))
    return pairs


def build_tool_links() -> dict:
    pairs = word_pairs()
    lemmas: dict[str, dict[str, int]] = {}
    for (w, o), n in pairs.items():
        lw, lo = first_lemma(w), first_lemma(o)
        if lw != lo:
            lemmas.setdefault(lw, {})
            lemmas[lw][lo] = lemmas[lw].get(lo, 0) + n
    forms: dict[str, dict[str, int]] = {}
    for (w, o), n in pairs.items():
        forms.setdefault(w, {})[o] = n
    th = thesaurus()
    rows = []
    for written in sorted(set(forms) | _inflected(lemmas)):
        for original, count in _originals(written, forms, lemmas).items():
            lemma = first_lemma(original)
            rows.append(f"{written}\t{original}\t{lemma}\t{th.degree(lemma)}\t{count}\n")
    src = shared_dir() / "lexicon" / "pps_tortured_phrases.tsv"
    header = {
        "format": FORMAT,
        "kind": "word swaps real spinners were seen making (written -> original, every inflected form), from the "
        "tortured-phrase list's development rows (its 1,000 evaluation rows left out)",
        "pairs_seen": len(pairs),
        "lemma_pairs": sum(map(len, lemmas.values())),
        "rows": len(rows),
        "versions": {"lemminflect": package_version("lemminflect")},
        "credit": CREDIT,
        "licence": "CC BY 4.0 (Problematic Paper Screener); see shared/lexicon/README.md",
        "sources": {"shared/lexicon/pps_tortured_phrases.tsv": sha256_file(src), "thesaurus": th.sha256},
    }
    write_artifact("toollinks", header, {}, {"links.tsv": "written\toriginal\tlemma\tdegree\tcount\n" + "".join(rows)})
    log.info("%d word swaps of real spinners seen, %d rows with their inflected forms", len(pairs), len(rows))
    return header


def _inflected(lemmas: dict[str, dict[str, int]]) -> set[str]:
    """Every inflected form of the written lemmas (those a lemma pair can serve)."""
    return {f for lemma in lemmas for upos in UPOS for forms in all_inflections(lemma, upos).values() for f in forms}


def _originals(written: str, forms: dict[str, dict[str, int]], lemmas: dict[str, dict[str, int]]) -> dict[str, int]:
    """Originals of ``written``: its own pairs first, then the lemma pairs of each of its
    readings, inflected like it; with how often the pair was seen."""
    out = dict(forms.get(written, {}))
    for lemma, upos, tag in word_readings(written):
        for original, n in lemmas.get(lemma, {}).items():
            form = original if lemma == written else inflect(original, upos, tag)
            if form and form not in out:
                out[form] = n
    out.pop(written, None)
    return out
