"""Evaluation of the engine on the data the issues name (needs ``../shared``).

``python -m spundetect.evaluation engine [--out models/engine/metrics.json]`` measures:
- restoring the seed article's gold phrases in their sentences (top-1, top-3);
- generalisation to 1,000 random tortured-phrase rows with fingerprints off, against a
  naive baseline (the same search with the channel weights zeroed and no phrase table:
  the language model alone ranking raw thesaurus candidates);
- fingerprint recall on every listed phrase embedded in a sentence, and fingerprint hits on
  the clean evaluation sentences;
- suggest throughput and the load time and size of each artifact.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import segment
from .build.sources import shared_dir
from .restore import Weights, suggest

__all__ = ["GoldRow", "seed_gold", "evaluate_engine", "NAIVE_WEIGHTS"]

log = logging.getLogger(__name__)

SEED_SPUN = "001_38abb57aea349095.txt"
BODY_START = "NATO Secretary-General"

# The LM alone over raw thesaurus candidates: no channel terms, no phrase table.
NAIVE_WEIGHTS = Weights(
    keep_content=0.0, keep_function=0.0, swap_content=0.0, swap_function=0.0, spinner_direction=0.0,
    per_source=0.0, degree=0.0, phrase_curated=-1e9, phrase_mined=-1e9,
)  # fmt: skip


@dataclass(frozen=True)
class GoldRow:
    sentence: int
    spun: str
    original: str
    context: str


def seed_sentences(root: Path | None = None) -> tuple[str, list[segment.Sentence]]:
    """The spun seed's text and its body sentences (1-based numbering as in the gold file)."""
    text = ((root or shared_dir()) / "seeds" / SEED_SPUN).read_text(encoding="utf-8")
    body = text.index(BODY_START)
    return text, [s for s in segment.sentences(text) if s.end > body]


def seed_gold(root: Path | None = None) -> list[GoldRow]:
    root = root or shared_dir()
    text, sents = seed_sentences(root)
    body = text.index(BODY_START)
    rows = []
    with open(root / "seeds" / "001_spun_gold.tsv", encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    for r in csv.DictReader(lines, delimiter="\t"):
        s = sents[int(r["sentence"]) - 1]
        context = text[max(s.start, body) : s.end]
        if r["spun"] not in context:
            raise ValueError(f"gold phrase {r['spun']!r} not in sentence {r['sentence']}: {context!r}")
        rows.append(GoldRow(int(r["sentence"]), r["spun"], r["original"], context))
    return rows


def _rank_metrics(hits: list[int | None]) -> dict:
    n = len(hits)
    return {
        "rows": n,
        "top1": round(sum(h == 0 for h in hits) / n, 4),
        "top3": round(sum(h is not None and h < 3 for h in hits) / n, 4),
    }


def _rank_of(expected: set[str], texts: list[str]) -> int | None:
    return next((i for i, t in enumerate(texts) if t.lower() in expected), None)


def eval_seed(weights: Weights = Weights(), use_fingerprints: bool = True) -> tuple[dict, list[dict]]:
    hits, detail = [], []
    for row in seed_gold():
        got = [c.text for c in suggest(row.spun, row.context, k=5, use_fingerprints=use_fingerprints, weights=weights)]
        h = _rank_of({row.original.lower()}, got)
        hits.append(h)
        detail.append({"spun": row.spun, "original": row.original, "rank": h, "top3": got[:3]})
    return _rank_metrics(hits), detail


def pps_sample(n: int = 1000, seed: int = 0) -> list[tuple[str, set[str]]]:
    path = shared_dir() / "lexicon" / "pps_tortured_phrases.tsv"
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:]]
    sample = random.Random(seed).sample(rows, n)
    return [(t, {e.strip().lower() for e in exp.split("/")}) for t, exp in sample]


def eval_pps(sample: list[tuple[str, set[str]]], weights: Weights) -> dict:
    hits = []
    for tortured, expected in sample:
        got = [c.text for c in suggest(tortured, None, k=3, use_fingerprints=False, weights=weights)]
        hits.append(_rank_of(expected, got))
    return _rank_metrics(hits)


def eval_fingerprints() -> dict:
    from .candidates.fingerprints import fingerprints

    fps = fingerprints()
    found = 0
    missed = []
    for fp in fps.entries:
        sentence = f"In this work we study the {fp.tortured} in detail."
        a = sentence.index(fp.tortured)
        b = a + len(fp.tortured)
        if any(s <= a and b <= e for s, e, _ in fps.match(sentence)):
            found += 1
        else:
            missed.append(fp.tortured)
    clean = (shared_dir() / "eval" / "clean_sentences.txt").read_text(encoding="utf-8").splitlines()
    clean_hits = [(line, line[s:e]) for line in clean for s, e, _ in fps.match(line)]
    return {
        "active": len(fps.entries),
        "whitelisted": len(fps.whitelist),
        "embedded_found": found,
        "embedded_missed": missed[:20],
        "clean_sentences": len(clean),
        "clean_hits": len(clean_hits),
        "clean_hit_examples": [h[1] for h in clean_hits[:20]],
        "list_sha256": fps.version,
    }


def artifact_stats() -> dict:
    """Cold load time (header + first lookup) and on-disk size of each artifact."""
    import subprocess

    code = (
        "import time,json;t=time.perf_counter();"
        "from spundetect.lm import language_model as L;m=L();m.sentence_logprobs(['the']);a=time.perf_counter();"
        "from spundetect.candidates.synonyms import thesaurus as T;T().originals('house');b=time.perf_counter();"
        "from spundetect.candidates.phrases import phrase_table as P;P().originals('got here');c=time.perf_counter();"
        "from spundetect.candidates.fingerprints import fingerprints as F;F().match('x');d=time.perf_counter();"
        "print(json.dumps({'lm':a-t,'thesaurus':b-a,'phrases':c-b,'fingerprints':d-c}))"
    )
    times = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    from .lexicon import load_artifact

    return {
        name: {"load_seconds": round(times[name], 3), "bytes": load_artifact(name).size_bytes(), "sha256": load_artifact(name).sha256}
        for name in times
    }


def evaluate_engine(pps_rows: int = 1000) -> dict:
    t = time.perf_counter()
    seed, detail = eval_seed()
    seed_nofp, _ = eval_seed(use_fingerprints=False)
    t_seed = time.perf_counter() - t
    sample = pps_sample(pps_rows)
    t = time.perf_counter()
    pps = eval_pps(sample, Weights())
    t_pps = time.perf_counter() - t
    naive = eval_pps(sample, NAIVE_WEIGHTS)
    naive_seed, _ = eval_seed(NAIVE_WEIGHTS, use_fingerprints=False)
    return {
        "seed_gold": seed,
        "seed_gold_without_fingerprints": seed_nofp,
        "seed_gold_naive_baseline": naive_seed,
        "seed_gold_detail": detail,
        "pps_no_fingerprints": pps,
        "pps_naive_baseline": naive,
        "fingerprints": eval_fingerprints(),
        "throughput_phrases_per_s": {
            "seed_with_context": round(2 * len(detail) / t_seed, 1),
            "pps_no_context": round(len(sample) / t_pps, 1),
        },
        "artifacts": artifact_stats(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spundetect.evaluation")
    parser.add_argument("what", choices=["engine"])
    parser.add_argument("--pps-rows", type=int, default=1000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    result = evaluate_engine(args.pps_rows)
    text = json.dumps(result, indent=1)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    summary = {k: v for k, v in result.items() if k != "seed_gold_detail"}
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
