# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exploring spundetect
#
# Load the packaged model, check the two seed documents and a sample of clean text, look
# at sentence scores, the most frequent flagged phrases with their suggested originals,
# and precision/recall against the threshold on the synthetic test split.
#
# A spin score is a risk marker, not proof. The seeds and the synthetic split need
# `../shared` beside the checkout (the examples folder carries copies of the seeds).

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import spundetect
from spundetect import Detector

ROOT = Path.cwd() if (Path.cwd() / "examples").is_dir() else Path.cwd().parent
detector = Detector.load()
detector.model_info

# %% [markdown]
# ## The two seed documents
# Seed 001 is a spun copy of a wire story; seed 000 is a machine-translated article that
# was not spun. A `Report` renders itself with the suspected spans highlighted (hover for
# the suggested originals).

# %%
spun = detector.check((ROOT / "examples" / "spun_article.txt").read_text(encoding="utf-8"), "seed 001 (spun)")
clean = detector.check((ROOT / "examples" / "clean_article.txt").read_text(encoding="utf-8"), "seed 000 (clean)")
print(f"seed 001: score {spun.score:.2f}, spun={spun.spun}; seed 000: score {clean.score:.2f}, spun={clean.spun}")
spun

# %% [markdown]
# `Report.records()` gives one row per span, ready for pandas.

# %%
spans = pd.DataFrame(spun.records())
spans[["sentence", "text", "original", "score", "source"]].head(15)

# %% [markdown]
# ## A sample of clean text
# Clean news sentences (the evaluation set when `../shared` is there, else the clean seed),
# checked as 10-sentence documents.

# %%
try:
    from spundetect.build.sources import shared_dir

    SHARED = shared_dir()
except FileNotFoundError:
    SHARED = None
if SHARED is not None:
    lines = (SHARED / "eval" / "clean_sentences.txt").read_text(encoding="utf-8").splitlines()[:300]
else:
    lines = [clean.text[s.start : s.end] for s in clean.sentences]
clean_docs = [detector.check(" ".join(lines[i : i + 10]), f"clean {i // 10}") for i in range(0, len(lines), 10)]
clean_sentence_scores = np.array([s.score for r in clean_docs for s in r.sentences])
print(
    f"{len(clean_docs)} clean documents, {len(clean_sentence_scores)} sentences, "
    f"{sum(r.spun for r in clean_docs)} documents and {sum(s.spun for r in clean_docs for s in r.sentences)} sentences flagged"
)

# %% [markdown]
# ## Sentence score distributions

# %%
fig, ax = plt.subplots(figsize=(7, 3.5))
bins = np.linspace(0, 1, 21)
ax.hist(clean_sentence_scores, bins=bins, alpha=0.6, density=True, label="clean sample")
ax.hist([s.score for s in spun.sentences], bins=bins, alpha=0.6, density=True, label="seed 001 (spun)")
ax.axvline(detector.model.thresholds["sentence"], color="k", ls="--", lw=1, label="sentence threshold")
ax.set_xlabel("sentence spin score")
ax.set_ylabel("density")
ax.legend()
plt.show()

# %% [markdown]
# ## The most frequent flagged phrases and their originals

# %%
rows = pd.DataFrame([row for r in [spun, clean, *clean_docs] for row in r.records()])
if len(rows):
    top = rows.assign(text=rows["text"].str.lower()).groupby(["text", "original"]).size().sort_values(ascending=False)
    display(top.head(15).rename("count").to_frame())  # noqa: F821 (IPython)

# %% [markdown]
# ## Precision and recall against the threshold (synthetic test split)
# Sentences of synthetic documents made from the corpus's test split (never used for
# training or thresholds), scored in their documents; a sentence is positive when a spinner
# changed it. A small sample keeps this quick.

# %%
if SHARED is not None:
    from spundetect.build.dataset import make_documents

    docs = make_documents("test", 400, seed=1)[:60]
    scores, labels, profiles = [], [], []
    for doc in docs:
        _, _, p = detector.score([list(ex.tokens) for ex in doc.examples])
        scores += list(p)
        labels += [ex.label for ex in doc.examples]
        profiles += [doc.profile] * len(p)
    scores, labels = np.array(scores), np.array(labels)
    thresholds = np.linspace(0.05, 0.95, 19)
    precision = [(labels & (scores >= t)).sum() / max((scores >= t).sum(), 1) for t in thresholds]
    recall = [(labels & (scores >= t)).sum() / max(labels.sum(), 1) for t in thresholds]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.plot(thresholds, precision, marker="o", label="precision")
    ax.plot(thresholds, recall, marker="o", label="recall")
    ax.axvline(detector.model.thresholds["sentence"], color="k", ls="--", lw=1, label="sentence threshold")
    ax.set_xlabel("sentence threshold")
    ax.set_ylim(0, 1.02)
    ax.legend()
    plt.show()
    print(f"{len(scores)} sentences from {len(docs)} documents, {labels.mean():.0%} spun")
else:
    print("../shared is not here: no synthetic split to draw")

# %% [markdown]
# ## Suggesting originals for single phrases

# %%
pd.DataFrame(
    [
        {"phrase": p, "original": c.text, "score": round(c.score, 3), "source": c.source}
        for p in ["counterfeit consciousness", "international locations", "got here"]
        for c in spundetect.suggest(p, k=2)
    ]
)
