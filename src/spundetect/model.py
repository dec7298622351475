"""The trained classifiers: loading (checksum first), saving, and their metadata.

A model is a folder with ``model.skops`` and ``meta.json`` (versions, data checksums,
thresholds, metrics). ``model.skops`` is read with ``skops.io``, which builds objects of
the types in :data:`TRUSTED_TYPES` only and runs no code from the file: a file that holds
any other type is refused (:class:`ModelError`), whatever ``meta.json`` says. Its sha256
must also match ``meta.json``, which catches damage (not tampering: whoever writes one
writes the other).

A pickle (``model.joblib``, the format before 0.2) can run any code when loaded: it is
loaded only with ``trust=True`` (``--trust-model``), never on the strength of a checksum.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
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
    "TreeEnsemble",
]

log = logging.getLogger(__name__)

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "models" / "default"
MODEL_FILE = "model.skops"
PICKLE_FILE = "model.joblib"
META_FILE = "meta.json"
#: the only types ``model.skops`` may hold beyond skops' defaults (scikit-learn's own
#: estimators and numpy): the calibrated gradient-boosting classifiers and their parts
TRUSTED_TYPES = (
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "spundetect.model.Averaged",
)


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


FAST_TREE_CELLS = 25_000  # rows x trees up to which _TreeArrays predicts (measured: beyond, scikit-learn's loop is faster)


@dataclass(frozen=True)
class TreeEnsemble:
    """A binary gradient-boosting classifier's trees as flat arrays: each node's split
    ``feature`` and ``threshold`` (``x <= threshold`` goes left), whether missing values go
    left, whether it is a leaf and its ``value``; ``children`` holds each node's left and
    right child (global indices), ``roots`` each tree's first node. The raw score of a row is
    ``baseline`` plus its leaves, summed in tree order (scikit-learn's own floats)."""

    roots: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    leaf: np.ndarray
    value: np.ndarray
    children: np.ndarray
    baseline: float

    ARRAYS = ("roots", "feature", "threshold", "missing_left", "leaf", "value", "children")

    @classmethod
    def from_estimator(cls, estimator: Any, nodes: np.ndarray | None = None) -> "TreeEnsemble":
        """The trees of a fitted binary ``HistGradientBoostingClassifier`` (``nodes``: its
        trees' node records concatenated, when the caller has them)."""
        trees = [iteration[0].nodes for iteration in estimator._predictors]
        sizes = np.array([len(t) for t in trees])
        roots = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
        nodes = np.concatenate(trees) if nodes is None else nodes
        shift = np.repeat(roots, sizes)
        return cls(
            roots, nodes["feature_idx"], nodes["num_threshold"], nodes["missing_go_to_left"].view(bool),
            nodes["is_leaf"].view(bool), nodes["value"],
            np.stack([nodes["left"] + shift, nodes["right"] + shift], axis=1).astype(np.int32).ravel(),
            float(np.asarray(estimator._baseline_prediction).ravel()[0]),
        )  # fmt: skip

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], baseline: float) -> "TreeEnsemble":
        return cls(*(np.asarray(arrays[k]) for k in cls.ARRAYS), float(baseline))

    def arrays(self) -> dict[str, np.ndarray]:
        """Plain arrays to save (:meth:`from_arrays` reads them back)."""
        types = {"roots": np.int64, "feature": np.int32, "threshold": np.float64, "missing_left": np.bool_}
        types |= {"leaf": np.bool_, "value": np.float64, "children": np.int32}
        return {k: np.ascontiguousarray(getattr(self, k), dtype=types[k]) for k in self.ARRAYS}

    def raw(self, X: np.ndarray) -> np.ndarray:
        """Raw scores (log-odds), one per row of the float64 matrix ``X``."""
        n, trees = len(X), len(self.roots)
        flat = np.ascontiguousarray(X).ravel()
        node = np.tile(self.roots, n)
        start = np.repeat(np.arange(n) * X.shape[1], trees)  # where each entry's row starts in ``flat``
        nan = bool(np.isnan(flat).any())
        at = np.flatnonzero(~self.leaf[node])
        while len(at):
            here = node[at]
            x = flat[start[at] + self.feature[here]]
            right = ~(x <= self.threshold[here])  # NaN compares false: right, unless missing values go left
            if nan:
                right &= ~(np.isnan(x) & self.missing_left[here])
            node[at] = after = self.children[2 * here + right]
            at = at[~self.leaf[after]]
        leaves = np.empty((n, trees + 1))
        leaves[:, 0] = self.baseline
        leaves[:, 1:] = self.value[node].reshape(n, trees)
        return np.cumsum(leaves, axis=1)[:, -1]

    def proba(self, X: np.ndarray) -> np.ndarray:
        """The positive class's probability of each row."""
        return 1.0 / (1.0 + np.exp(-self.raw(np.asarray(X, dtype=np.float64))))


class _TreeArrays:
    """A fitted binary ``HistGradientBoostingClassifier``'s trees as a :class:`TreeEnsemble`,
    to predict a few rows at once: scikit-learn calls each tree in turn (300 calls for the
    sentence classifier, times 3 calibration folds, times the members of an averaged model),
    which dominates the cost of scoring a short document. :func:`_speed_up` installs it as
    the estimator's ``_raw_predict``; larger inputs go to the original."""

    def __init__(self, estimator: Any):
        self.original = estimator._raw_predict
        self.n_features = estimator.n_features_in_
        trees = [iteration[0].nodes for iteration in estimator._predictors]
        sizes = np.array([len(t) for t in trees])
        nodes = np.concatenate(trees)
        self.trees = TreeEnsemble.from_estimator(estimator, nodes)  # field views of ``nodes``
        self.roots = self.trees.roots
        for iteration, at, size in zip(estimator._predictors, self.roots.tolist(), sizes.tolist()):
            iteration[0].nodes = nodes[at : at + size]  # the trees view the one array: no second copy

    @staticmethod
    def applies(estimator: Any) -> bool:
        """A binary classifier with numeric splits only (what spundetect trains)."""
        return (
            type(estimator).__name__ == "HistGradientBoostingClassifier"
            and getattr(estimator, "n_trees_per_iteration_", 0) == 1
            and getattr(estimator, "is_categorical_", None) is None
            and all(not len(it[0].nodes) or not it[0].nodes["is_categorical"].any() for it in estimator._predictors)
        )

    def __call__(self, X: Any, n_threads: int | None = None) -> np.ndarray:
        X = np.asarray(X)
        if X.dtype != np.float64 or X.ndim != 2 or X.shape[1] != self.n_features or X.size == 0:
            return self.original(X, n_threads)
        if len(X) * len(self.roots) > FAST_TREE_CELLS:
            return self.original(X, n_threads)
        return self.trees.raw(X)[:, None].copy(order="F")


def _speed_up(obj: Any, install: bool = True) -> bool:
    """Install :class:`_TreeArrays` in every gradient-boosting classifier of a loaded model
    (inside :class:`Averaged` members and calibrated classifiers), or with ``install=False``
    take them out (before saving: the file holds scikit-learn's objects only). Returns
    whether any was installed before."""
    if isinstance(obj, Averaged):
        return any([_speed_up(member, install) for member in obj.members])
    if hasattr(obj, "calibrated_classifiers_"):
        return any([_speed_up(c.estimator, install) for c in obj.calibrated_classifiers_])
    had = isinstance(getattr(obj, "__dict__", {}).get("_raw_predict"), _TreeArrays)
    if install and not had and _TreeArrays.applies(obj):
        obj._raw_predict = _TreeArrays(obj)
    elif not install and had:
        del obj._raw_predict
    return had


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
    """Write ``model.skops`` (byte-identical for the same model) and ``meta.json``."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / MODEL_FILE
    data = {"span": model.span, "sentence": model.sentence, "thresholds": model.thresholds}
    data |= {"context": model.context, "context_min_p": model.context_min_p}
    path.write_bytes(_skops_bytes(data))
    (directory / PICKLE_FILE).unlink(missing_ok=True)  # an older pickle beside it would only mislead
    meta = {**model.meta, "sha256": sha256_of(path), "thresholds": model.thresholds}
    (directory / META_FILE).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    model.meta = meta
    return path


def _skops_bytes(data: dict[str, Any]) -> bytes:
    """``skops.io.dumps(data)`` made deterministic: skops names objects (and the array files
    in its zip) by ``id()`` and stamps the time; here they are numbered in the order the
    schema meets them (each plain JSON value its own number: skops also files a temporary
    value under the id of an earlier, freed one) and dated 1980."""
    import io
    import zipfile

    import skops.io as sio

    installed = [_speed_up(part, install=False) for part in data.values()]
    try:
        raw = zipfile.ZipFile(io.BytesIO(sio.dumps(data)))  # the classifiers as scikit-learn made them
    finally:
        for part, had in zip(data.values(), installed):
            if had:
                _speed_up(part)
    schema = json.loads(raw.read("schema.json"))
    names: dict[str, str] = {}
    counter = iter(range(1 << 62))

    def renumber(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                renumber(item)
        elif isinstance(node, dict):
            if "__id__" in node:
                old = str(node["__id__"])
                new = str(next(counter)) if node.get("__loader__") == "JsonNode" else names.setdefault(old, str(next(counter)))
                node["__id__"] = int(new)
            if isinstance(node.get("file"), str) and node["file"].endswith(".npy"):
                node["file"] = names.setdefault(node["file"][:-4], str(next(counter))) + ".npy"
            for value in node.values():
                renumber(value)

    renumber(schema)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        members = [("schema.json", json.dumps(schema, indent=2).encode("utf-8"))]
        for info in raw.infolist():
            stem = info.filename[:-4]
            if info.filename.endswith(".npy") and stem in names:
                members.append((names[stem] + ".npy", raw.read(info.filename)))
            elif info.filename != "schema.json":
                raise ModelError(f"skops wrote an unexpected member {info.filename!r}")
        for name, body in sorted(members):
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(entry, body, compresslevel=9)
    return out.getvalue()


def load_model(path: Path | None = None, *, trust: bool = False) -> SpinModel:
    """Load the packaged model, or ``path`` (a model folder, a ``.skops`` file, or, with
    ``trust=True`` only, a pickled ``.joblib`` file: loading a pickle runs whatever code it holds).

    ``model.skops`` must hold only :data:`TRUSTED_TYPES` (and skops' defaults) and match the
    sha256 in ``meta.json`` (``trust=True`` accepts a file without a matching meta).
    """
    if path is None:
        directory, file = DEFAULT_MODEL_DIR, DEFAULT_MODEL_DIR / MODEL_FILE
    else:
        path = Path(path)
        directory, file = (path, path / MODEL_FILE) if path.is_dir() else (path.parent, path)
        if path.is_dir() and not file.is_file() and (path / PICKLE_FILE).is_file():
            file = path / PICKLE_FILE
    if not file.is_file():
        raise ModelError(f"model file not found: {file}")
    meta = _read_meta(directory / META_FILE)
    digest = sha256_of(file)
    if file.suffix != ".skops":
        if not trust:
            raise ModelError(
                f"{file} is a pickle, which runs code when loaded; refusing it (pass --trust-model only if you trust "
                "whoever made it, or convert it to model.skops)"
            )
        import joblib

        data = joblib.load(file)
    else:
        if meta.get("sha256") != digest and not trust:
            if not meta:
                raise ModelError(f"{file} has no {META_FILE} beside it; pass --trust-model to load it anyway")
            raise ModelError(f"{file}: sha256 {digest[:12]}... does not match its {META_FILE}; refusing it")
        data = _load_skops_cached(str(file), digest)
    # A model saved under another scikit-learn version warns (InconsistentVersionWarning);
    # the caller's warning filters decide (the tests make it an error).
    if not isinstance(data, dict) or not {"span", "sentence", "thresholds"} <= set(data):
        raise ModelError(f"{file}: not a spundetect model (no span, sentence and thresholds entries)")
    meta = {**meta, "sha256": digest}
    for part in ("span", "sentence", "context"):
        _speed_up(data.get(part))
    return SpinModel(
        data["span"], data["sentence"], dict(data["thresholds"]), meta, data.get("context"), data.get("context_min_p", 0.0)
    )


def _read_meta(meta_path: Path) -> dict[str, Any]:
    if not meta_path.is_file():
        return {}
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ModelError(f"cannot read {meta_path}: {e}") from None
    if not isinstance(meta, dict):
        raise ModelError(f"cannot read {meta_path}: not a JSON object")
    return meta


@lru_cache(maxsize=4)
def _load_skops_cached(file: str, digest: str) -> Any:
    """:func:`_load_skops`, once per file content in a process (the classifiers are only
    read; ``digest`` keys the cache, so a changed file is loaded again)."""
    return _load_skops(Path(file))


def _release_memory() -> None:
    """Give the heap that reading a model file left free back to the system (glibc only):
    skops builds thousands of small arrays through temporaries (about 40 MB for a three-member model)."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _load_skops(file: Path) -> Any:
    """The objects in a skops file, built only from trusted types (no code from the file runs)."""
    import skops.io as sio
    from skops.io.exceptions import UntrustedTypesFoundException

    try:
        loaded = sio.load(file, trusted=list(TRUSTED_TYPES))  # refuses any other type before building it
        _release_memory()
        return loaded
    except UntrustedTypesFoundException as e:
        found = str(e).split("\n")[0].removeprefix("Untrusted types found in the file: ").rstrip(".")
        raise ModelError(f"{file}: holds types spundetect does not trust ({found}); refusing it") from None
    except Exception as e:  # whatever a damaged or foreign file raises: one line
        raise ModelError(f"{file}: not a readable model file ({e.__class__.__name__}: {e})") from None


def record_evaluation(directory: Path, summary: dict[str, Any]) -> None:
    """Store evaluation results under ``evaluation`` in a model folder's ``meta.json``,
    after checking that the meta still describes the model file beside it."""
    meta_path = Path(directory) / META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("sha256") != sha256_of(Path(directory) / MODEL_FILE):
        raise ModelError(f"{meta_path} does not describe the model file beside it")
    meta["evaluation"] = summary
    meta_path.write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
