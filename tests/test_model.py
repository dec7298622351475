import json
import shutil

import numpy as np
import pytest

from spundetect.model import DEFAULT_MODEL_DIR, Averaged, ModelError, SpinModel, load_model


def test_packaged_model_loads_with_meta():
    model = load_model()
    meta = json.loads((DEFAULT_MODEL_DIR / "meta.json").read_text())
    assert model.meta["sha256"] == meta["sha256"]
    assert set(model.thresholds) >= {
        "span",
        "span_in_flagged",
        "span_in_flagged_doc",
        "sentence",
        "sentence_in_flagged_doc",
        "document",
    }
    assert meta["versions"]["scikit-learn"]


def test_tampered_model_is_refused_before_loading(tmp_path, monkeypatch):
    d = tmp_path / "m"
    shutil.copytree(DEFAULT_MODEL_DIR, d)
    data = bytearray((d / "model.skops").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (d / "model.skops").write_bytes(bytes(data))

    def no_loading(*args, **kwargs):
        raise AssertionError("skops.io.load must not be reached")

    monkeypatch.setattr("skops.io.load", no_loading)
    with pytest.raises(ModelError, match="does not match"):
        load_model(d)


def test_model_without_meta_needs_trust(tmp_path):
    f = tmp_path / "model.skops"
    shutil.copy(DEFAULT_MODEL_DIR / "model.skops", f)
    with pytest.raises(ModelError, match="trust"):
        load_model(f)
    assert load_model(f, trust=True).thresholds


def test_model_file_is_rebuilt_byte_identical(tmp_path):
    """save_model writes the same bytes for the same model (skops' id-based names and
    timestamps are normalised), so a retrain can be checked against the recorded sha256."""
    from spundetect.model import save_model, sha256_of

    model = load_model()
    save_model(model, tmp_path / "again")
    assert sha256_of(tmp_path / "again" / "model.skops") == sha256_of(DEFAULT_MODEL_DIR / "model.skops")


def test_missing_model_file(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path / "nope.joblib")


def test_span_context_stage_round_trips(tmp_path):
    import numpy as np

    from spundetect.features import CONTEXT_FEATURES, TOKEN_FEATURES
    from spundetect.model import _skops_bytes, save_model

    model = load_model()
    assert model.context is not None and model.context.n_features_in_ == len(CONTEXT_FEATURES)
    assert 0 < model.context_min_p < 0.5
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, len(TOKEN_FEATURES)))
    p = np.array([0.9, model.context_min_p / 2, 0.6, 0.0, 0.3, 0.95])
    row_sent, row_doc = np.array([0, 0, 0, 1, 1, 1]), np.zeros(6, dtype=int)
    second = model.span_context_proba(X, p, row_sent, row_doc)
    assert second.shape == (6,) and ((second >= 0) & (second <= 1)).all()
    low = p < model.context_min_p  # words the second stage leaves alone, as in training
    assert np.array_equal(second[low], p[low]) and not np.array_equal(second[~low], p[~low])
    save_model(model, tmp_path / "copy")
    assert np.array_equal(load_model(tmp_path / "copy").span_context_proba(X, p, row_sent, row_doc), second)
    # a model saved before the second stage existed keeps its first-stage probabilities
    data = {"span": model.span, "sentence": model.sentence, "thresholds": model.thresholds}
    (tmp_path / "old.skops").write_bytes(_skops_bytes(data))
    old = load_model(tmp_path / "old.skops", trust=True)
    assert old.context is None and np.array_equal(old.span_context_proba(X, p, row_sent, row_doc), p)


def test_model_trained_on_other_features_is_refused(tmp_path):
    """A model from an older version (fewer span features) gets a clear error at load, not
    a scikit-learn traceback at the first check."""
    from spundetect.detector import Detector
    from spundetect.model import save_model

    model = load_model()
    model.meta = {**model.meta, "features": {**model.meta["features"], "span": model.meta["features"]["span"][:-1]}}
    save_model(model, tmp_path / "older")
    with pytest.raises(ModelError, match="other features"):
        Detector.load(tmp_path / "older")


class _Fixed:
    """A stand-in classifier: P(spun) of each row is ``row[0] * scale``."""

    n_features_in_ = 1

    def __init__(self, scale):
        self.scale = scale

    def predict_proba(self, X):
        p = np.clip(np.asarray(X, dtype=float)[:, 0] * self.scale, 0, 1)
        return np.column_stack([1 - p, p])


def test_averaged_members_and_gate():
    X = np.array([[0.01], [0.2], [0.4]])
    members = [_Fixed(1.0), _Fixed(2.0), _Fixed(0.0)]
    mean = Averaged(members).predict_proba(X)[:, 1]
    assert mean == pytest.approx([0.01, 0.2, 0.4])  # (1 + 2 + 0) / 3 of each row
    gated = Averaged(members, gate=0.05).predict_proba(X)[:, 1]
    assert gated == pytest.approx([0.01, 0.2, 0.4])
    # a row the first member scores under the gate keeps its probability; the others pay
    # only for the rest
    members = [_Fixed(1.0), _Fixed(4.0)]
    gated = Averaged(members, gate=0.05).predict_proba(X)[:, 1]
    assert gated == pytest.approx([0.01, 0.5, 0.7])
    assert Averaged(members).n_features_in_ == 1


def test_averaged_model_round_trips_and_checks(tmp_path):
    """A model of averaged stages (``spundetect train --members N``) saves, loads and
    checks; averaging a stage with itself changes no score."""
    from spundetect.detector import Detector
    from spundetect.model import save_model

    model = load_model()
    twice = SpinModel(
        Averaged([model.span] * 2, gate=model.context_min_p),
        Averaged([model.sentence] * 2),
        dict(model.thresholds),
        dict(model.meta),
        Averaged([model.context] * 2),
        model.context_min_p,
    )
    save_model(twice, tmp_path / "twice")
    text = "The press convention was held in the faculty constructing. Officials said little."
    loaded = Detector.load(tmp_path / "twice")
    assert isinstance(loaded.model.sentence, Averaged)
    a, b = Detector(model).check(text), loaded.check(text)
    assert [s.score for s in b.sentences] == pytest.approx([s.score for s in a.sentences])
    assert b.score == pytest.approx(a.score)


def test_tree_arrays_give_scikit_learns_floats():
    """The flat-array tree walk installed at load time returns the very floats of
    scikit-learn's own prediction, missing values included; large inputs go to scikit-learn."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    from spundetect.model import FAST_TREE_CELLS, _speed_up, _TreeArrays

    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 5))
    X[rng.random(X.shape) < 0.1] = np.nan  # trees that learnt where missing values go
    y = (np.nan_to_num(X[:, 0]) + np.nan_to_num(X[:, 1]) * np.isnan(X[:, 2]) > 0).astype(int)
    toy = HistGradientBoostingClassifier(max_iter=40, random_state=0).fit(X, y)
    expected = toy.predict_proba(X[:50])
    _speed_up(toy)
    assert isinstance(toy.__dict__["_raw_predict"], _TreeArrays)
    assert np.array_equal(toy.predict_proba(X[:50]), expected)
    assert np.array_equal(toy.decision_function(X[:1]), toy._raw_predict.original(X[:1]).ravel())

    model = load_model()
    for classifier in (model.span, model.sentence, model.context):
        first = classifier.members[0] if isinstance(classifier, Averaged) else classifier
        fast = first.calibrated_classifiers_[0].estimator.__dict__["_raw_predict"]
        assert isinstance(fast, _TreeArrays)
        rows = rng.normal(size=(30, fast.n_features)) * 3
        rows[0] = np.nan
        assert np.array_equal(fast(rows), fast.original(rows))
        big = rng.normal(size=(FAST_TREE_CELLS // len(fast.roots) + 1, fast.n_features))
        assert np.array_equal(fast(big), fast.original(big))
