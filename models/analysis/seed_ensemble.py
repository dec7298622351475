"""Does averaging models trained on different draws beat one model?

    python models/analysis/seed_ensemble.py [--seeds 0 1 2] [--val-seeds 0 7] [--keep DIR] [--variants]

Trains one model per seed (``build.train.train_model`` with ``members=1``, into a temporary
folder or ``--keep DIR``, where a later run finds them; the packaged model is not touched)
and scores, threshold-free, each single model and the
averages of the first 2, 3, ... of them (``model.Averaged`` over each stage; the second
span stage and the sentence model read the averaged first-stage probabilities) on
validation draws: sentence recall at 0.5 / 1 / 2 % of clean validation sentences flagged,
span recall at 0.4 / 0.8 flagged clean words per 1,000, average precisions, and the seconds
the scoring took. ``--variants`` adds cheaper first stages for the average of all seeds:
the first member screening at 0.01 or 0.05 (what ``spundetect train --members`` builds),
or the first member's alone. No seed document is read. Prints a table to stdout (about
2.5 minutes a model on 2 cores).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from spundetect.build.train import N_VALIDATION, featurize, make_documents, train_model
from spundetect.model import Averaged, SpinModel, load_model

sys.path.insert(0, str(Path(__file__).resolve().parent))
from training_variance import validation_row  # noqa: E402 (a sibling script)


def average(models: list[SpinModel]) -> SpinModel:
    """One model whose every stage is the mean of the members' (thresholds: the first's)."""
    first = models[0]
    return SpinModel(
        Averaged([m.span for m in models]),
        Averaged([m.sentence for m in models]),
        dict(first.thresholds),
        context=Averaged([m.context for m in models]),
        context_min_p=first.context_min_p,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--val-seeds", type=int, nargs="+", default=[0, 7])
    ap.add_argument("--keep", help="folder for the trained models (reused when there)")
    ap.add_argument("--variants", action="store_true", help="also cheaper first stages for the full mean")
    args = ap.parse_args()
    vals = {s: featurize(make_documents("validation", N_VALIDATION, s)) for s in args.val_seeds}
    with tempfile.TemporaryDirectory() as tmp:
        keep = Path(args.keep or tmp)
        models = [
            load_model(keep / str(s), trust=True)
            if (keep / str(s) / "meta.json").is_file()
            else train_model(s, keep / str(s), members=1)
            for s in args.seeds
        ]
    rows = []
    for seed, model in zip(args.seeds, models):
        rows.append((f"seed {seed}", model))
    for k in range(2, len(models) + 1):
        rows.append(("mean of seeds " + "+".join(map(str, args.seeds[:k])), average(models[:k])))
    if args.variants:
        full = average(models)
        for gate in (0.01, 0.05):
            rows.append(
                (f"mean, first stage gated at {gate}", dataclasses.replace(full, span=Averaged([m.span for m in models], gate)))
            )
        rows.append(("mean, first stage of the first seed", dataclasses.replace(full, span=models[0].span)))
    table = []
    for v in args.val_seeds:
        for name, model in rows:
            t0 = time.perf_counter()
            table.append((name, v, validation_row(model, vals[v]) | {"score s": time.perf_counter() - t0}))
    names = list(table[0][2])
    print("| model | validation draw | " + " | ".join(names) + " |")
    print("|---|---:|" + "---:|" * len(names))
    for name, v, row in table:
        print(f"| {name} | {v} | " + " | ".join(f"{row[n]:.3f}" for n in names) + " |")
    for v in args.val_seeds:
        singles = np.array([[r[n] for n in names] for name, vv, r in table if vv == v and name.startswith("seed")])
        print(f"| single mean | {v} | " + " | ".join(f"{x:.3f}" for x in singles.mean(axis=0)) + " |")


if __name__ == "__main__":
    main()
