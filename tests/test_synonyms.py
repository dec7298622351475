import pytest

from spundetect.candidates.synonyms import MOBY_FWD, thesaurus

# written word -> an original the index must offer (inflected like the written word)
EXAMPLES = [
    ("constructing", "building"),
    ("mentioned", "said"),
    ("assaults", "attacks"),
    ("officers", "officials"),
    ("encircling", "surrounding"),
    ("might", "could"),
    ("nation", "country"),
]


@pytest.mark.parametrize("written,original", EXAMPLES)
def test_reverse_index_reaches_the_original_inflected(written, original):
    links = {link.original: link for link in thesaurus().originals(written)}
    assert original in links
    assert links[original].degree > 0 and links[original].bits


def test_no_noun_takes_a_verb_inflection():
    # "constructing" is a verb form: nouns such as "edifice" must not come back as "edificing"
    assert not any(o.original.endswith("icing") for o in thesaurus().originals("constructing"))


def test_direction_bit_follows_moby_entries():
    # Moby's entry for "say" lists "mention": a spinner could turn "said" into "mentioned"
    link = next(link for link in thesaurus().originals("mentioned") if link.original == "said")
    assert link.bits & MOBY_FWD


def test_unknown_words_have_no_candidates():
    assert thesaurus().originals("qwzxv") == ()
    assert thesaurus().originals("") == ()


def test_fast_inflection_tables_match_lemminflect():
    import random

    import lemminflect

    from spundetect.candidates.inflect import all_inflections
    from spundetect.candidates.synonyms import thesaurus

    words = random.Random(0).sample(thesaurus().words, 1500) + ["run", "be", "have", "go", "child", "criterion", "Paris"]
    for w in words:
        for upos in ("VERB", "AUX", "NOUN", "ADJ", "ADV", "PROPN"):
            expected = {tag: tuple(forms) for tag, forms in lemminflect.getAllInflections(w, upos=upos).items()}
            assert all_inflections(w, upos) == expected, (w, upos)


def test_fast_lemma_tables_match_lemminflect():
    import random

    import lemminflect

    from spundetect.candidates.inflect import all_lemmas
    from spundetect.candidates.synonyms import thesaurus

    words = random.Random(1).sample(thesaurus().words, 3000) + ["ran", "was", "children", "better", "data", "Paris", "criteria"]
    for w in words:
        assert all_lemmas(w) == {u: tuple(x) for u, x in lemminflect.getAllLemmas(w).items()}, w


def test_compiled_candidate_table_matches_the_computed_candidates():
    import random

    import numpy as np

    from spundetect.candidates.compiled import candidate_table, computed_candidates

    table = candidate_table()
    assert table is not None, "the packaged candidate table does not match the packaged lm/thesaurus"
    words = random.Random(2).sample(sorted(table.index), 1500) + ["said", "constructing", "countries", "the", "of"]
    for w in words:
        got, want = table.get(w), computed_candidates(w)
        assert got is not None, w
        for a, b in zip(got, want):
            assert np.array_equal(a, b), w
    assert table.get("Paris") is None  # capitals: the computed path decides


def test_compiled_candidate_table_is_complete_for_lower_case_words():
    """A lower-case word the table lacks has no candidates: the build computed every word
    that could have any (thesaurus entries and lemminflect's lemma table), and the LM's."""
    import random

    from spundetect.build.candidates import lookup_words
    from spundetect.candidates.compiled import candidate_table, computed_candidates

    table = candidate_table()
    absent = [w for w in lookup_words() if w not in table.index]
    words = random.Random(4).sample(absent, 1500) + ["zzzunknownzzz", "<num>", "jintao", "d66", "it's"]
    for w in words:
        assert all(len(x) == 0 for x in table.get(w)), w
        assert all(len(x) == 0 for x in computed_candidates(w)), w


def test_a_stale_candidate_table_is_not_used(monkeypatch, caplog):
    import dataclasses

    from spundetect.candidates import compiled
    from spundetect.lexicon import load_artifact

    art = load_artifact("candidates")
    stale = dataclasses.replace(art, header={**art.header, "built_from": {"lm": "0" * 64, "thesaurus": "1" * 64}})
    monkeypatch.setattr(compiled, "load_artifact", lambda name: stale)
    compiled.candidate_table.cache_clear()
    try:
        assert compiled.candidate_table() is None
        assert "other lm/thesaurus data" in caplog.text
    finally:
        compiled.candidate_table.cache_clear()


def test_candidate_evidence_from_lookup_tables_matches_the_formula():
    """The forward bit, number of thesauri and log degree of each candidate, read from
    lookup tables, are what the arithmetic on its evidence bits and degree gives, for table
    words and for words the computed path answers (capitals)."""
    import random

    import numpy as np

    from spundetect.candidates.compiled import candidate_table, candidates, computed_candidates
    from spundetect.candidates.synonyms import MOBY_FWD, MOBY_REV, ROGET, WORDNET
    from spundetect.candidates.tool_links import tool_links

    words = random.Random(5).sample(sorted(candidate_table().index), 300) + ["Network", "Said", "Training"]
    checked = 0
    for w in words:
        ids, b, degree = computed_candidates(w)
        if len(ids) == 0 or tool_links().originals(w):  # tool links: test_tool_links.py
            continue
        n_sources = (b & (MOBY_FWD | MOBY_REV) > 0).astype(np.int64) + (b & WORDNET > 0) + (b & ROGET > 0)
        want = np.array([(b & MOBY_FWD > 0), n_sources, np.log(degree.astype(np.float64) + 1.0)], dtype=np.float64)
        got_ids, got = candidates(w)
        assert np.array_equal(got_ids, ids) and np.array_equal(got, want), w
        checked += 1
    assert checked > 100
