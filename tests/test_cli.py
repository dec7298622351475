import json

from typer.testing import CliRunner

from spundetect.cli import app

runner = CliRunner()


def test_suggest_text():
    r = runner.invoke(app, ["suggest", "press convention", "--context", "He spoke at a press convention."])
    assert r.exit_code == 0
    assert r.stdout.splitlines()[0] == "press convention"
    assert "press conference" in r.stdout.splitlines()[1]


def test_suggest_json_keeps_input_order(tmp_path):
    f = tmp_path / "phrases.txt"
    f.write_text("got here\n\ninternational locations\n", encoding="utf-8")
    r = runner.invoke(app, ["suggest", "--from-file", str(f), "--format", "json", "--top", "2"])
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    assert [p["phrase"] for p in doc["phrases"]] == ["got here", "international locations"]
    assert doc["phrases"][0]["originals"][0]["text"] == "came"
    assert len(doc["phrases"][1]["originals"]) <= 2
    assert set(doc["phrases"][0]["originals"][0]) == {"text", "score", "source"}


def test_no_fingerprints_flag():
    r = runner.invoke(app, ["suggest", "counterfeit consciousness", "--no-fingerprints", "--format", "json"])
    assert r.exit_code == 0
    assert all(o["source"] != "fingerprint" for o in json.loads(r.stdout)["phrases"][0]["originals"])


def test_odd_phrases_get_a_note():
    r = runner.invoke(app, ["suggest", "", "Привет мир", "word " * 40, "--format", "json"])
    assert r.exit_code == 0
    notes = [p.get("note") for p in json.loads(r.stdout)["phrases"]]
    assert notes[0] == "empty phrase" and "no candidate" in notes[1] and "longer than" in notes[2]


def test_errors_are_one_line_with_exit_2(tmp_path):
    r = runner.invoke(app, ["suggest", "--from-file", str(tmp_path / "missing.txt")])
    assert r.exit_code == 2
    assert r.stderr.strip().count("\n") == 0 and "missing.txt" in r.stderr
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x00\x01\x02")
    r = runner.invoke(app, ["suggest", "--from-file", str(binary)])
    assert r.exit_code == 2 and "not a text file" in r.stderr
    r = runner.invoke(app, ["suggest"])
    assert r.exit_code == 2
    r = runner.invoke(app, ["suggest", "x", "--format", "xml"])
    assert r.exit_code == 2


def test_info_lists_every_artifact():
    r = runner.invoke(app, ["info", "--format", "json"])
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    for name in ("lm", "thesaurus", "phrases", "fingerprints"):
        assert len(doc["artifacts"][name]["sha256"]) == 64
    assert "Problematic Paper Screener" in doc["artifacts"]["fingerprints"]["credit"]


# --- check: formats, inputs, options ------------------------------------------------------

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from spundetect.cli import main  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SPUN, CLEAN = EXAMPLES / "spun_article.txt", EXAMPLES / "clean_article.txt"


@pytest.mark.parametrize("fmt", ["text", "concise", "json", "jsonl", "html"])
def test_every_format_flags_the_spun_seed_and_suggests_press_conference(fmt):
    r = runner.invoke(app, ["check", "--format", fmt, str(SPUN)])
    assert r.exit_code == 1
    assert "press conference" in r.stdout
    if fmt == "text":
        assert "[> press convention [-> press conference" in r.stdout
    elif fmt == "concise":
        assert "'press convention' -> 'press conference'" in r.stdout
    elif fmt in ("json", "jsonl"):
        rows = [json.loads(line) for line in r.stdout.splitlines()]
        assert rows and all(isinstance(row, dict) for row in rows)
    else:
        assert r.stdout.startswith("<!DOCTYPE html>")
    clean = runner.invoke(app, ["check", "--format", fmt, str(CLEAN)])
    assert clean.exit_code == 0


def test_unknown_format_is_a_one_line_usage_error(capsys):
    with pytest.raises(SystemExit) as e:
        main(["check", "--format", "xml", str(CLEAN)])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "xml" in err and "Traceback" not in err


def test_stdin_directories_globs_and_output_file(tmp_path):
    (tmp_path / "a.txt").write_text("The minister spoke at a press convention on Monday.\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("The cat sat on the mat.\n", encoding="utf-8")
    (tmp_path / "sub" / "c.log").write_text("not checked\n", encoding="utf-8")
    r = runner.invoke(app, ["check", "--format", "jsonl", "--exit-zero", str(tmp_path)])
    assert r.exit_code == 0
    paths = [row["path"] for row in map(json.loads, r.stdout.splitlines()) if row["kind"] == "document"]
    assert paths == [str(tmp_path / "a.txt"), str(tmp_path / "sub" / "b.md")]
    r = runner.invoke(app, ["check", "--format", "concise", "--glob", "*.log", str(tmp_path)])
    assert r.exit_code == 0 and r.stdout == ""
    r = runner.invoke(app, ["check", "-", "--format", "json"], input="A press convention was held.")
    assert json.loads(r.stdout)["documents"][0]["path"] == "-"
    out = tmp_path / "report.json"
    r = runner.invoke(app, ["check", "--format", "json", "--output", str(out), "--exit-zero", str(SPUN)])
    assert r.exit_code == 0 and r.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["documents"][0]["spun"] is True


def test_colour_and_show_flagged(monkeypatch):
    r = runner.invoke(app, ["check", "--color", "always", "--show", "flagged", str(SPUN)])
    assert "\x1b[" in r.stdout
    lines = r.stdout.splitlines()
    assert lines[-1].startswith("== ") and all(line.startswith(f"{SPUN}:") for line in lines[:-1])
    doc = json.loads(runner.invoke(app, ["check", "--format", "json", str(SPUN)]).stdout)["documents"][0]
    flagged = sum(s["spun"] for s in doc["sentences"])
    assert 13 <= flagged < len(doc["sentences"]) and len(lines) - 1 == flagged  # the flagged sentences only
    assert "\x1b[" not in runner.invoke(app, ["check", str(SPUN)]).stdout  # not a terminal: no colour
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in runner.invoke(app, ["check", "--color", "auto", str(SPUN)]).stdout


def test_info_shows_the_model():
    doc = json.loads(runner.invoke(app, ["info", "--format", "json"]).stdout)
    m = doc["model"]
    assert m["name"] and len(m["sha256"]) == 64 and {"document", "sentence", "span"} <= set(m["thresholds"])
    sentences = m["training_data"]["train_sentences"]  # one count per training draw
    assert len(sentences) == 3 and min(sentences) > 10_000
    assert m["members"] == [m["seed"], m["seed"] + 1, m["seed"] + 2]  # the packaged model averages three draws


def test_jobs_and_groups_keep_input_order_and_results(tmp_path):
    """Many short files (checked in groups), a long one (alone, in chunks), an empty one and
    a binary one: --jobs 2 writes what --jobs 1 writes, in input order, with the same exit
    code; and the short files' rows are those of checking each file on its own."""
    import subprocess
    import sys
    from pathlib import Path

    examples = Path(__file__).resolve().parents[1] / "examples"
    spun = (examples / "spun_article.txt").read_text(encoding="utf-8")
    clean = (examples / "clean_article.txt").read_text(encoding="utf-8")
    pieces = [p for p in (spun + "\n\n" + clean).split("\n\n") if p.strip()]
    for i, piece in enumerate(pieces):
        (tmp_path / f"a{i:03d}.txt").write_text(piece + "\n", encoding="utf-8")
    (tmp_path / "b_empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "c_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "d_long.txt").write_text((clean + "\n\n") * (35_000 // len(clean) + 1), encoding="utf-8")

    def run(*extra):
        args = [sys.executable, "-m", "spundetect", "check", "--format", "jsonl", *extra]
        return subprocess.run(args, capture_output=True, text=True, timeout=600)

    one, two = run("--jobs", "1", str(tmp_path)), run("--jobs", "2", str(tmp_path))
    assert one.returncode == two.returncode == 2  # the binary file is an error
    assert one.stdout == two.stdout
    docs = [json.loads(line) for line in one.stdout.splitlines() if '"kind": "document"' in line]
    names = sorted(p.name for p in tmp_path.iterdir() if p.name != "c_binary.txt")
    assert [Path(d["path"]).name for d in docs] == names
    for name in ("a000.txt", "a001.txt"):
        alone = run(str(tmp_path / name))
        assert alone.stdout.splitlines() == [line for line in one.stdout.splitlines() if name in line]


def test_missing_packaged_data_is_one_line_and_exit_2(monkeypatch):
    """Without data the model was trained with (here: the word vectors), check stops at load
    with one line naming the rebuild command, not with a traceback half way through."""
    import spundetect.lexicon as lexicon

    real = lexicon.load_artifact

    def without_vectors(name, *args, **kwargs):
        if name == "vectors":
            raise lexicon.ArtifactError(
                "packaged data 'vectors' is missing; rebuild it with `python -m spundetect.build vectors`"
            )
        return real(name, *args, **kwargs)

    monkeypatch.setattr(lexicon, "load_artifact", without_vectors)
    r = runner.invoke(app, ["check", str(SPUN)])
    assert r.exit_code == 2
    assert "vectors" in r.stderr and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_fenced_code_is_not_checked(tmp_path):
    """A README's code blocks are not prose: spun text inside a fence flags nothing, the
    same text outside it does, and the annotated output is still the input byte for byte."""
    from spundetect.render import strip_marks

    spun = SPUN.read_text(encoding="utf-8")
    fenced = tmp_path / "README.md"
    fenced.write_text("# Notes\n\nKept as it was.\n\n```text\n" + spun + "\n```\n", encoding="utf-8")
    r = runner.invoke(app, ["check", "--format", "json", str(fenced)])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)["documents"][0]
    assert len(doc["sentences"]) == 2 and doc["verdict"] == "clean"
    r = runner.invoke(app, ["check", str(fenced)])
    assert strip_marks(r.stdout) == fenced.read_text(encoding="utf-8")
    fenced.write_text("# Notes\n\nKept as it was.\n\n" + spun, encoding="utf-8")
    assert runner.invoke(app, ["check", str(fenced)]).exit_code == 1


def test_list_items_are_scored_one_by_one(tmp_path):
    """A Markdown list of sentences is as many sentences, not one blob: before, items that
    end with a period ran together (the next line opens with "- ", not a capital)."""
    items = [
        "The minister spoke at a press convention on Monday.",
        "She said the talks would resume within the east of the nation.",
        "Officials declined to comment on the report.",
    ]
    listed = tmp_path / "list.md"
    listed.write_text("## Items\n\n" + "\n".join(f"- {s}" for s in items) + "\n", encoding="utf-8")
    r = runner.invoke(app, ["check", "--format", "json", "--exit-zero", str(listed)])
    doc = json.loads(r.stdout)["documents"][0]
    text = listed.read_text(encoding="utf-8")
    got = [text[s["start"] : s["end"]] for s in doc["sentences"]]
    assert got == ["Items", *items]
