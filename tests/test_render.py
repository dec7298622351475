"""Output formats: the text marks come off byte for byte; every format carries the facts."""

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spundetect.render import render_concise, render_html, render_jsonl, render_text, strip_marks
from spundetect.results import Report, SentenceResult, Span, Suggestion

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
MARKY = ["[->", "[=>", "[>", "[>>", " [-> x]", "[->>", "[=> spin 0.5]", "==", "\n== ", "]", "[", ">", "\r\n", "\\"]


@st.composite
def reports(draw):
    """A report on arbitrary text (mark-like text included) with sentences and spans at
    arbitrary, well-formed offsets, as the detector could produce them."""
    pieces = draw(st.lists(st.one_of(st.text(max_size=12), st.sampled_from(MARKY)), max_size=12))
    text = "".join(pieces)
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8, unique=True)))
    sentences = []
    for a, b in zip(cuts[::2], cuts[1::2]):
        if a == b:
            continue
        spans, pos = [], a
        for lo, hi in sorted(draw(st.lists(st.tuples(st.integers(a, b), st.integers(a, b)), max_size=3))):
            lo, hi = max(lo, pos), hi
            if lo < hi:
                alts = tuple(Suggestion(w, 0.5) for w in draw(st.lists(st.text(min_size=1, max_size=8), max_size=3)))
                spans.append(Span(lo, hi, text[lo:hi], 0.9, "synonym", alts))
                pos = hi
        spun = draw(st.booleans())
        sentences.append(SentenceResult(a, b, 0.9 if spun else 0.1, spun, tuple(spans)))
    return Report(text, 0.5, bool(sentences), 0, tuple(sentences), draw(st.sampled_from([None, "a.txt", "odd\npath"])))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports())
def test_text_marks_come_off_byte_for_byte(report):
    assert strip_marks(render_text(report)) == report.text


def test_marks_follow_the_documented_syntax():
    text = "He spoke at a press convention. Odd [-> input] stays.\n"
    span = Span(14, 30, "press convention", 0.9, "synonym", (Suggestion("press conference", 0.8),))
    sentences = (SentenceResult(0, 31, 0.95, True, (span,)), SentenceResult(32, 53, 0.1, False))
    r = Report(text, 0.9, True, 9, sentences, "x.txt")
    out = render_text(r)
    assert out.startswith(
        "He spoke at a [> press convention [-> press conference; 0.90]. [=> spin 0.95] Odd [->> input] stays.\n== x.txt:"
    )
    assert strip_marks(out) == text
    assert "\x1b[" in render_text(r, color=True) and "\x1b[" not in out
    flagged = render_text(r, show="flagged")
    assert flagged.startswith("x.txt:1: He spoke at a [> press convention [-> press conference; 0.90].") and "Odd" not in flagged


@pytest.fixture(scope="module")
def seed_report():
    from spundetect.detector import Detector

    path = EXAMPLES / "spun_article.txt"
    return Detector.load().check(path.read_text(encoding="utf-8"), str(path))


def test_concise_lines_point_at_the_spans(seed_report):
    lines = render_concise(seed_report).splitlines()
    spans = seed_report.spans
    assert len(lines) == len(spans) + 1 and "document: likely spun" in lines[-1]
    text = seed_report.text
    for line, sp in zip(lines, spans):
        m = re.match(r"(.+):(\d+):(\d+): (\d\.\d\d) (\w+): (.+) -> (.+)$", line)
        assert m, line
        row, col = int(m.group(2)), int(m.group(3))
        assert text.splitlines(keepends=True)[row - 1][col - 1 :].startswith(sp.text)
    assert any("'press convention' -> 'press conference'" in line for line in lines)


def test_jsonl_is_one_sentence_per_line_then_the_document(seed_report):
    rows = [json.loads(line) for line in render_jsonl(seed_report).splitlines()]
    *sentences, document = rows
    assert len(sentences) == len(seed_report.sentences)
    for i, (row, s) in enumerate(zip(sentences, seed_report.sentences)):
        assert row["kind"] == "sentence" and row["sentence"] == i and row["path"] == seed_report.path
        assert row["start"] == s.start and row["text"] == seed_report.text[s.start : s.end]
        for sp in row["spans"]:
            assert seed_report.text[sp["start"] : sp["end"]] == sp["text"]
    assert document["kind"] == "document" and document["spun"] is True and document["verdict"] == "spun"
    assert document["score"] == round(seed_report.score, 4) and document["spans"] == len(seed_report.spans)


def test_html_is_standalone_and_carries_the_facts(seed_report):
    page = render_html([seed_report], seed_report.model, {"list_sha256": "ab" * 32, "credit": "Problematic Paper Screener"})
    assert not re.search(r"""(src|href)=['"]?(https?:)?//""", page)  # no network requests
    assert page.count("<mark class='spun'") == len(seed_report.spans)
    assert "data-original='press conference'" in page
    assert f"spin score {seed_report.score:.2f} of 1" in page and "risk marker, not proof" in page
    assert "likely spun" in page and "data-verdict='spun'" in page
    assert seed_report.model["sha256"][:16] in page and "abababab" in page


def test_the_summary_line_says_1_span_and_2_spans():
    from typer.testing import CliRunner

    from spundetect.cli import app

    r = CliRunner().invoke(app, ["check", "-"], input="The press convention was held.\nIt was within the capital.\n")
    assert "sentences and 1 span flagged." in r.stdout
    r = CliRunner().invoke(
        app, ["check", "--format", "concise", "-"], input="The press convention was held.\nIt was within the capital.\n"
    )
    assert re.search(r"document: [a-z ]+ \([12]/2 sentences, 1 span\)\n$", r.stdout), r.stdout
    spun = (Path(__file__).resolve().parents[1] / "examples" / "spun_article.txt").read_text(encoding="utf-8")
    r = CliRunner().invoke(app, ["check", "-"], input=spun)
    n = int(re.search(r"sentences and (\d+) spans flagged\.", r.stdout).group(1))
    assert n > 1
