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
  anything, low). Spans shown in the likely-spun documents with aligned originals, by score
  band, and how many overlap a real spun stretch: whether weak spans hold up.
- Held-back clean documents of the new corpus genres (fiction, reviews, biomedical
  abstracts, technical documentation, forum posts): the last 15 % of each file's lines
  (:data:`GENRE_HOLDOUT`), which training must never read; each line is one document.
  Every span shown in them is a false alarm; they are counted by the same bands.
- ``spundetect trace`` (:func:`eval_trace`): the real spun documents with originals among
  corpus documents; whether the top match is the source, the aligned stretches reported as
  swaps word for word, and no match for suspects whose source is not indexed.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .build.sources import shared_dir

__all__ = [
    "RealDocument", "real_documents", "RealStretch", "real_stretches", "eval_restore_real", "eval_real", "eval_genres",
    "eval_trace", "GENRES", "GENRE_HOLDOUT", "genre_file", "genre_holdout", "genre_training_part", "auc",
]  # fmt: skip

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
    return [(lo, hi) for lo, hi, _ in _aligned(original, spun)]


def _aligned(original: str, spun: str) -> list[tuple[int, int, str]]:
    """:func:`stretches` with the original's words in each one's place ("" where the
    spinner inserted words)."""
    a = _WORD.findall(original)
    b_iter = list(_WORD.finditer(spun))
    b = [m.group(0) for m in b_iter]
    out = []
    matcher = difflib.SequenceMatcher(None, [w.lower() for w in a], [w.lower() for w in b], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("replace", "insert") and j2 > j1 and i2 - i1 <= 4 and j2 - j1 <= 4:
            if all(not w[0].isalnum() for w in b[j1:j2]):
                continue  # punctuation only
            out.append((b_iter[j1].start(), b_iter[j2 - 1].end(), " ".join(a[i1:i2])))
    return out


@dataclass(frozen=True)
class RealStretch:
    """One aligned real spun stretch: ``sentence[start:end]`` was written for ``original``."""

    sentence: str
    start: int
    end: int
    original: str

    @property
    def spun(self) -> str:
        return self.sentence[self.start : self.end]


def real_stretches(root: Path | None = None) -> list[RealStretch]:
    """The aligned stretches of every real spun sentence with an original (see
    :func:`stretches`), with the words the original has in their place; stretches whose
    original side is empty (words the spinner inserted) are left out."""
    out = []
    for d in real_documents(root):
        for spun, original in zip(d.spun, d.originals):
            if original is None:
                continue
            for lo, hi, orig in _aligned(original, spun):
                if orig:
                    out.append(RealStretch(spun, lo, hi, orig))
    return out


def _squash(text: str) -> str:
    return " ".join(w.lower() for w in _WORD.findall(text))


def eval_restore_real(detector=None, root: Path | None = None, k: int = 3) -> dict:
    """The restore search on real spinning. Given: ``suggest`` on each real stretch in its
    sentence, how often the real original is the first suggestion or among the first three
    (compared lower-cased, word by word). End to end: each real spun document checked
    with suggestions; a stretch counts when a flagged span overlapping it has, among its
    first three suggestions, the original's words in the span's place."""
    from .detector import Detector
    from .restore import suggest

    rows = real_stretches(root)
    top1 = top3 = 0
    for r in rows:
        got = [_squash(c.text) for c in suggest(r.spun, r.sentence, k=k)]
        want = _squash(r.original)
        top1 += got[:1] == [want]
        top3 += want in got[:3]
    detector = detector or Detector.load()
    docs = [d for d in real_documents(root) if d.originals[0] is not None]
    n_stretches = restored = 0
    for d, report in zip(docs, detector.check_many([d.text for d in docs])):
        for a, spun, original in zip(d.starts, d.spun, d.originals):
            spans = [sp for sp in report.spans if a <= sp.start and sp.end <= a + len(spun)]
            for lo, hi, orig in _aligned(original, spun):
                if not orig:
                    continue
                n_stretches += 1
                restored += any(
                    lo < sp.end - a and sp.start - a < hi and _restored(sp, _in_place(original, spun, sp.start - a, sp.end - a))
                    for sp in spans
                )
    return {
        "given_the_stretch": {"stretches": len(rows), "top1": _share(top1, len(rows)), "top3": _share(top3, len(rows))},
        "end_to_end": {"stretches": n_stretches, "restored_top3": restored, "share": _share(restored, n_stretches)},
    }


def _restored(span, original: str | None) -> bool:
    return original is not None and _squash(original) in {_squash(o.text) for o in span.originals[:3]}


def _in_place(original: str, spun: str, lo: int, hi: int) -> str | None:
    """The original's words aligned with the words of ``spun[lo:hi]`` (by difflib), or None
    where the range cuts through a rewrite of another length (no words correspond)."""
    a = _WORD.findall(original)
    b_iter = list(_WORD.finditer(spun))
    j1 = next((j for j, m in enumerate(b_iter) if m.end() > lo), len(b_iter))
    j2 = next((j for j, m in enumerate(b_iter) if m.start() >= hi), len(b_iter))
    matcher = difflib.SequenceMatcher(None, [w.lower() for w in a], [m.group(0).lower() for m in b_iter], autojunk=False)
    out: list[str] = []
    for op, i1, i2, b1, b2 in matcher.get_opcodes():
        first, last = max(b1, j1), min(b2, j2)
        if op == "delete":
            out += a[i1:i2] if j1 < b1 < j2 else []
        elif first >= last:
            continue
        elif op == "equal" or i2 - i1 == b2 - b1:
            out += a[i1 + first - b1 : i1 + last - b1]
        elif j1 <= b1 and b2 <= j2:
            out += a[i1:i2]
        else:
            return None
    return " ".join(out)


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
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
    """Per one-sentence report: model score (the contextual score where the contextual stage
    ran), whether flagged, and the decision score (1 for a sentence holding a known tortured
    phrase, which is flagged whatever its score)."""
    score = np.array([max((_score(s) for s in r.sentences), default=0.0) for r in reports])
    flagged = np.array([any(s.spun for s in r.sentences) for r in reports])
    known = np.array([any(sp.source == "fingerprint" for sp in r.spans) for r in reports])
    return score, flagged, np.where(known, 1.0, score)


def _score(sentence) -> float:
    return sentence.score if sentence.contextual is None else sentence.contextual


def eval_real(detector, root: Path | None = None) -> dict:
    """The real development set's figures (module docstring), at the detector's thresholds."""
    from .detector import Detector

    root = root or shared_dir()
    fast = Detector(
        detector.model, threshold=detector.threshold, span_threshold=detector.span_threshold, suggestions=0,
        contextual=detector.contextual, contextual_every=True,  # every sentence's score, for the ranking figures
    )  # fmt: skip
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
    bands = SpanBands()
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
        real = []
        for (a, _), spun, original in zip(bounds, d.spun, d.originals):
            if original is None:
                continue
            real += [(a + lo, a + hi) for lo, hi in stretches(original, spun)]
        n_stretches += len(real)
        hit += sum(any(s < hi and lo < e for s, e in spans) for lo, hi in real)
        if report.verdict == "spun" and d.originals[0] is not None:
            for sp in report.spans:
                bands.add(sp.score, any(sp.start < hi and lo < sp.end for lo, hi in real))
    return {
        "documents": len(docs),
        "sentences_alone": {
            "sentences": len(alone),
            "flagged": int(pos_flagged.sum()),
            "flagged_share": round(float(pos_flagged.mean()), 4),
            "auc": round(auc(pos, neg), 4),
            "recall_at_2pct_clean": round(recall, 4),
            "score_at_2pct_clean": round(cut, 4),
            "auc_with_fingerprints": round(auc(pos_decision, neg_decision), 4),
            "recall_at_2pct_clean_with_fingerprints": round(recall_decision, 4),
            "clean_sentences": len(clean),
            "clean_flagged_share": round(float(neg_flagged.mean()), 4),
            "ranked_by": "model score" if detector.contextual is None else "contextual score",
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
        "spans_in_spun_documents": bands.table(),
    }


SPAN_BANDS = (0.5, 0.6, 0.7, 0.8, 0.9)  # lower edges of the span score bands reported


@dataclass
class SpanBands:
    """Spans shown by span score band, and how many of them overlap a real spun stretch:
    whether the weak spans a likely-spun document shows (down to ``span_in_flagged_doc``)
    hold up on real text."""

    shown: list[int] = field(default_factory=lambda: [0] * len(SPAN_BANDS))
    overlapping: list[int] = field(default_factory=lambda: [0] * len(SPAN_BANDS))

    def add(self, score: float, overlaps: bool) -> None:
        i = int(np.searchsorted(SPAN_BANDS, score, side="right")) - 1
        if i >= 0:
            self.shown[i] += 1
            self.overlapping[i] += overlaps

    def table(self) -> list[dict]:
        return [
            {"from": lo, "shown": n, "overlapping_a_real_stretch": k, "share": _share(k, n)}
            for lo, n, k in zip(SPAN_BANDS, self.shown, self.overlapping)
        ]


def _share(a: int, b: int) -> float:
    return round(a / b, 4) if b else float("nan")


def genre_file(name: str, root: Path | None = None) -> Path:
    """A genre file of ``shared/corpus`` (one of :data:`GENRES`)."""
    return (root or shared_dir()) / "corpus" / f"{name}.txt"


def genre_holdout(name: str, root: Path | None = None) -> list[str]:
    """The held-back lines of a genre file (from :data:`GENRE_HOLDOUT` of its length on)."""
    lines = genre_file(name, root).read_text(encoding="utf-8").splitlines()
    return lines[int(len(lines) * GENRE_HOLDOUT) :]


def genre_training_part(name: str, root: Path | None = None) -> list[str]:
    """The lines of a genre file before its held-back part: all that building may read."""
    lines = genre_file(name, root).read_text(encoding="utf-8").splitlines()
    return lines[: int(len(lines) * GENRE_HOLDOUT)]


def eval_genres(detector, root: Path | None = None, n: int = GENRE_DOCS) -> dict:
    """False alarms on held-back clean documents of each new genre: documents called spun,
    documents not clean (spun or suspicious), sentences flagged."""
    from .detector import Detector

    fast = Detector(
        detector.model, threshold=detector.threshold, span_threshold=detector.span_threshold, suggestions=0,
        contextual=detector.contextual,
    )  # fmt: skip
    out = {}
    total_docs = total_spun = total_sents = total_flagged = 0
    bands = SpanBands()
    for name in GENRES:
        held = genre_holdout(name, root)
        docs = held[:: max(1, len(held) // n)][:n]
        reports = fast.check_many(docs)
        sents = sum(len(r.sentences) for r in reports)
        flagged = sum(s.spun for r in reports for s in r.sentences)
        spun = sum(r.verdict == "spun" for r in reports)
        for r in reports:
            for sp in r.spans:
                bands.add(sp.score, False)
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
        "spans_shown": [{"from": lo, "shown": n} for lo, n in zip(SPAN_BANDS, bands.shown)],
    }
    return out


TRACE_DISTRACTORS = 2_000  # documents cut from shared/corpus that the real sources hide among
TRACE_DOC_LINES = 8  # corpus lines per distractor document


def trace_distractors(root: Path | None = None, n: int = TRACE_DISTRACTORS) -> list[tuple[str, str]]:
    """``n`` documents of TRACE_DOC_LINES consecutive lines, spread evenly over every corpus file."""
    files = sorted(((root or shared_dir()) / "corpus").glob("*.txt"))
    per_file = -(-n // len(files))
    out = []
    for f in files:
        lines = f.read_text(encoding="utf-8").splitlines()
        starts = range(0, max(len(lines) - TRACE_DOC_LINES, 1), max(1, len(lines) // per_file))
        out += [(f"{f.name}:{a + 1}", "\n".join(lines[a : a + TRACE_DOC_LINES])) for a in list(starts)[:per_file]]
    return out[:n]


def eval_trace(root: Path | None = None) -> dict:
    """``spundetect trace`` on the real development set: each spun document with its
    original (rebuilt from the aligned pairs) among :data:`TRACE_DISTRACTORS` corpus
    documents. Its top match should be its source, with the aligned stretches reported as
    swaps with exactly their words; spun documents whose source is not indexed, the seeds
    and 10-line documents of ``shared/eval`` should get no match."""
    from .trace import SourceIndex

    root = root or shared_dir()
    docs = real_documents(root)
    paired = [d for d in docs if d.originals[0] is not None]
    sources = [(f"source of {d.name}", "\n".join(d.originals)) for d in paired]
    index = SourceIndex.build(trace_distractors(root) + sources)
    top_right = exact = total = 0
    for d in paired:
        found = index.trace(d.name, d.text)
        if not found.matches or found.matches[0].path != f"source of {d.name}":
            continue
        top_right += 1
        swaps = {(s.start, s.end): s for s in found.matches[0].swaps}
        for a, spun, original in zip(d.starts, d.spun, d.originals):
            for lo, hi in stretches(original, spun):
                s = swaps.get((a + lo, a + hi))
                exact += s is not None and s.spun == spun[lo:hi]
    total = sum(len(stretches(o, s)) for d in paired for s, o in zip(d.spun, d.originals))  # a wrong top match misses all
    clean = (root / "eval" / "clean_sentences.txt").read_text(encoding="utf-8").splitlines()
    unrelated = [(d.name, d.text) for d in docs if d.originals[0] is None]
    unrelated += [(f.name, f.read_text(encoding="utf-8")) for f in sorted((root / "seeds").glob("0*.txt"))]
    unrelated += [(f"eval:{i + 1}", "\n".join(clean[i : i + 10])) for i in range(0, min(len(clean), 2_000), 10)]
    false_matches = sum(index.trace(name, text).found for name, text in unrelated)
    return {
        "indexed": len(index),
        "spun_documents": len(paired),
        "top_match_is_source": top_right,
        "stretches": total,
        "stretches_reported_exactly": exact,
        "stretches_reported_exactly_share": _share(exact, total),
        "unrelated_suspects": len(unrelated),
        "unrelated_with_a_match": false_matches,
    }
