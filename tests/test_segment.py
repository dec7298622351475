from hypothesis import given, settings
from hypothesis import strategies as st

from spundetect import segment


def test_tokens_carry_offsets_into_the_input():
    text = "NATO’s chief didn't say “no” — pro-Russian forces, 100,000 troops."
    toks = segment.tokenize(text)
    assert [t.text for t in toks][:4] == ["NATO’s", "chief", "didn't", "say"]
    assert "pro-Russian" in [t.text for t in toks]
    for t in toks:
        assert text[t.start : t.end] == t.text


def test_norm_lowercases_and_folds_numbers():
    assert segment.norm("NATO’s") == "nato's"
    assert segment.norm("100,000") == "<num>"
    assert segment.norm("1990s") == "<num>"


def test_sentences_split_on_ends_but_not_abbreviations():
    text = "Mr. Smith went to Washington. He met U.S. officials! Did it work? Yes.\n\nNew paragraph"
    got = [text[s.start : s.end] for s in segment.sentences(text)]
    assert got == ["Mr. Smith went to Washington.", "He met U.S. officials!", "Did it work?", "Yes.", "New paragraph"]


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_sentences_lie_inside_the_input_in_order(text):
    last = 0
    for s in segment.sentences(text):
        assert last <= s.start < s.end <= len(text)
        for t in s.tokens:
            assert s.start <= t.start < t.end <= s.end
            assert text[t.start : t.end] == t.text
        last = s.end
