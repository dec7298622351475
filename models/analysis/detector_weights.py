"""Whether the restore search wants other channel weights for the detector's own task.

    python models/analysis/detector_weights.py [--sentences 3000] [--stretches 700]

The packaged ``context`` weights were fitted on single spans in otherwise clean sentences.
The detector restores the stretches it flags in wholly spun sentences, neighbours widened
in. This runs one round of the ranker's coordinate ascent (each weight halved and doubled,
or +-0.2 where it is 0) on flagged stretches of spun *training* documents, restored as the
detector restores them, and prints each step's exact-stretch top-1 / top-3. Needs
../shared; about 2 minutes a step on 2 cores (the engine model card has the 2026-11-23 run).
"""

from __future__ import annotations

import argparse
import dataclasses
import json

from neighbour_widening import original_text

from spundetect import restore
from spundetect.build.dataset import make_documents
from spundetect.detector import Detector, _token_probs, sentence_words

STEPS = (
    "lm", "keep_content", "keep_function", "swap_content", "swap_function", "spinner_direction",
    "per_source", "degree", "frequency", "two_hop", "phrase_mined", "phrase_curated",
)  # fmt: skip


def stretches(det: Detector, split: str, n_sentences: int) -> list:
    """(example, tokens, start, end, token probabilities) of every flagged, non-fingerprint
    span in the spun documents of ``split``."""
    out = []
    for doc in make_documents(split, n_sentences, 0):
        if doc.profile == "clean":
            continue
        toks = [list(ex.tokens) for ex in doc.examples]
        scores = det.score(toks)
        parts, span_p = scores.rows, scores.span_p
        span_t = det.decide(scores.sentence_p, [sentence_words(t) for t in toks]).span_thresholds
        for ex, t, rows, p, st in zip(doc.examples, toks, parts, span_p, span_t):
            prob = _token_probs(len(t), rows, p)
            out += [(ex, t, g.start, g.end, prob) for g in det.groups(t, rows, p, st) if not g.fingerprint]
    return out


def score(det: Detector, tasks: list, weights: restore.Weights) -> dict:
    """Exact-stretch top-1 / top-3 with ``weights`` as the context weights (the features were
    computed before, with the packaged ones)."""
    restore.fitted_weights = lambda mode="context": weights
    n = top1 = top3 = 0
    for ex, t, a, b, prob in tasks:
        a, b, cands = det._restore(t, a, b, prob)
        want = original_text(ex, a, b)
        if want is None or not cands:
            continue
        got = [c.text.lower() for c in cands]
        n += 1
        top1 += got[0] == want
        top3 += want in got[:3]
    d = max(n, 1)  # no stretch with a known original: all zero
    return {"n": n, "top1": round(top1 / d, 4), "top3": round(top3 / d, 4), "objective": round((top1 + top3) / (2 * d), 4)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sentences", type=int, default=3000)
    ap.add_argument("--stretches", type=int, default=700)
    args = ap.parse_args()
    det = Detector.load()
    best = restore.fitted_weights("context")
    tasks = stretches(det, "train", args.sentences)[: args.stretches]
    best_score = score(det, tasks, best)
    print(f"{len(tasks)} stretches; packaged weights: {best_score}", flush=True)
    for name in STEPS:
        base = getattr(best, name)
        for value in [base * f for f in (0.5, 2.0)] if base else [-0.2, 0.2]:
            trial = dataclasses.replace(best, **{name: round(value, 4)})
            s = score(det, tasks, trial)
            print(f"{name} {value:g}: {s}", flush=True)
            if s["objective"] > best_score["objective"]:
                best, best_score = trial, s
    print("best:", json.dumps(dataclasses.asdict(best)), best_score)


if __name__ == "__main__":
    main()
