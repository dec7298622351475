"""One table of spun phrases per generator (hand-written, not from the seeds or the lists)."""

import dataclasses

import pytest

import spundetect
from spundetect.candidates.acronyms import acronym_after, spells
from spundetect.restore import agree, restore_span
from spundetect.results import Suggestion

# (phrase, context sentence or None, expected original among the top 3, source)
EXAMPLES = [
    ("press convention", "The minister answered questions at a press convention on Monday.", "press conference", "synonym"),
    ("faculty constructing", "Firefighters evacuated the faculty constructing after the alarm.", "school building", "synonym"),
    ("international locations", "The treaty was signed by twelve international locations last year.", "countries", "phrase"),
    ("got here", "The announcement got here after weeks of talks.", "came", "phrase"),
    ("referred to as", "Critics referred to as the plan a disaster.", "called", "phrase"),
    ("counterfeit consciousness", None, "artificial intelligence", "fingerprint"),
]


@pytest.mark.parametrize("phrase,context,original,source", EXAMPLES)
def test_original_in_top3(phrase, context, original, source):
    got = spundetect.suggest(phrase, context, k=3)
    assert original in [c.text.lower() for c in got]
    assert next(c for c in got if c.text.lower() == original).source == source


def test_every_generator_has_examples():
    assert {e[3] for e in EXAMPLES} == {"synonym", "phrase", "fingerprint"}


def test_scores_are_probabilities_best_first():
    got = spundetect.suggest("press convention", "He spoke at a press convention.", k=5)
    scores = [c.score for c in got]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert sum(scores) <= 1.0 + 1e-6


def test_written_text_is_never_suggested():
    for c in spundetect.suggest("area", "They live in the area.", k=10):
        assert c.text.lower() != "area"


def test_kept_words_keep_their_case():
    got = spundetect.suggest("Donbass area", "Fighting in the Donbass area continued.", k=5)
    assert any(c.text.startswith("Donbass ") for c in got)


def test_names_are_kept_but_a_spinners_own_capitals_are_restored():
    """Capitalised words are kept as written, except the curated spinner idioms written in
    capitals ("PC" for "computer"), restored in lower case."""
    got = spundetect.suggest("PC", "The system uses PC vision methods to find faces.", k=3, use_fingerprints=False)
    assert got and got[0].text == "computer" and got[0].source == "phrase"
    assert spundetect.suggest("IBM", "She joined IBM last week.", k=3) == []


@pytest.mark.parametrize(
    "phrase, context, original",
    [
        ("auto-backward", "GPT is an auto-backward language model.", "auto-regressive"),  # read as "autoregressive"
        ("X-beams", "The doctor looked at the X-beams of his chest.", "x-rays"),  # a letter compound, not a name
    ],
)
def test_a_compound_is_restored_with_one_part_swapped_back(phrase, context, original):
    """A hyphenated compound the language model knows only written solid is still offered
    ("auto-regressive"), and a capital letter hyphened to a word is swapped like any noun."""
    got = spundetect.suggest(phrase, context, k=3)
    assert got and got[0].text.lower() == original


def test_an_article_agrees_with_the_word_restored_after_it():
    got = spundetect.suggest("an arrangement", "The model reads an arrangement of words.", k=3, use_fingerprints=False)
    assert "a sequence" in [c.text for c in got]
    alone = spundetect.suggest("an", "The model reads an arrangement of words.", k=3, use_fingerprints=False)
    assert "a" not in [c.text for c in alone]  # only with the word after it in the span


@pytest.mark.parametrize("phrase", ["", "   ", "...", "Привет мир", "你好世界", "word " * 40])
def test_odd_phrases_give_an_empty_list_not_an_error(phrase):
    assert spundetect.suggest(phrase) == []


def test_fingerprints_can_be_switched_off():
    on = spundetect.suggest("counterfeit consciousness", k=3)
    off = spundetect.suggest("counterfeit consciousness", k=3, use_fingerprints=False)
    assert on[0].source == "fingerprint"
    assert all(c.source != "fingerprint" for c in off)


def test_a_known_tortured_phrase_inside_a_span_is_restored_in_place():
    tokens = ["They", "also", "relied", "on", "counterfeit", "consciousness", "for", "the", "analysis", "."]
    got = restore_span(tokens, 2, 6, k=3)
    assert (got[0].text, got[0].source) == ("relied on artificial intelligence", "fingerprint")
    opening = restore_span(["Profound", "learning", "models", "help", "."], 0, 3, k=3)
    assert opening[0].text == "Deep learning models"  # the span's capital kept
    assert all(c.source != "fingerprint" for c in restore_span(tokens, 6, 9, k=3))
    assert all(c.source != "fingerprint" for c in restore_span(tokens, 2, 6, k=3, use_fingerprints=False))


def test_an_article_before_a_known_tortured_phrase_agrees_with_its_original():
    got = spundetect.suggest("a counterfeit consciousness", "They built a counterfeit consciousness system.", k=3)
    assert got[0].text == "an artificial intelligence" and got[0].source == "fingerprint"


def test_span_must_lie_in_the_sentence():
    with pytest.raises(ValueError):
        restore_span(["a", "b"], 1, 3)


def test_an_abbreviation_in_brackets_is_kept_and_spelt_by_the_original():
    weights = spundetect.channel.fitted_weights("phrase")
    got = spundetect.suggest("arbitrary woodland (RF)", k=3, use_fingerprints=False, weights=weights)
    assert got[0].text == "random forest (RF)"  # the abbreviation is kept as written
    assert all(c.text.endswith(" (RF)") for c in got)
    # the initials are evidence: without their term the same reading is believed less
    without = dataclasses.replace(weights, acronym=0.0)
    plain = spundetect.suggest("arbitrary woodland (RF)", k=5, use_fingerprints=False, weights=without)
    assert next((c.score for c in plain if c.text == "random forest (RF)"), 0.0) < got[0].score - 0.2


def test_an_abbreviation_a_few_words_on_still_guides_a_one_word_span():
    tokens = [t.text for t in spundetect.segment.tokenize("The irregular walk (RW) model converges.")]
    got = restore_span(tokens, 1, 2, k=3)  # "irregular"; "walk" is kept and gives the W
    assert got[0].text == "random" and all(c.text[0] in "rw" for c in got)
    tokens[3] = "["  # no abbreviation in brackets: no constraint
    assert any(c.text[0] not in "rw" for c in restore_span(tokens, 1, 2, k=3))


@pytest.mark.parametrize(
    "words,letters",
    [
        (["a", "random", "walk", "(", "RW", ")"], ("rw",)),
        (["wireless", "sensor", "networks", "(", "WSNs", ")"], ("wsns", "wsn")),
        (["artificial", "data", "(", "ai", ")"], ("ai",)),  # lower-cased text: any word in brackets
        (["Artificial", "data", "(", "ai", ")"], ()),  # cased text: a lower-case word is not one
        (["on", "Monday", "(", "Thursday", ")"], ()),
        (["a", "walk", "(", "RW", "."], ()),
    ],
)
def test_abbreviation_after_a_term(words, letters):
    end = words.index("(")
    assert acronym_after(words, end) == letters


@pytest.mark.parametrize(
    "words,letters,expected",
    [
        ("we use random walk", "rw", True),
        ("sum of squared errors", "sse", True),  # a function word may be skipped
        ("non-governmental organization", "ngo", True),  # hyphenated parts give a letter each
        ("irregular walk", "rw", False),
        ("of walk", "ow", True),
        ("random of", "rw", False),
    ],
)
def test_spells(words, letters, expected):
    assert spells(words.split(), letters) is expected


def test_term_search_slices_and_best_terms_match_a_full_search():
    """The known-term search's shortcuts (slices by leading word, the best terms without a
    full sort) give what binary searches and a stable full sort give, ties and ids past the
    table included."""
    import numpy as np

    from spundetect.candidates.terms import _slices, best_first, best_first_rows
    from spundetect.lm import BITS, language_model

    rng = np.random.default_rng(0)
    for n, name in ((2, "bi_keys"), (3, "tri_keys")):
        keys, shift = language_model().artifact.arrays[name], BITS * (n - 1)
        for _ in range(20):
            first = np.unique(rng.integers(0, len(language_model().words) + 5, size=int(rng.integers(1, 200))))
            lo = np.searchsorted(keys, first.astype(np.uint64) << np.uint64(shift))
            hi = np.searchsorted(keys, (first + 1).astype(np.uint64) << np.uint64(shift))
            expected = np.concatenate([np.arange(a, b) for a, b in zip(lo, hi)])
            assert np.array_equal(_slices(keys, first, shift), expected)
    for size, limit in ((1, 3), (50, 3), (5000, 20), (5000, 6000)):
        cost = np.round(rng.normal(size=size), 1)  # many ties
        assert np.array_equal(best_first(cost, limit), np.argsort(cost, kind="stable")[:limit])
        assert list(best_first_rows(cost, limit)) == np.argsort(cost, kind="stable").tolist()


@pytest.mark.parametrize("collide", [False, True])
def test_distinct_hypotheses_match_joining_every_text(monkeypatch, collide):
    """Each distinct text's best row, in the order texts first occur, and the last row that
    reads as written: the same as joining every row's text, when one text is split between
    head and tail in different ways, and when every key collides (texts then decide)."""
    import numpy as np

    from spundetect import restore

    if collide:
        monkeypatch.setattr(
            restore, "_text_hashes", lambda texts: (np.zeros(len(texts), dtype=np.uint64), np.ones(len(texts), dtype=np.uint64))
        )
    rng = np.random.default_rng(1)
    heads, tails = ["", "a", "a b", "b", "a b c"], ["", "c", "b c", "d", "c d"]
    for _ in range(30):
        n = int(rng.integers(1, 60))
        hyp = restore._Hypotheses(
            heads, rng.integers(0, len(heads), n), tails, rng.integers(0, len(tails), n),
            *(np.zeros(n) for _ in range(6)),
        )  # fmt: skip
        total = np.round(rng.normal(size=n), 1)  # ties
        texts = [restore._join(heads[a], tails[b]) for a, b in zip(hyp.head, hyp.tail)]
        best: dict[str, int] = {}
        for i, t in enumerate(texts):
            if t not in best or total[i] > total[best[t]]:
                best[t] = i
        written = texts[int(rng.integers(0, n))]
        rows, identity = restore._distinct(hyp, total, written)
        assert rows.tolist() == list(best.values())
        assert identity == max(i for i, t in enumerate(texts) if t == written)
        assert restore._distinct(hyp, total, "never written")[1] is None


def test_extending_shared_histories_gives_the_same_log_probabilities():
    """Extending each hypothesis's history by many options looks each trigram context up
    once, and the words after a span are looked up once per last word; the
    log-probabilities and new histories are those of one lookup per row."""
    import numpy as np

    from spundetect.lm import language_model
    from spundetect.restore import _extend, _extend_by, _grid

    lm = language_model()
    ids = lm.ids("the results of the study were in line with the new policy".split())
    u, v = np.append(ids[:-1], [-1, -1]), np.append(ids[1:], [ids[0], -1])
    grid = _grid([lm.ids(p.split()).tolist() for p in ("of", "the new", "policy of the", "study", "were")])
    rows = np.repeat(np.arange(len(u)), len(grid))
    cols = np.tile(np.arange(len(grid)), len(u))
    got = _extend(lm, u, v, grid[cols], rows)
    want = _extend(lm, u[rows], v[rows], grid[cols])
    for a, b in zip(got, want):
        assert np.array_equal(a, b)
    for right in ("", "policy", "of the new", "study </s>"):  # the words after a span, the same for every row
        ids = lm.ids(right.split())
        want = _extend(lm, u, v, np.tile(ids, (len(u), 1)))[0]
        assert np.array_equal(_extend_by(lm, u, v, ids), want)


def test_joined_hypotheses_keep_their_texts_and_keys():
    """Joining hypotheses that share text lists takes each list once; every row keeps its
    text and its key, which is the key of the text written out."""
    import numpy as np

    from spundetect import restore

    heads, other, tails = ["a", "a b"], ["c"], ["", "d e", "f"]

    def rows(h, head, t, tail):
        n = len(head)
        return restore._Hypotheses(h, np.array(head), t, np.array(tail), *(np.zeros(n) for _ in range(6)))

    parts = [rows(heads, [0, 1], tails, [1, 2]), rows(heads, [1], tails, [0]), rows(other, [0, 0], tails, [2, 1])]
    joined = restore._Hypotheses.concat(parts)
    texts = [t for p in parts for t in p.texts]
    assert joined.texts == texts and len(joined.heads) == 3 and len(joined.tails) == 3
    assert np.array_equal(joined.keys(), restore._text_hashes(texts)[0])
    assert np.array_equal(joined.key_parts()[1], restore._text_hashes(texts)[1])


@pytest.mark.parametrize("n", [0, 5, 1999, 2000, 30_000])
def test_distinct_ids_are_numpys_unique(n):
    """The word-id dedupers give ``np.unique``'s answers, short arrays (numpy itself) and
    long ones (a table as long as the vocabulary) alike; ``-1`` (no word) is left out of
    the first occurrences."""
    import numpy as np

    from spundetect.restore import _distinct_ids, _first_of_each

    rng = np.random.default_rng(n)
    ids = rng.integers(0, 700, n) ** 2 // 49  # repeats, gaps, ids up to 9,980
    uniq, inverse = _distinct_ids(ids, 10_000)
    want_uniq, want_inverse = np.unique(ids, return_inverse=True)
    assert np.array_equal(uniq, want_uniq) and np.array_equal(inverse, want_inverse)
    ids[rng.random(n) < 0.1] = -1
    uniq, first = _first_of_each(ids, 10_000)
    want_uniq, want_first = np.unique(ids, return_index=True)
    assert np.array_equal(uniq, want_uniq[want_uniq >= 0]) and np.array_equal(first, want_first[want_uniq >= 0])


def test_options_of_a_position_are_its_pieces_in_order():
    """A position's options are assembled from cached pieces (the word kept, an article's
    other form, thesaurus and phrase-table originals of each length): the same rows as
    building them one by one, in the same order, id rows padded to the widest."""
    import numpy as np

    from spundetect import restore
    from spundetect.channel import fitted_weights
    from spundetect.lm import language_model

    w, lm = fitted_weights("context"), language_model()
    words = "an essential press convention at the point when".split()
    got = restore._options(words, words, 0, len(words), w)
    parts = [restore._kept_option("an", w), restore._article_option("an", w)]
    for length in range(1, restore.MAX_PHRASE_WORDS + 1):
        sub = " ".join(words[:length])
        if length <= 3:
            parts.append(restore._link_options(sub, length, restore._swap_base(words, words, 0, length, w), w))
        parts.append(restore._phrase_options(sub, length, w))
    rows = [
        (int(p.length[i]), p.texts[i], float(p.channel[i]), int(p.changed[i]), bool(p.phrase[i]))
        for p in parts
        for i in range(len(p))
    ]
    assert [
        (int(a), t, float(c), int(d), bool(e))
        for a, t, c, d, e in zip(got.length, got.texts, got.channel, got.changed, got.phrase)
    ] == rows
    assert got.texts[:2] == ["an", "a"] and got.changed[0] == 0 and len(got) > 2
    assert restore._phrase_options("qzx qzx", 2, w) is restore._Options.of(lm, [])  # empty pieces share one instance
    width = got.grid.shape[1]
    for i, text in enumerate(got.texts):
        ids = lm.ids([restore._lm_word(x) for x in text.split()]) if i else lm.ids([text])
        assert np.array_equal(got.grid[i], np.append(ids, [-1] * (width - len(ids))))


@pytest.mark.parametrize("seqs", [[], [[]], [[1], [2, 3], []], [[5, 6, 7], [1]]])
def test_grid_pads_id_sequences_with_minus_one(seqs):
    import numpy as np

    from spundetect.restore import _grid

    width = max(map(len, seqs), default=0)
    expected = np.array([x + [-1] * (width - len(x)) for x in seqs], dtype=np.int64).reshape(len(seqs), width)
    got = _grid(seqs)
    assert got.dtype == np.int64 and got.shape == expected.shape and np.array_equal(got, expected)


def test_a_recurring_span_gets_the_suggestions_of_all_its_places():
    """Each place's probabilities are averaged (nought where a place did not suggest it), as
    many kept as the longest list; a place keeps the capitals of its writing; a text that
    occurs once is left as it is."""
    first = [Suggestion("task", 0.6), Suggestion("job", 0.3)]
    second = [Suggestion("Job", 0.7), Suggestion("Chore", 0.2)]
    once = [Suggestion("venture", 0.9)]
    got = agree([("errand", first), ("project", once), ("Errand", second)])
    assert [(c.text, round(c.score, 3)) for c in got[0]] == [("job", 0.5), ("task", 0.3)]
    assert [(c.text, round(c.score, 3)) for c in got[2]] == [("Job", 0.5), ("Task", 0.3)]
    assert got[1] == once
    assert agree([("errand", first), ("errand", [])]) == [first, []]  # a place with none does not count


def test_k_is_how_many_suggestions_at_most():
    assert len(spundetect.suggest("press convention", k=1)) == 1
    assert spundetect.suggest("press convention", k=0) == []
    with pytest.raises(ValueError, match="k must be 0 or more"):
        spundetect.suggest("press convention", k=-1)


def test_bytes_are_refused_with_a_clear_message():
    with pytest.raises(TypeError, match="must be str"):
        spundetect.suggest(b"press convention")
