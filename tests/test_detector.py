import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import spundetect
from spundetect import segment
from spundetect.cli import app
from spundetect.detector import Detector
from spundetect.render import strip_marks

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
runner = CliRunner()


@pytest.fixture(scope="module")
def detector():
    return Detector.load()


@pytest.fixture(scope="module")
def spun_report(detector):
    return detector.check((EXAMPLES / "spun_article.txt").read_text(encoding="utf-8"), "spun_article.txt")


def test_spun_example_is_flagged_with_press_conference(spun_report):
    assert spun_report.spun
    found = {sp.text: [o.text for o in sp.originals] for sp in spun_report.spans}
    assert "press convention" in found and found["press convention"][0] == "press conference"


def test_clean_example_is_not_flagged(detector):
    report = detector.check((EXAMPLES / "clean_article.txt").read_text(encoding="utf-8"))
    assert not report.spun
    assert sum(s.spun for s in report.sentences) <= 1


def test_offsets_slice_the_input(spun_report):
    text = spun_report.text
    for s in spun_report.sentences:
        for sp in s.spans:
            assert text[sp.start : sp.end] == sp.text
            assert s.start <= sp.start < sp.end <= s.end
            assert all(0.0 <= o.score <= 1.0 for o in sp.originals)


def test_empty_and_whitespace_text(detector):
    for text in ("", "   \n\n  "):
        r = detector.check(text)
        assert r.sentences == () and not r.spun and r.score == 0.0


def test_module_level_check_and_records():
    r = spundetect.check("The minister spoke at a press convention on Monday.")
    rows = r.records()
    assert all(set(row) >= {"path", "sentence", "start", "end", "text", "score", "original"} for row in rows)
    assert "<mark" in r._repr_html_() or not rows


def test_check_json_contract():
    res = runner.invoke(app, ["check", "--format", "json", str(EXAMPLES / "spun_article.txt")])
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert doc["schema_version"] == 3 and set(doc["model"]) == {"name", "version", "sha256"}
    d = doc["documents"][0]
    assert set(d) >= {"path", "score", "spun", "verdict", "threshold", "words", "sentences", "translated"}
    assert d["verdict"] == "spun" and 0 < d["threshold"] < 1
    assert set(d["translated"]) == {"score", "likely"}
    s = d["sentences"][0]
    assert set(s) == {"start", "end", "score", "spun", "spans", "translated"}
    sp = next(sp for s in d["sentences"] for sp in s["spans"])
    assert set(sp) == {"start", "end", "text", "score", "source", "originals"}
    assert sp["source"] in {"synonym", "phrase", "fingerprint"}


def test_check_exit_codes(tmp_path):
    assert runner.invoke(app, ["check", str(EXAMPLES / "clean_article.txt")]).exit_code == 0
    assert runner.invoke(app, ["check", "--exit-zero", str(EXAMPLES / "spun_article.txt")]).exit_code == 0
    res = runner.invoke(app, ["check", "--format", "xml", str(EXAMPLES / "clean_article.txt")])
    assert res.exit_code == 2
    res = runner.invoke(app, ["check", str(tmp_path / "missing.txt")])
    assert res.exit_code == 2 and "missing.txt" in res.stderr
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01")
    res = runner.invoke(app, ["check", str(tmp_path / "bin.txt")])
    assert res.exit_code == 2 and "not a text file" in res.stderr


def test_text_format_marks_are_removable():
    text = (EXAMPLES / "spun_article.txt").read_text(encoding="utf-8")
    res = runner.invoke(app, ["check", str(EXAMPLES / "spun_article.txt")])
    assert strip_marks(res.stdout) == text
    assert "[> press convention [-> press conference" in res.stdout


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_text_gives_a_consistent_report(detector, text):
    report = detector.check(text)
    assert 0.0 <= report.score <= 1.0
    last = 0
    for s in report.sentences:
        assert last <= s.start < s.end <= len(text)
        last = s.end
        for sp in s.spans:
            assert s.start <= sp.start < sp.end <= s.end
            assert text[sp.start : sp.end] == sp.text
    doc = json.loads(json.dumps(report.to_dict()))
    for s in doc["sentences"]:
        for sp in s["spans"]:
            assert text[sp["start"] : sp["end"]] == sp["text"]


def test_check_many_gives_the_reports_of_check_one_by_one(detector):
    spun = (EXAMPLES / "spun_article.txt").read_text(encoding="utf-8")
    clean = (EXAMPLES / "clean_article.txt").read_text(encoding="utf-8")
    german = "Das ist ein deutscher Satz mit vielen Wörtern, der bestimmt nicht Englisch ist."
    texts = [spun[:1500], "", "Short clean line.", clean, german, spun[1500:]]
    together = detector.check_many(texts, [f"t{i}" for i in range(len(texts))])
    for i, (text, report) in enumerate(zip(texts, together)):
        alone = detector.check(text, f"t{i}")
        assert report == alone


@pytest.mark.parametrize(
    "sentence, word, widened",
    [
        ("Stoltenberg said at a press convention on Thursday.", "convention", ["press", "conference"]),
        ("It is demanding Western allies pull again from Eastern Europe.", "pull", ["pull", "back"]),
        ("Western leaders have principally rejected the request.", "principally", None),
    ],
)
def test_one_word_span_widens_only_to_restore_a_collocation(detector, sentence, word, widened):
    """A flagged word is widened to its neighbour when the restored pair keeps one written
    word and is a far likelier pair; a restoration that rewrites both words is no reason."""
    tokens = [t.text for t in spundetect.segment.tokenize(sentence)]
    i = tokens.index(word)
    a, b, cands = detector._restore(tokens, i, i + 1, np.zeros(len(tokens)))  # neighbours look clean
    if widened is not None:
        assert b - a == 2 and cands[0].text.split() == widened
    if b - a == 2:
        top, written = cands[0].text.lower().split(), [t.lower() for t in tokens[a:b]]
        assert (top[0] == written[0]) != (top[1] == written[1])


@pytest.mark.parametrize(
    "sentence, word, searches",
    [
        ("Stoltenberg said at a press convention on Thursday.", "convention", 2),  # "press conference" in sight
        ("Western leaders have principally rejected the request.", "principally", 1),  # "have": a function word
        ("The committee examined the ancient manuscript carefully.", "ancient", 1),
    ],
)
def test_a_word_and_its_neighbour_are_searched_together_only_with_a_collocation_in_sight(
    detector, monkeypatch, sentence, word, searches
):
    """The pair's own search is skipped where neither the word's suggestions beside the
    neighbour nor the neighbour's originals beside the word make a collocation ten times
    likelier than the written pair ("ancient manuscript": "old manuscript" is not)."""
    import spundetect.detector as module

    calls, search = [], module.restore_span

    def counted(tokens, a, b, **kw):
        calls.append((a, b))
        return search(tokens, a, b, **kw)

    monkeypatch.setattr(module, "restore_span", counted)
    tokens = [t.text for t in segment.tokenize(sentence)]
    i = tokens.index(word)
    detector._restore(tokens, i, i + 1, np.zeros(len(tokens)))
    assert len(calls) == searches and calls[0] == (i, i + 1)


def test_a_span_takes_in_an_article_its_suggestions_disagree_with(detector):
    """A suggestion that needs the other article brings the article into the span ("a
    man-made brainpower" -> "an artificial intelligence"); one that agrees leaves it out."""
    tokens = [t.text for t in segment.tokenize("We can construct a man-made brainpower model.")]
    i = tokens.index("man-made")
    a, b, cands = detector._restore(tokens, i, i + 2, np.zeros(len(tokens)))
    assert (a, b) == (i - 1, i + 2) and cands[0].text == "an artificial intelligence"
    tokens = [t.text for t in segment.tokenize("They relied on a counterfeit consciousness tool.")]
    i = tokens.index("counterfeit")
    a, b, cands = detector._restore(tokens, i, i + 2, np.zeros(len(tokens)))
    assert (a, b) == (i - 1, i + 2) and cands[0].text == "an artificial intelligence"
    tokens = [t.text for t in segment.tokenize("Stoltenberg said at a press convention on Thursday.")]
    i = tokens.index("press")
    assert detector._restore(tokens, i, i + 2, np.zeros(len(tokens)))[:2] == (i, i + 2)


def test_second_span_stage_changes_spans_not_sentences(detector):
    """Sentences and documents are scored from the first span stage; the second stage
    (each word among its neighbours) only rescores words for the spans."""
    text = (EXAMPLES / "spun_article.txt").read_text(encoding="utf-8")
    sents = [[t.text for t in s.tokens] for s in segment.sentences(text, 150)]
    first_only = Detector(replace(detector.model, context=None), suggestions=0)
    both_stages, first_stage = detector.score(sents), first_only.score(sents)
    assert np.array_equal(both_stages.sentence_p, first_stage.sentence_p)
    both, first = np.concatenate(both_stages.span_p), np.concatenate(first_stage.span_p)
    low = first < detector.model.context_min_p  # left alone by the second stage
    assert low.any() and np.array_equal(both[low], first[low])
    assert not np.allclose(both[~low], first[~low])


@pytest.mark.parametrize("p_space, widened", [(0.1, False), (0.45, True)])
def test_span_widens_to_a_likely_spun_neighbour_it_restores(detector, p_space, widened):
    """A span takes in a neighbouring word whose own span probability reaches NEIGHBOUR_P
    when restoring the two together changes it ("within the" + "space" -> "in the area"),
    and never a neighbour that restoring leaves as written ("city")."""
    from spundetect.detector import NEIGHBOUR_P

    tokens = [t.text for t in segment.tokenize("He blamed it on the separatists within the space.")]
    i = tokens.index("within")
    prob = np.zeros(len(tokens))
    prob[i + 2] = p_space
    a, b, cands = detector._restore(tokens, i, i + 2, prob)
    assert (b == i + 3) == widened == (p_space >= NEIGHBOUR_P)
    if widened:
        assert "in the area" in [c.text for c in cands] and cands[0].text.split()[-1] != "space"
    tokens = [t.text for t in segment.tokenize("Talks continue within the city near the border.")]
    i = tokens.index("within")
    prob = np.zeros(len(tokens))
    prob[i + 2] = 0.9
    assert detector._restore(tokens, i, i + 2, prob)[:2] == (i, i + 2)


def test_a_fingerprint_before_its_abbreviation_keeps_the_abbreviation(detector):
    """A listed tortured phrase followed by its abbreviation in brackets ("irregular walk
    (RW)"): the span is the phrase, the abbreviation is kept, and the span has originals."""
    text = "The model uses irregular walk (RW) sampling on the graph."
    spans = [sp for s in detector.check(text).sentences for sp in s.spans]
    assert [sp.text for sp in spans] == ["irregular walk"]
    assert spans[0].source == "fingerprint" and spans[0].originals


def test_span_threshold_shows_weaker_suspicions_and_keeps_the_verdicts(detector, spun_report):
    """``span_threshold`` replaces every span threshold: each word whose span probability
    reaches it is in a span, fingerprints always are, and sentence and document verdicts and
    scores do not move."""
    text = spun_report.text
    t = 0.3
    assert t < min(v for k, v in detector.model.thresholds.items() if k.startswith("span"))
    low = Detector(detector.model, span_threshold=t).check(text)
    assert [(s.score, s.spun) for s in low.sentences] == [(s.score, s.spun) for s in spun_report.sentences]
    assert (low.score, low.spun) == (spun_report.score, spun_report.spun)
    assert len(low.spans) > len(spun_report.spans)
    covered = {(sp.start, sp.end) for sp in low.spans}
    assert all(any(a <= sp.start and sp.end <= b for a, b in covered) for sp in spun_report.spans)
    none = Detector(detector.model, span_threshold=1.0).check(text)
    assert all(sp.source == "fingerprint" for sp in none.spans)


def test_check_span_threshold_option(tmp_path):
    f = tmp_path / "one.txt"
    f.write_text("The press convention was held in the faculty constructing.\n", encoding="utf-8")
    strict = runner.invoke(app, ["check", "--format", "json", str(f)])
    loose = runner.invoke(app, ["check", "--format", "json", "--span-threshold", "0.01", str(f)])
    assert strict.exit_code == loose.exit_code
    spans = lambda r: [sp["text"] for s in json.loads(r.stdout)["documents"][0]["sentences"] for sp in s["spans"]]  # noqa: E731
    assert len(spans(loose)) > len(spans(strict))
    assert runner.invoke(app, ["check", "--span-threshold", "2", str(f)]).exit_code == 2


def test_document_score_weighs_sentences_by_their_words(detector):
    """A heading or caption of two words weighs two words' worth in the document score and
    in the "other sentences" that back a sentence, not as much as a long sentence."""
    from spundetect.detector import document_score, sentence_words

    assert sentence_words(["Café", "&", "bar", "."]) == 2
    assert sentence_words(segment.tokenize("Café & bar.")) == 2
    p, words = np.array([0.99, 0.3]), [20, 2]
    assert document_score(p) == pytest.approx(0.645)
    assert document_score(p, words) == pytest.approx((0.99 * 20 + 0.3 * 2) / 22)
    assert document_score(p, [0, 0]) == document_score(p)  # no words anywhere: plain mean
    doc_t = detector.model.thresholds["document"]
    decision = detector.decide(p, words)
    assert decision.score == document_score(p, words) and decision.score >= doc_t > document_score(p)
    assert decision.spun and decision.sentences[0]
    # a sentence between the two sentence thresholds is flagged when the others, weighted
    # by their words, average at least the document threshold
    th = detector.model.thresholds
    mid = (th["sentence_in_flagged_doc"] + th["sentence"]) / 2
    q = np.array([0.99, mid, 0.1])
    assert (0.99 * 20 + 0.1) / 21 >= doc_t > max((0.99 + 0.1) / 2, (0.99 + 0.1 * 20) / 21)
    assert detector.decide(q, [20, 10, 1]).sentences.tolist() == [True, True, False]
    assert detector.decide(q, [1, 10, 20]).sentences.tolist() == [True, False, False]
    assert detector.decide(q).sentences.tolist() == [True, False, False]


def test_a_sentence_flagged_on_its_own_must_show_a_marked_word(detector):
    """The sentence tier alone flags a sentence only where one of its words reaches the span
    tier of a flagged sentence (a flag the user can see the reason for); in a spun document
    the lower tier needs no mark, and --threshold keeps the tier alone."""
    from spundetect.detector import Detector

    th = detector.model.thresholds
    high, marked, unmarked = 0.99, th["span_in_flagged"], th["span_in_flagged"] - 0.01
    alone = np.array([high])
    assert detector.decide(alone, [10], span_max=[marked]).sentences.tolist() == [True]
    assert detector.decide(alone, [10], span_max=[unmarked]).sentences.tolist() == [False]
    assert detector.decide(alone, [10]).sentences.tolist() == [True]  # no span scores given
    assert not detector.decide(alone, [10], span_max=[unmarked]).spun
    backed = np.array([high, high])  # each has a spun document around it
    assert detector.decide(backed, [10, 10], span_max=[unmarked, unmarked]).sentences.tolist() == [True, True]
    known = detector.decide(alone, [10], [True], span_max=[0.0])
    assert known.sentences.tolist() == [True]  # a known tortured phrase is its own mark
    override = Detector(detector.model, threshold=0.5, suggestions=0, translated=False)
    assert override.decide(alone, [10], span_max=[0.0]).sentences.tolist() == [True]
    report = detector.check("The press convention was held.")
    assert all(s.spans for s in report.sentences if s.spun)


def test_a_recurring_spun_word_reads_as_one_original_throughout(detector):
    """The same spun word in two sentences gets the same suggestions in both, from the
    evidence of both: alone, "We assemble the framework" puts "compare" first."""
    text = "The main errand of the venture is to assemble a framework. We assemble the framework in two stages."
    spans = [sp for sp in detector.check(text).spans if sp.text == "assemble"]
    assert len(spans) == 2
    assert [c.text for c in spans[0].originals] == [c.text for c in spans[1].originals]
    assert spans[1].originals[0].text == "build"


def test_texts_that_are_not_str_are_refused_with_a_clear_message():
    with pytest.raises(TypeError, match="must be str, not bytes"):
        spundetect.check(b"The press convention was held.")
    with pytest.raises(TypeError, match="a list of texts"):
        spundetect.Detector.load().check_many("The press convention was held.")
