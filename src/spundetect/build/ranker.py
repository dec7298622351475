"""Fit the restore search's channel weights on synthetic spins (``python -m spundetect.build ranker``).

Data: sentences held out of the language model (every 20th corpus line), spun by
``build.spinner``. Two tasks, as the detector meets them: a spun span inside its sentence
(context), and a spun 2-3 word term on its own (no context). Coordinate ascent over a
multiplicative grid maximises mean top-1 + top-3 accuracy; seeded, so the same command gives
the same weights. No seed, evaluation or tortured-phrase data is read.

A second set of weights, for a phrase checked on its own (``spundetect suggest`` without
``--context``), is fitted from the first on paper-mill style tasks: known terms of the
science and encyclopedia corpora, each word swapped at the heavy profile's rate.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import random

from .. import segment
from ..channel import FUNCTION_WORDS, Weights
from ..lm import language_model
from ..restore import restore_span
from .artifact import write_artifact
from .sources import corpus_files, package_version, read_lines, sha256_file
from .spinner import Spinner

__all__ = ["build_ranker", "make_tasks"]

log = logging.getLogger(__name__)

SEED = 13
N_CONTEXT = 100
N_TERMS = 100
N_PAPER_TERMS = 150
TERM_SWAP_RATE = 0.5  # the heavy spinner profile's rate (build.spinner); was 1.0 (every word)
TERM_SOURCES = ("arxiv_abstracts.txt", "wikipedia_extracted.txt")
SOURCES = ("wikinews_extracted.txt", "wikipedia_extracted.txt", "arxiv_abstracts.txt", "wikipedia_current_events.txt")
# The synthetic spinner makes no phrase swaps and swaps no function words, so the weights of
# those stay as set by hand.
TUNED = ("term_count", "two_hop", "frequency", "degree", "per_source", "spinner_direction", "swap_content", "lm")
TUNED_TERM = (
    "term_count",
    "two_hop",
    "frequency",
    "degree",
    "per_source",
    "spinner_direction",
    "swap_content",
    "keep_content",
    "lm",
)


def _shuffled_holdout(names: tuple[str, ...], rng: random.Random) -> list[str]:
    """The LM-held-out lines of the named corpus files, shuffled by ``rng``."""
    lines = [line for path in corpus_files() if path.name in names for line in read_lines(path, split="holdout")]
    rng.shuffle(lines)
    return lines


def _content(tok: str) -> bool:
    return segment.is_word(tok) and tok.lower() not in FUNCTION_WORDS and segment.norm(tok) != "<num>"


def make_tasks(seed: int = SEED) -> list[tuple[list[str], int, int, str, bool]]:
    """(tokens, start, end, original span, has_context) examples."""
    rng = random.Random(seed)
    lines = _shuffled_holdout(SOURCES, rng)
    spinner = Spinner(rate=1.0, seed=seed)
    lm = language_model()
    tasks: list[tuple[list[str], int, int, str, bool]] = []
    n_ctx = n_term = 0
    for line in lines:
        if n_ctx >= N_CONTEXT and n_term >= N_TERMS:
            break
        toks = [t.text for t in segment.tokenize(line)]
        if len(toks) < 6:
            continue
        want_term = n_term < N_TERMS and (n_ctx >= N_CONTEXT or rng.random() < 0.5)
        length = rng.choice((2, 3)) if want_term else rng.choice((1, 1, 2))
        starts = [i for i in range(1, len(toks) - length) if all(_content(t) and t.islower() for t in toks[i : i + length])]
        if not starts:
            continue
        i = rng.choice(starts)
        span = toks[i : i + length]
        if want_term and lm.count([segment.norm(t) for t in span][:3]) < 5:
            continue  # a term: an n-gram the corpus uses
        new = list(span)
        order = list(range(length))
        rng.shuffle(order)
        for j in order[: rng.randint(1, length)]:
            new[j] = spinner.spin_word(span[j]) or span[j]
        if new == span:
            continue
        if want_term:
            tasks.append((new, 0, length, " ".join(span).lower(), False))
            n_term += 1
        else:
            tasks.append((toks[:i] + new + toks[i + length :], i, i + length, " ".join(span).lower(), True))
            n_ctx += 1
    return tasks


def _nominal(words: list[str]) -> bool:
    """A noun phrase shape: every word can be a noun or adjective, the last a noun."""
    import lemminflect

    readings = [lemminflect.getAllLemmas(w) for w in words]
    return all("NOUN" in r or "ADJ" in r for r in readings) and "NOUN" in readings[-1]


def make_term_tasks(seed: int = SEED) -> list[tuple[list[str], int, int, str, bool]]:
    """Paper-mill style: a known term (a 2-3 word n-gram of content words seen >= 10 times)
    with each word swapped at TERM_SWAP_RATE (words without a synonym stay), scored on its
    own (no context); terms left unchanged are skipped. Most such terms keep a word."""
    rng = random.Random(f"terms:{seed}")
    lines = _shuffled_holdout(TERM_SOURCES, rng)
    spinner = Spinner(rate=1.0, seed=seed)
    lm = language_model()
    tasks: list[tuple[list[str], int, int, str, bool]] = []
    for line in lines:
        if len(tasks) >= N_PAPER_TERMS:
            break
        toks = [t.text for t in segment.tokenize(line)]
        length = rng.choice((2, 2, 3))
        starts = [i for i in range(0, len(toks) - length + 1) if all(_content(t) and t.islower() for t in toks[i : i + length])]
        if not starts:
            continue
        span = toks[rng.choice(starts) :][:length]
        if lm.count([segment.norm(t) for t in span]) < 10 or not _nominal(span):
            continue
        new = [(spinner.spin_word(t) or t) if rng.random() < TERM_SWAP_RATE else t for t in span]
        if new == span:
            continue
        tasks.append((new, 0, length, " ".join(span).lower(), False))
    return tasks


def _fit(tasks, start: Weights, tuned: tuple[str, ...]) -> tuple[Weights, dict, dict]:
    """Coordinate ascent from ``start`` over a multiplicative grid, one round."""
    best, best_score = start, score(tasks, start)
    start_score = best_score
    for name in tuned:
        base = getattr(best, name)
        grid = [base * f for f in (0.5, 2.0)] if base else [-0.2, 0.2]
        for value in grid:
            trial = dataclasses.replace(best, **{name: round(value, 4)})
            s = score(tasks, trial)
            if s["objective"] > best_score["objective"] + 1e-9:
                best, best_score = trial, s
                log.info("%s=%.3f -> %s", name, value, s)
    return best, start_score, best_score


def score(tasks, weights: Weights) -> dict:
    top1 = top3 = 0
    for toks, a, b, original, ctx in tasks:
        got = [c.text.lower() for c in restore_span(toks, a, b, k=3, use_fingerprints=False, weights=weights, context=ctx)]
        top1 += bool(got) and got[0] == original
        top3 += original in got
    n = len(tasks)
    return {"top1": top1 / n, "top3": top3 / n, "objective": (top1 + top3) / (2 * n)}


def build_ranker() -> dict:
    tasks = make_tasks()
    log.info("%d general tasks", len(tasks))
    general, start_score, general_score = _fit(tasks, Weights(), TUNED)
    term_tasks = make_term_tasks()
    log.info("%d paper-mill term tasks", len(term_tasks))
    term, term_start, term_score = _fit(term_tasks, general, TUNED_TERM)
    weights = {"context": dataclasses.asdict(general), "phrase": dataclasses.asdict(term)}
    header = {
        "format": 2,
        "kind": "channel weights of the restore search, fitted on synthetic spins of held-out corpus lines: "
        "'context' for spans in a sentence, 'phrase' for a phrase on its own",
        "weights": weights,
        "tasks": {
            "general": {"context": N_CONTEXT, "terms": N_TERMS, "sources": list(SOURCES)},
            "paper_mill_terms": {"n": N_PAPER_TERMS, "sources": list(TERM_SOURCES)},
            "seed": SEED,
        },
        "metrics": {
            "general": {"default_weights": start_score, "fitted": general_score},
            "paper_mill_terms": {"general_weights": term_start, "fitted": term_score},
        },
        "sources": {"shared/corpus": {p.name: sha256_file(p) for p in corpus_files() if p.name in SOURCES + TERM_SOURCES}},
        "versions": {"numpy": package_version("numpy")},
    }
    write_artifact("ranker", header, {}, {"weights.json": json.dumps(weights, indent=1, sort_keys=True) + "\n"})
    return header
