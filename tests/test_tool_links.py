"""Tool links: the word swaps real spinners were seen making (candidates.tool_links), and
how the candidate table and the restore search use them."""

import random

from spundetect.candidates.compiled import candidates
from spundetect.candidates.synonyms import TOOL
from spundetect.candidates.tool_links import tool_links
from spundetect.lm import language_model
from spundetect.restore import _links, suggest


def test_exact_and_lemma_pairs_inflect_like_the_written_word():
    def originals(word):
        return [t.original for t in tool_links().originals(word)]

    assert "task" in originals("errand")
    assert "tasks" in originals("errands")  # the lemma pair errand -> task, inflected
    assert "using" in originals("utilizing")
    assert originals("qwzxv") == []
    assert not any(o == w for w in ("errand", "errands") for o in originals(w))
    link = tool_links().originals("errands")[0]
    assert (link.lemma, link.count) == ("task", 1) and link.degree > 0


def test_candidates_score_a_tool_link_as_every_thesaurus_forward():
    lm = language_model()
    ids, evidence = candidates("errand")
    at = ids.tolist().index(lm.vocab["task"])
    assert evidence[:2, at].tolist() == [1.0, 3.0]  # forward, three sources
    link = next(x for x in _links("errand") if x.original == "task")
    assert link.bits & TOOL and link.n_sources == 3


def test_a_tool_link_reaches_the_restore_search():
    got = [c.text for c in suggest("errand", "Each errand was solved by the model.", k=3)]
    assert "task" in got


def test_built_from_the_development_rows_only(shared):
    """The packaged table holds every pair the development rows show (and their inflected
    forms), and those rows hold none of the 1,000 evaluation rows (shared/lexicon/README.md)."""
    from spundetect.build.tool_links import word_pairs

    pairs = word_pairs()
    packaged = {(w, t.original): t.count for w, links in tool_links().table.items() for t in links}
    assert set(pairs) <= set(packaged) and all(packaged[p] == n for p, n in pairs.items())
    from spundetect.evaluation import pps_dev_rows

    rows = [line.split("\t") for line in (shared / "lexicon" / "pps_tortured_phrases.tsv").read_text("utf-8").splitlines()[1:]]
    evaluation = {t for t, _ in random.Random(0).sample(rows, 1000)}
    assert len(evaluation) > 900 and not evaluation & {t for t, _ in pps_dev_rows()}
    # "errand" / "task" is seen in development rows; a swap seen only in evaluation rows is absent
    assert ("errand", "task") in packaged
