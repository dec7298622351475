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
            note = f"longer than {MAX_SPAN_TOKENS} tokens" if too_long else "no candidate originals (unknown or non-English words?)"
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
