"""Build the machine-translation signal's classifiers (``python -m spundetect.build translated``).

Positives: English outputs of WMT21/22 systems (``shared/mt``); negatives: original English
from ``shared/corpus`` (:mod:`spundetect.eval_translated` says which parts, and the splits).
The document classifier (style rates, lexical variety and repetition) learns from documents
of 2 to 20 consecutive segments or sentences (each unit cut into documents three times, at
different lengths), so that it sees short and long texts, and from the genre files'
paragraphs whole (a review, a forum post: the documents those genres come as); the sentence
classifier (style rates) from single sentences. The document classifier's machine-translated
training documents are weighted so that their conversation markers ("you", "!", short
sentences) are distributed as in the original English (:data:`REGISTER`): the test sets'
conversation and social segments would otherwise teach that register as a sign of
translation. Both are scikit-learn ``HistGradientBoostingClassifier``s saved as plain arrays
(:class:`spundetect.model.TreeEnsemble`). Each threshold flags 1 % of the validation split's
original English. Human reference translations are never trained on: they are measured apart
(translationese is a known confound).

The build also trains a model without each system and without each source language, and
records how each held-out one scores against original English (documents of 10 segments).
``python -m spundetect.build translated`` takes about 70 minutes on 2 cores, most of it
those 36 models.
"""

from __future__ import annotations

import collections
import json
import logging

import numpy as np

from .. import segment
from ..eval_translated import (
    ORIGINAL_FILES,
    auc,
    documents,
    mt_units,
    original_units,
    paragraph_documents,
    split_of,
    unit_split,
)
from ..lexicon import FORMATS
from ..model import TreeEnsemble
from ..translated import (
    MIN_DOCUMENT_WORDS,
    document_feature_names,
    document_features,
    pattern_bigrams,
    rate_names,
    rates,
    sentence_counts,
    word_count,
)
from .artifact import write_artifact
from .sources import package_version, sha256_file, shared_dir

__all__ = ["build_translated"]

log = logging.getLogger(__name__)

N_BIGRAMS = 200
TRAIN_SIZES = tuple(range(2, 21))  # units per training document, in turn
FLAG_SHARE = 0.01  # each threshold flags this share of the validation split's original English
SENTENCES = 60_000  # training sentences drawn from each class
PASSES = 3  # each unit is cut into training documents this many times, each time at other lengths
PARAMS = {
    "max_iter": 300, "learning_rate": 0.05, "min_samples_leaf": 50, "early_stopping": False, "class_weight": "balanced",
    "random_state": 0,
}  # fmt: skip
SEED = 0
# Conversation markers: features whose distribution the machine-translated training
# documents are weighted to match the original English's (see the module's docstring).
REGISTER = (
    "fw:you", "fw:your", "fw:i", "fw:me", "fw:my", "fw:we", "fw:us", "fw:our", "punct:!", "punct:?", "punct::",
    "contractions", "digits", "log_mean_sentence_words", "sentence_words_spread", "mark:it's", "mark:don't", "mark:i'm",
    "mark:that's", "mark:just", "mark:really", "mark:actually", "mark:pretty", "mark:lot", "mark:got", "mark:well",
    "mark:okay", "mark:ok", "mark:thing", "mark:things", "mark:way",
)  # fmt: skip
REGISTER_MATCH = 1.0  # the weights are the odds ratio to this power (0: unweighted)
REGISTER_CLIP = 0.99  # weights above this quantile are cut to it


def _bigrams(units) -> list[str]:
    """The N_BIGRAMS most common function-word patterns of a sample of the training units."""
    counts: collections.Counter = collections.Counter()
    for u in units[::7]:
        for s in u.sentences:
            counts.update(pattern_bigrams([segment.norm(t) for t in s if segment.is_word(t)]))
    return [b for b, _ in counts.most_common(N_BIGRAMS)]


def _training_documents(units) -> list:
    """Documents of TRAIN_SIZES units, cut PASSES times with the lengths in another order."""
    sizes = list(TRAIN_SIZES)
    return [d for p in range(PASSES) for d in documents(units, sizes[p:] + sizes[:p])]


def _features(docs, bigrams) -> np.ndarray:
    return document_features([d[2] for d in docs], bigrams)


def _register_weights(pos: np.ndarray, neg: np.ndarray, names: list[str]) -> np.ndarray:
    """Weights of the machine-translated documents ``pos`` (mean 1) that give them the
    original documents' distribution of :data:`REGISTER` features: the odds that a document
    with those features is original rather than machine-translated, from a logistic
    regression on them alone (importance weighting), to the power REGISTER_MATCH."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    cols = [names.index(n) for n in REGISTER]
    Z = StandardScaler().fit_transform(np.vstack([pos[:, cols], neg[:, cols]]))
    y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
    p = LogisticRegression(max_iter=1000, class_weight="balanced").fit(Z, y).predict_proba(Z[: len(pos)])[:, 1]
    w = ((1 - p) / p) ** REGISTER_MATCH
    w = np.minimum(w, np.quantile(w, REGISTER_CLIP))
    return w / w.mean()


def _fit(pos: np.ndarray, neg: np.ndarray, pos_weight: np.ndarray | None = None):
    """Gradient-boosted trees, the classes balanced; ``pos_weight`` (mean 1) weighs the
    positives against each other."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    X = np.vstack([pos, neg])
    y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
    w = None if pos_weight is None else np.r_[pos_weight, np.ones(len(neg))]
    return HistGradientBoostingClassifier(**PARAMS).fit(X, y, sample_weight=w)


def build_translated() -> dict:
    root = shared_dir()
    mt, _ = mt_units(root)
    orig = original_units(root)
    mt_train = [u for u in mt if unit_split(u) == "train"]
    og_split = [split_of(u.group, original=True) for u in orig]
    og_train = [u for u, s in zip(orig, og_split) if s == "train"]
    og_val = [u for u, s in zip(orig, og_split) if s == "validation"]
    bigrams = _bigrams(mt_train + og_train)
    # documents of mixed lengths (training, thresholds) and of DOCUMENT_UNITS (cross-validation)
    paragraphs = paragraph_documents("train", root)  # the genre files' paragraphs whole
    mt_docs, og_docs = _training_documents(mt_train), _training_documents(og_train) + paragraphs
    val_docs = [d for d in documents(og_val, TRAIN_SIZES) if word_count(d[2]) >= MIN_DOCUMENT_WORDS]
    X_mt, X_og, X_val = _features(mt_docs, bigrams), _features(og_docs, bigrams), _features(val_docs, bigrams)
    log.info(
        "documents: %d machine-translated, %d original (train; %d of them whole paragraphs), %d original (validation)",
        len(X_mt), len(X_og), len(paragraphs), len(X_val),
    )  # fmt: skip
    names = document_feature_names(bigrams)
    document = _fit(X_mt, X_og, _register_weights(X_mt, X_og, names))
    doc_t = float(np.quantile(document.predict_proba(X_val)[:, 1], 1 - FLAG_SHARE))

    rng = np.random.default_rng(SEED)
    sent_mt = [s for u in mt_train for s in u.sentences]
    sent_og = [s for u in og_train for s in u.sentences]
    sent_mt = [sent_mt[i] for i in sorted(rng.choice(len(sent_mt), min(SENTENCES, len(sent_mt)), replace=False))]
    sent_og = [sent_og[i] for i in sorted(rng.choice(len(sent_og), min(SENTENCES, len(sent_og)), replace=False))]
    sentence = _fit(rates(sentence_counts(sent_mt, bigrams)), rates(sentence_counts(sent_og, bigrams)))
    val_sents = [s for u in og_val for s in u.sentences]
    sent_t = float(np.quantile(sentence.predict_proba(rates(sentence_counts(val_sents, bigrams)))[:, 1], 1 - FLAG_SHARE))
    log.info("thresholds: document %.4f, sentence %.4f", doc_t, sent_t)

    cross = _cross_validate(mt_train, og_train, paragraphs, bigrams, og_val)
    trees = {"document": TreeEnsemble.from_estimator(document), "sentence": TreeEnsemble.from_estimator(sentence)}
    arrays = {f"{name}_{k}": v for name, t in trees.items() for k, v in t.arrays().items()}
    weights = {
        "bigrams": bigrams,
        "document_features": document_feature_names(bigrams),
        "sentence_features": rate_names(bigrams),
        "thresholds": {"document": doc_t, "sentence": sent_t},
        "baseline": {name: t.baseline for name, t in trees.items()},
    }
    header = {
        "format": FORMATS["translated"],
        "kind": "machine-translation classifiers (document, sentence): gradient-boosted trees as arrays",
        "training": {
            "positives": "English outputs of WMT21/22 systems (shared/mt/outputs.tsv), train split",
            "negatives": f"original English from shared/corpus ({', '.join(ORIGINAL_FILES)}), train split",
            "documents": {
                "machine_translated": len(X_mt),
                "original": len(X_og),
                "original_whole_paragraphs": len(paragraphs),
                "units": [TRAIN_SIZES[0], TRAIN_SIZES[-1]],
                "passes": PASSES,
            },  # fmt: skip
            "sentences": {"machine_translated": len(sent_mt), "original": len(sent_og)},
            "params": PARAMS,
            "weights": f"machine-translated documents weighted to the original English's conversation markers "
            f"({len(REGISTER)} features; importance weights, odds to the power {REGISTER_MATCH}, cut at their "
            f"{REGISTER_CLIP:.0%} quantile)",
            "thresholds": f"each flags {FLAG_SHARE:.0%} of the validation split's original English "
            f"({len(X_val)} documents of {MIN_DOCUMENT_WORDS}+ words, {len(val_sents)} sentences)",
        },
        "thresholds": weights["thresholds"],
        "metrics": {"cross_validated": cross},
        "sources": {
            "shared/mt": {n: sha256_file(root / "mt" / n) for n in ("outputs.tsv", "segments.tsv")},
            "shared/corpus": {f"{n}.txt": sha256_file(root / "corpus" / f"{n}.txt") for n in ORIGINAL_FILES},
        },
        "versions": {"scikit-learn": package_version("scikit-learn"), "numpy": package_version("numpy")},
    }
    write_artifact("translated", header, arrays, {"weights.json": json.dumps(weights, indent=1) + "\n"})
    return header


def _cross_validate(mt_train, og_train, paragraphs, bigrams, og_val) -> dict:
    """A document classifier trained without each system, and without each source language:
    the AUC of the left-out one's documents of DOCUMENT_UNITS segments (all splits) against
    validation documents of DOCUMENT_UNITS original sentences. To keep the build short these
    36 classifiers learn from one cut of the training units into documents, not PASSES
    (on the test split, one cut and three gave the same AUC: 0.974 and 0.974), and the
    whole paragraphs."""
    mt_docs = documents(mt_train, TRAIN_SIZES)
    X_mt, X_og = _features(mt_docs, bigrams), _features(documents(og_train, TRAIN_SIZES) + paragraphs, bigrams)
    mt_all, _ = mt_units(shared_dir())
    fixed = documents(mt_all)
    X_fixed = _features(fixed, bigrams)
    neg = _features(documents(og_val), bigrams)
    names = document_feature_names(bigrams)
    out: dict = {}
    for name, key in (("leave_one_system_out", 2), ("leave_one_language_out", 1)):
        train_groups = np.array([d[0][key] for d in mt_docs])
        test_groups = np.array([d[0][key] for d in fixed])
        result = {}
        for g in sorted(set(test_groups)):
            keep = train_groups != g
            model = _fit(X_mt[keep], X_og, _register_weights(X_mt[keep], X_og, names))
            pos = model.predict_proba(X_fixed[test_groups == g])[:, 1]
            result[g] = round(auc(pos, model.predict_proba(neg)[:, 1]), 4)
            log.info("%s %s: AUC %.3f", name, g, result[g])
        out[name] = result
    return out
