"""The trained classifiers: loading (checksum first), saving, and their metadata.

A model is a folder with ``model.joblib`` (a pickle: only the packaged model, or a file the
user vouches for, is ever unpickled, and only after its sha256 matches ``meta.json``) and
``meta.json`` (versions, data checksums, thresholds, metrics).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "SpinModel",
    "Averaged",
    "ModelError",
    "DEFAULT_MODEL_DIR",
    "load_model",
    "save_model",
    "sha256_of",
    "record_evaluation",
]

log = logging.getLogger(__name__)

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "models" / "default"
MODEL_FILE = "model.joblib"
META_FILE = "meta.json"


class ModelError(RuntimeError):
    """A model file is missing, damaged, untrusted or of another version."""


class Averaged:
    """The mean ``predict_proba`` of classifiers trained on different draws of the training
    data: a steadier estimate than any one of them. With ``gate`` the first member screens:
    rows it scores under ``gate`` keep its probability (most words of clean text), and only
    the rest pay for the others."""

    def __init__(self, members: list[Any], gate: float = 0.0):
        self.members = list(members)
        self.gate = gate

    @property
    def n_features_in_(self) -> int:
        return self.members[0].n_features_in_

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        first, rest = self.members[0], self.members[1:]
        p = first.predict_proba(X)
        todo = p[:, 1] >= self.gate
        if rest and todo.any():
            p[todo] = (p[todo] + sum(m.predict_proba(X[todo]) for m in rest)) / len(self.members)
        return p


@dataclass
class SpinModel:
    """Span and sentence classifiers and the thresholds picked on validation data."""

    span: Any  # predict_proba over features.TOKEN_FEATURES rows
    sentence: Any  # predict_proba over features.SENTENCE_FEATURES rows
    thresholds: dict[str, float]
    meta: dict[str, Any] = field(default_factory=dict)
    context: Any = None  # the span model's second stage, over features.CONTEXT_FEATURES rows
    context_min_p: float = 0.0  # ... for words whose first-stage probability reaches this

    @property
    def name(self) -> str:
        return self.meta.get("name", "unnamed")

    def span_proba(self, rows: np.ndarray) -> np.ndarray:
        if len(rows) == 0:
            return np.zeros(0)
        return self.span.predict_proba(rows)[:, 1]

    def span_context_proba(self, X: np.ndarray, p: np.ndarray, row_sent: np.ndarray, row_doc: np.ndarray) -> np.ndarray:
        """Second-stage span probabilities of word rows ``X`` given their first-stage ones
        ``p`` in context (see :func:`features.context_rows`). Words under ``context_min_p``
        (most words of clean text) keep their first-stage probability, as in training; so
        does every word for a model without a second stage."""
        out = np.array(p, dtype=float)
        todo = out >= self.context_min_p
        if self.context is None or not todo.any():
            return out
        from .features import context_rows

        out[todo] = self.context.predict_proba(context_rows(X, out, row_sent, row_doc)[todo])[:, 1]
        return out

    def sentence_proba(self, rows: np.ndarray) -> np.ndarray:
        if len(rows) == 0:
            return np.zeros(0)
        return self.sentence.predict_proba(rows)[:, 1]


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def save_model(model: SpinModel, directory: Path) -> Path:
    import joblib

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / MODEL_FILE
    data = {"span": model.span, "sentence": model.sentence, "thresholds": model.thresholds}
    data |= {"context": model.context, "context_min_p": model.context_min_p}
    joblib.dump(data, path, compress=3)
    meta = {**model.meta, "sha256": sha256_of(path), "thresholds": model.thresholds}
    (directory / META_FILE).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    model.meta = meta
    return path


def load_model(path: Path | None = None, *, trust: bool = False) -> SpinModel:
    """Load the packaged model, or ``path`` (a model folder or a ``.joblib`` file).

    The file's sha256 must match its ``meta.json`` before it is unpickled. A user-supplied
    path without a matching meta is refused unless ``trust=True``.
    """
    import joblib

    if path is None:
        directory, file = DEFAULT_MODEL_DIR, DEFAULT_MODEL_DIR / MODEL_FILE
    else:
        path = Path(path)
        directory, file = (path, path / MODEL_FILE) if path.is_dir() else (path.parent, path)
    if not file.is_file():
        raise ModelError(f"model file not found: {file}")
    meta_path = directory / META_FILE
    meta: dict[str, Any] = {}
    if meta_path.is_file():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ModelError(f"cannot read {meta_path}: {e}") from None
    digest = sha256_of(file)
    if meta.get("sha256") != digest and not trust:
        if not meta:
            raise ModelError(f"{file} has no {META_FILE} beside it; pass --trust-model to load it anyway (it is a pickle)")
        raise ModelError(f"{file}: sha256 {digest[:12]}... does not match its {META_FILE}; refusing to unpickle it")
    # A model pickled under another scikit-learn version warns (InconsistentVersionWarning);
    # the caller's warning filters decide (the tests make it an error).
    data = joblib.load(file)
    meta = {**meta, "sha256": digest}
    return SpinModel(
        data["span"], data["sentence"], dict(data["thresholds"]), meta, data.get("context"), data.get("context_min_p", 0.0)
    )


def record_evaluation(directory: Path, summary: dict[str, Any]) -> None:
    """Store evaluation results under ``evaluation`` in a model folder's ``meta.json``,
    after checking that the meta still describes the model file beside it."""
    meta_path = Path(directory) / META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("sha256") != sha256_of(Path(directory) / MODEL_FILE):
        raise ModelError(f"{meta_path} does not describe the model file beside it")
    meta["evaluation"] = summary
    meta_path.write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
