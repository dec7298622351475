"""Loading a model never runs code from it unless the user trusts it by name (issue 23)."""

import json
import pickle
import shutil

import pytest
from typer.testing import CliRunner

from spundetect.cli import app
from spundetect.model import DEFAULT_MODEL_DIR, ModelError, load_model, sha256_of

runner = CliRunner()
EXAMPLE = "The press convention was held in the faculty constructing."


class _RunsCode:
    """Unpickling this touches a file: the stand-in for any command a pickle can run."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _pickle_folder(tmp_path, marker):
    d = tmp_path / "evil"
    d.mkdir()
    f = d / "model.joblib"
    f.write_bytes(pickle.dumps({"span": _RunsCode(marker), "sentence": None, "thresholds": {}}))
    meta = json.loads((DEFAULT_MODEL_DIR / "meta.json").read_text())
    (d / "meta.json").write_text(json.dumps({**meta, "sha256": sha256_of(f)}))  # its own checksum: proves nothing
    return d


def test_pickle_model_folder_is_refused_without_trust_and_runs_nothing(tmp_path):
    marker = tmp_path / "ran"
    d = _pickle_folder(tmp_path, marker)
    r = runner.invoke(app, ["check", "--model", str(d), "-"], input=EXAMPLE)
    assert r.exit_code == 2
    assert "pickle" in r.stderr and "--trust-model" in r.stderr and r.stderr.count("\n") == 1
    assert not marker.exists()
    with pytest.raises(ModelError, match="pickle"):
        load_model(d / "model.joblib")
    assert not marker.exists()


def test_a_file_that_is_no_model_is_not_called_a_pickle(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("not a model\n")
    r = runner.invoke(app, ["check", "--model", str(f), "-"], input=EXAMPLE)
    assert r.exit_code == 2 and r.stderr.startswith(f"spundetect: {f} is not a model.npz:")


def test_skops_file_with_an_untrusted_type_is_refused_even_with_a_matching_meta(tmp_path):
    import skops.io as sio

    d = tmp_path / "foreign"
    shutil.copytree(DEFAULT_MODEL_DIR, d)
    (d / "model.npz").unlink()  # a folder of an older version: its model.skops is read
    data = {"span": _RunsCode(tmp_path / "ran"), "sentence": None, "thresholds": {}}
    sio.dump(data, d / "model.skops")
    meta = json.loads((d / "meta.json").read_text())
    (d / "meta.json").write_text(json.dumps({**meta, "sha256": sha256_of(d / "model.skops")}))
    for args in (["--model", str(d)], ["--model", str(d), "--trust-model"]):
        r = runner.invoke(app, ["check", *args, "-"], input=EXAMPLE)
        assert r.exit_code == 2 and "does not trust" in r.stderr and r.stderr.count("\n") == 1
    assert not (tmp_path / "ran").exists()


def test_damaged_model_file_is_one_line_exit_2(tmp_path):
    d = tmp_path / "damaged"
    shutil.copytree(DEFAULT_MODEL_DIR, d)
    (d / "model.npz").write_bytes(b"not a zip file at all")
    r = runner.invoke(app, ["check", "--model", str(d), "--trust-model", "-"], input=EXAMPLE)
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "not a readable model file" in r.stderr


def test_a_trusted_pickle_of_the_real_model_loads(tmp_path):
    """--trust-model is the one way to load a pickle (a model saved by an older version)."""
    import joblib

    model = load_model()
    f = tmp_path / "model.joblib"
    joblib.dump({"span": model.span, "sentence": model.sentence, "thresholds": model.thresholds}, f)
    assert load_model(f, trust=True).thresholds == model.thresholds
