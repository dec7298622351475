"""Bad input through `check`: each kind gets a correct result or a clear one-line error.

The table below is the contract: input kind -> (exit code, what stdout/stderr must say).
"""

import gzip
import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from spundetect import inputs, segment
from spundetect.cli import app
from spundetect.detector import Detector
from spundetect.render import render_text, strip_marks

runner = CliRunner()
SPUN_SENTENCE = "Stoltenberg mentioned at a press convention that troops had got here amid experiences of shelling."


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "hello " * 50)
    return buf.getvalue()


def _html() -> bytes:
    return (
        "<!DOCTYPE html><html><head><title>t</title><style>p{color:red}</style>"
        "<script>var press = 'convention';</script></head><body><h1>News</h1>"
        f"<p>{SPUN_SENTENCE.replace('press convention', 'press <b>convention</b>')} Caf&eacute; &amp; bar.</p>"
        "</body></html>"
    ).encode()


# kind: (file bytes, expected exit code, text expected on stdout or stderr)
TABLE = {
    "empty": (b"", 0, "0/0 sentences"),
    "whitespace only": (b"  \n\t\n  ", 0, "0/0 sentences"),
    "NUL bytes": (b"abc\x00def", 2, "not a text file"),
    "PNG image": (_png(), 2, "not a text file"),
    "zip archive": (_zip(), 2, "not a text file"),
    "gzip archive": (gzip.compress(b"hello world " * 100), 2, "not a text file"),
    "Windows-1252": ("Caf\u00e9 \u201cquoted\u201d text about the weather.".encode("cp1252"), 0, "decoded as Windows-1252"),
    "broken UTF-8": (b"The weather \x81\x8d is fine today.", 0, "U+FFFD"),
    "UTF-16 with BOM": ("The weather is fine today.".encode("utf-16"), 0, "0/1 sentences"),
    "UTF-32 with BOM": (SPUN_SENTENCE.encode("utf-32"), 1, "press conference"),
    "ASCII-only PDF": (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n", 2, "PDF"),
    "RTF": (b"{\\rtf1\\ansi The press convention was held.}", 2, "RTF"),
    "non-English": (("Der Hund ist sehr groß und die Katze schläft auf dem Sofa im Wohnzimmer. " * 3).encode(), 0, "not English"),
    "spun English": (SPUN_SENTENCE.encode(), 1, "press conference"),
}


@pytest.mark.parametrize("kind", list(TABLE))
def test_input_kinds(tmp_path, kind):
    raw, code, says = TABLE[kind]
    f = tmp_path / "input.txt"
    f.write_bytes(raw)
    r = runner.invoke(app, ["check", str(f)])
    assert r.exit_code == code, (kind, r.output)
    assert says in r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    if code == 2:
        assert r.stderr.startswith(f"spundetect: {f}: not a text file") and r.stderr.count("\n") == 1  # one line, with the path
    if r.stderr and code != 2:
        assert all(line.startswith("spundetect: warning: ") for line in r.stderr.splitlines())


def test_offsets_index_the_decoded_text(tmp_path):
    # a tortured-phrase fingerprint is always marked, so the test does not hang on a threshold
    text = "Caf\u00e9 owners said the talk on counterfeit consciousness was held amid experiences of shelling."
    f = tmp_path / "latin.txt"
    f.write_bytes(text.encode("cp1252"))
    doc = json.loads(runner.invoke(app, ["check", "--format", "json", str(f)]).stdout)["documents"][0]
    spans = [sp for s in doc["sentences"] for sp in s["spans"]]
    assert spans and all(text[sp["start"] : sp["end"]] == sp["text"] for sp in spans)


def test_missing_and_unreadable_paths_do_not_stop_the_run(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(SPUN_SENTENCE, encoding="utf-8")
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    unreadable = tmp_path / "plain" / "child.txt"  # "Not a directory", even for root
    r = runner.invoke(app, ["check", "--format", "json", str(tmp_path / "missing.txt"), str(unreadable), str(good)])
    assert r.exit_code == 2
    assert [d["path"] for d in json.loads(r.stdout)["documents"]] == [str(good)]
    err = r.stderr.splitlines()
    assert err == [
        f"spundetect: {tmp_path / 'missing.txt'}: No such file or directory",
        f"spundetect: {unreadable}: Not a directory",
        "spundetect: 1 document: 1 spun, 0 suspicious, 0 clean; 2 not read",
    ]
    if os.geteuid() != 0:  # root reads anything
        locked = tmp_path / "locked.txt"
        locked.write_text("x", encoding="utf-8")
        locked.chmod(0)
        r = runner.invoke(app, ["check", str(locked)])
        assert r.exit_code == 2 and "Permission denied" in r.stderr


def test_html_visible_text_with_source_offsets(tmp_path):
    f = tmp_path / "page.html"
    f.write_bytes(_html())
    r = runner.invoke(app, ["check", "--format", "json", str(f)])
    assert r.exit_code == 1
    doc = json.loads(r.stdout)["documents"][0]
    source = _html().decode()
    spans = [sp for s in doc["sentences"] for sp in s["spans"]]
    assert spans
    for sp in spans:
        inside = source[sp["source_start"] : sp["source_end"]]
        assert inside.startswith(sp["text"].split()[0]) and inside.endswith(sp["text"].split()[-1])
    text, offsets = inputs.extract_html(source)
    assert "var press" not in text and "p{color" not in text and "Café & bar." in text
    assert all(source[offsets[i, 0]] == text[i] for i, c in enumerate(text) if c.isalpha() and c != "é")


def test_long_line_without_punctuation_is_cut_into_pieces():
    line = ("the press convention was held in the faculty constructing " * 200).strip()
    report = Detector.load().check(line)
    assert len(report.sentences) > 1 and all(len(line[s.start : s.end].split()) <= 150 for s in report.sentences)
    assert all(line[sp.start : sp.end] == sp.text for sp in report.spans)


def test_streamed_file_gives_back_the_input_and_true_offsets(tmp_path, monkeypatch):
    monkeypatch.setattr(inputs, "STREAM_BYTES", 1_000)
    monkeypatch.setattr(inputs, "CHUNK_CHARS", 400)
    paragraphs = [SPUN_SENTENCE, "The weather [-> was] fine.", "x" * 900, "Caf\u00e9 " + SPUN_SENTENCE]
    text = "\n\n".join(paragraphs * 3)
    f = tmp_path / "big.txt"
    f.write_text(text, encoding="utf-8")
    r = runner.invoke(app, ["check", "--format", "text", "--exit-zero", str(f)])
    assert strip_marks(r.stdout) == text
    doc = json.loads(runner.invoke(app, ["check", "--format", "json", str(f)]).stdout)["documents"][0]
    spans = [sp for s in doc["sentences"] for sp in s["spans"]]
    assert len(spans) >= 6 and all(text[sp["start"] : sp["end"]] == sp["text"] for sp in spans)
    starts = [s["start"] for s in doc["sentences"]]
    assert starts == sorted(starts) and doc["sentences"][-1]["end"] <= len(text)
    concise = runner.invoke(app, ["check", "--format", "concise", str(f)]).stdout.splitlines()
    lines = text.split("\n")
    for row in concise[:-1]:
        _, line, col, rest = row.split(":", 3)
        assert lines[int(line) - 1][int(col) - 1 :].startswith(rest.split("'")[1])


@pytest.fixture(scope="module")
def detector():
    return Detector.load()


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200) | st.sampled_from([SPUN_SENTENCE, "[-> x] " + SPUN_SENTENCE]))
def test_any_unicode_text_round_trips_through_the_text_format(detector, text):
    report = detector.check(text)
    assert strip_marks(render_text(report)) == text
    for s in report.sentences:
        assert 0 <= s.start < s.end <= len(text)
        for sp in s.spans:
            assert s.start <= sp.start < sp.end <= s.end and text[sp.start : sp.end] == sp.text


# Runs spundetect from a small intermediate process: on Linux a child's ru_maxrss starts at
# the RSS of the process it was forked from, which here is pytest with a model loaded.
_LAUNCH = (
    "import os, sys\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    os.execv(sys.executable, [sys.executable, '-m', 'spundetect', *sys.argv[1:]])\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "sys.stderr.write(f'\\nmaxrss_kb {usage.ru_maxrss}\\n')\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def _run_measured(args: list[str], cwd) -> tuple[int, str, float, int]:
    """(exit code, stdout, seconds, peak RSS in MB) of ``python -m spundetect ARGS``."""
    import subprocess
    import sys
    import time

    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _LAUNCH, *args], capture_output=True, cwd=cwd)
    seconds = time.perf_counter() - t
    rss_kb = int(re.findall(r"maxrss_kb (\d+)", proc.stderr.decode())[-1])
    return proc.returncode, proc.stdout.decode(), seconds, rss_kb // 1024


def test_one_megabyte_line_without_punctuation(tmp_path):
    clean = (Path(__file__).resolve().parents[1] / "examples" / "clean_article.txt").read_text(encoding="utf-8")
    words = re.findall(r"\w+", clean)  # the clean seed's words, with no sentence punctuation
    line = " ".join(words[i % len(words)] for i in range(200_000))[:1_000_000]
    f = tmp_path / "line.txt"
    f.write_text(line, encoding="utf-8")
    code, out, seconds, rss = _run_measured(["check", "--format", "text", str(f)], tmp_path)
    assert code in (0, 1), out[-500:]
    assert strip_marks(out) == line
    assert rss < 500, rss
    print(f"1 MB line: {seconds:.1f} s, peak RSS <= {rss} MB")


def test_hundred_megabyte_file_streams_in_bounded_memory(tmp_path):
    """100 MB through the streaming path (read, decode, chunk, segment, language gate,
    write): non-English text, so the model itself is not run (that is the benchmark's job,
    at 10k-200k words: 100 MB of English would take hours)."""
    block = ("Der Hund ist sehr groß und die Katze schläft auf dem Sofa im Wohnzimmer. " * 40 + "\n\n").encode()
    f = tmp_path / "big.txt"
    with f.open("wb") as fh:
        for _ in range(100_000_000 // len(block) + 1):
            fh.write(block)
    code, out, seconds, rss = _run_measured(["check", "--format", "concise", str(f)], tmp_path)
    assert code == 0 and out == "", out[-500:]
    assert rss < 500, rss
    print(f"100 MB: {seconds:.1f} s, peak RSS <= {rss} MB")


def test_an_html_page_is_decoded_as_its_meta_charset_declares(tmp_path):
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"></head>'
    f = tmp_path / "page.html"
    f.write_bytes((page + "<body><p>Привет. The press convention was held.</p></body></html>").encode("cp1251"))
    (item,) = inputs.read_inputs([str(f)], inputs.DEFAULT_GLOBS)
    assert item.text.startswith("Привет.") and item.warnings == []
    f.write_bytes('<meta charset="iso-8859-1"><p>Caf\u00e9 \u201cquoted\u201d.</p>'.encode("cp1252"))
    (item,) = inputs.read_inputs([str(f)], inputs.DEFAULT_GLOBS)
    assert item.text.strip() == "Caf\u00e9 \u201cquoted\u201d." and item.warnings == []
    f.write_bytes(b"<meta charset='no-such-codec'><p>Caf\xe9.</p>")  # unknown: decoded and warned about as before
    (item,) = inputs.read_inputs([str(f)], inputs.DEFAULT_GLOBS)
    assert item.text.strip() == "Caf\u00e9." and item.warnings == [f"{f}: not valid UTF-8 (byte 36); decoded as Windows-1252"]


def test_html_blocks_are_set_apart_and_code_is_left_out():
    source = (
        "<h2>Ideas</h2><ul><li>Phony news location</li><li>Stock cost expectation</li></ul>"
        "<p>Line one<br>line two.</p><pre><code>x = load()</code></pre>"
        '<pre class="highlight">y = 2</pre><pre>A poem kept in pre.</pre><p>After.</p>'
    )
    text, offsets = inputs.extract_html(source)
    blocks = ["Ideas", "Phony news location", "Stock cost expectation", "Line one\nline two.", "A poem kept in pre.", "After."]
    assert text.split("\n\n") == [*blocks, ""]
    assert [text[s.start : s.end] for s in segment.sentences(text)] == blocks
    assert all(source[offsets[i, 0]] == c for i, c in enumerate(text) if c.isalpha())


def test_html_pre_never_closed_stays_text():
    text, _ = inputs.extract_html("<p>Intro.</p><pre><code>The rest of the page.")
    assert "The rest of the page." in text


def _notebook(cells: list[dict]) -> str:
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_a_notebook_is_checked_by_its_markdown_cells(tmp_path):
    nb = tmp_path / "work.ipynb"
    nb.write_text(
        _notebook([
            {"cell_type": "markdown", "metadata": {}, "source": ["# Results\n", "\n", SPUN_SENTENCE + "\n"]},
            {"cell_type": "code", "metadata": {}, "source": "print('a press convention')", "outputs": [], "execution_count": 1},
            {"cell_type": "markdown", "metadata": {}, "source": "Officials declined to comment."},
        ]),
        encoding="utf-8",
    )  # fmt: skip
    (item,) = inputs.read_inputs([str(nb)])
    assert item.text == "# Results\n\n" + SPUN_SENTENCE + "\n\nOfficials declined to comment."
    r = runner.invoke(app, ["check", "--format", "json", str(tmp_path)])  # found in a directory by the default globs
    assert r.exit_code == 1
    doc = json.loads(r.stdout)["documents"][0]
    assert doc["path"] == str(nb) and len(doc["sentences"]) == 3 and doc["verdict"] != "clean"


@pytest.mark.parametrize(
    "content, expected",
    [("{not json", "not a Jupyter notebook (JSONDecodeError)"), ('{"metadata": {}}', "not a Jupyter notebook (no cells)")],
)
def test_a_broken_notebook_is_one_line_exit_2(tmp_path, content, expected):
    nb = tmp_path / "broken.ipynb"
    nb.write_text(content, encoding="utf-8")
    r = runner.invoke(app, ["check", str(nb)])
    assert r.exit_code == 2 and r.stderr.strip() == f"spundetect: {nb}: {expected}"


def test_a_notebook_without_markdown_is_an_empty_input(tmp_path):
    nb = tmp_path / "code.ipynb"
    nb.write_text(_notebook([{"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": []}]), encoding="utf-8")
    r = runner.invoke(app, ["check", str(nb)])
    assert r.exit_code == 0 and "0/0 sentences" in r.stdout


def test_a_streamed_file_is_never_cut_inside_fenced_code(tmp_path, monkeypatch):
    monkeypatch.setattr(inputs, "STREAM_BYTES", 1_000)
    monkeypatch.setattr(inputs, "CHUNK_CHARS", 400)
    code = "```python\n" + "\n\n".join(f"x{i} = compute({i})" for i in range(30)) + "\n```"  # blank lines inside
    text = "\n\n".join(["Intro text of the page. " * 5, code, SPUN_SENTENCE, code, "Closing words of the page."] * 2) + "\n"
    f = tmp_path / "big.md"
    f.write_text(text, encoding="utf-8")
    assert inputs._plain_cut(text) < text.index("```", text.index("```") + 3)  # the plain cut falls in the first block
    doc = json.loads(runner.invoke(app, ["check", "--format", "json", "--exit-zero", str(f)]).stdout)["documents"][0]
    got = [text[s["start"] : s["end"]] for s in doc["sentences"]]
    assert not any("compute" in s or "```" in s for s in got)
    assert got.count(SPUN_SENTENCE) == 2 and got.count("Closing words of the page.") == 2
