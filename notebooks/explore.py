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
# Load the packaged model, check the two seed documents, then compare real spun sentences
# with clean ones: score distributions, how many of each a threshold flags, the phrases
# flagged most often and their suggested originals. Only the public API is used
# (`spundetect.Detector`, `Report`, `suggest`).
#
# A spin score is a risk marker, not proof. The clean and real samples need `../shared`
# beside the checkout (or `SPUNDETECT_SHARED`); the seeds travel in `examples/`.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import spundetect

ROOT = Path.cwd() if (Path.cwd() / "examples").is_dir() else Path.cwd().parent
SHARED = Path(os.environ.get("SPUNDETECT_SHARED", ROOT.parent / "shared"))
HAVE_SHARED = (SHARED / "realspin").is_dir()
detector = spundetect.Detector.load()
print(detector.model_info)
print(f"sentence threshold {detector.sentence_threshold:.2f}, document threshold {detector.document_threshold:.2f}")

# %% [markdown]
# ## The two seed documents
# Seed 001 is a spun copy of a wire story; seed 000 is a machine-translated article that
# was not spun. A `Report` shows itself with the suspected spans marked and numbered, and
# their suggested originals listed.

# %%
spun = detector.check((ROOT / "examples" / "spun_article.txt").read_text(encoding="utf-8"), "seed 001 (spun)")
clean = detector.check((ROOT / "examples" / "clean_article.txt").read_text(encoding="utf-8"), "seed 000 (clean)")
pd.DataFrame([*spun.records("document"), *clean.records("document")])

# %%
spun

# %% [markdown]
# `Report.records()` gives one row per span (`"sentence"` and `"document"` give one per
# sentence and per document), ready for pandas.

# %%
pd.DataFrame(spun.records())[["sentence", "text", "original", "score", "source"]].head(10)

# %% [markdown]
# ## Real spun sentences and clean ones
# Real spun sentences (`shared/realspin`, text nobody here wrote, each checked alone) against
# clean news and arXiv sentences (`shared/eval`, checked alone). Without `../shared`, the
# seed article's sentences stand in.

# %%
if HAVE_SHARED:
    realspin = pd.concat(
        [pd.read_csv(SHARED / "realspin" / f, sep="\t", quoting=3).assign(file=f) for f in ("dev_pairs.tsv", "dev_spun_only.tsv")]
    )
    real = realspin["spun"].tolist()
    clean_lines = (SHARED / "eval" / "clean_sentences.txt").read_text(encoding="utf-8").splitlines()[:1000]
else:
    real = [spun.text[s.start : s.end] for s in spun.sentences]
    clean_lines = [clean.text[s.start : s.end] for s in clean.sentences]
real_alone = detector.check_many(real)  # each text checked alone, in batches
clean_alone = detector.check_many(clean_lines)
real_scores = np.array([r.score for r in real_alone])
clean_scores = np.array([r.score for r in clean_alone])
for name, reports in (("real spun", real_alone), ("clean", clean_alone)):
    # flagged: the score reaches the sentence threshold, or the sentence holds a known tortured phrase
    flagged = sum(s.spun for r in reports for s in r.sentences)
    print(f"{len(reports)} {name} sentences: {flagged} flagged alone ({flagged / len(reports):.1%})")

# %%
fig, ax = plt.subplots(figsize=(7, 3.5))
bins = np.linspace(0, 1, 21)
ax.hist(clean_scores, bins=bins, alpha=0.6, density=True, label=f"clean ({len(clean_scores)})")
ax.hist(real_scores, bins=bins, alpha=0.6, density=True, label=f"real spun ({len(real_scores)})")
ax.axvline(detector.sentence_threshold, color="k", ls="--", lw=1, label="sentence threshold")
ax.set_title("Spin scores of sentences checked alone")
ax.set_xlabel("sentence spin score")
ax.set_ylabel("density")
ax.legend()
plt.show()

# %% [markdown]
# ## What a threshold costs
# For each threshold, the share of real spun sentences flagged against the share of clean
# sentences flagged: lower thresholds find more spinning and raise more false alarms.

# %%
thresholds = np.linspace(0.05, 0.95, 19)
found = [(real_scores >= t).mean() for t in thresholds]
false_alarms = [(clean_scores >= t).mean() for t in thresholds]
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(thresholds, found, marker="o", label="real spun sentences flagged")
ax.plot(thresholds, false_alarms, marker="o", label="clean sentences flagged")
ax.axvline(detector.sentence_threshold, color="k", ls="--", lw=1, label="sentence threshold")
ax.set_title("Sentences flagged at each threshold")
ax.set_xlabel("threshold")
ax.set_ylabel("share flagged")
ax.set_ylim(0, 1.02)
ax.legend()
plt.show()

# %% [markdown]
# ## Real spun documents
# The same real sentences checked in their documents: a spun document around a sentence
# lowers the score it needs to be flagged.

# %%
if HAVE_SHARED:
    groups = realspin.groupby(["file", "doc"], sort=False)
    reports = [detector.check("\n".join(group["spun"]), f"{file}:{doc}") for (file, doc), group in groups]
else:
    reports = [spun, clean]
documents = pd.DataFrame([row for r in reports for row in r.records("document")])
documents[["path", "verdict", "score", "sentences", "sentences_flagged", "spans"]]

# %% [markdown]
# ## The phrases flagged most often, and their originals

# %%
rows = pd.DataFrame([row for r in [spun, *reports] for row in r.records()])
top = rows.assign(text=rows["text"].str.lower()).groupby(["text", "original"]).size().sort_values(ascending=False, kind="stable")
top.head(15).rename("count").to_frame()

# %% [markdown]
# ## Suggesting originals for single phrases
# `spundetect.suggest` returns the same `Suggestion` objects that spans carry.

# %%
pd.DataFrame(
    [
        {"phrase": p, "original": s.text, "score": round(s.score, 3), "source": s.source}
        for p in ["counterfeit consciousness", "neural organization", "international locations", "got here"]
        for i, s in enumerate(spundetect.suggest(p, k=3))
        if i == 0 or s.score >= 0.01  # alternatives under 1 % are not worth showing
    ]
)

# %% [markdown]
# ## Tracing a spun text to its source
# `SourceIndex` finds the document a spun text was made from (by the words spinners leave
# alone) and aligns the two; every swap comes with offsets on both sides. Here the first
# real spun document hides among a few hundred clean ones.

# %%
if HAVE_SHARED:
    first = realspin[realspin["file"] == "dev_pairs.tsv"].groupby("doc", sort=False).get_group(realspin["doc"].iloc[0])
    source_text, suspect_text = "\n".join(first["original"]), "\n".join(first["spun"])
    others = [("\n".join(clean_lines[i : i + 8]), f"clean {i}") for i in range(0, len(clean_lines), 8)]
else:
    source_text, suspect_text = clean.text, clean.text.replace("said", "mentioned")
    others = []
index = spundetect.SourceIndex.build([(name, text) for text, name in others] + [("the source", source_text)])
found = index.trace("suspect", suspect_text)
best = found.matches[0]
print(f"{len(index)} documents searched; best match: {best.path} (score {best.score:.2f}), {len(best.swaps)} swaps")
pd.DataFrame([s.to_dict() for s in best.swaps])[["spun", "original", "agrees"]].head(12)
