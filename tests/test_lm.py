import numpy as np
import pytest

from spundetect.lm import language_model


@pytest.fixture(scope="module")
def lm():
    return language_model()


def test_distribution_sums_to_about_one(lm):
    # Pruning drops some mass, but p(. | u v) must stay a (sub-)distribution near 1.
    n = len(lm.vocab)
    for ctx in (["the", "united"], ["in", "the"], ["zebra", "quantum"]):
        u, v = lm.ids(ctx)
        p = np.exp(lm.logprob_ids(np.full(n, u), np.full(n, v), np.arange(n)))
        assert 0.9 < p.sum() <= 1.05


def test_prefers_collocations_over_thesaurus_swaps(lm):
    def score(words):
        return lm.sentence_logprobs(words).sum()

    assert score("he spoke at a press conference .".split()) > score("he spoke at a press convention .".split()) + 2
    assert score("shells hit a school building".split()) > score("shells hit a faculty constructing".split()) + 5


def test_counts_and_unknown_words(lm):
    assert lm.count(["press", "conference"]) > 100
    assert lm.count(["qwzx", "conference"]) == 0
    assert lm.ids(["qwzxv"])[0] == lm.vocab["<unk>"]
    # an unknown word is not cheap: its <unk> mass is shared among all rare types
    assert lm.sentence_logprobs(["qwzxv"])[0] < lm.sentence_logprobs(["house"])[0]
