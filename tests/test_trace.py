"""spundetect trace: finding the source of a spun text and every swap (spundetect.trace)."""

import json

import pytest
from typer.testing import CliRunner

from spundetect.cli import app
from spundetect.render import render_trace_text, strip_marks
from spundetect.trace import MATCH_SCORE, SourceIndex, align, fixed_pattern, shingle_hashes

runner = CliRunner()

SOURCE = (
    "Early stopping is a form of regularization used to avoid overfitting when training a learner with an iterative "
    "method, such as gradient descent.\n"
    "During training, the model is evaluated on a holdout validation dataset after each epoch.\n"
    "If the performance of the model on the validation dataset starts to degrade, the training process is stopped.\n"
    "The model at the time that training is stopped is then used and is known to have good generalization performance.\n"
)
# spun by hand the way real tools do, with the last two sentences swapped and one added
SPUN = (
    "Early halting is a type of regularization used to stay away from overfitting when preparing a student with an "
    "iterative technique, for example, inclination drop.\n"
    "During preparing, the model is assessed on a holdout approval dataset after every age.\n"
    "The model at the time that preparation is halted is then utilized and is known to have great speculation execution.\n"
    "This is a sentence the spinner added on its own.\n"
    "In the event that the exhibition of the model on the approval dataset begins to debase, the preparation cycle is halted.\n"
)
OTHERS = [
    "The city council met on Tuesday to discuss the new budget for public transport and road repairs.\n"
    "Several residents asked why the bus lines to the northern districts had been cut last year.\n"
    "The mayor said the money would be found in next year's plan, after the elections in May.\n",
    "A storm crossed the coast overnight, bringing heavy rain and winds of more than 100 kilometres an hour.\n"
    "Thousands of homes lost power, and the rail line between the two largest towns was closed until noon.\n",
]


def test_the_fixed_words_survive_spinning():
    assert fixed_pattern("The press convention was held on 4 May in Brussels.")[:3] == ["the", "*", "*"]
    assert {"4", "may", "brussels"} <= set(fixed_pattern("The press convention was held on 4 May in Brussels."))
    shared = set(shingle_hashes(SPUN)) & set(shingle_hashes(SOURCE))
    assert len(shared) / len(shingle_hashes(SPUN)) >= MATCH_SCORE


def test_align_pairs_reordered_sentences_and_reports_each_swap_with_offsets():
    m = align(SPUN, "source.txt", SOURCE)
    assert len(m.pairs) == 4 and m.inserted == 1 and m.dropped == 0
    by_spun = {s.spun: s for s in m.swaps}
    for spun, original in [("halting", "stopping"), ("approval", "validation"), ("utilized", "used"), ("student", "learner")]:
        s = by_spun[spun]
        assert SPUN[s.start : s.end] == spun and SOURCE[s.source_start : s.source_end] == original
    assert by_spun["halting"].agrees == "thesaurus"
    assert ("If the performance", "In the event that the exhibition") not in m.swaps  # sentence-level pairing, not words
    assert m.sentence_pairs(SPUN)[2] == (SOURCE.splitlines()[3], SPUN.splitlines()[2])


def test_index_finds_the_source_among_others_and_round_trips(tmp_path):
    index = SourceIndex.build([("a.txt", OTHERS[0]), ("source.txt", SOURCE), ("b.txt", OTHERS[1])])
    found = index.trace("suspect", SPUN)
    assert [m.path for m in found.matches] == ["source.txt"]
    assert [m.path for m in index.trace("other", OTHERS[1].replace("storm", "tempest")).matches] == ["b.txt"]
    assert not index.trace("unrelated", "Nothing here comes from any of the indexed documents at all, I promise.").found
    index.save(tmp_path / "i.npz")
    again = SourceIndex.load(tmp_path / "i.npz")
    assert again.names == index.names and again.texts == index.texts
    assert again.trace("suspect", SPUN).matches[0].swaps == found.matches[0].swaps


def test_text_marks_strip_back_to_the_suspect():
    index = SourceIndex.build([("source.txt", SOURCE)])
    t = index.trace("suspect", SPUN + "A literal [> and [-> in the input.")
    out = render_trace_text(t)
    assert "[> halting [-> stopping; thesaurus]" in out
    assert out.splitlines()[-1].startswith("== suspect: source found: source.txt")
    assert strip_marks(out) == t.text
    none = index.trace("x", OTHERS[0])
    assert render_trace_text(none).endswith("== x: no source found among 1 documents\n")


def _files(tmp_path):
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "source.txt").write_text(SOURCE)
    for i, text in enumerate(OTHERS):
        (tmp_path / "sources" / f"other{i}.txt").write_text(text)
    (tmp_path / "spun.txt").write_text(SPUN)
    (tmp_path / "clean.txt").write_text("The weather was fine in the morning, and we walked to the harbour for lunch.\n")
    return tmp_path


def test_cli_exit_codes_json_contract_and_pairs(tmp_path):
    d = _files(tmp_path)
    r = runner.invoke(app, ["trace", str(d / "spun.txt"), "--against", str(d / "sources"), "--format", "json",
                            "--pairs", str(d / "pairs.tsv")])  # fmt: skip
    assert r.exit_code == 1, r.output
    doc = json.loads(r.stdout)
    (suspect,) = doc["suspects"]
    assert suspect["path"] == str(d / "spun.txt") and suspect["searched"] == 3
    (match,) = suspect["matches"]
    assert match["path"] == str(d / "sources" / "source.txt") and match["score"] >= MATCH_SCORE
    swap = next(s for s in match["swaps"] if s["spun"] == "halting")
    assert set(swap) == {"spun", "original", "start", "end", "source_start", "source_end", "agrees"}
    assert SPUN[swap["start"] : swap["end"]] == "halting" and SOURCE[swap["source_start"] : swap["source_end"]] == "stopping"
    rows = (d / "pairs.tsv").read_text().splitlines()
    assert rows[0] == "suspect\tsource\toriginal\tspun" and len(rows) == 5
    r = runner.invoke(app, ["trace", str(d / "clean.txt"), "--against", str(d / "sources")])
    assert r.exit_code == 0 and "no source found among 3 documents" in r.stdout
    r = runner.invoke(app, ["trace", str(d / "clean.txt"), "--against", str(d / "sources"), "--format", "json"])
    assert json.loads(r.stdout)["suspects"][0]["matches"] == []
    r = runner.invoke(app, ["trace", str(d / "spun.txt")])
    assert r.exit_code == 2 and r.stderr.startswith("spundetect: give the sources with --against")


def test_cli_index_then_trace_and_a_damaged_index(tmp_path):
    d = _files(tmp_path)
    r = runner.invoke(app, ["index", str(d / "sources"), "-o", str(d / "sources.npz")])
    assert r.exit_code == 0 and "3 documents" in r.stderr
    r = runner.invoke(app, ["trace", "--index", str(d / "sources.npz"), str(d / "spun.txt"), str(d / "clean.txt")])
    assert r.exit_code == 1
    assert "source found: " + str(d / "sources" / "source.txt") in r.stdout
    assert r.stderr.endswith("2 suspects: 1 with a source, 1 without\n")
    (d / "bad.npz").write_bytes(b"PK\x03\x04 not an index")
    r = runner.invoke(app, ["trace", "--index", str(d / "bad.npz"), str(d / "spun.txt")])
    assert r.exit_code == 2 and r.stderr.startswith(f"spundetect: {d / 'bad.npz'}: not a spundetect index")
    assert r.stderr.count("\n") == 1
    r = runner.invoke(app, ["index", str(d / "sources"), "-o", str(d / "sources" / "x.txt")])
    assert r.exit_code == 2 and "is also an input" in r.stderr


def test_real_spun_documents_are_traced_to_their_sources(shared):
    from spundetect.eval_real import eval_trace

    r = eval_trace(shared)
    assert r["indexed"] >= 2_000
    assert r["top_match_is_source"] == r["spun_documents"]
    assert r["stretches_reported_exactly_share"] >= 0.9
    assert r["unrelated_with_a_match"] == 0


@pytest.mark.parametrize("width", [1280, 400])
def test_trace_html_side_by_side_and_linked_in_a_browser(tmp_path, width):
    from test_browser import CHROMIUM_FLAGS, _browser_or_skip

    chromium, sync_playwright = _browser_or_skip()
    d = _files(tmp_path)
    page_file = d / "trace.html"
    r = runner.invoke(app, ["trace", str(d / "spun.txt"), "--against", str(d / "sources"), "-f", "html", "-o", str(page_file)])
    assert r.exit_code == 1, r.output
    requests = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.on("request", lambda q: requests.append(q.url))
        page.goto(page_file.as_uri())
        assert "spun.txt" in page.title()
        spun, orig = page.locator("mark.swap"), page.locator("mark.orig")
        assert spun.count() == orig.count() >= 10
        halting = page.locator("mark.swap", has_text="halting").first
        link = halting.locator("xpath=following-sibling::sup[1]/a")
        other = page.locator(link.get_attribute("href"))
        assert other.inner_text() == "stopping"
        back = other.locator("xpath=following-sibling::sup[1]/a").get_attribute("href")
        assert back == "#" + halting.get_attribute("id")
        a, b = page.locator(".pair > div").nth(0).bounding_box(), page.locator(".pair > div").nth(1).bounding_box()
        if width < 700:  # stacked, nothing overflows sideways
            assert b["y"] >= a["y"] + a["height"] and page.evaluate("document.documentElement.scrollWidth") <= width
        else:  # side by side
            assert abs(a["y"] - b["y"]) < 5 and b["x"] > a["x"] + a["width"] - 1
        browser.close()
    assert all(u.startswith("file://") for u in requests), requests
