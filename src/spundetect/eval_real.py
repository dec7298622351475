"""Evaluation on real text (needs ``../shared``): real spun sentences and documents, and
clean documents of genres the training corpus lacks.

- ``shared/realspin`` (development only: measure and choose with it, never fit to it):
  each real spun sentence checked alone (flagged at the shipped thresholds; recall at 2 %
  of ``shared/eval`` clean sentences flagged, and the area under the ROC curve, against
  those clean sentences each checked alone); the same sentences checked in their
  documents; documents of 3+ sentences flagged; and the spun stretches (the words
  difflib aligns differently with the real original) overlapped by a flagged span. Checks
  run without the restore search (``suggestions=0``: the same scores and verdicts, but
  spans are not widened to a neighbour for their suggestions, so the overlap count is, if
  anything, low).
- Held-back clean documents of the new corpus genres (fiction, reviews, biomedical
  abstracts, technical documentation, forum posts): the last 15 % of each file's lines
  (:data:`GENRE_HOLDOUT`), which training must never read; each line is one document.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .build.sources import shared_dir

__all__ = ["RealDocument", "real_documents", "eval_real", "eval_genres", "GENRES", "GENRE_HOLDOUT", "genre_holdout"]

CLEAN_FPR = 0.02  # recall is read where this share of clean sentences is flagged
MIN_DOC_SENTENCES = 3
GENRES = ("fiction_gutenberg", "reviews", "biomedical_abstracts", "tech_docs", "forum_posts")
GENRE_HOLDOUT = 0.85  # lines from this share of each genre file on are held back for measuring
GENRE_DOCS = 200  # documents measured per genre (evenly spread over the held-back lines)
_WORD = re.compile(r"\w+(?:[-']\w+)*|[^\w\s]")


@dataclass(frozen=True)
class RealDocument:
    """The spun sentences of one real file of one kind, in order; ``originals[i]`` is the
    real original of ``spun[i]`` where it was found (``dev_pairs.tsv``), else None."""

    name: str
    spun: tuple[str, ...]
    originals: tuple[str | None, ...]
    starts: tuple[int, ...] = field(default=())  # each sentence's offset in :attr:`text`

    @property
    def text(self) -> str:
        return " ".join(self.spun)


def real_documents(root: Path | None = None) -> list[RealDocument]:
    """``shared/realspin``'s documents: per file kind (aligned pairs, spun only) and ``doc``."""
    root = root or shared_dir()
    docs = []
    for name, has_original in (("dev_pairs.tsv", True), ("dev_spun_only.tsv", False)):
        groups: dict[str, list[tuple[str, str | None]]] = {}
        with open(root / "realspin" / name, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                groups.setdefault(row["doc"], []).append((row["spun"], row["original"] if has_original else None))
        for doc, rows in groups.items():
            spun = tuple(r[0] for r in rows)
            starts = tuple(int(x) for x in np.cumsum([0] + [len(s) + 1 for s in spun[:-1]]))
            docs.append(RealDocument(f"{name}:{doc}", spun, tuple(r[1] for r in rows), starts))
    return docs


def stretches(original: str, spun: str) -> list[tuple[int, int]]:
    """Character ranges in ``spun`` of the words difflib aligns differently with
    ``original`` (replaced or inserted runs of 1-4 words a side)."""
    a = _WORD.findall(original)
    b_iter = list(_WORD.finditer(spun))
    b = [m.group(0) for m in b_iter]
    out = []
    matcher = difflib.SequenceMatcher(None, [w.lower() for w in a], [w.lower() for w in b], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("replace", "insert") and j2 > j1 and i2 - i1 <= 4 and j2 - j1 <= 4:
            if all(not w[0].isalnum() for w in b[j1:j2]):
                continue  # punctuation only
            out.append((b_iter[j1].start(), b_iter[j2 - 1].end()))
    return out


def _auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """The area under the ROC curve: P(a positive outscores a negative), ties half."""
    if not len(pos) or not len(neg):
        return float("nan")
    neg = np.sort(neg)
    below = np.searchsorted(neg, pos, side="left")
    ties = np.searchsorted(neg, pos, side="right") - below
    return float((below + ties / 2).sum() / (len(pos) * len(neg)))


def _recall_at(pos: np.ndarray, neg: np.ndarray, fpr: float) -> tuple[float, float]:
    """(recall, threshold) where at most ``fpr`` of ``neg`` reach the threshold."""
    neg = np.sort(neg)[::-1]
    k = int(np.floor(fpr * len(neg)))
    threshold = float(np.nextafter(neg[k], 1.0)) if k < len(neg) else 0.0
    return float((pos >= threshold).mean()) if len(pos) else float("nan"), threshold


def _sentence_scores(reports) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per one-sentence report: model score, whether flagged, and the decision score (1 for a
    sentence holding a known tortured phrase, which is flagged whatever its score)."""
    score = np.array([max((s.score for s in r.sentences), default=0.0) for r in reports])
    flagged = np.array([any(s.spun for s in r.sentences) for r in reports])
    known = np.array([any(sp.source == "fingerprint" for sp in r.spans) for r in reports])
    return score, flagged, np.where(known, 1.0, score)


def eval_real(detector, root: Path | None = None) -> dict:
    """The real development set's figures (module docstring), at the detector's thresholds."""
    from .detector import Detector

    root = root or shared_dir()
    fast = Detector(detector.model, threshold=detector.threshold, span_threshold=detector.span_threshold, suggestions=0)
    docs = real_documents(root)
    alone = [s for d in docs for s in d.spun]
    clean = (root / "eval" / "clean_sentences.txt").read_text(encoding="utf-8").splitlines()
    pos, pos_flagged, pos_decision = _sentence_scores(fast.check_many(alone))
    neg, neg_flagged, neg_decision = _sentence_scores(fast.check_many(clean))
    recall, cut = _recall_at(pos, neg, CLEAN_FPR)
    recall_decision, _ = _recall_at(pos_decision, neg_decision, CLEAN_FPR)
    in_docs = flagged_in_docs = 0
    big_docs = big_flagged = 0
    big_share = []
    n_stretches = hit = 0
    for d, report in zip(docs, fast.check_many([d.text for d in docs], [d.name for d in docs])):
        bounds = list(zip(d.starts, [a + len(s) for a, s in zip(d.starts, d.spun)]))
        row_flagged = [any(s.spun for s in report.sentences if a <= s.start < b) for a, b in bounds]
        in_docs += len(bounds)
        flagged_in_docs += sum(row_flagged)
        if len(bounds) >= MIN_DOC_SENTENCES:
            big_docs += 1
            big_flagged += report.verdict == "spun"
            big_share.append(sum(row_flagged) / len(bounds))
        spans = [(sp.start, sp.end) for sp in report.spans]
        for (a, _), spun, original in zip(bounds, d.spun, d.originals):
            if original is None:
                continue
            for lo, hi in stretches(original, spun):
                n_stretches += 1
                hit += any(s < a + hi and a + lo < e for s, e in spans)
    return {
        "documents": len(docs),
        "sentences_alone": {
            "sentences": len(alone),
            "flagged": int(pos_flagged.sum()),
            "flagged_share": round(float(pos_flagged.mean()), 4),
            "auc": round(_auc(pos, neg), 4),
            "recall_at_2pct_clean": round(recall, 4),
            "score_at_2pct_clean": round(cut, 4),
            "auc_with_fingerprints": round(_auc(pos_decision, neg_decision), 4),
            "recall_at_2pct_clean_with_fingerprints": round(recall_decision, 4),
            "clean_sentences": len(clean),
            "clean_flagged_share": round(float(neg_flagged.mean()), 4),
        },
        "sentences_in_documents": {
            "sentences": in_docs,
            "flagged": flagged_in_docs,
            "flagged_share": _share(flagged_in_docs, in_docs),
        },
        "documents_3plus": {
            "documents": big_docs,
            "flagged": big_flagged,
            "min_sentence_share_flagged": round(min(big_share), 4) if big_share else None,
        },
        "stretches": {"stretches": n_stretches, "overlapped": hit, "overlapped_share": _share(hit, n_stretches)},
    }


def _share(a: int, b: int) -> float:
    return round(a / b, 4) if b else float("nan")


def genre_holdout(name: str, root: Path | None = None) -> list[str]:
    """The held-back lines of a genre file (from :data:`GENRE_HOLDOUT` of its length on)."""
    lines = ((root or shared_dir()) / "corpus" / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return lines[int(len(lines) * GENRE_HOLDOUT) :]


def eval_genres(detector, root: Path | None = None, n: int = GENRE_DOCS) -> dict:
    """False alarms on held-back clean documents of each new genre: documents called spun,
    documents not clean (spun or suspicious), sentences flagged."""
    from .detector import Detector

    fast = Detector(detector.model, threshold=detector.threshold, span_threshold=detector.span_threshold, suggestions=0)
    out = {}
    total_docs = total_spun = total_sents = total_flagged = 0
    for name in GENRES:
        held = genre_holdout(name, root)
        docs = held[:: max(1, len(held) // n)][:n]
        reports = fast.check_many(docs)
        sents = sum(len(r.sentences) for r in reports)
        flagged = sum(s.spun for r in reports for s in r.sentences)
        spun = sum(r.verdict == "spun" for r in reports)
        out[name] = {
            "documents": len(docs),
            "documents_spun": spun,
            "documents_spun_share": _share(spun, len(docs)),
            "documents_not_clean_share": _share(sum(r.verdict != "clean" for r in reports), len(docs)),
            "sentences": sents,
            "sentences_flagged_share": _share(flagged, sents),
        }
        total_docs, total_spun = total_docs + len(docs), total_spun + spun
        total_sents, total_flagged = total_sents + sents, total_flagged + flagged
    out["all"] = {
        "documents": total_docs,
        "documents_spun_share": _share(total_spun, total_docs),
        "sentences_flagged_share": _share(total_flagged, total_sents),
    }
    return out
