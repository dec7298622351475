import pytest

from spundetect import segment
from spundetect.candidates.fingerprints import CREDIT, fingerprints


@pytest.fixture(scope="module")
def fps():
    return fingerprints()


def _hits(fps, text):
    return [(text[s:e], fp.expected) for s, e, fp in fps.match(text)]


def test_finds_case_insensitive_and_plural(fps):
    assert _hits(fps, "We apply Counterfeit Consciousness to images.") == [
        ("Counterfeit Consciousness", ("artificial intelligence",))
    ]
    got = _hits(fps, "Several neural organizations were trained.")
    assert got and got[0][0] == "neural organizations" and got[0][1] == ("neural network",)


def test_matches_whole_tokens_only(fps):
    # "neural organization" is listed; it must not fire inside longer words
    assert _hits(fps, "The antineural organizationally sound plan.") == []
    assert _hits(fps, "counterfeitconsciousness is one token") == []
    assert _hits(fps, "We used deep studying here.")  # a listed phrase
    assert _hits(fps, "A deep study of birds.") == []  # "-ing" is not merged with the noun


def test_longest_match_wins(fps):
    hits = _hits(fps, "long transient memory organizations are used")
    assert len(hits) == 1 and hits[0][0] == "long transient memory organizations"


def test_whitelist_comes_from_clean_corpus(fps):
    assert fps.whitelist  # legitimate terms found in shared/corpus at build time
    for phrase in fps.whitelist:
        assert fps.lookup(phrase) is None


def test_version_and_credit(fps):
    assert len(fps.version) == 64
    assert "Problematic Paper Screener" in CREDIT and "CC BY 4.0" in CREDIT


def test_every_active_phrase_is_found_embedded(fps):
    missed = []
    for fp in fps.entries:
        sentence = f"In this work we study the {fp.tortured} in detail."
        a = sentence.index(fp.tortured)
        if not any(s <= a and a + len(fp.tortured) <= e for s, e, _ in fps.match(sentence)):
            missed.append(fp.tortured)
    assert missed == []


def test_no_hits_on_clean_evaluation_sentences(fps, shared):
    lines = (shared / "eval" / "clean_sentences.txt").read_text(encoding="utf-8").splitlines()
    hits = [line[s:e] for line in lines for s, e, _ in fps.match(line)]
    assert hits == []


def test_canonical_keys_match_lemminflect_public_api():
    import random

    import lemminflect

    from spundetect.candidates.fingerprints import canonical
    from spundetect.candidates.synonyms import thesaurus

    def reference(word):
        w = word.lower().replace("’", "'")
        noun = lemminflect.getAllLemmas(w, upos="NOUN").get("NOUN")
        if noun and noun[0] != w and w in lemminflect.getAllInflections(noun[0], upos="NOUN").get("NNS", ()):
            return noun[0]
        return w

    words = random.Random(3).sample(thesaurus().words, 2000) + ["Networks", "criteria", "data", "children", "it’s", "Ideas"]
    for w in words:
        assert canonical(w) == reference(w), w


def test_stored_keys_match_as_canonical_does(fps):
    """Matching reads the keys and plural pairs stored by the build instead of lemmatising:
    for every word lemminflect can lemmatise (and a few it cannot), the stored key walks the
    trie exactly as :func:`canonical` would."""
    import lemminflect

    from spundetect.candidates.fingerprints import canonical, phrase_key

    keys = {k for k in fps.trie} | {k for node in fps.trie.values() for k in node}
    keys |= {w for fp in fps.entries for w in phrase_key(fp.tortured)}
    words = sorted(lemminflect.Lemmatizer()._getLemmaDict())
    words += ["Networks", "ORGANIZATIONS", "it’s", "unlisted-word", "xyzzy", "Data", "criteria"]
    for w in words:
        key, ref = fps.key(w), canonical(w)
        assert key == ref or (key not in keys and ref not in keys), w
    for fp in fps.entries:
        assert tuple(fps.key(t.text) for t in segment.tokenize(fp.tortured)) == phrase_key(fp.tortured)
