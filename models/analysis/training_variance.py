"""How much the classifier moves with the training seed and the training-set size.

    python models/analysis/training_variance.py [--seeds 0 1 2] [--sizes 12000 24000]

For every seed and size, ``build.train.train_model`` fits one set of classifiers (one
draw, ``members=1``) into a temporary folder (the packaged model is not touched; seed 0 at
``N_TRAIN`` sentences rebuilds it). Each model
is then scored on the same validation documents (seed 0's draw), without thresholds: sentence
recall at 0.5 / 1 / 2 % of clean validation sentences flagged, span recall at 0.4 / 0.8
flagged clean words per 1,000, and average precision. Then with its own thresholds on
the spun seed article (a development document): spun and clean sentences flagged, gold
phrases overlapping a flagged span, and the share of those whose span's top-1 / top-3
suggestion is the original. The seed decides nothing here; it shows how far one real
document's numbers move between models that validation rates alike.

Needs ../shared; prints a table to stdout (about 2 minutes a model at 12,000 sentences
and 3 at 24,000 on 2 cores, plus 30 s a model to score).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score

from spundetect.build.train import N_TRAIN, N_VALIDATION, featurize, make_documents, train_model
from spundetect.detector import Detector
from spundetect.evaluation import eval_seeds
from spundetect.features import sentence_rows

SENTENCE_FPRS = (0.005, 0.01, 0.02)
SPAN_RATES = (0.4, 0.8)  # flagged clean words per 1,000


def _recall_at(scores: np.ndarray, positive: np.ndarray, clean: np.ndarray, rate: float) -> float:
    """Share of positives scored above the threshold that flags ``rate`` of the clean ones."""
    c = np.sort(scores[clean])
    return float((scores[positive] > c[int(len(c) * (1 - rate))]).mean())


def validation_row(model, val) -> dict[str, float]:
    """Threshold-free validation numbers of one model."""
    first = model.span_proba(val.X)
    sent = model.sentence_proba(sentence_rows(val.split_rows(first), val.parts, val.sent_doc))
    span = model.span_context_proba(val.X, first, val.row_sent, val.row_doc)
    clean_doc = np.array([val.doc_profile[d] == "clean" for d in val.sent_doc])
    clean_rows = clean_doc[val.row_sent]
    labels = val.labels
    row = {f"sent@{100 * r:g}%": _recall_at(sent, labels, clean_doc, r) for r in SENTENCE_FPRS}
    row |= {f"span@{r:g}": _recall_at(span, val.y == 1, clean_rows, r / 1000) for r in SPAN_RATES}
    row["sent AP"] = float(average_precision_score(labels, sent))
    row["span AP"] = float(average_precision_score(val.y, span))
    return row


def seed_row(model_dir: Path) -> str:
    r = eval_seeds(Detector.load(model_dir, trust=True))["001"]
    g = r["gold_phrases"]
    return (
        f"spun {r['spun_sentences_flagged']}, clean {r['clean_sentences_flagged']}, "
        f"gold {100 * g['overlapping_a_flagged_span']:.0f} %, top-1/3 {100 * g['top1_of_detected']:.0f}/"
        f"{100 * g['top3_of_detected']:.0f} %"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--sizes", type=int, nargs="+", default=[N_TRAIN, 2 * N_TRAIN])
    args = ap.parse_args()
    val = featurize(make_documents("validation", N_VALIDATION, 0))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            for seed in args.seeds:
                out = Path(tmp) / f"{size}_{seed}"
                model = train_model(seed, out, n_train=size, members=1)
                rows.append((size, seed, validation_row(model, val), seed_row(out)))
    names = list(rows[0][2])
    print("| sentences | seed | " + " | ".join(names) + " | seed article (own thresholds) |")
    print("|---:|---:|" + "---:|" * len(names) + "---|")
    for size, seed, row, seed_text in rows:
        print(f"| {size:,} | {seed} | " + " | ".join(f"{row[n]:.3f}" for n in names) + f" | {seed_text} |")
    for size in args.sizes:
        vals = np.array([[r[2][n] for n in names] for r in rows if r[0] == size])
        spread = " | ".join(
            f"{m:.3f} ± {s:.3f}" for m, s in zip(vals.mean(axis=0), vals.std(axis=0, ddof=1 if len(vals) > 1 else 0))
        )
        print(f"| {size:,} | mean ± sd | {spread} | |")


if __name__ == "__main__":
    main()
