"""Command-line interface (typer). stdout carries results; stderr carries errors.

Exit codes: 0 success, 1 findings (``check``), 2 usage or input error.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Find synonym-spun English text and suggest what it said before it was spun.\n\n"
    "Exit codes: 0 success, 1 spin found (check), 2 usage or input error.",
)

EXIT_OK, EXIT_FOUND, EXIT_ERROR = 0, 1, 2


class SuggestFormat(str, Enum):
    text = "text"
    json = "json"


class CheckFormat(str, Enum):
    text = "text"
    json = "json"


TEXT_SUFFIXES = {".txt", ".text", ".md", ".rst", ""}


@app.callback()
def _root() -> None:
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
    """Suggest the original(s) of spun phrases, best first, with probabilities."""
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
    results = []
    for phrase in items:
        try:
            found = run(phrase, context, k=top, use_fingerprints=not no_fingerprints)
        except ArtifactError as e:
            _fail(str(e))
        note = None
        if not phrase.strip():
            note = "empty phrase"
        elif not found:
            too_long = len(phrase.split()) > MAX_SPAN_TOKENS
            note = (
                f"longer than {MAX_SPAN_TOKENS} tokens" if too_long else "no candidate originals (unknown or non-English words?)"
            )
        results.append((phrase, found, note))
    if format is SuggestFormat.json:
        doc = {
            "phrases": [
                {"phrase": p, "originals": [{"text": c.text, "score": round(c.score, 4), "source": c.source} for c in found]}
                | ({"note": note} if note else {})
                for p, found, note in results
            ]
        }
        typer.echo(json.dumps(doc, ensure_ascii=False))
        return
    for p, found, note in results:
        if note:
            typer.echo(f"{p}\t({note})")
            continue
        typer.echo(p)
        for c in found:
            typer.echo(f"  {c.score:.2f}  {c.text}  [{c.source}]")


def _read_inputs(paths: list[str]) -> list[tuple[str, str | None, str | None]]:
    """(path, text or None, error or None) for each file, directory member or stdin."""
    out: list[tuple[str, str | None, str | None]] = []
    for p in paths:
        if p == "-":
            raw = sys.stdin.buffer.read()
            out.append(("-",) + _decode("-", raw))
            continue
        path = Path(p)
        files = (
            sorted(f for f in path.rglob("*") if f.is_file() and f.suffix.lower() in TEXT_SUFFIXES) if path.is_dir() else [path]
        )
        for f in files:
            try:
                raw = f.read_bytes()
            except OSError as e:
                out.append((str(f), None, f"{f}: {e.strerror or e}"))
                continue
            out.append((str(f),) + _decode(str(f), raw))
    return out


def _decode(name: str, raw: bytes) -> tuple[str | None, str | None]:
    if b"\0" in raw:
        return None, f"{name}: not a text file"
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        typer.echo(f"spundetect: {name}: invalid UTF-8, undecodable bytes replaced by U+FFFD", err=True)
        return raw.decode("utf-8", errors="replace"), None


@app.command()
def check(
    paths: list[str] = typer.Argument(..., help="Files, directories (recursive) or '-' for stdin."),
    format: CheckFormat = typer.Option(CheckFormat.text, "--format", help="Output format."),
    threshold: Optional[float] = typer.Option(
        None, "--threshold", min=0.0, max=1.0, help="Override the model's sentence/document threshold."
    ),
    model: Optional[Path] = typer.Option(None, "--model", help="A model folder or file (its meta.json sha256 must match)."),
    trust_model: bool = typer.Option(
        False, "--trust-model", help="Load --model even without a matching meta.json (it is a pickle)."
    ),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when spin is found."),
) -> None:
    """Score documents for synonym spinning and show suspected spans with their originals."""
    from .detector import Detector
    from .lexicon import ArtifactError
    from .model import ModelError
    from .render import render_json, render_text

    try:
        detector = Detector.load(model, trust=trust_model, threshold=threshold)
    except (ModelError, ArtifactError) as e:
        _fail(str(e))
    reports, errors = [], 0
    for name, text, error in _read_inputs(paths):
        if error:
            typer.echo(f"spundetect: {error}", err=True)
            errors += 1
            continue
        reports.append(detector.check(text, name))
    if format is CheckFormat.json:
        typer.echo(render_json(reports, detector.model_info))
    else:
        for r in reports:
            typer.echo(render_text(r), nl=False)
    if errors:
        raise typer.Exit(EXIT_ERROR)
    if any(r.spun for r in reports) and not exit_zero:
        raise typer.Exit(EXIT_FOUND)


@app.command()
def train(
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same model)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Model folder to write (default: the packaged model)."),
) -> None:
    """Rebuild the classifier from ../shared/corpus (minutes on 2 cores)."""
    import logging

    from .build.train import train_model
    from .model import DEFAULT_MODEL_DIR

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", stream=sys.stderr)
    model = train_model(seed=seed, out_dir=out or DEFAULT_MODEL_DIR)
    typer.echo(json.dumps({"thresholds": model.thresholds, "metrics": model.meta["metrics"]}, indent=1))


@app.command()
def evaluate(
    out: Optional[Path] = typer.Option(None, "--out", help="Write the full results as JSON here."),
    model: Optional[Path] = typer.Option(None, "--model", help="A model folder (default: the packaged model)."),
    engine: bool = typer.Option(False, "--engine", help="Also evaluate the suggestion engine (slower)."),
    record: bool = typer.Option(False, "--record", help="Store the headline numbers in the model's meta.json."),
) -> None:
    """Measure the model on the seeds, the synthetic test split and the clean evaluation set."""
    from .detector import Detector
    from .evaluation import evaluate_engine, evaluate_model, format_table, summary
    from .model import DEFAULT_MODEL_DIR, ModelError, record_evaluation

    try:
        result = evaluate_model(Detector.load(model))
    except FileNotFoundError as e:
        _fail(f"evaluation data not found: {e}")
    except ModelError as e:
        _fail(str(e))
    if record:
        target = model if model and model.is_dir() else (model.parent if model else DEFAULT_MODEL_DIR)
        record_evaluation(target, summary(result))
    if engine:
        result["engine"] = evaluate_engine()
    typer.echo(format_table(result))
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=1, default=str) + "\n", encoding="utf-8")


@app.command()
def info(format: SuggestFormat = typer.Option(SuggestFormat.text, "--format", help="Output format.")) -> None:
    """Show the packaged data: versions, sizes, checksums, sources and credits."""
    from . import __version__
    from .lexicon import FORMATS, ArtifactError, load_artifact

    data = {"spundetect": __version__, "artifacts": {}}
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
        data["artifacts"][name] = entry
    if format is SuggestFormat.json:
        typer.echo(json.dumps(data, indent=1, ensure_ascii=False))
        return
    typer.echo(f"spundetect {__version__}")
    for name, entry in data["artifacts"].items():
        typer.echo(f"{name}:")
        for key, value in entry.items():
            typer.echo(f"  {key}: {value}")


def main() -> None:
    app(prog_name="spundetect")
