import numpy as np

from spundetect import segment
from spundetect.features import TOKEN_FEATURES, token_rows
from spundetect.lm import language_model
from spundetect.vectors import word_vectors


def _vec(word):
    return word_vectors().rows(np.array([language_model().vocab[word]]))[0]


def test_vectors_are_unit_length_and_indexed_by_lm_id():
    vec = word_vectors()
    lm = language_model()
    assert vec.table.shape[0] == len(lm.words)
    ids = lm.ids(["school", "attack", "said", "zzzqqq"])
    norms = np.linalg.norm(vec.rows(ids), axis=1)
    assert np.allclose(norms[:3], 1.0, atol=0.02)  # int8 rounding
    assert vec.known(ids).tolist() == [True, True, True, False]  # unknown words have none


def test_vectors_put_related_words_together():
    assert _vec("school") @ _vec("students") > _vec("school") @ _vec("shelling") + 0.2
    assert _vec("attack") @ _vec("shelling") > _vec("attack") @ _vec("students") + 0.2


def test_a_word_of_another_topic_fits_its_sentence_worse():
    """'varsity' (a spinner's swap for 'school') fits a sentence about shelling worse than
    'school' does, and its best candidate would fit better than it."""

    def fit(text, word):
        tokens = [t.text for t in segment.tokenize(text)]
        rows = token_rows(tokens)
        r = list(rows.index).index(tokens.index(word))
        return rows.rows[r, TOKEN_FEATURES.index("vec_fit")], rows.rows[r, TOKEN_FEATURES.index("vec_gain")]

    spun_fit, spun_gain = fit("Ukraine said separatists shelled a varsity in the town near the front line.", "varsity")
    clean_fit, _ = fit("Ukraine said separatists shelled a school in the town near the front line.", "school")
    assert spun_fit < clean_fit - 0.1
    assert spun_gain > 0
