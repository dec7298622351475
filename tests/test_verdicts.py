"""Verdicts people can act on (issue 22): each document's verdict agrees with what is
marked in it; known tortured phrases always count; no near-zero alternative is shown."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spundetect.cli import app
from spundetect.detector import Detector
from spundetect.render import Totals
from spundetect.results import KNOWN_PHRASES_NOTE, MIN_ALTERNATIVE, VERDICTS

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TORTURED = "We applied counterfeit consciousness and an irregular woodland to the data."


@pytest.fixture(scope="module")
def detector():
    return Detector.load()


def _agrees(report) -> None:
    """The verdict says what the marks say: clean exactly when nothing is flagged or marked
    (at the model's own thresholds), spun exactly when the document is flagged."""
    flagged = any(s.spun for s in report.sentences)
    marked = bool(report.spans)
    assert report.verdict in VERDICTS
    assert (report.verdict == "spun") == report.spun
    assert (report.verdict == "clean") == (not flagged and not marked), report.path
    if any(sp.source == "fingerprint" for sp in report.spans):
        assert report.verdict != "clean"


def test_a_sentence_with_known_tortured_phrases_is_flagged_and_exits_1(detector):
    report = detector.check(TORTURED)
    assert [sp.source for sp in report.spans] == ["fingerprint", "fingerprint"]
    assert report.sentences[0].spun and report.verdict in ("spun", "suspicious")
    _agrees(report)
    r = runner.invoke(app, ["check", "-"], input=TORTURED)
    assert r.exit_code == 1
    assert ("some signs of spinning" in r.stdout) or ("likely spun" in r.stdout)
    r = runner.invoke(app, ["check", "--format", "concise", "-"], input=TORTURED)
    assert r.stdout.splitlines()[-1].startswith("-:1:1: ") and " document: " in r.stdout.splitlines()[-1]
    r = runner.invoke(app, ["check", "--format", "json", "-"], input=TORTURED)
    assert json.loads(r.stdout)["documents"][0]["verdict"] == report.verdict


PLAIN = ("The team met on Monday to discuss the budget.", "The results were shared with the board.")
ONE = "Researchers said profound learning was used in the study."
OTHER = "They also relied on counterfeit consciousness for the analysis."


def test_two_distinct_known_tortured_phrases_make_a_document_likely_spun_whatever_its_score(detector):
    two = detector.check(" ".join([PLAIN[0], ONE, PLAIN[1], OTHER]))
    assert two.score < two.threshold  # the rule, not the score, flags it
    assert two.verdict == "spun" and two.spun and KNOWN_PHRASES_NOTE in two.notes
    assert two.known_phrases == {"profound learning", "counterfeit consciousness"}
    _agrees(two)
    again = detector.check(" ".join([PLAIN[0], ONE, PLAIN[1], ONE.replace("Researchers", "Others")]))
    assert again.verdict == "suspicious" and not again.notes  # one phrase, however often
    r = runner.invoke(app, ["check", "--format", "json", "-"], input=" ".join([PLAIN[0], ONE, PLAIN[1], OTHER]))
    document = json.loads(r.stdout)["documents"][0]
    assert r.exit_code == 1 and document["verdict"] == "spun" and document["notes"] == [KNOWN_PHRASES_NOTE]
    r = runner.invoke(app, ["check", "--format", "concise", "-"], input=" ".join([PLAIN[0], ONE, PLAIN[1], OTHER]))
    assert r.stdout.splitlines()[-1].endswith("likely spun (2/4 sentences, 2 spans; 2 distinct known tortured phrases)")


def test_distinct_known_tortured_phrases_count_over_a_documents_chunks(detector):
    first, second = detector.check(f"{PLAIN[0]} {ONE}"), detector.check(f"{PLAIN[1]} {OTHER}")
    assert first.verdict == second.verdict == "suspicious"
    totals = Totals("doc", detector.document_threshold)
    totals.add(first)
    assert not totals.spun and totals.notes == []
    totals.add(second)
    assert totals.spun and totals.verdict == "spun" and totals.notes == [KNOWN_PHRASES_NOTE]


def test_verdicts_agree_with_the_marks_on_the_examples_and_seeds(detector, shared):
    texts = {p.name: p.read_text(encoding="utf-8") for p in EXAMPLES.glob("*.txt")}
    texts |= {p.name: p.read_text(encoding="utf-8") for p in (shared / "seeds").glob("*.txt")}
    reports = detector.check_many(list(texts.values()), list(texts))
    for report in reports:
        _agrees(report)
    verdicts = {r.path: r.verdict for r in reports}
    assert verdicts["spun_article.txt"] == "spun" and verdicts["clean_article.txt"] == "clean"
    assert verdicts["000_2d48038f344946a1.txt"] == "clean" and verdicts["001_38abb57aea349095.txt"] == "spun"


def test_verdicts_agree_with_the_marks_on_real_spun_and_clean_documents(detector, shared):
    import csv

    docs: dict[str, list[str]] = {}
    for name in ("dev_pairs.tsv", "dev_spun_only.tsv"):
        with open(shared / "realspin" / name, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                docs.setdefault(f"{name}:{row['doc']}", []).append(row["spun"])
    lines = (shared / "eval" / "clean_sentences.txt").read_text(encoding="utf-8").splitlines()[:300]
    texts = [" ".join(v) for v in docs.values()] + ["\n".join(lines[a : a + 10]) for a in range(0, 300, 10)]
    texts += docs[next(iter(docs))][:8]  # single real spun sentences too
    reports = Detector(detector.model, suggestions=0).check_many(texts)  # verdicts do not need originals
    for report in reports:
        _agrees(report)
    assert {r.verdict for r in reports} == set(VERDICTS)


def test_span_threshold_shows_more_but_changes_no_verdict(detector):
    text = "The press convention was held in the faculty constructing."
    strict = detector.check(text)
    loose = Detector(detector.model, span_threshold=0.3).check(text)
    assert len(loose.spans) > len(strict.spans) and loose.verdict == strict.verdict


def test_no_alternative_under_the_minimum_in_any_format(detector):
    text = (EXAMPLES / "spun_article.txt").read_text(encoding="utf-8")
    report = detector.check(text)
    assert any(len(sp.originals) > 1 for sp in report.spans)
    assert all(o.score >= MIN_ALTERNATIVE for sp in report.spans for o in sp.originals[1:])
    r = runner.invoke(app, ["suggest", "--format", "json", "--top", "20", "at the moment"])
    for phrase in json.loads(r.stdout)["phrases"]:
        assert all(o["score"] >= MIN_ALTERNATIVE for o in phrase["originals"][1:])


def test_version():
    from spundetect import __version__

    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.stdout == f"spundetect {__version__}\n"


def test_records_at_every_level_and_a_short_repr(detector):
    text = (EXAMPLES / "clean_article.txt").read_text(encoding="utf-8")
    clean = detector.check(text, "clean.txt")
    assert clean.records() == []  # no span: no span row
    (doc,) = clean.records("document")
    assert doc["path"] == "clean.txt" and doc["verdict"] == "clean" and doc["spans"] == 0
    rows = clean.records("sentence")
    assert len(rows) == len(clean.sentences) and rows[0]["text"] == text[rows[0]["start"] : rows[0]["end"]]
    with pytest.raises(ValueError):
        clean.records("word")
    assert repr(clean).startswith("Report(path='clean.txt', verdict='clean'") and len(repr(clean)) < 200
    assert "white-space:pre-wrap" in clean._repr_html_()  # paragraphs kept in notebooks


def test_output_file_line_summary_over_many_files_and_info_in_words(tmp_path):
    out = tmp_path / "r.txt"
    r = runner.invoke(app, ["check", str(EXAMPLES / "spun_article.txt"), str(EXAMPLES / "clean_article.txt"), "-o", str(out)])
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [f"spundetect: wrote {out}", "spundetect: 2 documents: 1 spun, 0 suspicious, 1 clean"]
    r = runner.invoke(app, ["info"])
    threshold = Detector.load().document_threshold
    assert f"a document is likely spun from spin score {threshold:.2f}" in r.stdout and "{" not in r.stdout.split("model:")[0]


def test_train_writes_into_the_package_only_when_asked():
    r = runner.invoke(app, ["train"])
    assert r.exit_code == 2 and "--packaged" in r.stderr


def test_html_title_names_the_file_and_the_footer_the_versions(detector):
    from spundetect import __version__
    from spundetect.render import render_html

    report = detector.check("The press convention was held.", "essay.txt")
    page = render_html([report], report.model)
    assert "<title>spundetect report: essay.txt</title>" in page
    assert f"Made by spundetect {__version__} on " in page and report.model["sha256"][:16] in page


class _Terminal:
    """A stderr stand-in that says it is a terminal and keeps what is written."""

    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, s):
        self.text += s

    def flush(self):
        pass


def test_progress_line_counts_inputs_words_and_time_left():
    from spundetect.cli import _Progress

    now = [0.0]
    term = _Terminal()
    progress = _Progress({"a.txt": 1000, "b.txt": 3000}, stream=term, clock=lambda: now[0])
    progress.step("a.txt", 1.0, 150)
    assert term.text == ""  # nothing in the first second
    progress.input_done("a.txt", 150)
    now[0] = 2.0
    progress.step("b.txt", 0.5, 200)  # within one big file: half of b.txt read
    line = term.text.split("\r\x1b[K")[-1]
    # the rate is measured from the first piece (a.txt, done at 0 s): 1,500 bytes in 2 s
    assert line == "spundetect: 1/2 inputs, 350 words, 62% done, about 2 s left (b.txt)"
    now[0] = 2.1
    progress.step("b.txt", 0.6, 240)  # not again within 0.2 s
    assert term.text.split("\r\x1b[K")[-1] == line
    progress.clear()
    assert term.text.endswith("\r\x1b[K")
    unknown = _Progress(None, stream=term, clock=lambda: now[0])
    now[0] = 10.0
    unknown.step("crawl.jsonl:7", 1.0, 90)
    assert term.text.split("\r\x1b[K")[-1] == "spundetect: 0 inputs, 90 words (crawl.jsonl:7)"


def test_no_progress_line_unless_stderr_is_a_terminal():
    from spundetect.cli import _Progress

    class Pipe(_Terminal):
        def isatty(self):
            return False

    pipe = Pipe()
    progress = _Progress({"a.txt": 10}, stream=pipe, clock=lambda: 100.0)
    progress.step("a.txt", 0.5, 10)
    progress.clear()
    assert pipe.text == ""
