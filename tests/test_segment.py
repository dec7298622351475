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


README = """# Loader

It loads images.

```python
x = load("a.png")  # The researchers used profound learning. Another line.
```

~~~
```
still code, the inner fence does not close a tilde block
~~~~

Done here.
"""


def test_fenced_code_blocks_hold_no_sentence():
    got = [README[s.start : s.end] for s in segment.sentences(README)]
    assert got == ["Loader", "It loads images.", "Done here."]
    blocks = segment.code_blocks(README)
    assert [README[a:b].splitlines()[0] for a, b in blocks] == ["```python", "~~~"]
    assert README[blocks[1][0] : blocks[1][1]].endswith("~~~~")


def test_a_fence_never_closed_hides_nothing():
    text = "```\nThe researchers used profound learning. It works.\n"
    assert segment.code_blocks(text) == []
    assert [text[s.start : s.end] for s in segment.sentences(text)][-1] == "It works."


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["```", "~~~", "````", "```py", "text. More", "\n", "\n\n", " ", "Word"]), max_size=30))
def test_sentences_and_code_blocks_never_overlap(pieces):
    text = "\n".join(pieces)
    blocks = segment.code_blocks(text)
    for s in segment.sentences(text):
        assert text[s.start : s.end].strip()
        assert all(s.end <= a or s.start >= b for a, b in blocks)


def test_headings_list_items_and_table_rows_are_sentences_of_their_own():
    text = (
        "## Features\n- Fast loading of images\n- Resizing on the fly.\n  Continued here\n\n"
        "1. Clone the repo\n2) Run the installer\n| Option | Meaning |\nAfter the table. Two sentences.\n"
    )
    got = [text[s.start : s.end] for s in segment.sentences(text)]
    assert got == [
        "Features", "Fast loading of images", "Resizing on the fly.", "Continued here", "Clone the repo",
        "Run the installer", "Option | Meaning |", "After the table.", "Two sentences.",
    ]  # fmt: skip


def test_a_marker_inside_a_line_opens_nothing():
    text = "The score fell by 3. Then it rose - as expected - to 4) and stayed."
    got = [text[s.start : s.end] for s in segment.sentences(text)]
    assert got == ["The score fell by 3.", "Then it rose - as expected - to 4) and stayed."]


def test_front_matter_is_not_prose():
    page = '---\ntitle: "Ten spots to visit"\ntags: [travel, city]\ndraft: false\n---\n\nLisbon is a city of hills.\n'
    assert [page[s.start : s.end] for s in segment.sentences(page)] == ["Lisbon is a city of hills."]
    toml = "\ufeff+++\r\ntitle = 'x'\r\n+++\r\nBody text.\r\n"
    assert [toml[s.start : s.end] for s in segment.sentences(toml)] == ["Body text."]


def test_text_between_rules_or_never_closed_front_matter_stays_prose():
    ruled = "---\nA rule line, then prose. More prose.\n---\nAfter.\n"
    assert segment.front_matter(ruled) is None
    assert [ruled[s.start : s.end] for s in segment.sentences(ruled)] == ["A rule line, then prose.", "More prose.", "After."]
    open_ended = "---\ntitle: never closed\nBody text.\n"
    assert segment.front_matter(open_ended) is None and segment.sentences(open_ended)[-1].end == len(open_ended) - 1


def test_a_thematic_break_separates_sentences():
    text = "The end of a scene\n\n* * *\nThe next scene"
    assert [text[s.start : s.end] for s in segment.sentences(text)] == ["The end of a scene", "The next scene"]
    text = "No period here\n___\nNor here"
    assert [text[s.start : s.end] for s in segment.sentences(text)] == ["No period here", "Nor here"]
    text = "A Setext Title\n==============\nThe text under it"
    assert [text[s.start : s.end] for s in segment.sentences(text)] == ["A Setext Title", "The text under it"]


def test_rst_literal_blocks_are_not_prose():
    text = (
        "Run the installer like this::\n\n    pip install fastloader\n    loader --init\n\n    loader --check\n\n"
        "Then read the guide.\n\n.. code-block:: python\n   :linenos:\n\n   images = load(data)\n\nAfter the code.\n"
        "Ends with a pair of colons::\nNot indented, so still prose.\n"
    )
    got = [text[s.start : s.end] for s in segment.sentences(text)]
    last = "Ends with a pair of colons::\nNot indented, so still prose."
    assert got == ["Run the installer like this::", "Then read the guide.", "After the code.", last]
    assert [text[a:b].split("\n")[0] for a, b in segment.literal_blocks(text)] == [
        "    pip install fastloader",
        ".. code-block:: python",
    ]


PIECES = ["\n", " ", "  ", "\t", "-", "*", "_", "=", "#", "+", "•", "|", "1.", "2)", "x", "Word."]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_block_markers_are_the_patterns_matches(pieces):
    text = "".join(pieces)
    for lo in (0, len(text) // 2):
        fast = [(m.start(), m.end()) for m in segment._block_markers(text, lo, len(text))]
        plain = [(m.start(), m.end()) for m in segment._BLOCK_RE.finditer(text, lo, len(text))]
        assert fast == [p for p in plain if p[0] == lo and (lo == 0 or text[lo - 1] == "\n") or p[0] > lo]


def test_markup_only_lines_and_html_comments_are_not_prose():
    text = (
        '<p align="center">\n  <img src="logo.png" width="200">\n</p>\n\n'
        "[![Build](https://ci.example/b.svg)](https://ci.example) ![logo](docs/logo.png)\n\n"
        "<!-- TODO: a demo,\nover two lines -->\n\n"
        "<b>Note:</b> the loader caches files.\n\nSee [the docs](https://docs.example) for more.\n"
    )
    got = [text[s.start : s.end] for s in segment.sentences(text)]
    assert got == ["<b>Note:</b> the loader caches files.", "See [the docs](https://docs.example) for more."]


def test_a_comment_never_closed_hides_nothing():
    text = "<!-- an open comment\nThe rest is prose."
    assert [text[s.start : s.end] for s in segment.sentences(text)] == ["<!-- an open comment\nThe rest is prose."]


def test_web_addresses_and_link_targets_are_one_token_and_no_word():
    text = "See the [install guide](https://x.org/a-b/c.html) or www.example.com/docs for more."
    (s,) = segment.sentences(text)
    toks = [t.text for t in s.tokens]
    link, address = "](https://x.org/a-b/c.html)", "www.example.com/docs"
    assert toks == ["See", "the", "[", "install", "guide", link, "or", address, "for", "more", "."]
    assert [t for t in toks if segment.is_word(t)] == ["See", "the", "install", "guide", "or", "for", "more"]
    assert all(text[t.start : t.end] == t.text for t in s.tokens)


def test_inline_html_tags_are_one_token_and_no_word():
    text = 'Use <kbd>Ctrl</kbd> and <a href="x.html">the guide</a>, but if a<b and c>d it stays.'
    (s,) = segment.sentences(text)
    words = [t.text for t in s.tokens if segment.is_word(t.text)]
    assert words == ["Use", "Ctrl", "and", "the", "guide", "but", "if", "a", "b", "and", "c", "d", "it", "stays"]
    assert '<a href="x.html">' in [t.text for t in s.tokens]
