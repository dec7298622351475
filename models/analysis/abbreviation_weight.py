"""How ``restore.Weights.acronym`` was picked, on a dev split of the tortured-phrase list.

    python models/analysis/abbreviation_weight.py [WEIGHT ...]    (default: 0 2 4 8 16 1000)

The dev rows are the rows of ``shared/lexicon/pps_tortured_phrases.tsv`` outside the 1,000
that ``spundetect.evaluation`` reports on, whose tortured phrase ends with an abbreviation in
brackets ("artificial data (ai)"). Each is scored by ``evaluation.eval_pps``: restored on
its own (phrase weights, fingerprints off), the kept abbreviation left out of the comparison
with the list's original. Prints top-1 and top-3 counts per weight (about 40 s each on 2
cores). Needs ../shared.
"""

from __future__ import annotations

import dataclasses
import re
import sys

from spundetect.channel import fitted_weights
from spundetect.evaluation import eval_pps, pps_dev_rows

ENDS_BRACKETED = re.compile(r"\(\s*[a-z]{2,8}\s*\)\s*$")


def dev_rows() -> list[tuple[str, set[str]]]:
    return [(t, set(exp)) for t, exp in pps_dev_rows() if ENDS_BRACKETED.search(t)]


def main(weights: list[float]) -> None:
    rows = dev_rows()
    base = fitted_weights("phrase")
    print(f"{len(rows)} dev rows ending with an abbreviation in brackets")
    for value in weights:
        m = eval_pps(rows, dataclasses.replace(base, acronym=value))
        top1, top3 = round(m["top1"] * len(rows)), round(m["top3"] * len(rows))
        print(f"acronym={value:g}: top-1 {top1}, top-3 {top3} of {len(rows)}", flush=True)


if __name__ == "__main__":
    main([float(x) for x in sys.argv[1:]] or [0, 2, 4, 8, 16, 1000])
