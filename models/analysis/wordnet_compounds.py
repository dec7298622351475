"""How much a WordNet multiword-term index could add to the tortured-phrase top-3.

    python models/analysis/wordnet_compounds.py [N_ROWS]    (default 400; about 75 s)

DESIGN.md suggests an index of known multiword terms. Ours is the language model's attested
bigrams and trigrams; this script bounds what WordNet 3.0's multiword lemmas (the
``index.*`` files of Debian's ``wordnet-base``) could add. On N dev rows of
``shared/lexicon/pps_tortured_phrases.tsv`` (outside the 1,000 that ``spundetect.evaluation``
reports on, without brackets, shuffled with seed 1) it counts the rows whose expected
phrase is already in the top 3 (``suggest``, no context, fingerprints off), and of the
others those whose expected phrase is a WordNet compound of the same length with every word
reachable from the written word at its position (one or two thesaurus hops, as the term
search sees them): the most such an index could lift. Needs ../shared.
"""

from __future__ import annotations

import random
import sys
from collections import Counter
from pathlib import Path

from spundetect import segment
from spundetect.evaluation import pps_dev_rows
from spundetect.lm import language_model
from spundetect.restore import _word_channels, fitted_weights, suggest

WORDNET = Path("/usr/share/wordnet")


def wordnet_compounds() -> set[str]:
    out = set()
    for pos in ("noun", "verb", "adj", "adv"):
        with open(WORDNET / f"index.{pos}", encoding="latin-1") as f:
            for line in f:
                lemma = line.split(" ", 1)[0]
                if not line.startswith(" ") and "_" in lemma:
                    out.add(lemma.replace("_", " ").lower())
    return out


def dev_rows(n: int) -> list[tuple[str, list[str]]]:
    dev = [(t, exp) for t, exp in pps_dev_rows() if "(" not in t]
    random.Random(1).shuffle(dev)
    return dev[:n]


def main(n: int) -> None:
    compounds = wordnet_compounds()
    lm, weights = language_model(), fitted_weights("phrase")
    counts: Counter[str] = Counter()
    for tortured, expected in dev_rows(n):
        written = [segment.norm(t.text) for t in segment.tokenize(tortured)]
        got = [c.text.lower() for c in suggest(tortured, None, k=3, use_fingerprints=False)]
        if any(e in got for e in expected):
            counts["in the top 3 already"] += 1
            continue
        if len(written) not in (2, 3):
            counts["not 2-3 words"] += 1
            continue
        same = [e.split() for e in expected if e in compounds and len(e.split()) == len(written)]
        if not same:
            counts["expected phrase not a WordNet compound of the same length"] += 1
            continue
        reach = [set(_word_channels(written, written, a, weights)[0].tolist()) for a in range(len(written))]
        ok = any(all(w in lm.vocab and lm.vocab[w] in reach[a] for a, w in enumerate(e)) for e in same)
        counts["WordNet compound, reachable: the most an index could add" if ok else "WordNet compound, unreachable"] += 1
    print(f"{n} dev rows")
    for what, k in counts.most_common():
        print(f"{k:5d}  {what}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
