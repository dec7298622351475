"""Data and figures of the machine-translation signal (:mod:`spundetect.translated`).

Machine translation: the English outputs of WMT21/22 systems in ``shared/mt/outputs.tsv``
and the human reference translations of the same segments (``segments.tsv``), cut into
documents of consecutive segments of one test set, language pair and system. Original
English: blocks of consecutive sentences of the ``shared/corpus`` files, and the genre
files' paragraphs in those blocks whole, genre files only up to ``GENRE_HOLDOUT`` (the rest
is held back to measure false alarms), never ``shared/eval``.

Splits, fixed by a hash of each document's or block's key: machine-translated documents
are ``test`` (2 in 10) or ``train``; original blocks, with their paragraphs, are ``test``
(2 in 10), ``validation`` (2 in 10: the thresholds are chosen there) or ``train``. The build trains on ``train``
only; :func:`eval_translated` measures on ``test``, per system and per source language.
"""

from __future__ import annotations

import csv
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Sequence

import numpy as np

from . import segment
from .build.sources import CORPUS_FILES, shared_dir
from .eval_real import GENRE_HOLDOUT, GENRES, _recall_at, auc

__all__ = [
    "Unit",
    "mt_units",
    "original_units",
    "original_paragraphs",
    "paragraph_documents",
    "documents",
    "split_of",
    "unit_split",
    "eval_translated",
    "eval_translated_clean",
    "DOCUMENT_UNITS",
]

DOCUMENT_UNITS = 10  # segments (machine translation) or sentences (original English) of a measured document
#: original blocks per corpus file (more of the news files, the genre machine translation shares)
BLOCKS = {"wikinews_extracted": 1500, "brown_informative": 1000, "sotu_1946_2016": 600}
DEFAULT_BLOCKS = 300
BLOCK_SENTENCES = 20  # 40 for the genre files, whose paragraphs are whole documents
ORIGINAL_FILES = tuple(f[:-4] for f in CORPUS_FILES if f != "wordnet_examples.txt") + GENRES


@dataclass(frozen=True)
class Unit:
    """One segment (machine or human translation) or one sentence (original English), as
    tokenised sentences, with the group it belongs to and its place there."""

    group: tuple[str, ...]  # (test set, pair, system) or (corpus file, block)
    index: int
    sentences: tuple[tuple[str, ...], ...]


def _tokens(text: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(t.text for t in s.tokens) for s in segment.sentences(text, 150))


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


@cache
def mt_units(root: Path | None = None) -> tuple[tuple[Unit, ...], tuple[Unit, ...]]:
    """(machine-translated segments, human reference segments), in test set, pair, system
    and segment order."""
    root = root or shared_dir()
    outputs = _read_tsv(root / "mt" / "outputs.tsv")
    outputs.sort(key=lambda r: (r["testset"], r["pair"], r["system"], int(r["seg"])))
    mt = tuple(Unit((r["testset"], r["pair"], r["system"]), int(r["seg"]), _tokens(r["text"])) for r in outputs)
    refs = sorted(_read_tsv(root / "mt" / "segments.tsv"), key=lambda r: (r["testset"], r["pair"], int(r["seg"])))
    human = tuple(Unit((r["testset"], r["pair"], "human"), int(r["seg"]), _tokens(r["reference"])) for r in refs)
    return mt, human


def _blocks(name: str, root: Path) -> list[tuple[int, list[str]]]:
    """The blocks of a corpus file, evenly spread over it (genre files only before their
    held-back part): ``(block, lines)``."""
    lines = (root / "corpus" / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    if name in GENRES:
        lines = lines[: int(len(lines) * GENRE_HOLDOUT)]
    n_blocks = BLOCKS.get(name, DEFAULT_BLOCKS)
    step = max(1, len(lines) // n_blocks)
    return [(b, lines[start : start + step]) for b, start in enumerate(range(0, len(lines), step)) if b < n_blocks]


@cache
def original_units(root: Path | None = None) -> tuple[Unit, ...]:
    """Sentences of original English: blocks of consecutive sentences of each corpus file
    (:func:`_blocks`)."""
    root = root or shared_dir()
    out = []
    for name in ORIGINAL_FILES:
        size = BLOCK_SENTENCES * (2 if name in GENRES else 1)
        for b, lines in _blocks(name, root):
            sents: list[tuple[str, ...]] = []
            for line in lines:
                sents += _tokens(line) if line.strip() else ()
                if len(sents) >= size:
                    break
            out += [Unit((name, str(b)), i, (s,)) for i, s in enumerate(sents[:size])]
    return tuple(out)


@cache
def original_paragraphs(root: Path | None = None) -> tuple[Unit, ...]:
    """The genre files' documents whole: each paragraph (a novel's paragraph, a review, an
    abstract, a documentation paragraph, a forum post) of their blocks, one unit each, in
    its block's group and so in its split. :func:`original_units` cuts the same blocks into
    runs of sentences that cross paragraphs."""
    root = root or shared_dir()
    return tuple(
        Unit((name, str(b)), i, _tokens(line))
        for name in GENRES
        for b, lines in _blocks(name, root)
        for i, line in enumerate(lines)
        if line.strip()
    )


def paragraph_documents(split: str, root: Path | None = None) -> list[tuple[tuple[str, ...], int, list]]:
    """The :func:`original_paragraphs` of one split that are long enough to be called
    machine-translated, each a document as :func:`documents` gives them."""
    from .translated import MIN_DOCUMENT_WORDS, word_count

    return [
        (u.group, u.index, list(u.sentences))
        for u in original_paragraphs(root)
        if split_of(u.group, original=True) == split and word_count(u.sentences) >= MIN_DOCUMENT_WORDS
    ]


def unit_split(u: Unit) -> str:
    """The split of a machine-translated segment: that of the document of DOCUMENT_UNITS
    segments it falls in (segments are numbered from 1), as :func:`documents` cuts them."""
    return split_of((*u.group, (u.index - 1) // DOCUMENT_UNITS), original=False)


def split_of(key: Sequence, *, original: bool) -> str:
    """``train``, ``validation`` (original English only) or ``test``, fixed by ``key``."""
    h = zlib.crc32(repr(tuple(key)).encode()) % 10
    if h < 2:
        return "test"
    return "validation" if original and h < 4 else "train"


def documents(units: Sequence[Unit], sizes: Sequence[int] | int = DOCUMENT_UNITS) -> list[tuple[tuple[str, ...], int, list]]:
    """Consecutive units of one group joined into documents: ``(group, number, sentences)``.
    ``sizes`` is the number of units of each document, or a list to draw from in turn (mixed
    lengths for training)."""
    out = []
    by_group: dict[tuple[str, ...], list[Unit]] = {}
    for u in units:
        by_group.setdefault(u.group, []).append(u)
    cycle = [sizes] if isinstance(sizes, int) else list(sizes)
    k = 0
    for group, members in by_group.items():
        at, number = 0, 0
        while True:
            n = cycle[k % len(cycle)]
            if at + n > len(members):
                break
            k += 1
            out.append((group, number, [s for u in members[at : at + n] for s in u.sentences]))
            at, number = at + n, number + 1
    return out


def eval_translated(model=None, root: Path | None = None) -> dict:
    """The test split's figures for the shipped model: per system and per source language,
    document AUC against original English and recall at the document threshold; sentences
    likewise; human translation against original English; original-English test documents
    flagged, per corpus file, and the genre files' test paragraphs, each whole (the form
    their held-back documents take). ``cross_validated`` repeats the build's leave-one-system-out
    and leave-one-language-out figures (the build trains a model without each)."""
    from .translated import document_features, rates, sentence_counts, translation_model

    model = model or translation_model()
    root = root or shared_dir()
    mt, human = mt_units(root)
    orig = [u for u in original_units(root) if split_of(u.group, original=True) == "test"]
    mt_docs = [d for d in documents(mt) if split_of((*d[0], d[1]), original=False) == "test"]
    hu_docs = [d for d in documents(human) if split_of((*d[0], d[1]), original=False) == "test"]
    og_docs = documents(orig)
    paragraphs = paragraph_documents("test", root)

    def doc_scores(docs) -> np.ndarray:
        return model.document.proba(document_features([d[2] for d in docs], model.bigrams))

    p_mt, p_hu, p_og, p_para = doc_scores(mt_docs), doc_scores(hu_docs), doc_scores(og_docs), doc_scores(paragraphs)
    t = model.thresholds["document"]
    systems = np.array([d[0][2] for d in mt_docs])
    pairs = np.array([d[0][1] for d in mt_docs])

    rng = np.random.default_rng(0)
    test_sents = [(u.group, s) for u in mt if unit_split(u) == "test" for s in u.sentences]
    test_sents = [test_sents[i] for i in sorted(rng.choice(len(test_sents), min(len(test_sents), 20000), replace=False))]
    s_mt = model.sentence.proba(rates(sentence_counts([s for _, s in test_sents], model.bigrams)))
    s_og = model.sentence.proba(rates(sentence_counts([s for u in orig for s in u.sentences], model.bigrams)))
    s_systems = np.array([g[2] for g, _ in test_sents])
    s_pairs = np.array([g[1] for g, _ in test_sents])

    def figures(sel: np.ndarray, sent_sel: np.ndarray) -> dict:
        return {
            "documents": int(sel.sum()), "auc": round(auc(p_mt[sel], p_og), 4),
            "recall": round(float(np.mean(p_mt[sel] >= t)), 4),
            "recall_at_2pct_original": round(_recall_at(p_mt[sel], p_og, 0.02)[0], 4),
            "sentence_auc": round(auc(s_mt[sent_sel], s_og), 4),
        }  # fmt: skip

    files = np.array([d[0][0] for d in og_docs])
    para_files = np.array([d[0][0] for d in paragraphs])
    ts = model.thresholds["sentence"]
    return {
        "model": model.sha256,
        "thresholds": model.thresholds,
        "documents_of_segments": DOCUMENT_UNITS,
        "all_systems": figures(np.ones(len(p_mt), bool), np.ones(len(s_mt), bool)),
        "per_system": {s: figures(systems == s, s_systems == s) for s in sorted(set(systems))},
        "per_language": {p: figures(pairs == p, s_pairs == p) for p in sorted(set(pairs))},
        "human_translation": {
            "documents": len(p_hu),
            "auc_against_original": round(auc(p_hu, p_og), 4),
            "flagged": round(float(np.mean(p_hu >= t)), 4),
            "auc_mt_against_human": round(auc(p_mt, p_hu), 4),
        },  # fmt: skip
        "original_test_documents": {
            "documents": len(p_og),
            "flagged": round(float(np.mean(p_og >= t)), 4),
            "per_file": {f: round(float(np.mean(p_og[files == f] >= t)), 4) for f in sorted(set(files))},
        },  # fmt: skip
        "original_test_paragraphs": {
            g: {"documents": int((para_files == g).sum()), "flagged": round(float(np.mean(p_para[para_files == g] >= t)), 4)}
            for g in GENRES
        },
        "sentences": {
            "mt": len(s_mt),
            "original": len(s_og),
            "auc": round(auc(s_mt, s_og), 4),
            "recall": round(float(np.mean(s_mt >= ts)), 4),
            "original_flagged": round(float(np.mean(s_og >= ts)), 4),
        },  # fmt: skip
        "cross_validated": model.header.get("metrics", {}).get("cross_validated", {}),
    }


def eval_translated_clean(model=None, root: Path | None = None) -> dict:
    """Original English the classifiers never saw, called likely machine-translated: the
    10-line documents of ``shared/eval/clean_sentences.txt``, and the held-back documents of
    each corpus genre (those :func:`spundetect.eval_real.eval_genres` measures), each
    segmented as ``check`` segments it."""
    from .detector import MAX_SENTENCE_TOKENS
    from .eval_real import GENRE_DOCS, genre_holdout
    from .translated import translation_model

    model = model or translation_model()
    root = root or shared_dir()
    lines = (root / "eval" / "clean_sentences.txt").read_text(encoding="utf-8").splitlines()
    sets = {"eval_10_line_documents": ["\n".join(lines[a : a + 10]) for a in range(0, len(lines), 10)]}
    for name in GENRES:
        held = genre_holdout(name, root)
        sets[name] = held[:: max(1, len(held) // GENRE_DOCS)][:GENRE_DOCS]
    out = {}
    for name, docs in sets.items():
        scores = [model.score([[t.text for t in s.tokens] for s in segment.sentences(d, MAX_SENTENCE_TOKENS)]) for d in docs]
        likely = sum(s.document.likely for s in scores)
        sentences = [t for s in scores for t in s.sentences]
        out[name] = {
            "documents": len(docs), "documents_likely": likely, "documents_likely_share": round(likely / max(len(docs), 1), 4),
            "sentences": len(sentences),
            "sentences_likely_share": round(sum(t.likely for t in sentences) / max(len(sentences), 1), 4),
        }  # fmt: skip
    genre = [out[g] for g in GENRES]
    docs, likely = sum(g["documents"] for g in genre), sum(g["documents_likely"] for g in genre)
    out["genres_all"] = {"documents": docs, "documents_likely": likely, "documents_likely_share": round(likely / docs, 4)}
    return out
