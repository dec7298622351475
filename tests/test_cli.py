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
