import json
import shutil

import pytest

from spundetect.model import DEFAULT_MODEL_DIR, ModelError, load_model


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


def test_tampered_model_is_refused_before_unpickling(tmp_path, monkeypatch):
    d = tmp_path / "m"
    shutil.copytree(DEFAULT_MODEL_DIR, d)
    data = bytearray((d / "model.joblib").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (d / "model.joblib").write_bytes(bytes(data))

    def no_unpickling(*args, **kwargs):
        raise AssertionError("joblib.load must not be reached")

    monkeypatch.setattr("joblib.load", no_unpickling)
    with pytest.raises(ModelError, match="does not match"):
        load_model(d)


def test_model_without_meta_needs_trust(tmp_path):
    f = tmp_path / "model.joblib"
    shutil.copy(DEFAULT_MODEL_DIR / "model.joblib", f)
    with pytest.raises(ModelError, match="trust"):
        load_model(f)
    assert load_model(f, trust=True).thresholds


def test_missing_model_file(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path / "nope.joblib")
