"""Speed and memory of spundetect against baselines measured in the same run.

    python benchmarks/bench.py [--out benchmarks/results.json] [--words 50000]

On about 50,000 words of clean news assembled from ../shared/eval/clean_sentences.txt
(paragraphs of 10 sentences, documents of 10 paragraphs), measures:

- spundetect ``check`` throughput in one process (words/s, the full check: scores,
  spans, suggested originals, text rendering), warm (after one pass over other text);
- a naive list-lookup baseline: a loop of case-insensitive word-boundary regex searches
  over the tortured-phrase list, the way current tools do it;
- a bare regex tokenisation pass over the same text, and two parts of spundetect alone on
  that text: its sentence splitting and tokenisation (tokens with character offsets), and
  the trained classifiers' ``predict_proba`` calls of a scoring pass (floors under what a
  full check can cost);
- the cold start of ``spundetect check`` on a one-line file against
  ``python -c "import numpy, sklearn"`` (median of 5 runs each);
- the command-line run time and peak RSS at 10k / 50k / 200k words (linear?);
- ``check --jobs 2`` against ``--jobs 1`` on 100 files of 500 and of 3,000 words, with the
  CPU seconds of each run (workers and threads included): how many cores ``--jobs 1``
  already keeps busy limits what more processes can add on this machine;
- the full check with and without the machine-translation signal, in turns
  (``--only-translated`` runs this part alone and merges it into ``--out``);
- the restore search, warm: ``suggest`` on each aligned real spun stretch of
  ``shared/realspin`` in its sentence (stretches/s), and the check of a real heavily spun
  1,000-word page with its suggestions (``--only-restore`` runs this part alone and merges
  it into ``--out``);
- ``spundetect index`` over 100,000 corpus documents (time, peak RSS) and ``trace`` queries
  over it (``--only-trace`` runs this part alone and merges it into ``--out``);
- with ``--only-contextual`` alone (it needs the ``contextual`` extra and
  ``spundetect fetch-encoder``): the full check with and without the opt-in contextual stage,
  in turns, on the clean text and on the real spun documents of ``shared/realspin``.

Ratios are printed next to the seconds; the full result goes to JSON. Standard library
timing only; the machine may be shared and noisy, so compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORD_RE = re.compile(r"\w+")
TOKEN_RE = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")


def shared_dir() -> Path:
    sys.path.insert(0, str(ROOT / "src"))
    from spundetect.build.sources import shared_dir as find

    return find()


def clean_text(words: int, start: int = 0) -> str:
    """About ``words`` words of clean news, from line ``start`` on (cycling if needed)."""
    lines = (shared_dir() / "eval" / "clean_sentences.txt").read_text(encoding="utf-8").splitlines()
    out, n, i = [], 0, start
    while n < words:
        line = lines[i % len(lines)]
        out.append(line)
        n += len(WORD_RE.findall(line))
        i += 1
    paragraphs = [" ".join(out[j : j + 10]) for j in range(0, len(out), 10)]
    docs = ["\n\n".join(paragraphs[j : j + 10]) for j in range(0, len(paragraphs), 10)]
    return "\n\n\n".join(docs) + "\n"


def documents(text: str) -> list[str]:
    return text.split("\n\n\n")


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def bench_spundetect(text: str, warm_text: str, translated: bool = True, contextual: bool = False) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from spundetect.cli import write_input
    from spundetect.detector import Detector
    from spundetect.inputs import Input
    from spundetect.render import TextWriter

    detector = Detector.load(translated=translated, contextual=contextual)

    def run(t: str) -> tuple[int, int]:
        out, spans = io.StringIO(), 0
        writer = TextWriter(out)
        for k, doc in enumerate(documents(t)):
            item = Input(f"doc{k}", doc)
            totals = write_input(detector, item, (detector.check(c, item.name) for c in item.chunks()), writer)
            spans += totals.spans
        return spans, len(out.getvalue())

    run(warm_text)  # fills the per-word-type caches on other text, as a long run would
    t = time.perf_counter()
    spans, _ = run(text)
    seconds = time.perf_counter() - t
    words = len(WORD_RE.findall(text))
    return {"seconds": seconds, "words": words, "words_per_s": words / seconds, "spans_flagged": spans}


def bench_translated(text: str, warm_text: str, rounds: int = 2) -> dict:
    """The full check with and without the machine-translation signal, in turns (the best
    of ``rounds`` each): what the second signal costs."""
    return _in_turns(text, warm_text, rounds, "translated")


def bench_contextual(text: str, warm_text: str, rounds: int = 2) -> dict:
    """The full check without and with the contextual stage, in turns (the best of
    ``rounds`` each), on ``text`` (clean) and on the real spun documents of shared/realspin."""
    sys.path.insert(0, str(ROOT / "src"))
    from spundetect.eval_real import real_documents

    spun = "\n\n\n".join(d.text for d in real_documents())
    return {name: _in_turns(t, warm_text, rounds, "contextual") for name, t in (("clean", text), ("real_spun", spun))}


def _in_turns(text: str, warm_text: str, rounds: int, option: str) -> dict:
    """The full check with ``option`` (a ``Detector.load`` flag) off and on, in turns, the
    best of ``rounds`` each."""
    best: dict[bool, dict] = {}
    for _ in range(rounds):
        for on in (False, True):
            r = bench_spundetect(text, warm_text, **{option: on})
            if on not in best or r["words_per_s"] > best[on]["words_per_s"]:
                best[on] = r
    off, on = best[False]["words_per_s"], best[True]["words_per_s"]
    return {"words": best[True]["words"], "words_per_s_without": off, "words_per_s_with": on, "cost": off / on - 1}


def _print_contextual(ctx: dict) -> None:
    for name, r in ctx.items():
        print(
            f"contextual stage, {name} ({r['words']} words): check {r['words_per_s_without']:.0f} words/s without, "
            f"{r['words_per_s_with']:.0f} with: {r['cost']:+.1%} time"
        )


def _print_translated(tr: dict) -> None:
    print(
        f"machine-translation signal: check {tr['words_per_s_without']:.0f} words/s without, {tr['words_per_s_with']:.0f} "
        f"with: {tr['cost']:+.1%} time (target <= +10%)"
    )


def bench_naive(text: str, max_phrases: int | None) -> dict:
    rows = (shared_dir() / "lexicon" / "pps_tortured_phrases.tsv").read_text(encoding="utf-8").splitlines()[1:]
    phrases = sorted({r.split("\t")[0] for r in rows if r.strip()})
    used = phrases[:max_phrases] if max_phrases else phrases
    t = time.perf_counter()
    hits = 0
    for phrase in used:
        hits += len(re.findall(r"\b" + re.escape(phrase) + r"\b", text, flags=re.IGNORECASE))
    seconds = (time.perf_counter() - t) * len(phrases) / len(used)
    words = len(WORD_RE.findall(text))
    return {
        "phrases": len(phrases),
        "phrases_timed": len(used),
        "extrapolated": len(used) < len(phrases),
        "seconds": seconds,
        "words_per_s": words / seconds,
        "hits": hits,
    }


def bench_tokenise(text: str) -> dict:
    seconds = best_of(lambda: TOKEN_RE.findall(text), 5)
    return {"seconds": seconds, "words_per_s": len(WORD_RE.findall(text)) / seconds}


class _TimedEstimator:
    """An estimator whose ``predict_proba`` calls add their seconds to ``spent``."""

    def __init__(self, estimator, spent: list[float]):
        self.estimator, self.spent = estimator, spent

    def predict_proba(self, X):
        t = time.perf_counter()
        try:
            return self.estimator.predict_proba(X)
        finally:
            self.spent[0] += time.perf_counter() - t


def bench_stages(text: str) -> dict:
    """Seconds of two parts of a check alone on ``text``: sentence splitting with
    tokenisation, and the classifiers' predict_proba calls of a scoring pass (no restore
    search; the features are computed but not timed)."""
    from dataclasses import replace

    from spundetect import segment
    from spundetect.detector import MAX_SENTENCE_TOKENS, Detector

    docs = documents(text)
    segmentation = best_of(lambda: [segment.sentences(d, MAX_SENTENCE_TOKENS) for d in docs], 3)
    detector = Detector.load()
    spent = [0.0]
    model = replace(
        detector.model,
        span=_TimedEstimator(detector.model.span, spent),
        sentence=_TimedEstimator(detector.model.sentence, spent),
        context=_TimedEstimator(detector.model.context, spent) if detector.model.context is not None else None,
    )
    Detector(model, suggestions=0).check_many(docs)
    return {"segmentation_s": segmentation, "classifier_predict_s": spent[0]}


# spundetect runs under a small intermediate process: on Linux a child's ru_maxrss starts at
# the RSS of the process it was forked from, which here has the model loaded already.
LAUNCH = (
    "import os, sys\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    os.execv(sys.executable, [sys.executable, '-m', 'spundetect', *sys.argv[1:]])\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "sys.stderr.write(f'maxrss_kb {usage.ru_maxrss} cpu_s {usage.ru_utime + usage.ru_stime}\\n')\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def bench_restore(page_words: int = 1000) -> dict:
    """The restore search alone and inside a check, warm (artifacts loaded and the search run
    on the spun seed's gold phrases first): ``suggest`` given each aligned real spun
    stretch of ``shared/realspin`` in its sentence (stretches per second), and a full
    ``check`` of a real heavily spun page of about ``page_words`` words (its sentences in
    file order), suggestions included."""
    sys.path.insert(0, str(ROOT / "src"))
    from spundetect import Detector, suggest
    from spundetect.eval_real import real_documents, real_stretches
    from spundetect.evaluation import seed_gold, seed_sentences

    for g in seed_gold():
        suggest(g.spun, g.context, k=3)
    rows = real_stretches()
    cpu, t = time.process_time(), time.perf_counter()
    for r in rows:
        suggest(r.spun, r.sentence, k=3)
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    sentences, words = [], 0
    for d in real_documents():
        for s in d.spun:
            if words >= page_words:
                break
            sentences.append(s)
            words += len(WORD_RE.findall(s))
    page = " ".join(sentences)
    detector = Detector.load()
    detector.check(seed_sentences()[0])
    t = time.perf_counter()
    report = detector.check(page)
    page_s = time.perf_counter() - t
    return {
        "stretches": len(rows), "seconds": seconds, "cpu_s": cpu, "stretches_per_s": len(rows) / seconds,
        "page_words": words, "page_check_s": page_s, "page_spans": len(report.spans),
        "page_suggestions": sum(len(sp.originals) > 0 for sp in report.spans),
    }  # fmt: skip


def run_cli(args: list[str], env: dict[str, str] | None = None) -> tuple[float, int, int, float]:
    """(wall seconds, peak RSS in MB, exit code, CPU seconds) of ``spundetect ARGS`` in a new
    process; the CPU time counts its worker processes and threads too."""
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", LAUNCH, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    seconds = time.perf_counter() - t
    err = proc.stderr.decode()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"spundetect {' '.join(args)} exited {proc.returncode}: {err[-500:]}")
    rss_kb, cpu = re.findall(r"maxrss_kb (\d+) cpu_s ([\d.]+)", err)[-1]
    return seconds, int(rss_kb) // 1024, proc.returncode, float(cpu)


def bench_cold_start(tmp: Path) -> dict:
    one = tmp / "one_line.txt"
    one.write_text("The minister spoke to reporters on Monday.\n", encoding="utf-8")
    imports, checks = [], []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import numpy, sklearn"], check=True)
        imports.append(time.perf_counter() - t)
        checks.append(run_cli(["check", str(one)])[0])
    return {
        "check_one_line_s": statistics.median(checks),
        "import_numpy_sklearn_s": statistics.median(imports),
        "ratio": statistics.median(checks) / statistics.median(imports),
    }


def bench_sizes(tmp: Path, sizes: list[int]) -> dict:
    out = {}
    for words in sizes:
        f = tmp / f"clean_{words}.txt"
        f.write_text(clean_text(words), encoding="utf-8")
        seconds, rss, _, _ = run_cli(["check", "--format", "jsonl", "--exit-zero", str(f)])
        n = len(WORD_RE.findall(f.read_text(encoding="utf-8")))
        out[str(words)] = {"words": n, "seconds": seconds, "peak_rss_mb": rss, "us_per_word": 1e6 * seconds / n}
    return out


def bench_jobs(tmp: Path, files: int = 100, words: int = 500) -> dict:
    """``--jobs 2`` against ``--jobs 1`` on ``files`` files of about ``words`` words, and
    ``--jobs 1`` with one OpenMP thread: by default the model's trees already run on every
    core in one process, which bounds what a second process can add."""
    folder = tmp / f"many_{words}"
    folder.mkdir()
    text = clean_text(files * words)
    lines = text.split("\n\n")
    per = max(1, len(lines) // files)
    for i in range(files):
        (folder / f"doc{i:03d}.txt").write_text("\n\n".join(lines[i * per : (i + 1) * per]) + "\n", encoding="utf-8")
    args = ["check", "--format", "jsonl", "--exit-zero", str(folder)]
    result = {"files": files, "words_per_file": words}
    for key, extra, env in (
        ("jobs_1", ["--jobs", "1"], None),
        ("jobs_2", ["--jobs", "2"], None),
        ("jobs_1_one_thread", ["--jobs", "1"], {"OMP_NUM_THREADS": "1"}),
    ):
        seconds, _, _, cpu = run_cli([*args, *extra], env=env)
        result[f"{key}_s"], result[f"{key}_cpu_s"] = seconds, cpu
    # --jobs 1 already keeps more than one core busy (the trees' OpenMP threads)
    result["jobs_1_cores_busy"] = result["jobs_1_cpu_s"] / result["jobs_1_s"]
    result["speedup"] = result["jobs_1_s"] / result["jobs_2_s"]
    result["speedup_vs_one_thread"] = result["jobs_1_one_thread_s"] / result["jobs_2_s"]
    return result


def trace_sources(path: Path, n: int, lines_per_doc: int = 7) -> int:
    """Write ``n`` source documents of ``lines_per_doc`` corpus lines as JSON Lines (field
    ``text``), cycling through ../shared/corpus; the number written."""
    files = sorted((shared_dir() / "corpus").glob("*.txt"))
    lines = [line for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            a = (i * lines_per_doc) % max(len(lines) - lines_per_doc, 1)
            out.write(json.dumps({"text": "\n".join(lines[a : a + lines_per_doc])}) + "\n")
    return n


def bench_trace(tmp: Path, n: int) -> dict:
    """``spundetect index`` over ``n`` corpus documents (time, peak RSS), then queries over
    the index in one process: the real spun documents of ../shared/realspin and clean
    10-line documents (median seconds per query, the index already loaded), and one
    ``spundetect trace --index`` run from the command line (start-up and index load included)."""
    sys.path.insert(0, str(ROOT / "src"))
    from spundetect.eval_real import real_documents
    from spundetect.trace import SourceIndex

    sources, index_file = tmp / "sources.jsonl", tmp / "sources.npz"
    trace_sources(sources, n)
    seconds, rss, _, cpu = run_cli(["index", "--jsonl-field", "text", str(sources), "-o", str(index_file)])
    result = {"documents": n, "index_s": seconds, "index_peak_rss_mb": rss, "index_cpu_s": cpu,
              "index_file_mb": index_file.stat().st_size / 2**20}  # fmt: skip
    t = time.perf_counter()
    index = SourceIndex.load(index_file)
    result["load_s"] = time.perf_counter() - t
    suspects = [d.text for d in real_documents()] + [clean_text(250, start=i * 40) for i in range(10)]
    times = []
    for text in suspects:
        t = time.perf_counter()
        index.trace("suspect", text)
        times.append(time.perf_counter() - t)
    result["query_median_s"], result["query_max_s"] = statistics.median(times), max(times)
    suspect = tmp / "suspect.txt"
    suspect.write_text(suspects[0], encoding="utf-8")
    result["cli_trace_s"] = run_cli(["trace", "--index", str(index_file), str(suspect)])[0]
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.json")
    ap.add_argument("--words", type=int, default=50_000)
    ap.add_argument("--baseline-phrases", type=int, default=None, help="time only the first N phrases (extrapolated)")
    ap.add_argument("--sizes", default="10000,50000,200000")
    ap.add_argument("--trace-documents", type=int, default=100_000, help="documents in the trace index benchmark")
    ap.add_argument("--only-trace", action="store_true", help="run the trace benchmark alone (merged into --out)")
    ap.add_argument("--only-restore", action="store_true", help="run the restore benchmark alone (merged into --out)")
    ap.add_argument(
        "--only-translated", action="store_true", help="run the machine-translation signal's cost alone (merged into --out)"
    )
    ap.add_argument("--only-contextual", action="store_true", help="run the contextual stage's cost alone (merged into --out)")
    ap.add_argument(
        "--rounds", type=int, default=2, help="turns of the check without and with the signal or stage measured (best of each)"
    )
    args = ap.parse_args(argv)
    if args.only_trace:
        return _only_part(args, "trace", lambda tmp: bench_trace(tmp, args.trace_documents), _print_trace)
    if args.only_restore:
        return _only_part(args, "restore", lambda tmp: bench_restore(), _print_restore)
    if args.only_translated:
        text, warm = clean_text(args.words), clean_text(args.words // 5, start=3000)
        return _only_part(args, "translated", lambda tmp: bench_translated(text, warm, args.rounds), _print_translated)
    if args.only_contextual:
        text, warm = clean_text(args.words), clean_text(args.words // 5, start=3000)
        return _only_part(args, "contextual", lambda tmp: bench_contextual(text, warm, args.rounds), _print_contextual)

    text = clean_text(args.words)
    warm = clean_text(args.words // 5, start=3000)
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    result: dict = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}}
    log("spundetect check ...")
    result["spundetect"] = bench_spundetect(text, warm)
    log("the machine-translation signal's cost ...")
    result["translated"] = bench_translated(text, warm, args.rounds)
    log("naive list lookup ...")
    result["naive_list_lookup"] = bench_naive(text, args.baseline_phrases)
    log("regex tokenisation ...")
    result["regex_tokenisation"] = bench_tokenise(text)
    log("parts of a check alone ...")
    result["parts_alone"] = bench_stages(text)
    log("restore search ...")
    result["restore"] = bench_restore()
    with tempfile.TemporaryDirectory() as tmp:
        log("cold start ...")
        result["cold_start"] = bench_cold_start(Path(tmp))
        log("sizes ...")
        result["sizes"] = bench_sizes(Path(tmp), [int(s) for s in args.sizes.split(",")])
        log("--jobs ...")
        result["jobs"] = bench_jobs(Path(tmp))
        result["jobs_long_files"] = bench_jobs(Path(tmp), words=3000)
        log("trace index and queries ...")
        result["trace"] = bench_trace(Path(tmp), args.trace_documents)
    sd, nv, tok = result["spundetect"], result["naive_list_lookup"], result["regex_tokenisation"]
    sizes = result["sizes"]
    startup = result["cold_start"]["check_one_line_s"]
    for row in sizes.values():  # the per-word time once the start-up is paid
        row["us_per_word_after_startup"] = 1e6 * max(row["seconds"] - startup, 0.0) / row["words"]
    first, last = sizes[min(sizes, key=int)], sizes[max(sizes, key=int)]
    result["ratios"] = {
        "speed_vs_naive_list_lookup": sd["words_per_s"] / nv["words_per_s"],
        "cost_vs_regex_tokenisation": tok["words_per_s"] / sd["words_per_s"],
        "segmentation_alone_vs_regex_tokenisation": result["parts_alone"]["segmentation_s"] / tok["seconds"],
        "classifier_predict_alone_vs_regex_tokenisation": result["parts_alone"]["classifier_predict_s"] / tok["seconds"],
        "cold_start_vs_import_numpy_sklearn": result["cold_start"]["ratio"],
        "per_word_time_largest_vs_smallest": last["us_per_word_after_startup"] / first["us_per_word_after_startup"],
        "jobs_2_speedup": result["jobs"]["speedup"],
    }
    result["peak_rss_mb_largest"] = last["peak_rss_mb"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")

    r = result["ratios"]
    print(f"spundetect check         {sd['words_per_s']:10.0f} words/s  ({sd['words']} words, {sd['seconds']:.1f} s)")
    extrapolated = " (extrapolated)" if nv["extrapolated"] else ""
    print(f"naive list lookup        {nv['words_per_s']:10.0f} words/s  ({nv['phrases']} phrases{extrapolated})")
    print(f"regex tokenisation       {tok['words_per_s']:10.0f} words/s")
    print(f"  spundetect / naive:        {r['speed_vs_naive_list_lookup']:6.1f}x faster   (target >= 10)")
    print(f"  spundetect cost / tokenise: {r['cost_vs_regex_tokenisation']:6.1f}x          (target <= 40)")
    print(
        f"    parts alone / tokenise: sentence splitting + tokens {r['segmentation_alone_vs_regex_tokenisation']:.1f}x, "
        f"classifier predict_proba {r['classifier_predict_alone_vs_regex_tokenisation']:.1f}x"
    )
    cs = result["cold_start"]
    print(f"cold start {cs['check_one_line_s']:.2f} s vs import numpy+sklearn {cs['import_numpy_sklearn_s']:.2f} s: "
          f"{cs['ratio']:.1f}x (target <= 3)")  # fmt: skip
    for words, row in sizes.items():
        print(
            f"  {words:>7} words: {row['seconds']:7.1f} s  {row['us_per_word_after_startup']:6.1f} us/word after start-up  "
            f"peak RSS {row['peak_rss_mb']} MB (target < 500)"
        )
    print(f"  per-word time after start-up, largest / smallest: {r['per_word_time_largest_vs_smallest']:.2f} (1.0 = linear)")
    for jb in (result["jobs"], result["jobs_long_files"]):
        print(
            f"--jobs 2 vs 1 on {jb['files']} files of {jb['words_per_file']} words: "
            f"{jb['jobs_1_s']:.1f} s -> {jb['jobs_2_s']:.1f} s, "
            f"{jb['speedup']:.2f}x (target >= 1.7); vs --jobs 1 on one thread ({jb['jobs_1_one_thread_s']:.1f} s): "
            f"{jb['speedup_vs_one_thread']:.2f}x; CPU s {jb['jobs_1_cpu_s']:.1f} / {jb['jobs_2_cpu_s']:.1f} "
            f"(--jobs 1 keeps {jb['jobs_1_cores_busy']:.2f} of {os.cpu_count()} cores busy)"
        )
    _print_translated(result["translated"])
    _print_restore(result["restore"])
    _print_trace(result["trace"])
    print(f"written to {args.out}")
    return 0


def _print_trace(tr: dict) -> None:
    print(
        f"trace: index of {tr['documents']:,} documents in {tr['index_s']:.0f} s (target <= 300), peak RSS "
        f"{tr['index_peak_rss_mb']} MB (target <= 2048), file {tr['index_file_mb']:.0f} MB; load {tr['load_s']:.1f} s; "
        f"query median {tr['query_median_s']:.2f} s, max {tr['query_max_s']:.2f} s (target <= 1); "
        f"command line with start-up and load {tr['cli_trace_s']:.1f} s"
    )


def _print_restore(rs: dict) -> None:
    print(
        f"restore: {rs['stretches_per_s']:.0f} real stretches/s given in their sentence (target >= 100; "
        f"{rs['stretches']} in {rs['seconds']:.1f} s, {rs['cpu_s']:.1f} CPU s); a real heavily spun page of "
        f"{rs['page_words']} words checked in {rs['page_check_s']:.2f} s (target < 2), {rs['page_spans']} spans"
    )


def _only_part(args, name: str, run, show) -> int:
    """Run one benchmark alone and merge its result into ``--out``."""
    with tempfile.TemporaryDirectory() as tmp:
        part = run(Path(tmp))
    result = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    result[name] = part
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    show(part)
    return 0


if __name__ == "__main__":
    sys.exit(main())
