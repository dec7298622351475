"""Train the span and sentence classifiers (``spundetect train``; seeded, minutes on 2 cores).

1. Documents of held-out corpus sentences, half spun whole by one profile each
   (``build.dataset.make_documents``).
2. Span model: gradient-boosted trees over ``features.TOKEN_FEATURES``, with sigmoid
   calibration; label = the spinner wrote this token.
3. Sentence model: the same over ``features.SENTENCE_FEATURES``, built from *out-of-fold*
   span probabilities (so it sees span scores as they look on unseen text). A second span
   stage over ``features.CONTEXT_FEATURES``, fitted on the same out-of-fold probabilities,
   weighs each word's probability among its neighbours', its sentence's and its document's
   (a spinner's swaps cluster); it decides the spans, the first stage the sentences.
   With ``members`` > 1 (``spundetect train --members N``), steps 1-3 run on the training
   draws of seeds ``seed``, ``seed + 1``, ... and each stage of the model is the mean of the
   members' (``model.Averaged``; words the first member scores under ``CONTEXT_MIN_P`` keep
   its probability): steadier scores that rank validation better, at 1.3-1.6x the time of
   a check (``models/analysis/seed_ensemble.py``; the packaged model averages three).
4. Thresholds, on the validation split only, on its clean documents (1 to 24 sentences, as
   generated) *and* on the same sentences checked one by one (where document context is
   weakest; a user checks single sentences too), and the same again on the validation
   split's paragraphs of the genre files, whole and clean (``dataset.genre_documents``:
   fiction, reviews, abstracts, documentation, forum posts, which the model never learns
   from); each base tier takes the higher of the two. The span threshold keeps clean text under
   ``SPAN_FLAGS_PER_1000`` flagged words per 1,000 words (``span_in_flagged``, the lower
   threshold inside flagged sentences, and ``span_in_flagged_doc`` under
   ``SPAN_FLAGS_PER_1000_TOTAL`` with them), the sentence threshold keeps the clean-sentence
   false-positive rate under ``SENTENCE_FPR``, the document threshold keeps clean documents
   under ``DOCUMENT_FPR``.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold, cross_val_predict

from ..channel import FEATURE_WEIGHTS
from ..detector import document_score, sentence_words
from ..eval_real import GENRES, genre_file
from ..features import (
    CONTEXT_FEATURES,
    N_TOKEN_BASE,
    SENTENCE_FEATURES,
    TOKEN_FEATURES,
    SentenceRows,
    context_rows,
    document_rows,
    sentence_rows,
    token_rows_batch,
)
from ..model import DEFAULT_MODEL_DIR, Averaged, SpinModel, compact, save_model
from .dataset import Document, Example, datasheet, genre_documents, make_documents
from .sources import package_version, sha256_file
from .spinner import PROFILES

__all__ = ["train_model", "featurize", "Featurized", "TrainingData"]

log = logging.getLogger(__name__)

N_TRAIN = 12000
N_VALIDATION = 3000
SPAN_FLAGS_PER_1000 = 0.4  # strict tier, everywhere
SPAN_FLAGS_PER_1000_TOTAL = 0.8  # all tiers together (the lower ones act in flagged sentences)
SENTENCE_FPR = 0.01
SENTENCE_FPR_TOTAL = 0.012  # with the lower tier in flagged documents
DOCUMENT_FPR = 0.01
MIN_FLAG_P = 0.5  # no tier flags what the calibrated model thinks more likely clean than spun
CONTEXT_MIN_P = 0.05  # the second span stage rescores words from this first-stage p up (4 % of clean words)


@dataclass
class Featurized:
    """Documents flattened to sentences and word rows, with the ids that group them."""

    examples: list[Example]  # per sentence
    sent_doc: np.ndarray  # document id per sentence
    parts: list[SentenceRows]  # per sentence
    X: np.ndarray  # word rows
    y: np.ndarray  # per word row: the spinner wrote it
    row_sent: np.ndarray  # sentence id per word row
    doc_profile: list[str]

    def split_rows(self, p: np.ndarray) -> list[np.ndarray]:
        bounds = np.searchsorted(self.row_sent, np.arange(len(self.examples) + 1))
        return [p[bounds[i] : bounds[i + 1]] for i in range(len(self.examples))]

    @property
    def labels(self) -> np.ndarray:
        return np.array([ex.label for ex in self.examples])

    @property
    def row_doc(self) -> np.ndarray:
        return self.sent_doc[self.row_sent]

    @property
    def words(self) -> np.ndarray:
        """Word tokens per sentence (the document score's weights)."""
        return np.array([sentence_words(ex.tokens) for ex in self.examples])


def featurize(docs: list[Document]) -> Featurized:
    examples, sent_doc, parts = [], [], []
    for d, doc in enumerate(docs):
        rows = document_rows(token_rows_batch([list(ex.tokens) for ex in doc.examples]))
        examples += doc.examples
        sent_doc += [d] * len(doc.examples)
        parts += rows
    X = np.vstack([p.rows for p in parts])
    y = np.concatenate([np.array(ex.spun, dtype=int)[p.index] for ex, p in zip(examples, parts)])
    row_sent = np.concatenate([np.full(len(p.index), i) for i, p in enumerate(parts)])
    return Featurized(examples, np.array(sent_doc), parts, X, y, row_sent, [doc.profile for doc in docs])


def _classifier(seed: int):
    trees = HistGradientBoostingClassifier(
        max_iter=300, learning_rate=0.1, max_leaf_nodes=63, l2_regularization=1.0, random_state=seed
    )
    return CalibratedClassifierCV(trees, method="sigmoid", cv=3)


def _context_classifier(seed: int):
    """The second span stage: fewer, smaller trees (few features, a simpler function)."""
    trees = HistGradientBoostingClassifier(
        max_iter=150, learning_rate=0.1, max_leaf_nodes=31, l2_regularization=1.0, random_state=seed
    )
    return CalibratedClassifierCV(trees, method="sigmoid", cv=3)


def _threshold_for_rate(clean_scores: np.ndarray, rate: float) -> float:
    """Smallest threshold with at most ``rate`` of the clean scores at or above it."""
    s = np.sort(clean_scores)[::-1]
    k = int(np.floor(rate * len(s)))
    t = float(min(0.99, max(0.5, s[k] + 1e-6))) if len(s) > k else 0.5
    return math.ceil(t * 10_000) / 10_000  # 4 decimals, rounded up: stored as used


@dataclass(frozen=True)
class TrainingData:
    """What the documents are drawn from: spinner profiles (``build.spinner.ALL_PROFILES``
    names) and the genre files (``eval_real.GENRES`` names) that join the corpus lines
    (``build.dataset``)."""

    profiles: tuple[str, ...] = tuple(PROFILES)
    genres: tuple[str, ...] = ()

    def documents(self, split: str, n: int, seed: int) -> list[Document]:
        return make_documents(split, n, seed, self.profiles, self.genres)


def _fit_member(seed: int, n_train: int, data: TrainingData) -> tuple[Any, Any, Any, int]:
    """Span, sentence and second-stage span classifiers fitted on the training draw of
    ``seed``, and its number of sentences."""
    t0 = time.perf_counter()
    train = featurize(data.documents("train", n_train, seed))
    log.info(
        "train (seed %d): %d sentences, %d word rows (%.1f%% spun), %.0f s",
        seed,
        len(train.examples),
        len(train.y),
        100 * train.y.mean(),
        time.perf_counter() - t0,
    )
    # out-of-fold span probabilities (folds by document) feed the sentence model
    oof = cross_val_predict(_classifier(seed), train.X, train.y, groups=train.row_doc, cv=GroupKFold(3), method="predict_proba")[
        :, 1
    ]
    span_model = _classifier(seed).fit(train.X, train.y)
    S = sentence_rows(train.split_rows(oof), train.parts, train.sent_doc)
    sentence_model = _classifier(seed).fit(S, train.labels.astype(int))
    todo = oof >= CONTEXT_MIN_P
    C = context_rows(train.X, oof, train.row_sent, train.row_doc)[todo]
    context_model = _context_classifier(seed).fit(C, train.y[todo])
    log.info("models of seed %d fitted, %.0f s", seed, time.perf_counter() - t0)
    return span_model, sentence_model, context_model, len(train.examples)


def train_model(
    seed: int = 0,
    out_dir: Path = DEFAULT_MODEL_DIR,
    n_train: int = N_TRAIN,
    n_val: int = N_VALIDATION,
    members: int = 1,
    data: TrainingData = TrainingData(),
) -> SpinModel:
    """Fit ``members`` sets of classifiers (training draws ``seed``, ``seed + 1``, ...;
    more than one are averaged), pick thresholds on the validation draw of ``seed`` and save
    the model."""
    if members < 1:
        raise ValueError("members must be at least 1")
    t0 = time.perf_counter()
    model, n_sentences = _fit_model(seed, members, n_train, data)
    vs = _validation_scores(model, data, n_val, seed)
    th = _base_thresholds(vs)
    _lower_tiers(model, th, vs)
    model.thresholds = dict(th)
    metrics = {"validation": _validation_metrics(model, vs)}
    model.meta = _model_meta(seed, members, data, n_sentences, int((~vs.doc_genre[vs.val.sent_doc]).sum()), metrics)
    save_model(model, out_dir)
    log.info("thresholds %s; validation %s; %.0f s", model.thresholds, metrics["validation"], time.perf_counter() - t0)
    return model


def _fit_model(seed: int, members: int, n_train: int, data: TrainingData) -> tuple[SpinModel, list]:
    """The classifiers of ``members`` training draws (averaged when more than one), without
    thresholds; the training sentences of each draw."""
    fitted = [_fit_member(seed + i, n_train, data) for i in range(members)]
    spans, sentences, contexts, n_sentences = (list(x) for x in zip(*fitted))
    spans, sentences, contexts = ([compact(c) for c in stage] for stage in (spans, sentences, contexts))  # as saved
    if members == 1:
        return SpinModel(spans[0], sentences[0], {}, context=contexts[0], context_min_p=CONTEXT_MIN_P), n_sentences
    model = SpinModel(
        Averaged(spans, gate=CONTEXT_MIN_P), Averaged(sentences), {}, context=Averaged(contexts), context_min_p=CONTEXT_MIN_P
    )
    return model, n_sentences


@dataclass(frozen=True)
class _ValidationScores:
    """The model's scores on the validation documents, in them and sentence by sentence
    (``iso_*``: each sentence checked as a document of its own)."""

    val: Any  # the featurized validation documents
    vspan: np.ndarray
    vsent: np.ndarray
    iso_span: np.ndarray
    iso_sent: np.ndarray
    clean_doc: np.ndarray  # per sentence: in a clean document
    clean_rows: np.ndarray  # per word row: in a clean document
    doc_scores: np.ndarray
    doc_clean: np.ndarray  # per document: clean
    doc_genre: np.ndarray  # per document: a genre paragraph (``dataset.genre_documents``)

    @property
    def clean_words(self) -> int:
        return int(self.clean_rows.sum())


def _validation_scores(model: SpinModel, data: TrainingData, n_val: int, seed: int) -> _ValidationScores:
    """The validation draw of ``seed`` and, after it, the clean paragraphs of every genre file
    in the validation split (each a document)."""
    drawn, genre = data.documents("validation", n_val, seed), genre_documents("validation")
    val = featurize(drawn + genre)
    vfirst = model.span_proba(val.X)
    vsent = model.sentence_proba(sentence_rows(val.split_rows(vfirst), val.parts, val.sent_doc))
    vspan = model.span_context_proba(val.X, vfirst, val.row_sent, val.row_doc)
    clean_doc = np.array([val.doc_profile[d] == "clean" for d in val.sent_doc])
    # the same sentences checked one by one (a document each)
    iso_parts = [document_rows([SentenceRows(p.index, p.rows[:, :N_TOKEN_BASE], p.best)])[0] for p in val.parts]
    iso_X = np.vstack([p.rows for p in iso_parts])
    iso_first = model.span_proba(iso_X)
    iso_sent = model.sentence_proba(sentence_rows(val.split_rows(iso_first), iso_parts, np.arange(len(iso_parts))))
    iso_span = model.span_context_proba(iso_X, iso_first, val.row_sent, val.row_sent)
    doc_scores = np.array(
        [document_score(vsent[val.sent_doc == d], val.words[val.sent_doc == d]) for d in range(len(val.doc_profile))]
    )
    return _ValidationScores(
        val, vspan, vsent, iso_span, iso_sent, clean_doc, clean_doc[val.row_sent], doc_scores,
        np.array([p == "clean" for p in val.doc_profile]), np.arange(len(drawn) + len(genre)) >= len(drawn),
    )  # fmt: skip


def _base_thresholds(vs: _ValidationScores) -> dict[str, float]:
    """Each tier at its false-alarm budget on each kind of clean validation text, the highest:
    the corpus documents and the genre paragraphs, each in its documents and alone."""
    per_kind = [_budget_thresholds(vs, vs.doc_genre == g) for g in (False, True) if (vs.doc_clean & (vs.doc_genre == g)).any()]
    return {key: max(th[key] for th in per_kind) for key in per_kind[0]}


def _budget_thresholds(vs: _ValidationScores, docs: np.ndarray) -> dict[str, float]:
    """Each tier at its false-alarm budget on the clean documents of ``docs`` (a mask)."""
    docs = docs & vs.doc_clean
    sents = docs[vs.val.sent_doc]
    rows = sents[vs.val.row_sent]
    span_t = max(
        _threshold_for_rate(vs.vspan[rows], SPAN_FLAGS_PER_1000 / 1000),
        _threshold_for_rate(vs.iso_span[rows], SPAN_FLAGS_PER_1000 / 1000),
    )
    sent_t = max(_threshold_for_rate(vs.vsent[sents], SENTENCE_FPR), _threshold_for_rate(vs.iso_sent[sents], SENTENCE_FPR))
    doc_t = _threshold_for_rate(vs.doc_scores[docs], DOCUMENT_FPR)
    return {
        "span": span_t,
        "span_in_flagged": span_t,
        "span_in_flagged_doc": span_t,
        "sentence": sent_t,
        "sentence_in_flagged_doc": sent_t,
        "document": doc_t,
    }


def _lower_tiers(model: SpinModel, th: dict[str, float], vs: _ValidationScores) -> None:
    """Lower tiers where evidence lends strength: each picked for the best F1 on spun
    validation documents while clean documents (and, for words, clean sentences checked one
    by one) stay within the total budgets."""
    val = vs.val
    span_budget = SPAN_FLAGS_PER_1000_TOTAL / 1000 * vs.clean_words
    alone = np.arange(len(val.examples))  # every sentence its own document
    for key in ("sentence_in_flagged_doc", "span_in_flagged", "span_in_flagged_doc"):
        grid = np.round(np.arange(MIN_FLAG_P, th[key], 0.02), 4)
        best_f1 = -1.0
        for t in list(grid) + [th[key]]:
            trial = {**th, key: float(t)}
            sflags, wflags = _decisions(model, trial, val.sent_doc, val.row_sent, vs.vspan, vs.vsent, val.words)
            if sflags[vs.clean_doc].mean() > SENTENCE_FPR_TOTAL or wflags[vs.clean_rows].sum() > span_budget:
                continue
            _, iso_wflags = _decisions(model, trial, alone, val.row_sent, vs.iso_span, vs.iso_sent, val.words)
            if iso_wflags[vs.clean_rows].sum() > span_budget:
                continue
            if key.startswith("sentence"):
                f1 = _f1(val.labels[~vs.clean_doc], sflags[~vs.clean_doc])
            else:
                f1 = _f1(val.y[~vs.clean_rows] == 1, wflags[~vs.clean_rows])
            if f1 > best_f1:
                best_f1, th[key] = f1, float(t)


def _validation_metrics(model: SpinModel, vs: _ValidationScores) -> dict:
    """Sentence, span and document figures on the validation documents at the model's
    thresholds: the drawn documents, then the genre paragraphs (clean)."""
    val, thresholds = vs.val, model.thresholds
    alone = np.arange(len(val.examples))
    sflags, flags = _decisions(model, thresholds, val.sent_doc, val.row_sent, vs.vspan, vs.vsent, val.words)
    _, iso_flags = _decisions(model, thresholds, alone, val.row_sent, vs.iso_span, vs.iso_sent, val.words)
    genre = vs.doc_genre[val.sent_doc]
    clean, genre_rows = vs.clean_doc & ~genre, genre[val.row_sent]
    clean_rows = vs.clean_rows & ~genre_rows
    iso_flagged = vs.iso_sent >= thresholds["sentence"]
    pred, vlabels, doc_t = sflags, val.labels, thresholds["document"]
    tp = int((pred & vlabels).sum())
    profiles = sorted(set(val.doc_profile) - {"clean"})
    clean_words = int(clean_rows.sum())
    return {
        "documents": int((~vs.doc_genre).sum()),
        "sentences": int((~genre).sum()),
        "sentence_precision": round(tp / max(pred[~genre].sum(), 1), 4),
        "sentence_recall": round(tp / max(vlabels.sum(), 1), 4),
        "sentence_fpr_clean_documents": round(float(pred[clean].mean()), 4),
        "sentence_fpr_clean_sentences_alone": round(float(iso_flagged[clean].mean()), 4),
        "span_recall": round(float(flags[val.y == 1].mean()), 4),
        "span_precision": round(float(val.y[flags & ~genre_rows].mean()) if (flags & ~genre_rows).any() else 0.0, 4),
        "span_flags_per_1000_clean_words": round(1000 * float(flags[clean_rows].sum()) / max(clean_words, 1), 3),
        "span_flags_per_1000_clean_words_alone": round(1000 * float(iso_flags[clean_rows].sum()) / max(clean_words, 1), 3),
        "documents_clean_flagged": round(float((vs.doc_scores[vs.doc_clean & ~vs.doc_genre] >= doc_t).mean()), 4),
        "documents_spun_flagged": {
            p: round(float(np.mean([vs.doc_scores[d] >= doc_t for d, q in enumerate(val.doc_profile) if q == p])), 4)
            for p in profiles
        },
        "genre_paragraphs": {
            "documents": int(vs.doc_genre.sum()),
            "sentences": int(genre.sum()),
            "documents_flagged": round(float((vs.doc_scores[vs.doc_genre] >= doc_t).mean()), 4),
            "sentence_fpr_in_documents": round(float(pred[genre].mean()), 4),
            "sentence_fpr_alone": round(float(iso_flagged[genre].mean()), 4),
            "span_flags_per_1000_words": round(1000 * float(flags[genre_rows].sum()) / max(int(genre_rows.sum()), 1), 3),
        },
    }


def _model_meta(seed: int, members: int, data: TrainingData, n_sentences: list, n_val_sentences: int, metrics: dict) -> dict:
    meta = {
        "name": "spundetect-default",
        "version": "3",
        "trained": date.today().isoformat(),
        "seed": seed,
        "training": {
            "train_sentences": n_sentences[0],
            "validation_sentences": n_val_sentences,
            **datasheet(data.genres),
            "threshold_genre_files_sha256": {f"{g}.txt": sha256_file(genre_file(g)) for g in GENRES},
        },
        "features": {"span": list(TOKEN_FEATURES), "span_context": list(CONTEXT_FEATURES), "sentence": list(SENTENCE_FEATURES)},
        "feature_weights": asdict(FEATURE_WEIGHTS),
        "artifacts": _artifact_versions(),
        "versions": {p: package_version(p) for p in ("scikit-learn", "numpy", "lemminflect")},
        "metrics": metrics,
    }
    if data != TrainingData():
        meta["training"]["profiles"], meta["training"]["genres"] = list(data.profiles), list(data.genres)
    if members > 1:
        meta["members"] = [seed + i for i in range(members)]
        meta["training"]["train_sentences"] = n_sentences
    return meta


def _decisions(
    model: SpinModel,
    thresholds: dict,
    sent_doc: np.ndarray,
    row_sent: np.ndarray,
    vspan: np.ndarray,
    vsent: np.ndarray,
    words: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Sentence and word flags on validation data (sentences grouped into documents by
    ``sent_doc``, word rows into sentences by ``row_sent``; ``words`` per sentence), decided
    as the detector decides."""
    from ..detector import Detector

    det = Detector(SpinModel(model.span, model.sentence, thresholds))
    sflags = np.zeros(len(vsent), dtype=bool)
    span_t = np.zeros(len(vsent))
    span_max = np.zeros(len(vsent))
    np.maximum.at(span_max, row_sent, vspan)
    bounds = np.flatnonzero(np.diff(sent_doc)) + 1  # documents are consecutive sentences
    for idx in np.split(np.arange(len(vsent)), bounds):
        decision = det.decide(vsent[idx], words[idx], span_max=span_max[idx])
        sflags[idx], span_t[idx] = decision.sentences, decision.span_thresholds
    return sflags, vspan >= span_t[row_sent]


def _f1(truth: np.ndarray, pred: np.ndarray) -> float:
    tp = float((truth & pred).sum())
    return 2 * tp / max(float(truth.sum() + pred.sum()), 1.0)


def _artifact_versions() -> dict[str, str]:
    from ..lexicon import SPIN_ARTIFACTS, ArtifactError, load_artifact

    out = {}
    for name in SPIN_ARTIFACTS:
        try:
            out[name] = load_artifact(name).sha256
        except ArtifactError:
            out[name] = "missing"
    return out
