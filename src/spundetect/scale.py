"""Scale-out: score a pandas partition of documents, for Dask (``map_partitions``) or Spark
(``mapInPandas``). Needs the ``dask`` extra (pandas, dask).

    import dask.dataframe as dd
    from spundetect.scale import score_partition, partition_meta

    ddf = dd.read_parquet("crawl/*.parquet")
    scored = ddf.map_partitions(score_partition, meta=partition_meta(ddf._meta))

Each worker process loads the packaged model once (on first use) and keeps it.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

__all__ = ["score_partition", "partition_meta", "SCORE_COLUMNS", "NO_TEXT"]

NO_TEXT = "no text"  # the verdict of a row whose text is missing: not scored, not clean

SCORE_COLUMNS = {
    "spin_score": "float64", "spin_spun": "bool", "spin_verdict": "object", "spin_sentences_flagged": "int64",
    "spin_spans": "object", "translated_score": "float64", "translated_likely": "bool",
}  # fmt: skip


@cache
def _detector(suggestions: bool):
    from .detector import N_SUGGESTIONS, Detector

    return Detector.load(suggestions=N_SUGGESTIONS if suggestions else 0)


def score_partition(df: Any, text_column: str = "text", suggestions: bool = True) -> Any:
    """A copy of ``df`` with the spin columns added: document score, whether likely spun and
    the verdict ("spun", "suspicious" or "clean"), flagged sentences, and the spans as a
    JSON list (offsets into the text; their suggested originals unless
    ``suggestions=False``, which is much faster on a crawl); apart from spinning, how likely
    each document is machine-translated and whether it is called so. A row without text (a
    missing value, or not a string) is not scored: verdict "no text", scores NaN, not
    flagged; it is not called clean."""
    detector = _detector(suggestions)
    out = df.copy()
    texts = list(df[text_column])
    has_text = [isinstance(t, str) for t in texts]
    reports = iter(_reports(detector, [t for t, ok in zip(texts, has_text) if ok]))
    scores, spun, verdicts, flagged, spans, mt_score, mt_likely = [], [], [], [], [], [], []
    for ok in has_text:
        if not ok:
            for column, value in zip(
                (scores, spun, verdicts, flagged, spans, mt_score, mt_likely),
                (float("nan"), False, NO_TEXT, 0, "[]", float("nan"), False),
            ):
                column.append(value)
            continue
        report = next(reports)
        scores.append(report.score)
        spun.append(report.spun)
        verdicts.append(report.verdict)
        flagged.append(sum(s.spun for s in report.sentences))
        spans.append(json.dumps([sp.to_dict() for sp in report.spans], ensure_ascii=False))
        mt_score.append(report.translated.score if report.translated else 0.0)
        mt_likely.append(bool(report.translated and report.translated.likely))
    out["spin_score"] = scores
    out["spin_spun"] = spun
    out["spin_verdict"] = verdicts
    out["spin_sentences_flagged"] = flagged
    out["spin_spans"] = spans
    out["translated_score"] = mt_score
    out["translated_likely"] = mt_likely
    return out.astype(SCORE_COLUMNS)


def _reports(detector, texts: list[str]):
    """Reports of ``texts`` in order, short ones checked together (one model call a group)."""
    from .batching import groups

    for group in groups(texts, len):
        yield from detector.check_many(group)


def partition_meta(meta: Any) -> Any:
    """The empty frame Dask needs for ``meta=``: the input's columns plus the spin columns."""
    out = meta.copy()
    for name, dtype in SCORE_COLUMNS.items():
        out[name] = out.index.to_series().astype(dtype) if len(out) else []
    return out.astype(SCORE_COLUMNS)
