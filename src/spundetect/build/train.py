"""Train the span and sentence classifiers (``spundetect train``; seeded, minutes on 2 cores).

1. Examples: held-out corpus sentences, half spun by the profiles (``build.dataset``).
2. Span model: gradient-boosted trees over ``features.TOKEN_FEATURES``, with sigmoid
   calibration; label = the spinner wrote this token.
3. Sentence model: the same over ``features.SENTENCE_FEATURES``, built from *out-of-fold*
   span probabilities (so it sees span scores as they look on unseen text).
4. Thresholds, on the validation split only: the span threshold keeps clean validation text
   under ``SPAN_FLAGS_PER_1000`` flagged spans per 1,000 words, the sentence threshold keeps
   the clean-sentence false-positive rate under ``SENTENCE_FPR``, the document threshold
   keeps clean validation documents under ``DOCUMENT_FPR``.
"""

from __future__ import annotations

import logging
import time
from datetime import date
from pathlib import Path

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold, cross_val_predict

from ..features import SENTENCE_FEATURES, TOKEN_FEATURES, SentenceRows, sentence_rows, token_rows
from ..detector import document_score
from ..model import DEFAULT_MODEL_DIR, SpinModel, save_model
from .dataset import Example, datasheet, make_examples
from .sources import package_version

__all__ = ["train_model", "featurize", "DOC_SIZE"]

log = logging.getLogger(__name__)

N_TRAIN = 8000
N_VALIDATION = 3000
SPAN_FLAGS_PER_1000 = 0.4  # strict tier, everywhere
SPAN_FLAGS_PER_1000_TOTAL = 0.8  # both tiers together (the lower one acts in flagged sentences)
SENTENCE_FPR = 0.01
DOCUMENT_FPR = 0.01
DOC_SIZE = 12  # sentences per synthetic validation document


def featurize(examples: list[Example]) -> tuple[list[SentenceRows], np.ndarray, np.ndarray, np.ndarray]:
    """Token rows per example, and stacked rows, labels and example ids per word token."""
    parts = [token_rows(list(ex.tokens)) for ex in examples]
    X = np.vstack([p.rows for p in parts]) if parts else np.zeros((0, len(TOKEN_FEATURES)))
    y = np.concatenate([np.array(ex.spun, dtype=int)[p.index] for ex, p in zip(examples, parts)])
    groups = np.concatenate([np.full(len(p.index), i) for i, p in enumerate(parts)])
    return parts, X, y, groups


def _split_by_group(p: np.ndarray, groups: np.ndarray, n: int) -> list[np.ndarray]:
    bounds = np.searchsorted(groups, np.arange(n + 1))
    return [p[bounds[i] : bounds[i + 1]] for i in range(n)]


def _classifier(seed: int):
    trees = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.1, max_leaf_nodes=31, l2_regularization=1.0, random_state=seed)
    return CalibratedClassifierCV(trees, method="sigmoid", cv=3)


def _threshold_for_rate(clean_scores: np.ndarray, rate: float) -> float:
    """Smallest threshold with at most ``rate`` of the clean scores at or above it."""
    s = np.sort(clean_scores)[::-1]
    k = int(np.floor(rate * len(s)))
    return float(min(0.99, max(0.5, s[k] + 1e-6))) if len(s) > k else 0.5


def train_model(seed: int = 0, out_dir: Path = DEFAULT_MODEL_DIR, n_train: int = N_TRAIN, n_val: int = N_VALIDATION) -> SpinModel:
    t0 = time.perf_counter()
    train = make_examples("train", n_train, seed)
    val = make_examples("validation", n_val, seed)
    log.info("examples: %d train, %d validation (%.0f s)", len(train), len(val), time.perf_counter() - t0)
    parts, X, y, groups = featurize(train)
    log.info("train rows: %d (%.1f%% spun), %.0f s", len(y), 100 * y.mean(), time.perf_counter() - t0)

    oof = cross_val_predict(_classifier(seed), X, y, groups=groups, cv=GroupKFold(3), method="predict_proba")[:, 1]
    span_model = _classifier(seed).fit(X, y)
    S = sentence_rows(_split_by_group(oof, groups, len(train)), parts)
    ys = np.array([ex.label for ex in train], dtype=int)
    sentence_model = _classifier(seed).fit(S, ys)
    log.info("models fitted, %.0f s", time.perf_counter() - t0)

    model = SpinModel(span_model, sentence_model, {})
    vparts, VX, vy, vgroups = featurize(val)
    vspan = model.span_proba(VX)
    vsent = model.sentence_proba(sentence_rows(_split_by_group(vspan, vgroups, len(val)), vparts))
    vlabels = np.array([ex.label for ex in val])
    clean_rows = np.isin(vgroups, np.flatnonzero(~vlabels))
    clean_words = int(clean_rows.sum())
    # span threshold: at most SPAN_FLAGS_PER_1000 flagged words per 1,000 clean words
    span_t = _threshold_for_rate(vspan[clean_rows], SPAN_FLAGS_PER_1000 / 1000)
    sent_t = _threshold_for_rate(vsent[~vlabels], SENTENCE_FPR)
    in_flagged = np.repeat(vsent >= sent_t, np.bincount(vgroups, minlength=len(val)))
    span_low = span_t
    for t in np.arange(0.3, span_t, 0.02):
        flags = (vspan >= span_t) | (in_flagged & (vspan >= t))
        if flags[clean_rows].sum() <= SPAN_FLAGS_PER_1000_TOTAL / 1000 * clean_words:
            span_low = float(t)
            break
    docs_clean, docs_spun = _validation_documents(val, vsent)
    doc_t = _threshold_for_rate(np.array(docs_clean), DOCUMENT_FPR)
    thresholds = {
        "span": round(span_t, 4),
        "span_in_flagged": round(span_low, 4),
        "sentence": round(sent_t, 4),
        "document": round(doc_t, 4),
    }
    flags = (vspan >= span_t) | (in_flagged & (vspan >= span_low))
    model.thresholds = thresholds

    pred = vsent >= sent_t
    tp = int((pred & vlabels).sum())
    metrics = {
        "validation": {
            "sentences": len(val),
            "sentence_precision": round(tp / max(pred.sum(), 1), 4),
            "sentence_recall": round(tp / max(vlabels.sum(), 1), 4),
            "sentence_fpr": round(float((pred & ~vlabels).sum() / max((~vlabels).sum(), 1)), 4),
            "span_recall": round(float(flags[vy == 1].mean()), 4),
            "span_precision": round(float(vy[flags].mean()) if flags.any() else 0.0, 4),
            "span_flags_per_1000_clean_words": round(1000 * float(flags[clean_rows].sum()) / max(clean_words, 1), 3),
            "documents_clean_flagged": round(float(np.mean(np.array(docs_clean) >= doc_t)), 4),
            "documents_spun_flagged": {k: round(float(np.mean(np.array(v) >= doc_t)), 4) for k, v in docs_spun.items()},
        }
    }

    model.meta = {
        "name": "spundetect-default",
        "version": "1",
        "trained": date.today().isoformat(),
        "seed": seed,
        "training": {"train_sentences": len(train), "validation_sentences": len(val), **datasheet()},
        "features": {"span": list(TOKEN_FEATURES), "sentence": list(SENTENCE_FEATURES)},
        "artifacts": _artifact_versions(),
        "versions": {p: package_version(p) for p in ("scikit-learn", "numpy", "joblib", "lemminflect")},
        "metrics": metrics,
    }
    save_model(model, out_dir)
    log.info("thresholds %s; validation %s; %.0f s", thresholds, metrics["validation"], time.perf_counter() - t0)
    return model


def _validation_documents(val: list[Example], sent_p: np.ndarray) -> tuple[list[float], dict[str, list[float]]]:
    """Documents of DOC_SIZE sentences: clean ones, and one spun kind per profile (every
    sentence of a spun document comes from that profile's examples, swapped or not)."""
    by_profile: dict[str, list[int]] = {}
    for i, ex in enumerate(val):
        by_profile.setdefault(ex.profile, []).append(i)
    clean: list[float] = []
    spun: dict[str, list[float]] = {}
    for profile, idx in by_profile.items():
        for a in range(0, len(idx) - DOC_SIZE + 1, DOC_SIZE):
            score = document_score(sent_p[idx[a : a + DOC_SIZE]])
            (clean if profile == "clean" else spun.setdefault(profile, [])).append(score)
    return clean, spun


def _artifact_versions() -> dict[str, str]:
    from ..lexicon import FORMATS, ArtifactError, load_artifact

    out = {}
    for name in FORMATS:
        try:
            out[name] = load_artifact(name).sha256
        except ArtifactError:
            out[name] = "missing"
    return out
