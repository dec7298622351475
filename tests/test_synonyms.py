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
