"""Evaluation of the engine on the data the issues name (needs ``../shared``).

``python -m spundetect.evaluation engine [--out models/engine/metrics.json]`` measures:
- restoring real spinning (``shared/realspin``, development only): each aligned real spun
  stretch given in its sentence (top-1, top-3), and end to end in checked documents;
- restoring the seed article's gold phrases in their sentences (top-1, top-3);
- generalisation to 1,000 random tortured-phrase rows with fingerprints off, against a
  naive baseline (the same search with the channel weights zeroed and no phrase table:
  the language model alone ranking raw thesaurus candidates);
- fingerprint recall on every listed phrase embedded in a sentence, and fingerprint hits on
  the clean evaluation sentences;
- suggest throughput and the load time and size of each artifact.

``python -m spundetect.evaluation translated [--out models/translated/evaluation.json]``
measures the machine-translation signal alone (:mod:`spundetect.eval_translated`), as
``spundetect evaluate`` reports it after the spin figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import math
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import segment
from .build.sources import shared_dir
from .channel import Weights
from .detector import MAX_SENTENCE_TOKENS, sentence_words
from .eval_real import eval_restore_real
from .outputs import write_atomic
from .restore import restore_span, suggest

__all__ = ["GoldRow", "seed_gold", "evaluate_engine", "evaluate_model", "format_table", "summary", "NAIVE_WEIGHTS"]

log = logging.getLogger(__name__)

SEED_SPUN = "001_38abb57aea349095.txt"
BODY_START = "NATO Secretary-General"

# The LM alone over raw thesaurus candidates: no channel terms, no phrase table.
NAIVE_WEIGHTS = Weights(
    keep_content=0.0, keep_function=0.0, swap_content=0.0, swap_function=0.0, spinner_direction=0.0,
    per_source=0.0, degree=0.0, phrase_curated=-1e9, phrase_mined=-1e9, acronym=0.0,
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


def eval_seed(weights: Weights | None = None, use_fingerprints: bool = True) -> tuple[dict, list[dict]]:
    hits, detail = [], []
    for row in seed_gold():
        got = [c.text for c in suggest(row.spun, row.context, k=5, use_fingerprints=use_fingerprints, weights=weights)]
        h = _rank_of({row.original.lower()}, got)
        hits.append(h)
        detail.append({"spun": row.spun, "original": row.original, "rank": h, "top3": got[:3]})
    return _rank_metrics(hits), detail


def _pps_rows() -> list[list[str]]:
    path = shared_dir() / "lexicon" / "pps_tortured_phrases.tsv"
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:]]


def pps_sample(n: int = 1000, seed: int = 0) -> list[tuple[str, set[str]]]:
    """The tortured-phrase rows the engine evaluation reports on, with their originals."""
    sample = random.Random(seed).sample(_pps_rows(), n)
    return [(t, {e.strip().lower() for e in exp.split("/")}) for t, exp in sample]


def pps_dev_rows() -> list[tuple[str, list[str]]]:
    """The other rows, in list order, for development: each tortured phrase with its
    originals (lower case; the list separates alternatives with "/")."""
    test = {t for t, _ in pps_sample()}
    return [(t, [e.strip().lower() for e in exp.split("/")]) for t, exp in _pps_rows() if t not in test]


def eval_pps(sample: list[tuple[str, set[str]]], weights: Weights | None) -> dict:
    """Top-1/top-3 on tortured-phrase rows. The list gives "artificial data (ai)" the
    original "artificial intelligence": an abbreviation in brackets that ends the row is
    kept as written by ``suggest`` and left out of the comparison (``strict`` keeps it)."""
    hits, strict = [], []
    for tortured, expected in sample:
        got = [c.text for c in suggest(tortured, None, k=3, use_fingerprints=False, weights=weights)]
        strict.append(_rank_of(expected, got))
        kept = _BRACKETED_END.search(tortured)
        if kept and not any(_BRACKETED_END.search(e) for e in expected):
            got = [_BRACKETED_END.sub("", t) for t in got]
        hits.append(_rank_of(expected, got))
    return {**_rank_metrics(hits), "strict": _rank_metrics(strict)}


_BRACKETED_END = re.compile(r"\s*\(\s*[^()\s]+\s*\)\s*$")


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


def _cmu_lm():
    """The CMU US English trigram model inside the pip ``pocketsphinx`` wheel (if installed)."""
    import os

    import pocketsphinx

    model = pocketsphinx.NGramModel.readfile(os.path.join(pocketsphinx.get_model_path(), "en-us", "en-us.lm.bin"))
    scale = math.log(1.0001)  # its scores are log base 1.0001

    def logprob(words: list[str]) -> float:
        hist = ["<s>"]
        total = 0.0
        for w in words + ["</s>"]:
            raw = model.prob([w] + hist[::-1][:2])
            total += max(raw * scale, -25.0)  # out-of-vocabulary words score about -5e8
            hist.append(w)
        return total

    return logprob


def compare_lms() -> dict:
    """Our corpus LM against the CMU trigram model on the seed gold set.

    ``prefers_original``: share of rows whose sentence is more probable with the original
    phrase than as spun (``by_10x``: by a factor of 10 or more). ``rank``: for single-word
    swaps whose original the thesaurus reaches, top-1/top-3 of the original among all the
    thesaurus candidates of the spun word, ranked by each LM alone in the sentence.
    """
    from .candidates.synonyms import thesaurus
    from .lm import language_model

    lm = language_model()
    ours = lambda ws: float(lm.sentence_logprobs([segment.norm(w) for w in ws]).sum())  # noqa: E731
    try:
        cmu = _cmu_lm()
    except ImportError:
        return {"error": "pocketsphinx is not installed (pip install pocketsphinx)"}
    words_only = lambda toks: [t.lower().replace("’", "'") for t in toks if segment.is_word(t)]  # noqa: E731
    models = {"corpus_kn_trigram": lambda toks: ours(toks), "cmu_trigram_pocketsphinx": lambda toks: cmu(words_only(toks))}
    result = {}
    rows = seed_gold()
    for name, score in models.items():
        prefer = by10 = 0
        ranks = []
        for row in rows:
            spun_toks = [t.text for t in segment.tokenize(row.context)]
            orig_toks = [t.text for t in segment.tokenize(row.context.replace(row.spun, row.original, 1))]
            diff = score(orig_toks) - score(spun_toks)
            prefer += diff > 0
            by10 += diff > math.log(10)
            if " " in row.spun or " " in row.original:
                continue
            cands = {link.original for link in thesaurus().originals(row.spun.lower())}
            if row.original.lower() not in cands:
                continue
            i = next(j for j, t in enumerate(spun_toks) if t == row.spun)
            scored = sorted(cands, key=lambda c: -score(spun_toks[:i] + [c] + spun_toks[i + 1 :]))
            ranks.append(scored.index(row.original.lower()))
        result[name] = {
            "rows": len(rows),
            "prefers_original": round(prefer / len(rows), 4),
            "prefers_original_by_10x": round(by10 / len(rows), 4),
            "single_word_rows_ranked": len(ranks),
            "rank_top1": round(sum(r == 0 for r in ranks) / max(len(ranks), 1), 4),
            "rank_top3": round(sum(r < 3 for r in ranks) / max(len(ranks), 1), 4),
        }
    return result


def artifact_stats() -> dict:
    """Cold load time (header + first lookup) and on-disk size of each artifact."""
    import subprocess

    code = (
        "import time,json;t=time.perf_counter();"
        "from spundetect.lm import language_model as L;m=L();m.sentence_logprobs(['the']);a=time.perf_counter();"
        "from spundetect.candidates.synonyms import thesaurus as T;T().originals('house');b=time.perf_counter();"
        "from spundetect.candidates.phrases import phrase_table as P;P().originals('got here');c=time.perf_counter();"
        "from spundetect.candidates.fingerprints import fingerprints as F;F().match('x');d=time.perf_counter();"
        "from spundetect.candidates.compiled import candidate_table as C;C().get('house');e=time.perf_counter();"
        "print(json.dumps({'lm':a-t,'thesaurus':b-a,'phrases':c-b,'fingerprints':d-c,'candidates':e-d}))"
    )
    times = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    from .lexicon import load_artifact

    return {
        name: {
            "load_seconds": round(times[name], 3),
            "bytes": load_artifact(name).size_bytes(),
            "sha256": load_artifact(name).sha256,
        }
        for name in times
    }


def evaluate_engine(pps_rows: int = 1000) -> dict:
    t = time.perf_counter()
    seed, detail = eval_seed()
    seed_nofp, _ = eval_seed(use_fingerprints=False)
    t_seed = time.perf_counter() - t
    sample = pps_sample(pps_rows)
    t = time.perf_counter()
    pps = eval_pps(sample, None)  # the packaged, fitted weights
    t_pps = time.perf_counter() - t
    naive = eval_pps(sample, NAIVE_WEIGHTS)
    naive_seed, _ = eval_seed(NAIVE_WEIGHTS, use_fingerprints=False)
    real = eval_restore_real()
    return {
        "real_dev_restore": real,
        "seed_gold": seed,
        "seed_gold_without_fingerprints": seed_nofp,
        "seed_gold_naive_baseline": naive_seed,
        "seed_gold_detail": detail,
        "pps_no_fingerprints": pps,
        "pps_naive_baseline": naive,
        "fingerprints": eval_fingerprints(),
        "lm_comparison": compare_lms(),
        "throughput_phrases_per_s": {
            "seed_with_context": round(2 * len(detail) / t_seed, 1),
            "pps_no_context": round(len(sample) / t_pps, 1),
        },
        "artifacts": artifact_stats(),
    }


SEED_CLEAN = "000_2d48038f344946a1.txt"
SEED_001_CLEAN_SENTENCES = (3, 10, 14)  # shared/seeds/sentence_labels.md
N_TEST = 2000
N_RESTORE_PER_PROFILE = 150


def eval_seeds(detector) -> dict:
    """Sentence labels and gold phrases of the two seed documents."""
    root = shared_dir()
    text, sents = seed_sentences(root)
    report = detector.check(text, SEED_SPUN)
    out = {"001": _seed_sentence_flags(report, sents)}
    out["001"]["gold_phrases"] = _gold_phrase_figures(text, sents, report.spans, root)
    if report.translated is not None:
        out["001"]["translated"] = report.translated.to_dict()
    clean_text = (root / "seeds" / SEED_CLEAN).read_text(encoding="utf-8")
    r0 = detector.check(clean_text, SEED_CLEAN)
    out["000"] = {
        "document_score": round(r0.score, 4),
        "document_flagged": r0.spun,
        "sentences": len(r0.sentences),
        "sentences_flagged": sum(s.spun for s in r0.sentences),
        "spans": len(r0.spans),
    }
    if r0.translated is not None:
        out["000"]["translated"] = r0.translated.to_dict()
    return out


def _seed_sentence_flags(report, sents) -> dict:
    """Seed 001's document verdict and its spun and clean sentences flagged."""
    by_start = {s.start: s for s in report.sentences}
    flagged = [i + 1 for i, s in enumerate(sents) if by_start[s.start].spun]
    labels = [i + 1 not in SEED_001_CLEAN_SENTENCES for i in range(len(sents))]
    return {
        "document_score": round(report.score, 4),
        "document_flagged": report.spun,
        "spun_sentences_flagged": f"{sum(flagged.count(i) for i in range(1, len(sents) + 1) if labels[i - 1])}/{sum(labels)}",
        "clean_sentences_flagged": f"{sum(1 for i in flagged if not labels[i - 1])}/{len(labels) - sum(labels)}",
        "flagged_sentences": flagged,
    }


def _gold_positions(text: str, sents, root) -> list[tuple[int, int, str]]:
    """(start, end, original) of every gold phrase of seed 001 in its text."""
    body = text.index(BODY_START)
    gold: list[tuple[int, int, str]] = []
    for row in seed_gold(root):
        sent = sents[row.sentence - 1]
        a = text.index(row.spun, max(sent.start, body))
        if any(g[0] == a for g in gold):  # the same phrase twice in one sentence
            a = text.index(row.spun, a + 1)
        gold.append((a, a + len(row.spun), row.original))
    return gold


def _gold_phrase_figures(text: str, sents, spans, root) -> dict:
    """Gold phrases inside (overlapping / containing) a flagged span, and whether the span's
    suggestions restore them."""
    gold = _gold_positions(text, sents, root)
    edits = [_word_edits(text, a, b, original) for a, b, original in gold]
    bounds = [(sp.start, sp.end) for sp in spans]
    changed = sum(_edits_inside(row_edits, bounds) for row_edits in edits)
    exact = sum(_edit_cover(row_edits) == (a, b) for (a, b, _), row_edits in zip(gold, edits))
    overlap = contain = top1 = top3 = 0
    detail = []
    for k, (row, (a, b, _)) in enumerate(zip(seed_gold(root), gold)):
        hit = [sp for sp in spans if sp.start < b and a < sp.end]
        overlap += bool(hit)
        contain += any(sp.start <= a and b <= sp.end for sp in hit)
        row_detail = _gold_phrase_restored(text, row, a, b, hit, edits, k)
        top1 += row_detail["top1"]
        top3 += row_detail["top3"]
        detail.append(row_detail)
    n = len(detail)
    return {
        "rows": n,
        "overlapping_a_flagged_span": round(overlap / n, 4),
        "inside_a_flagged_span": round(contain / n, 4),
        "changed_words_inside_flagged_spans": round(changed / n, 4),
        "inside_if_exactly_the_changed_words_were_marked": round(exact / n, 4),
        "top1_of_all_rows": round(top1 / n, 4),
        "top3_of_all_rows": round(top3 / n, 4),
        "top1_of_detected": round(top1 / max(overlap, 1), 4),
        "top3_of_detected": round(top3 / max(overlap, 1), 4),
        "detail": detail,
    }


def _gold_phrase_restored(text: str, row, a: int, b: int, hit, edits, k: int) -> dict:
    """Whether the spans touching gold phrase ``k`` restore it (top 1 / top 3).

    Compared over the union of the phrase and the spans it touches: the text there with each
    span replaced by one of its suggestions (the 3 likeliest combinations; one span: its
    suggestions in order), against the same text with this phrase restored word for word.
    Other gold phrases there may be restored or left as written (each is judged on its own
    row): "stage assaults within the" -> "stage attacks in the" restores "assaults" whether
    or not it also restores "within"."""
    lo, hi = min([a] + [sp.start for sp in hit]), max([b] + [sp.end for sp in hit])
    sugg = _restorations(text, lo, hi, hit) if hit else []
    others = [e for j, row_edits in enumerate(edits) if j != k for e in row_edits if lo <= e[0] and e[1] <= hi]
    accepted = _accepted_texts(text, lo, hi, edits[k], others) if hit else set()
    rank = next((i for i, t in enumerate(sugg) if _squash(t) in accepted), None)
    return {
        "spun": row.spun,
        "original": row.original,
        "span": " | ".join(sp.text for sp in hit) if hit else None,
        "suggestions": sugg,
        "expected": _apply(text, lo, hi, edits[k] + others) if hit else None,
        "top1": rank == 0,
        "top3": rank is not None and rank < 3,
    }


def _restorations(text: str, lo: int, hi: int, spans, k: int = 3) -> list[str]:
    """``text[lo:hi]`` with each of ``spans`` (sorted, inside it) replaced by one of its
    suggestions: the ``k`` combinations with the highest product of scores, best first."""
    combos = [("", 1.0, lo)]  # (text so far, score, position)
    for sp in spans:
        combos = [(t + text[pos : sp.start] + o.text, sc * o.score, sp.end) for t, sc, pos in combos for o in sp.originals]
        combos = sorted(combos, key=lambda c: -c[1])[: k * k]
    return [(t + text[pos:hi]).lower() for t, _, pos in sorted(combos, key=lambda c: -c[1])[:k]]


def _word_edits(text: str, a: int, b: int, original: str) -> list[tuple[int, int, str]]:
    """The gold phrase ``text[a:b]`` -> ``original`` as word-level edits (start, end,
    replacement) into ``text``: "within the contested space" -> "in the contested area" is
    "within" -> "in" and "space" -> "area"."""
    from difflib import SequenceMatcher

    spun = segment.tokenize(text[a:b], offset=a)
    orig = [t.text for t in segment.tokenize(original)]
    ops = SequenceMatcher(None, [t.text.lower() for t in spun], [w.lower() for w in orig], autojunk=False).get_opcodes()
    out = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        words = " ".join(orig[j1:j2])
        if i1 < i2:
            out.append((spun[i1].start, spun[i2 - 1].end, words))
        elif i1 > 0:  # inserted words: attach them to the written word before
            out.append((spun[i1 - 1].start, spun[i1 - 1].end, f"{spun[i1 - 1].text} {words}"))
        else:
            out.append((spun[0].start, spun[0].end, f"{words} {spun[0].text}"))
    return out


def _edits_inside(edits: list[tuple[int, int, str]], spans: list[tuple[int, int]]) -> bool:
    """Whether every edit (a gold phrase's changed words) lies inside one of ``spans``."""
    return all(any(lo <= s and e <= hi for lo, hi in spans) for s, e, _ in edits)


def _edit_cover(edits: list[tuple[int, int, str]]) -> tuple[int, int]:
    """From the first changed word of a gold phrase to its last: a marker of exactly the
    changed words holds the whole phrase only where this is the phrase (no unchanged word at
    either end, such as "the" in "the nation" or "EU diplomat" in "high EU diplomat")."""
    return min(e[0] for e in edits), max(e[1] for e in edits)


def _apply(text: str, lo: int, hi: int, edits: list[tuple[int, int, str]]) -> str:
    """``text[lo:hi]`` with ``edits`` (inside it, not overlapping) applied, lower case."""
    out, pos = [], lo
    for s, e, rep in sorted(edits):
        out += [text[pos:s], rep]
        pos = e
    out.append(text[pos:hi])
    return _squash("".join(out))


def _accepted_texts(text: str, lo: int, hi: int, required: list, optional: list) -> set[str]:
    """``text[lo:hi]`` with every ``required`` edit and any subset of ``optional`` ones."""
    from itertools import combinations

    return {_apply(text, lo, hi, required + list(sub)) for n in range(len(optional) + 1) for sub in combinations(optional, n)}


def _squash(s: str) -> str:
    return " ".join(s.lower().split())


def eval_clean(detector, doc_lines: int = 1) -> dict:
    """False alarms on ``shared/eval/clean_sentences.txt``, each sentence checked as a
    document of its own (``doc_lines=1``, the strict reading), or in documents of
    ``doc_lines`` consecutive lines."""
    lines = (shared_dir() / "eval" / "clean_sentences.txt").read_text(encoding="utf-8").splitlines()
    words = n_spans = flagged = 0
    examples = []
    for a in range(0, len(lines), doc_lines):
        toks = [[t.text for t in segment.tokenize(line)] for line in lines[a : a + doc_lines]]
        scores = detector.score(toks)
        parts, span_p = scores.rows, scores.span_p
        decision = detector.decide(
            scores.sentence_p, [sentence_words(t) for t in toks], contextual_p=scores.contextual_p, span_max=scores.span_max
        )
        sent_spun, span_t = decision.sentences, decision.span_thresholds
        words += sum(len(p.index) for p in parts)
        flagged += int(sent_spun.sum())
        for t, rows, p, st in zip(toks, parts, span_p, span_t):
            for g in detector.groups(t, rows, p, st):
                n_spans += 1
                if len(examples) < 30:
                    examples.append(" ".join(t[g.start : g.end]))
    return {
        "sentences": len(lines),
        "document_lines": doc_lines,
        "words": words,
        "sentences_flagged": flagged,
        "sentence_fpr": round(flagged / len(lines), 4),
        "spans": n_spans,
        "spans_per_1000_words": round(1000 * n_spans / max(words, 1), 3),
        "span_examples": examples,
    }


def eval_synthetic(detector, n: int = N_TEST, seed: int = 1) -> dict:
    """The synthetic test split per spinner profile, each sentence scored in its document.

    Positives: sentences a profile changed; negatives: sentences of clean documents (shared
    out evenly among the profiles). Spans: flagged words against the words the spinner wrote.
    Originals: for flagged spans that are exactly one swap, the restore search's top 1/3.
    """
    from .build.dataset import make_documents
    from .build.spinner import PROFILES

    docs = make_documents("test", n, seed)
    scored = []  # (example, rows, span_p, sentence verdict, span threshold, profile)
    for doc in docs:
        scores = detector.score([list(ex.tokens) for ex in doc.examples])
        parts, span_p, sent_p = scores.rows, scores.span_p, scores.sentence_p
        words = [sentence_words(ex.tokens) for ex in doc.examples]
        decision = detector.decide(sent_p, words, contextual_p=scores.contextual_p, span_max=scores.span_max)
        sent_spun, span_t = decision.sentences, decision.span_thresholds
        scored += list(zip(doc.examples, parts, span_p, sent_spun, span_t, [doc.profile] * len(parts)))
    clean = [i for i, x in enumerate(scored) if x[5] == "clean"]
    names = list(PROFILES)
    out = {}
    for k, name in enumerate(names):
        pos = [i for i, x in enumerate(scored) if x[5] == name and x[0].label]
        neg = clean[k :: len(names)]
        y = np.array([True] * len(pos) + [False] * len(neg))
        pred = np.array([bool(scored[i][3]) for i in pos + neg])
        tp, fp, fn = int((pred & y).sum()), int((pred & ~y).sum()), int((~pred & y).sum())
        prec, rec = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        tp_w = fp_w = fn_w = 0
        checked = top1 = top3 = 0
        for i in pos:
            ex, rows, p, _, st, _ = scored[i]
            groups = detector.groups(list(ex.tokens), rows, p, st)
            flagged = np.zeros(len(ex.tokens), dtype=bool)
            for g in groups:
                flagged[g.start : g.end] = True
            truth = np.array(ex.spun)
            words = np.array([segment.is_word(t) for t in ex.tokens])
            tp_w += int((flagged & truth & words).sum())
            fp_w += int((flagged & ~truth & words).sum())
            fn_w += int((~flagged & truth & words).sum())
            for g in groups:
                if checked >= N_RESTORE_PER_PROFILE or not _one_swap(ex, g.start, g.end):
                    continue
                got = [c.text.lower() for c in restore_span(list(ex.tokens), g.start, g.end, k=3)]
                want = ex.originals[g.start].lower()
                checked += 1
                top1 += bool(got) and got[0] == want
                top3 += want in got
        out[name] = {
            "spun_sentences": len(pos),
            "clean_sentences": len(neg),
            "sentence_precision": round(prec, 4),
            "sentence_recall": round(rec, 4),
            "sentence_f1": round(2 * prec * rec / max(prec + rec, 1e-9), 4),
            "span_precision": round(tp_w / max(tp_w + fp_w, 1), 4),
            "span_recall": round(tp_w / max(tp_w + fn_w, 1), 4),
            "original_top1": round(top1 / max(checked, 1), 4),
            "original_top3": round(top3 / max(checked, 1), 4),
            "restored_spans_checked": checked,
        }
    return out


def _one_swap(ex, a: int, b: int) -> bool:
    """Tokens a..b-1 are exactly the tokens of one swap."""
    if not all(ex.spun[a:b]) or len(set(ex.originals[a:b])) != 1:
        return False
    same = lambda j: 0 <= j < len(ex.tokens) and ex.spun[j] and ex.originals[j] == ex.originals[a]  # noqa: E731
    return not same(a - 1) and not same(b)


def evaluate_model(detector) -> dict:
    from .eval_real import eval_genres, eval_real, eval_trace
    from .eval_translated import eval_translated, eval_translated_clean

    t = time.perf_counter()
    result = {
        "model": detector.model_info,
        "thresholds": detector.model.thresholds
        | ({"contextual": detector.contextual.threshold} if detector.contextual is not None else {}),
        "real_dev": eval_real(detector),
        "clean_genres": eval_genres(detector),
        "trace_real_dev": eval_trace(),
        "seeds": eval_seeds(detector),
        "clean_eval": eval_clean(detector),
        "clean_eval_in_10_line_documents": eval_clean(detector, doc_lines=10),
        "synthetic_test": eval_synthetic(detector),
        "translated": eval_translated(),
        "translated_original_english": eval_translated_clean(),
    }
    result["seconds"] = round(time.perf_counter() - t, 1)
    return result


def summary(result: dict) -> dict:
    """The headline numbers of :func:`evaluate_model` (for meta.json), without details."""
    seeds = {k: {kk: vv for kk, vv in v.items() if kk != "gold_phrases"} for k, v in result["seeds"].items()}
    gold = {k: v for k, v in result["seeds"]["001"]["gold_phrases"].items() if k != "detail"}
    clean = {
        k: {kk: vv for kk, vv in result[k].items() if kk != "span_examples"}
        for k in ("clean_eval", "clean_eval_in_10_line_documents")
    }
    real = {k: result[k] for k in ("real_dev", "clean_genres", "trace_real_dev") if k in result}
    return {**real, "seeds": seeds, "seed_001_gold_phrases": gold, **clean, "synthetic_test": result["synthetic_test"]}


def _real_lines(result: dict) -> list[str]:
    """The real-text figures, first in the table (they decide what is kept)."""
    if "real_dev" not in result:
        return []
    r = result["real_dev"]
    a, d, big, st = r["sentences_alone"], r["sentences_in_documents"], r["documents_3plus"], r["stretches"]
    lines = [
        "real spun text (shared/realspin, development)"
        + (
            ", with the contextual stage (AUC and recall of the contextual score):"
            if a.get("ranked_by") == "contextual score"
            else ":"
        ),
        f"  sentences alone: {a['flagged']}/{a['sentences']} flagged; AUC {a['auc']:.3f} (with fingerprints "
        f"{a['auc_with_fingerprints']:.3f}); recall at 2% clean {a['recall_at_2pct_clean']:.3f} (with fingerprints "
        f"{a['recall_at_2pct_clean_with_fingerprints']:.3f})",
        f"  in their documents: {d['flagged']}/{d['sentences']} flagged; documents of 3+ sentences: {big['flagged']}/"
        f"{big['documents']} likely spun (least share of sentences flagged {big['min_sentence_share_flagged']})",
        f"  spun stretches overlapped by a flagged span: {st['overlapped']}/{st['stretches']} ({st['overlapped_share']:.1%})",
        "  spans in likely-spun real documents by score, overlapping a real stretch / shown: "
        + ", ".join(f"{b['from']:.1f}+ {b['overlapping_a_real_stretch']}/{b['shown']}" for b in r["spans_in_spun_documents"]),
        "clean documents of other genres (held back; documents likely spun / sentences flagged):",
    ]
    for name, m in result["clean_genres"].items():
        if name != "all":
            lines.append(f"  {name:<22} {m['documents_spun_share']:>6.1%} {m['sentences_flagged_share']:>6.1%}")
    every = result["clean_genres"]["all"]
    lines.append(f"  {'all':<22} {every['documents_spun_share']:>6.1%} {every['sentences_flagged_share']:>6.1%}")
    lines.append(
        "  spans shown in them by score (all false alarms): "
        + ", ".join(f"{b['from']:.1f}+ {b['shown']}" for b in every["spans_shown"])
    )
    if "trace_real_dev" in result:
        t = result["trace_real_dev"]
        lines.append(
            f"trace (real spun documents among {t['indexed']:,} indexed): top match is the source "
            f"{t['top_match_is_source']}/{t['spun_documents']}; aligned stretches reported word for word "
            f"{t['stretches_reported_exactly']}/{t['stretches']}; unrelated suspects matched "
            f"{t['unrelated_with_a_match']}/{t['unrelated_suspects']}"
        )
    return lines + [""]


def format_table(result: dict) -> str:
    """A human-readable summary of :func:`evaluate_model`."""
    s, c, syn = result["seeds"], result["clean_eval"], result["synthetic_test"]
    g = s["001"]["gold_phrases"]
    lines = [
        f"model {result['model'].get('name')} {result['model'].get('sha256', '')[:12]}  thresholds {result['thresholds']}",
        "",
        *_real_lines(result),
        "seed 001 (spun):  document score {:.2f} flagged={}  spun sentences flagged {}  clean sentences flagged {}".format(
            s["001"]["document_score"],
            s["001"]["document_flagged"],
            s["001"]["spun_sentences_flagged"],
            s["001"]["clean_sentences_flagged"],
        ),
        "  gold phrases: {:.1%} overlap a flagged span ({:.1%} inside one); "
        "suggestion top-1 {:.1%}, top-3 {:.1%} of detected".format(
            g["overlapping_a_flagged_span"], g["inside_a_flagged_span"], g["top1_of_detected"], g["top3_of_detected"]
        ),
        "  every changed word inside a flagged span: {:.1%}; marking exactly the changed words: {:.1%} inside".format(
            g["changed_words_inside_flagged_spans"], g["inside_if_exactly_the_changed_words_were_marked"]
        ),
        "seed 000 (clean): document score {:.2f} flagged={}  sentences flagged {}/{}".format(
            s["000"]["document_score"], s["000"]["document_flagged"], s["000"]["sentences_flagged"], s["000"]["sentences"]
        ),
        "clean eval ({} sentences): sentence FPR {:.2%}, {:.2f} flagged spans per 1,000 words".format(
            c["sentences"], c["sentence_fpr"], c["spans_per_1000_words"]
        ),
        "",
        f"{'profile':<8} {'sent P':>7} {'sent R':>7} {'sent F1':>7} {'span P':>7} {'span R':>7} {'top1':>6} {'top3':>6}",
    ]
    for name, m in syn.items():
        lines.append(
            f"{name:<8} {m['sentence_precision']:>7.3f} {m['sentence_recall']:>7.3f} {m['sentence_f1']:>7.3f} "
            f"{m['span_precision']:>7.3f} {m['span_recall']:>7.3f} {m['original_top1']:>6.2f} {m['original_top3']:>6.2f}"
        )
    return "\n".join(lines + _translated_lines(result))


def _translated_lines(result: dict) -> list[str]:
    """The machine-translation signal's figures (apart from spinning)."""
    if "translated" not in result:
        return []
    t, c, s = result["translated"], result["translated_original_english"], result["seeds"]
    per = lambda d: ", ".join(f"{k} {v['auc']:.3f}" for k, v in d.items())  # noqa: E731
    cross = t["cross_validated"]
    lines = [
        "",
        f"machine translation (shared/mt test split, documents of {t['documents_of_segments']} segments against original "
        f"English; thresholds {t['thresholds']}):",
        f"  all systems: AUC {t['all_systems']['auc']:.3f}, recall {t['all_systems']['recall']:.3f} "
        f"({t['all_systems']['documents']} documents); sentences AUC {t['sentences']['auc']:.3f}, recall "
        f"{t['sentences']['recall']:.3f} at {t['sentences']['original_flagged']:.1%} of original sentences",
        f"  per system: {per(t['per_system'])}",
        f"  per source language: {per(t['per_language'])}",
    ]
    for name, d in cross.items():
        lines.append(f"  {name.replace('_', ' ')} (build): " + ", ".join(f"{k} {v:.3f}" for k, v in d.items()))
    h = t["human_translation"]
    lines += [
        f"  human translation: AUC {h['auc_against_original']:.3f} against original English ({h['flagged']:.1%} "
        f"called likely); machine against human translation AUC {h['auc_mt_against_human']:.3f}",
        "  original English called likely machine-translated: "
        + ", ".join(f"{k} {v['documents_likely_share']:.1%}" for k, v in c.items())
        + f"; corpus test split {t['original_test_documents']['flagged']:.1%}; its genre paragraphs, each whole: "
        + ", ".join(f"{k} {v['flagged']:.1%}" for k, v in t.get("original_test_paragraphs", {}).items()),
        "  seeds: "
        + ", ".join(
            f"{k} {v['translated']['score']:.2f} likely={v['translated']['likely']}"
            for k, v in sorted(s.items())
            if "translated" in v
        ),
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spundetect.evaluation")
    parser.add_argument("what", choices=["engine", "translated"])
    parser.add_argument("--pps-rows", type=int, default=1000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if args.what == "translated":
        return _main_translated(args.out)
    result = evaluate_engine(args.pps_rows)
    text = json.dumps(result, indent=1)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(args.out, text + "\n")
    summary = {k: v for k, v in result.items() if k != "seed_gold_detail"}
    print(json.dumps(summary, indent=1))
    return 0


def _main_translated(out: Path | None) -> int:
    """The machine-translation signal alone: its test-split figures, original English called
    machine-translated, and the seeds (as ``evaluate`` reports them)."""
    from .eval_translated import eval_translated, eval_translated_clean
    from .translated import translation_model

    root = shared_dir()
    seeds = {}
    for name in (SEED_CLEAN, SEED_SPUN):
        text = (root / "seeds" / name).read_text(encoding="utf-8")
        scores = translation_model().score([[t.text for t in s.tokens] for s in segment.sentences(text, MAX_SENTENCE_TOKENS)])
        seeds[name[:3]] = {"translated": scores.document.to_dict()}
    result = {"translated": eval_translated(), "translated_original_english": eval_translated_clean(), "seeds": seeds}
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, json.dumps(result, indent=1) + "\n")
    print("\n".join(_translated_lines(result)[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
