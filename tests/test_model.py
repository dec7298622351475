import json
import shutil
import sys

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
    data = bytearray((d / "model.npz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (d / "model.npz").write_bytes(bytes(data))

    def no_loading(*args, **kwargs):
        raise AssertionError("the file must not be read")

    monkeypatch.setattr("spundetect.model._load_npz", no_loading)
    with pytest.raises(ModelError, match="does not match"):
        load_model(d)


def test_model_without_meta_needs_trust(tmp_path):
    f = tmp_path / "model.npz"
    shutil.copy(DEFAULT_MODEL_DIR / "model.npz", f)
    with pytest.raises(ModelError, match="trust"):
        load_model(f)
    assert load_model(f, trust=True).thresholds


def test_model_file_is_rebuilt_byte_identical(tmp_path):
    """save_model writes the same bytes for the same model (no timestamps), so a retrain can
    be checked against the recorded sha256."""
    from spundetect.model import save_model, sha256_of

    model = load_model()
    save_model(model, tmp_path / "again")
    assert sha256_of(tmp_path / "again" / "model.npz") == sha256_of(DEFAULT_MODEL_DIR / "model.npz")


def test_missing_model_file(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path / "nope.joblib")


def test_span_context_stage_round_trips(tmp_path):
    import numpy as np

    from spundetect.features import CONTEXT_FEATURES, TOKEN_FEATURES
    from spundetect.model import save_model

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
    save_model(SpinModel(model.span, model.sentence, dict(model.thresholds), dict(model.meta)), tmp_path / "old")
    old = load_model(tmp_path / "old")
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


def test_model_trained_with_other_channel_weights_is_refused(tmp_path):
    """The spin features read fixed channel weights; a model whose meta records others was
    trained on other features and is refused at load."""
    import dataclasses

    from spundetect.channel import FEATURE_WEIGHTS
    from spundetect.detector import Detector
    from spundetect.model import save_model

    model = load_model()
    other = dataclasses.asdict(dataclasses.replace(FEATURE_WEIGHTS, swap_content=-2.0))
    model.meta = {**model.meta, "feature_weights": other}
    save_model(model, tmp_path / "other")
    with pytest.raises(ModelError, match="other channel weights"):
        Detector.load(tmp_path / "other")
    model.meta = {**model.meta, "feature_weights": dataclasses.asdict(FEATURE_WEIGHTS)}
    save_model(model, tmp_path / "same")
    Detector.load(tmp_path / "same")


def test_spin_features_do_not_read_the_restore_weights(monkeypatch):
    """Refitting the restore search's weights (the ranker artifact) leaves the spin features
    as the model learnt them: computing them never loads that artifact."""
    from spundetect import channel, features

    tokens = ["The", "press", "convention", "was", "held", "in", "the", "faculty", "constructing", "."]
    before = features.token_rows(tokens).rows
    load = channel.load_artifact

    def no_ranker(name):
        assert name != "ranker", "the spin features read the restore search's weights"
        return load(name)

    monkeypatch.setattr(channel, "load_artifact", no_ranker)
    channel.fitted_weights.cache_clear()
    assert np.array_equal(features.token_rows(tokens).rows, before)
    assert not np.array_equal(features.token_rows(tokens, channel.Weights(swap_content=-1.0)).rows, before)
    channel.fitted_weights.cache_clear()


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


def _toy_calibrated(n_rows: int = 400):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_rows, 5))
    X[rng.random(X.shape) < 0.1] = np.nan  # trees that learnt where missing values go
    y = (np.nan_to_num(X[:, 0]) + np.nan_to_num(X[:, 1]) * np.isnan(X[:, 2]) > 0).astype(int)
    trees = HistGradientBoostingClassifier(max_iter=40, random_state=0)
    return CalibratedClassifierCV(trees, method="sigmoid", cv=3).fit(X, y), X


def test_array_form_gives_scikit_learns_floats(monkeypatch):
    """The stages in the array form return the very floats of scikit-learn's prediction,
    missing values included, by the numpy walk (small inputs), scikit-learn's compiled walk
    (large ones) and the numpy walk in chunks where that is not available."""
    from spundetect import model as M

    fitted, X = _toy_calibrated()
    big = np.vstack([X] * 80)  # 32,000 rows x 40 trees, with scikit-learn loaded: the compiled walk
    assert len(big) * 40 > M.FAST_TREE_CELLS
    stage = M.Calibrated.from_estimator(fitted)
    for rows in (X[:1], X[:50], X, big):
        assert np.array_equal(stage.predict_proba(rows), fitted.predict_proba(rows))
    for c, trees in zip(fitted.calibrated_classifiers_, stage.folds):
        assert np.array_equal(trees.raw(X[:30]), c.estimator.decision_function(X[:30]))
        assert trees._compiled is not None
        assert np.array_equal(trees.raw(big), c.estimator.decision_function(big))
    import pickle  # how --jobs and Dask hand a model to another process: without the compiled walk

    again = pickle.loads(pickle.dumps(stage))
    assert not {"_compiled", "_walk_tables"} & set(again.folds[0].__dict__)
    assert np.array_equal(again.predict_proba(big), fitted.predict_proba(big))
    monkeypatch.setattr(M.TreeEnsemble, "_compiled", None)  # no compiled walk: chunks of the numpy one
    assert np.array_equal(M.Calibrated.from_estimator(fitted).predict_proba(big), fitted.predict_proba(big))
    with pytest.raises(ValueError, match="features"):
        stage.predict_proba(X[:, :4])


def test_probabilities_without_scipy_are_scipys_floats(monkeypatch):
    """Where scipy is not imported yet, probabilities of up to ``EXPIT_LOOP_VALUES`` rows come
    from a loop (importing scipy for them costs more than the loop): the same floats."""
    from scipy.special import expit

    from spundetect import model as M

    x = np.random.default_rng(0).normal(scale=8.0, size=5000)
    x[:3] = [800.0, -800.0, 0.0]
    expected = expit(x)
    monkeypatch.delitem(sys.modules, "scipy.special")
    assert 1000 < len(x) <= M.EXPIT_LOOP_VALUES
    assert np.array_equal(M._expit(x), expected)
    assert "scipy.special" not in sys.modules


def test_older_skops_model_loads_into_the_array_form(tmp_path):
    """A ``model.skops`` of an older spundetect (scikit-learn's objects) still loads, checked
    against its meta, and predicts what scikit-learn did."""
    import skops.io as sio

    from spundetect.model import Calibrated, sha256_of

    fitted, X = _toy_calibrated()
    f = tmp_path / "model.skops"
    f.write_bytes(sio.dumps({"span": fitted, "sentence": fitted, "thresholds": {"document": 0.5}}))
    (tmp_path / "meta.json").write_text(json.dumps({"sha256": sha256_of(f)}))
    loaded = load_model(tmp_path)
    assert isinstance(loaded.span, Calibrated) and loaded.context is None
    assert np.array_equal(loaded.span.predict_proba(X), fitted.predict_proba(X))


def test_a_model_file_with_other_arrays_is_refused(tmp_path):
    from spundetect.model import _npz_bytes, sha256_of

    spec = {"format": 1, "thresholds": {}, "context_min_p": 0.0, "span": {"calibrated": [{"trees": "0"}]}}
    arrays = {"spec": np.frombuffer(json.dumps(spec).encode(), dtype=np.uint8), "trees0": np.zeros(3), "sizes0": np.ones(3)}
    f = tmp_path / "model.npz"
    f.write_bytes(_npz_bytes(arrays))
    (tmp_path / "meta.json").write_text(json.dumps({"sha256": sha256_of(f)}))
    with pytest.raises(ModelError, match="not a readable model file|not tree node records"):
        load_model(tmp_path)
    # a tree whose split points back at itself (a walk that would never end) is refused too
    from spundetect.model import NODE_DTYPE

    loop = np.zeros(3, dtype=NODE_DTYPE)
    loop["left"], loop["right"], loop["is_leaf"] = [0, 0, 0], [2, 0, 0], [0, 1, 1]
    spec["span"] = spec["sentence"] = {"calibrated": [{"trees": "0", "baseline": 0.0, "a": -1.0, "b": 0.0}], "n_features": 1}
    arrays = {"spec": np.frombuffer(json.dumps(spec).encode(), dtype=np.uint8), "trees0": loop, "sizes0": np.array([3])}
    f.write_bytes(_npz_bytes(arrays))
    (tmp_path / "meta.json").write_text(json.dumps({"sha256": sha256_of(f)}))
    with pytest.raises(ModelError, match="not trees"):
        load_model(tmp_path)
    loop["left"] = 1  # the same tree, well formed, loads
    f.write_bytes(_npz_bytes(arrays))
    (tmp_path / "meta.json").write_text(json.dumps({"sha256": sha256_of(f)}))
    assert load_model(tmp_path).span.predict_proba(np.zeros((1, 1))).shape == (1, 2)
    f.write_bytes(b"PK\x03\x04 not a zip")
    (tmp_path / "meta.json").write_text(json.dumps({"sha256": sha256_of(f)}))
    with pytest.raises(ModelError, match="not a readable model file"):
        load_model(tmp_path)


def test_checking_a_short_text_imports_no_scikit_learn():
    """The array form predicts in numpy: a short check loads neither scikit-learn nor pandas
    (about 1.4 s and 150 MB of a cold start)."""
    import subprocess
    import sys

    code = (
        "import sys\nfrom spundetect import Detector\n"
        "r = Detector.load().check('The press convention was held in the faculty constructing. Officials said little.')\n"
        "assert r.sentences and 'sklearn' not in sys.modules and 'pandas' not in sys.modules, sorted(sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
