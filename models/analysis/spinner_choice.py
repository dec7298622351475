"""Which synonym does a real spinner pick? A choice model fitted on the tortured-phrase list.

    python models/analysis/spinner_choice.py [--restore] [--rows N]

The rows of ``shared/lexicon/pps_tortured_phrases.tsv`` outside the 1,000 that
``spundetect.evaluation`` reports on are aligned word by word (same length on both sides).
For each distinct original -> written pair our thesauri reach, the written word is one
choice among all the original's synonyms (as ``build.spinner`` offers them). Each link has
one of 15 evidence patterns (Moby forward, Moby reverse, WordNet, Roget); a conditional
logit gives each pattern's log-odds against the Moby-both-ways pattern, and this prints
them with the mean log-likelihood against a uniform choice (what our spinner does).

``--restore`` then scores the restore search with those log-odds as the channel's link
weights (in place of the direction and per-thesaurus terms; the Moby-both-ways link keeps
its old weight) against the packaged weights: on the first N of the 1,000 evaluation rows
of the list (default 1,000; about 4 minutes each way on 2 cores) and on the seed article's
gold phrases with the packaged model. Results are in corpus/README.md. Needs ../shared.
"""

from __future__ import annotations

import argparse
import math
from collections import Counter

import numpy as np

FR = 3  # Moby forward | Moby reverse: the reference pattern


def choice_groups() -> tuple[np.ndarray, np.ndarray]:
    """(options per pattern, chosen pattern) for each original -> written pair."""
    from spundetect.build.spinner import Spinner
    from spundetect.candidates.inflect import inflect, word_readings
    from spundetect.evaluation import pps_dev_rows

    pairs: Counter = Counter()
    for tortured, expected in pps_dev_rows():
        for alt in expected:
            spun, orig = tortured.lower().split(), alt.split()
            if len(spun) == len(orig):
                pairs.update((o, w) for w, o in zip(spun, orig) if w != o)
    th, ptr, written, bits = Spinner().forward
    counts, chosen = [], []
    for original, word in pairs:
        options: dict[str, int] = {}
        for lemma, upos, tag in word_readings(original) or [(original, "", "")]:
            i = th.index.get(lemma)
            if i is None:
                continue
            for j, b in zip(written[ptr[i] : ptr[i + 1]].tolist(), bits[ptr[i] : ptr[i + 1]].tolist()):
                form = inflect(th.words[j], upos, tag) if upos else th.words[j]
                if form and form != original and " " not in form:
                    options[form] = options.get(form, 0) | b
        if word in options:
            counts.append(np.bincount([b & 15 for b in options.values()], minlength=16))
            chosen.append(options[word] & 15)
    return np.array(counts, dtype=float), np.array(chosen)


def fit(counts: np.ndarray, chosen: np.ndarray, l2: float = 1.0, steps: int = 3000) -> np.ndarray:
    """Log-odds of each pattern (FR = 0) by gradient ascent on the conditional logit."""
    theta = np.zeros(16)
    n = len(chosen)
    for _ in range(steps):
        p = counts * np.exp(theta)
        p /= p.sum(1, keepdims=True)
        theta += 5.0 * (np.bincount(chosen, minlength=16) - p.sum(0) - l2 * theta) / n
        theta -= theta[FR]
    return theta


def _name(pattern: int) -> str:
    return "+".join(c for c, bit in zip(("moby>", "moby<", "wordnet", "roget"), (1, 2, 4, 8)) if pattern & bit)


def restore_with(theta: np.ndarray | None, rows: int) -> None:
    import spundetect.restore as restore
    from spundetect import Detector
    from spundetect.evaluation import eval_pps, eval_seeds, pps_sample

    if theta is not None:

        def link_score(link, base, w):
            fr = w.spinner_direction + w.per_source  # the old weight of a Moby-both-ways link
            return base + fr + theta[link.bits & 15] + w.degree * math.log(link.degree + 1)

        # The beam's links only: since the known-term search takes its one- and two-hop
        # channels as arrays from the compiled candidate table (no evidence bits), this
        # patch no longer reaches it; the figures in models/HISTORY.md predate that.
        restore._link_score = link_score
    pps = eval_pps(pps_sample()[:rows], None)
    gold = eval_seeds(Detector.load())["001"]["gold_phrases"]
    label = "choice model" if theta is not None else "packaged"
    print(
        f"{label}: tortured phrases top-1 {pps['top1']:.3f} top-3 {pps['top3']:.3f} ({rows} rows); "
        f"seed gold top-1 {gold['top1_of_detected']:.3f} top-3 {gold['top3_of_detected']:.3f} of detected",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--restore", action="store_true")
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    counts, chosen = choice_groups()
    theta = fit(counts, chosen)
    ll = np.mean(theta[chosen] - np.log((counts * np.exp(theta)).sum(1)))
    print(f"{len(chosen)} pairs; mean log-likelihood {ll:.3f} (uniform choice {np.mean(-np.log(counts.sum(1))):.3f})")
    for p in sorted(range(1, 16), key=lambda p: -theta[p]):
        print(f"  {_name(p):<28} log-odds {theta[p]:+.2f}  odds {math.exp(theta[p]):6.2f}  chosen {int((chosen == p).sum())}")
    if args.restore:
        restore_with(None, args.rows)
        restore_with(theta, args.rows)


if __name__ == "__main__":
    main()
