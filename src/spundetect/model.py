"""The trained classifiers: loading (checksum first), saving, and their metadata.

A model is a folder with ``model.npz`` and ``meta.json`` (versions, data checksums,
thresholds, metrics). ``model.npz`` holds plain arrays only (each gradient-boosted tree
ensemble's node records, the sigmoid calibrations' numbers, thresholds) and a JSON
description of how they combine: reading it builds no object a file names and runs no
code from it (``numpy.load`` with ``allow_pickle=False``). Its sha256 must also match
``meta.json``, which catches damage (not tampering: whoever writes one writes the other).

The stages predict with :class:`Calibrated` (and :class:`Averaged` for several training
draws), numpy only; scikit-learn's compiled tree walk is borrowed for inputs large enough
to pay for importing it (the same floats either way). A check of a short text therefore
imports neither scikit-learn nor pandas.

Older model files are still read: ``model.skops`` (the format before ``model.npz``) with
``skops.io``, which builds objects of the types in :data:`TRUSTED_TYPES` only; a pickle
(``model.joblib``, older still) can run any code when loaded and is loaded only with
``trust=True`` (``--trust-model``), never on the strength of a checksum. Both are turned
into the array form on loading.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import math
import sys
import zipfile
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .outputs import write_atomic, write_together

__all__ = [
    "SpinModel",
    "Averaged",
    "Calibrated",
    "ModelError",
    "DEFAULT_MODEL_DIR",
    "load_model",
    "save_model",
    "sha256_of",
    "record_evaluation",
    "TreeEnsemble",
    "compact",
]

log = logging.getLogger(__name__)

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "models" / "default"
MODEL_FILE = "model.npz"
SKOPS_FILE = "model.skops"
PICKLE_FILE = "model.joblib"
META_FILE = "meta.json"
#: the version of ``model.npz``'s layout this code writes and reads
FILE_FORMAT = 1
#: the fields of a tree node record (scikit-learn's ``PREDICTOR_RECORD_DTYPE``, 1.x)
NODE_DTYPE = np.dtype([
    ("value", "<f8"), ("count", "<u4"), ("feature_idx", "<i8"), ("num_threshold", "<f8"), ("missing_go_to_left", "u1"),
    ("left", "<u4"), ("right", "<u4"), ("gain", "<f8"), ("depth", "<u4"), ("is_leaf", "u1"), ("bin_threshold", "u1"),
    ("is_categorical", "u1"), ("bitset_idx", "<u4"),
])  # fmt: skip
#: the only types an old ``model.skops`` may hold beyond skops' defaults (scikit-learn's own
#: estimators and numpy): the calibrated gradient-boosting classifiers and their parts
TRUSTED_TYPES = (
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "spundetect.model.Averaged",
)
#: rows x trees up to which the numpy walk predicts (measured: beyond, scikit-learn's compiled
#: walk is faster once it is imported) ...
FAST_TREE_CELLS = 25_000
#: ... and the cells walked in numpy (all calls of a process) from which scikit-learn is
#: imported (with scipy 1.2-1.5 s and 150 MB) for its compiled walk. The numpy walk takes
#: about 100 ns a cell, the compiled one 25, so the import is won back after about 16M more
#: cells: importing early costs a short run (a few thousand words) about a second and saves
#: a long one (the bench's 50,000 words walk 33M) as much. Below it the compiled walk is
#: used only where scikit-learn is already loaded
IMPORT_TREE_CELLS = 4_000_000
_walked = [0]  # cells beyond FAST_TREE_CELLS walked in numpy so far in this process
#: levels the numpy walk descends between gathering the rows still walking (measured on a
#: real page's checks: 3 and 4 about equal, both about 45 % faster than every level)
WALK_LEVELS = 4
#: probabilities computed in a Python loop rather than by ``scipy.special.expit`` when scipy
#: is not imported yet (the import, about 0.25 s, costs as much as a loop over a million)
EXPIT_LOOP_VALUES = 200_000


class ModelError(RuntimeError):
    """A model file is missing, damaged, untrusted or of another version."""


@dataclass(frozen=True, eq=False)
class TreeEnsemble:
    """A binary gradient-boosting classifier's trees as flat arrays: each node's split
    ``feature`` and ``threshold`` (``x <= threshold`` goes left), whether missing values go
    left, whether it is a leaf and its ``value``; ``children`` holds each node's left and
    right child (global indices), ``roots`` each tree's first node. The raw score of a row is
    ``baseline`` plus its leaves, summed in tree order (scikit-learn's own floats).

    ``records``, when given, are the trees' node records in scikit-learn's layout
    (:data:`NODE_DTYPE`; the other arrays view them): large inputs then go through
    scikit-learn's compiled walk (:meth:`raw`)."""

    roots: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    leaf: np.ndarray
    value: np.ndarray
    children: np.ndarray
    baseline: float
    records: np.ndarray | None = field(default=None, repr=False)

    ARRAYS = ("roots", "feature", "threshold", "missing_left", "leaf", "value", "children")

    @classmethod
    def from_records(cls, records: np.ndarray, sizes: np.ndarray, baseline: float) -> "TreeEnsemble":
        """The trees whose node records (:data:`NODE_DTYPE`, child indices within each tree)
        lie one after another in ``records``, ``sizes[i]`` nodes for tree ``i``."""
        sizes = np.asarray(sizes, dtype=np.int64)
        roots = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
        shift = np.repeat(roots, sizes)
        return cls(
            roots, records["feature_idx"], records["num_threshold"], records["missing_go_to_left"].view(bool),
            records["is_leaf"].view(bool), records["value"],
            np.stack([records["left"] + shift, records["right"] + shift], axis=1).astype(np.int32).ravel(),
            float(baseline), records,
        )  # fmt: skip

    @classmethod
    def from_estimator(cls, estimator: Any) -> "TreeEnsemble":
        """The trees of a fitted binary ``HistGradientBoostingClassifier`` with numeric splits
        (what spundetect trains)."""
        if getattr(estimator, "n_trees_per_iteration_", 0) != 1 or getattr(estimator, "is_categorical_", None) is not None:
            raise ModelError(f"{type(estimator).__name__}: only binary classifiers with numeric features are supported")
        trees = [iteration[0].nodes for iteration in estimator._predictors]
        records = np.concatenate(trees).astype(NODE_DTYPE)
        if records["is_categorical"].any():
            raise ModelError("trees with categorical splits are not supported")
        return cls.from_records(records, np.array([len(t) for t in trees]), np.asarray(estimator._baseline_prediction).ravel()[0])

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], baseline: float) -> "TreeEnsemble":
        return cls(*(np.asarray(arrays[k]) for k in cls.ARRAYS), float(baseline))

    def arrays(self) -> dict[str, np.ndarray]:
        """Plain arrays to save (:meth:`from_arrays` reads them back)."""
        types = {"roots": np.int64, "feature": np.int32, "threshold": np.float64, "missing_left": np.bool_}
        types |= {"leaf": np.bool_, "value": np.float64, "children": np.int32}
        return {k: np.ascontiguousarray(getattr(self, k), dtype=types[k]) for k in self.ARRAYS}

    @property
    def sizes(self) -> np.ndarray:
        return np.diff(np.append(self.roots, len(self.leaf)))

    def raw(self, X: np.ndarray) -> np.ndarray:
        """Raw scores (log-odds), one per row of the float64 matrix ``X``."""
        X = np.ascontiguousarray(X, dtype=np.float64)
        n, trees = len(X), len(self.roots)
        if n * trees <= FAST_TREE_CELLS:
            return self._walk(X)
        _walked[0] += n * trees
        if _walked[0] >= IMPORT_TREE_CELLS or "sklearn" in sys.modules:
            compiled = self._compiled
            if compiled is not None:
                return compiled(X)
        step = max(1, FAST_TREE_CELLS // trees)
        return np.concatenate([self._walk(X[i : i + step]) for i in range(0, n, step)])

    def _walk(self, X: np.ndarray) -> np.ndarray:
        """:meth:`raw` in numpy: all rows through all trees a level at a time. A leaf leads to
        itself (:attr:`_walk_tables`), so the rows still walking are gathered again only every
        ``WALK_LEVELS`` levels."""
        n, trees = len(X), len(self.roots)
        flat = X.ravel()
        children, threshold, feature = self._walk_tables
        node = np.tile(self.roots, n)
        at = np.flatnonzero(~self.leaf[node])
        here = node[at]
        start = np.repeat(np.arange(n) * X.shape[1], trees)[at]  # where each entry's row starts in ``flat``
        nan = bool(np.isnan(flat).any())
        while len(at):
            for _ in range(WALK_LEVELS):
                x = flat[start + feature[here]]
                right = ~(x <= threshold[here])  # NaN compares false: right, unless missing values go left
                if nan:
                    right &= ~(np.isnan(x) & self.missing_left[here])
                here = children[2 * here + right]
            node[at] = here
            walking = ~self.leaf[here]
            at, here, start = at[walking], here[walking], start[walking]
        leaves = np.empty((n, trees + 1))
        leaves[:, 0] = self.baseline
        leaves[:, 1:] = self.value[node].reshape(n, trees)
        return np.cumsum(leaves, axis=1)[:, -1]

    @cached_property
    def _walk_tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(children, threshold, feature) for :meth:`_walk`, where a leaf's two children are
        itself (its threshold +inf, its feature 0)."""
        leaf = np.flatnonzero(self.leaf)
        children = self.children.astype(np.intp).reshape(-1, 2)
        children[leaf] = leaf[:, None]
        threshold = np.where(self.leaf, np.inf, self.threshold)
        return children.ravel(), threshold, np.where(self.leaf, 0, self.feature).astype(np.intp)

    @cached_property
    def _compiled(self):
        """scikit-learn's compiled walk over these trees (``raw(X)`` for large ``X``), or None
        where the records or scikit-learn's layout do not allow it."""
        if self.records is None:
            return None
        try:
            from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE
            from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor
            from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
        except ImportError:  # a scikit-learn that moved them: the numpy walk, chunked
            log.info("scikit-learn's tree predictor not found; large inputs use the numpy walk")
            return None
        if PREDICTOR_RECORD_DTYPE != self.records.dtype:
            log.info("scikit-learn's tree records differ from the model's; large inputs use the numpy walk")
            return None
        none = np.zeros((0, 8), dtype=np.uint32)  # no categorical features
        predictors = [TreePredictor(self.records[a : a + size], none, none) for a, size in zip(self.roots, self.sizes)]

        def raw(X: np.ndarray) -> np.ndarray:
            out = np.full(len(X), self.baseline)
            f_idx_map = np.zeros(X.shape[1], dtype=np.uint32)
            threads = _openmp_effective_n_threads()
            for predictor in predictors:  # scikit-learn's order of additions: its floats
                out += predictor.predict(X, none, f_idx_map, threads)
            return out

        return raw

    def proba(self, X: np.ndarray) -> np.ndarray:
        """The positive class's probability of each row."""
        return _expit(self.raw(X))

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (``--jobs``, Dask) without the compiled walk and the walk's tables: a
        process makes its own."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_compiled", "_walk_tables")}


def _expit(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))`` with the C library's ``exp``, as ``scipy.special.expit`` computes
    it (numpy's own ``exp`` differs in the last bit for about 2 % of values)."""
    if len(x) > EXPIT_LOOP_VALUES or (len(x) > 1000 and "scipy.special" in sys.modules):
        from scipy.special import expit

        return expit(x)
    out = []
    for v in x.tolist():
        try:
            out.append(1.0 / (1.0 + math.exp(-v)))
        except OverflowError:
            out.append(0.0)
    return np.array(out, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class Calibrated:
    """A binary classifier as ``CalibratedClassifierCV(HistGradientBoostingClassifier(),
    method="sigmoid")`` fits it: per cross-validation fold, trees and a sigmoid
    ``p = 1 / (1 + exp(a * raw + b))`` of their raw score; ``predict_proba`` is the folds'
    mean (scikit-learn's floats)."""

    folds: tuple[TreeEnsemble, ...]
    a: tuple[float, ...]
    b: tuple[float, ...]
    n_features_in_: int

    @classmethod
    def from_estimator(cls, calibrated: Any) -> "Calibrated":
        """The array form of a fitted scikit-learn ``CalibratedClassifierCV`` (sigmoid, binary)."""
        folds, a, b = [], [], []
        for c in calibrated.calibrated_classifiers_:
            if c.method != "sigmoid" or len(c.calibrators) != 1 or list(c.classes) != [0, 1]:
                raise ModelError("only binary classifiers calibrated with a sigmoid are supported")
            folds.append(TreeEnsemble.from_estimator(c.estimator))
            a.append(float(c.calibrators[0].a_))
            b.append(float(c.calibrators[0].b_))
        return cls(tuple(folds), tuple(a), tuple(b), int(calibrated.n_features_in_))

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        X = np.ascontiguousarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[-1]} features, but the classifier expects {self.n_features_in_}")
        mean = np.zeros((len(X), 2))
        for trees, a, b in zip(self.folds, self.a, self.b):
            p = _expit(-(a * trees.raw(X) + b))
            proba = np.column_stack([1.0 - p, p])
            proba[(1.0 < proba) & (proba <= 1.0 + 1e-5)] = 1.0
            mean += proba
        mean /= len(self.folds)
        return mean


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


def compact(stage: Any) -> Any:
    """A model stage in the array form: scikit-learn's calibrated classifiers become
    :class:`Calibrated`, inside :class:`Averaged` too; the array form is returned as it is."""
    if stage is None or isinstance(stage, Calibrated):
        return stage
    if isinstance(stage, Averaged):
        return Averaged([compact(m) for m in stage.members], stage.gate)
    if hasattr(stage, "calibrated_classifiers_"):
        return Calibrated.from_estimator(stage)
    raise ModelError(f"cannot store a {type(stage).__name__} stage (calibrated gradient boosting only)")


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


STAGES = ("span", "sentence", "context")


def save_model(model: SpinModel, directory: Path) -> Path:
    """Write ``model.npz`` (byte-identical for the same model) and ``meta.json``."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / MODEL_FILE
    arrays: dict[str, np.ndarray] = {}
    spec = {"format": FILE_FORMAT, "thresholds": model.thresholds, "context_min_p": model.context_min_p}
    for stage in STAGES:
        spec[stage] = _stage_spec(compact(getattr(model, stage)), arrays)
    arrays["spec"] = np.frombuffer(json.dumps(spec, sort_keys=True).encode("utf-8"), dtype=np.uint8)
    data = _npz_bytes(arrays)
    meta = {**model.meta, "sha256": hashlib.sha256(data).hexdigest(), "thresholds": model.thresholds}
    # both on disk before either replaces the earlier model's
    write_together({path: data, directory / META_FILE: json.dumps(meta, indent=1, sort_keys=True) + "\n"})
    for older in (SKOPS_FILE, PICKLE_FILE):
        (directory / older).unlink(missing_ok=True)  # an older model file beside it would only mislead
    model.meta = meta
    return path


def _stage_spec(stage: Any, arrays: dict[str, np.ndarray]) -> Any:
    """The JSON description of a stage; its trees go into ``arrays`` (``trees<i>`` node
    records, ``sizes<i>`` nodes per tree)."""
    if stage is None:
        return None
    if isinstance(stage, Averaged):
        return {"averaged": [_stage_spec(m, arrays) for m in stage.members], "gate": stage.gate}
    folds = []
    for trees, a, b in zip(stage.folds, stage.a, stage.b):
        name = str(len(arrays) // 2)
        arrays["trees" + name], arrays["sizes" + name] = trees.records, trees.sizes.astype(np.int64)
        folds.append({"trees": name, "baseline": trees.baseline, "a": a, "b": b})
    return {"calibrated": folds, "n_features": stage.n_features_in_}


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An ``.npz`` of ``arrays`` (``numpy.load`` reads it) with fixed dates, so the same
    arrays give the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in sorted(arrays):
            body = io.BytesIO()
            np.lib.format.write_array(body, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            entry = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(entry, body.getvalue(), compresslevel=9)
    return out.getvalue()


def load_model(path: Path | None = None, *, trust: bool = False) -> SpinModel:
    """Load the packaged model, or ``path``: a model folder, a ``.npz`` file, an older
    ``.skops`` file, or, with ``trust=True`` only, a pickled ``.joblib`` file (loading a
    pickle runs whatever code it holds).

    The file's sha256 must match the one in ``meta.json`` beside it (``trust=True`` accepts a
    file without a matching meta); a ``.skops`` file must hold only :data:`TRUSTED_TYPES`
    (and skops' defaults).
    """
    if path is None:
        directory, file = DEFAULT_MODEL_DIR, DEFAULT_MODEL_DIR / MODEL_FILE
    else:
        path = Path(path)
        directory, file = (path, path / MODEL_FILE) if path.is_dir() else (path.parent, path)
        for older in (SKOPS_FILE, PICKLE_FILE):
            if path.is_dir() and not file.is_file() and (path / older).is_file():
                file = path / older
    if not file.is_file():
        raise ModelError(f"model file not found: {file}")
    meta = _read_meta(directory / META_FILE)
    digest = sha256_of(file)
    if file.suffix in (".npz", ".skops"):
        if meta.get("sha256") != digest and not trust:
            if not meta:
                raise ModelError(f"{file} has no {META_FILE} beside it; pass --trust-model to load it anyway")
            raise ModelError(f"{file}: sha256 {digest[:12]}... does not match its {META_FILE}; refusing it")
        data = _load_npz_cached(str(file), digest) if file.suffix == ".npz" else _load_skops_cached(str(file), digest)
    elif not trust:
        raise ModelError(
            f"{file} is not a model.npz: loading it would unpickle it, which runs code; refusing it (pass --trust-model "
            "only if it is a pickled model and you trust whoever made it, or save it again with a current spundetect)"
        )
    else:
        import joblib

        data = _from_objects(joblib.load(file), file)
    meta = {**meta, "sha256": digest}
    return SpinModel(data["span"], data["sentence"], dict(data["thresholds"]), meta, data["context"], data["context_min_p"])


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
def _load_npz_cached(file: str, digest: str) -> dict[str, Any]:
    """:func:`_load_npz`, once per file content in a process (the stages are only read;
    ``digest`` keys the cache, so a changed file is loaded again)."""
    return _load_npz(Path(file))


def _load_npz(file: Path) -> dict[str, Any]:
    """The stages and thresholds of a ``model.npz``: plain arrays and a JSON description."""
    try:
        with np.load(file, allow_pickle=False) as z:
            arrays = {name: z[name] for name in z.files}
        spec = json.loads(arrays.pop("spec").tobytes().decode("utf-8"))
        if spec.get("format") != FILE_FORMAT:
            raise ModelError(f"{file}: model file format {spec.get('format')}, this version reads {FILE_FORMAT}")
        data = {stage: _stage_from_spec(spec.get(stage), arrays) for stage in STAGES}
        data["thresholds"] = {str(k): float(v) for k, v in spec["thresholds"].items()}
        data["context_min_p"] = float(spec["context_min_p"])
    except ModelError:
        raise
    except Exception as e:  # whatever a damaged or foreign file raises: one line
        raise ModelError(f"{file}: not a readable model file ({e.__class__.__name__}: {e})") from None
    if data["span"] is None or data["sentence"] is None:
        raise ModelError(f"{file}: not a spundetect model (no span and sentence stages)")
    return data


def _stage_from_spec(spec: Any, arrays: dict[str, np.ndarray]) -> Any:
    if spec is None:
        return None
    if "averaged" in spec:
        return Averaged([_stage_from_spec(m, arrays) for m in spec["averaged"]], float(spec["gate"]))
    folds, n_features = [], int(spec["n_features"])
    for fold in spec["calibrated"]:
        records, sizes = arrays["trees" + fold["trees"]], arrays["sizes" + fold["trees"]]
        if records.dtype != NODE_DTYPE or sizes.ndim != 1 or (sizes < 1).any() or sizes.sum() != len(records):
            raise ModelError(f"tree arrays {fold['trees']} are not tree node records")
        trees = TreeEnsemble.from_records(records, sizes, float(fold["baseline"]))
        if not _well_formed(trees, n_features):
            raise ModelError(f"tree arrays {fold['trees']} are not trees over {n_features} features")
        folds.append(trees)
    a, b = (tuple(float(f[k]) for f in spec["calibrated"]) for k in "ab")
    return Calibrated(tuple(folds), a, b, n_features)


def _well_formed(trees: TreeEnsemble, n_features: int) -> bool:
    """Every split reads one of ``n_features`` features and sends rows to later nodes of its
    own tree, so every walk ends at a leaf."""
    inner = np.flatnonzero(~trees.leaf)
    end = np.repeat(trees.roots + trees.sizes, trees.sizes)[inner]  # one past each node's tree
    children = trees.children.reshape(-1, 2)[inner]
    feature = trees.feature[inner]
    return bool(
        ((feature >= 0) & (feature < n_features)).all() and ((children > inner[:, None]) & (children < end[:, None])).all()
    )


@lru_cache(maxsize=4)
def _load_skops_cached(file: str, digest: str) -> dict[str, Any]:
    return _from_objects(_load_skops(Path(file)), Path(file))


def _from_objects(data: Any, file: Path) -> dict[str, Any]:
    """The stages of an older model file's objects (scikit-learn's), in the array form."""
    if not isinstance(data, dict) or not {"span", "sentence", "thresholds"} <= set(data):
        raise ModelError(f"{file}: not a spundetect model (no span, sentence and thresholds entries)")
    out = {stage: compact(data.get(stage)) for stage in STAGES}
    return out | {"thresholds": dict(data["thresholds"]), "context_min_p": data.get("context_min_p", 0.0)}


def _load_skops(file: Path) -> Any:
    """The objects in a skops file, built only from trusted types (no code from the file runs)."""
    import skops.io as sio
    from skops.io.exceptions import UntrustedTypesFoundException

    try:
        return sio.load(file, trusted=list(TRUSTED_TYPES))  # refuses any other type before building it
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
    write_atomic(meta_path, json.dumps(meta, indent=1, sort_keys=True) + "\n")
