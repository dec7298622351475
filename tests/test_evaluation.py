"""How the seed evaluation scores a suggestion against a gold phrase (no ../shared needed)."""

from spundetect.evaluation import _accepted_texts, _edit_cover, _edits_inside, _word_edits

TEXT = "Moscow might stage assaults within the contested space to justify it."


def _span(phrase: str) -> tuple[int, int]:
    a = TEXT.index(phrase)
    return a, a + len(phrase)


def test_word_edits_keep_unchanged_words():
    a, b = _span("within the contested space")
    edits = _word_edits(TEXT, a, b, "in the contested area")
    assert [(TEXT[s:e], rep) for s, e, rep in edits] == [("within", "in"), ("space", "area")]


def test_word_edits_insertions_and_phrases():
    a, b = _span("stage assaults")
    assert [(TEXT[s:e], rep) for s, e, rep in _word_edits(TEXT, a, b, "stage major attacks")] == [("assaults", "major attacks")]
    assert [(TEXT[s:e], rep) for s, e, rep in _word_edits(TEXT, a, b, "launch")] == [("stage assaults", "launch")]


def test_a_row_is_judged_on_its_own_words():
    """A suggestion restores the row's phrase; another gold phrase in the same stretch may
    be restored or left as written, but the row's own words must all be restored."""
    lo, hi = _span("stage assaults within the")
    a, b = _span("assaults")
    mine = _word_edits(TEXT, a, b, "attacks")
    c, d = _span("within the contested space")
    theirs = [e for e in _word_edits(TEXT, c, d, "in the contested area") if lo <= e[0] and e[1] <= hi]
    assert _accepted_texts(TEXT, lo, hi, mine, theirs) == {"stage attacks within the", "stage attacks in the"}
    # the other row, over the whole stretch: "space" -> "area" is required
    lo, hi = _span("stage assaults within the contested space")
    accepted = _accepted_texts(TEXT, lo, hi, _word_edits(TEXT, c, d, "in the contested area"), mine)
    assert accepted == {"stage assaults in the contested area", "stage attacks in the contested area"}
    assert "stage attacks in the contested space" not in accepted


def test_changed_words_inside_and_the_exact_marker():
    """A phrase whose changed words are all marked, though the phrase is not inside a
    mark; and the reference marker of exactly the changed words."""
    a, b = _span("within the contested space")
    edits = _word_edits(TEXT, a, b, "in the contested area")
    assert _edits_inside(edits, [_span("within the"), _span("contested space")])
    assert not _edits_inside(edits, [_span("within the")])
    assert _edit_cover(edits) == (a, b)  # changed at both ends: an exact marker holds it whole
    c, d = _span("stage assaults")
    cover = _edit_cover(_word_edits(TEXT, c, d, "stage attacks"))
    assert TEXT[slice(*cover)] == "assaults"
    assert cover != (c, d)  # "stage" is unchanged: an exact marker leaves it out
