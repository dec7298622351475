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


def test_key_index_agrees_with_a_plain_binary_search():
    from spundetect.lm import KeyIndex

    rng = np.random.default_rng(0)
    keys = np.unique(rng.integers(0, 2**40, 50_000).astype(np.uint64))
    index = KeyIndex(keys)
    query = np.concatenate([keys[rng.integers(0, len(keys), 3000)], rng.integers(0, 2**40, 3000).astype(np.uint64), keys[:1]])
    for q in (query, query[:50]):  # the filtered batch path and the small path
        pos, hit = index.locate(q)
        assert np.array_equal(hit, np.isin(q, keys))
        assert np.array_equal(keys[pos[hit]], q[hit])


def test_every_stored_trigram_has_its_bigram_stored(lm):
    """What lets :meth:`LanguageModel.logprob_ids` skip the trigram search where the bigram
    (v w) is not stored."""
    from spundetect.lm import BITS

    ar = lm.artifact.arrays
    vw = np.asarray(ar["tri_keys"]).astype(np.int64) & ((1 << (2 * BITS)) - 1)
    bi = np.asarray(ar["bi_keys"]).astype(np.int64)
    assert np.array_equal(bi[np.minimum(np.searchsorted(bi, vw), len(bi) - 1)], vw)


def test_logprob_ids_equals_the_interpolation_from_plain_lookups(lm):
    from spundetect.lm import pack

    ar = lm.artifact.arrays

    def stored(keys, values, query, default):
        keys = np.asarray(keys)
        pos = np.minimum(np.searchsorted(keys, query.astype(np.uint64)), len(keys) - 1)
        return np.where(keys[pos] == query.astype(np.uint64), np.asarray(values)[pos].astype(np.float64), default)

    ids = lm.ids("the press conference was held in the capital on monday and the talks went on".split())
    rng = np.random.default_rng(0)
    u, v, w = ids[rng.integers(0, len(ids), 4000)], ids[rng.integers(0, len(ids), 4000)], ids[rng.integers(0, len(ids), 4000)]
    u[:1000], v[:1000], w[:1000] = ids[:-2].repeat(100)[:1000], ids[1:-1].repeat(100)[:1000], ids[2:].repeat(100)[:1000]
    p1 = np.exp(ar["uni_logp"][w].astype(np.float64))
    p2 = stored(ar["bi_keys"], ar["bi_a"], pack(0, v, w), 0.0) + ar["bi_gamma"][v].astype(np.float64) * p1
    g3 = stored(ar["ctx_keys"], ar["ctx_gamma"], pack(0, u, v), 1.0)
    p3 = stored(ar["tri_keys"], ar["tri_a"], pack(u, v, w), 0.0) + g3 * p2
    assert np.allclose(lm.logprob_ids(u, v, w), np.log(p3), rtol=0, atol=1e-12)


def test_window_logprob_equals_three_trigram_queries(lm):
    """The candidate-window shortcut (shared pair lookups, trigram search only where one can
    be stored) gives exactly the numbers of the plain queries."""
    rng = np.random.default_rng(1)
    words = "the minister said on tuesday that the new school building would open in the spring .".split()
    ids = np.concatenate([[0, 0], lm.ids(words), [1]])
    last = len(ids) - 1
    pos = np.arange(2, last)
    owner = np.repeat(np.arange(len(pos)), 40)
    common = np.argsort(-np.asarray(lm.artifact.arrays["uni_logp"]))[:3000]
    cand = np.where(rng.random(len(owner)) < 0.5, rng.choice(common, len(owner)), rng.integers(0, len(lm.words), len(owner)))
    P = pos[owner]
    h2, h1, n1, n2 = ids[P - 2], ids[P - 1], ids[np.minimum(P + 1, last)], ids[np.minimum(P + 2, last)]
    expected = (
        lm.logprob_ids(h2, h1, cand)
        + np.where(P + 1 <= last, lm.logprob_ids(h1, cand, n1), 0.0)
        + np.where(P + 2 <= last, lm.logprob_ids(cand, n1, n2), 0.0)
    )
    n1p, n2p = ids[np.minimum(pos + 1, last)], ids[np.minimum(pos + 2, last)]
    got = lm.window_logprob(ids[pos - 2], ids[pos - 1], n1p, n2p, pos + 1 <= last, pos + 2 <= last, cand, owner)
    assert np.array_equal(got, expected)


def test_pair_window_logprob_equals_four_trigram_queries(lm):
    """Joint swaps of two adjacent words: the shared-lookup shortcut gives exactly the sums
    of the plain queries, at the end of a sentence too (the a2 / a3 terms left out)."""
    rng = np.random.default_rng(2)
    words = "the minister said on tuesday that the new school building would open in the spring .".split()
    ids = np.concatenate([[0, 0], lm.ids(words), [1]])
    last = len(ids) - 1
    p = np.arange(2, last)  # pairs (p, p + 1); the last one ends on </s>
    common = np.argsort(-np.asarray(lm.artifact.arrays["uni_logp"]))[:3000]
    x = np.where(rng.random((len(p), 3)) < 0.5, rng.choice(common, (len(p), 3)), rng.integers(0, len(lm.words), (len(p), 3)))
    y = rng.choice(common, (len(p), 4))
    h2, h1 = ids[p - 2], ids[p - 1]
    a2, a3 = ids[np.minimum(p + 2, last)], ids[np.minimum(p + 3, last)]
    has2, has3 = p + 2 <= last, p + 3 <= last
    got = lm.pair_window_logprob(h2, h1, x, y, a2, a3, has2, has3)
    X, Y = (v.ravel() for v in np.broadcast_arrays(x[:, :, None], y[:, None, :]))
    col = lambda v: np.broadcast_to(v[:, None, None], (len(p), 3, 4)).ravel()  # noqa: E731
    expected = lm.logprob_ids(col(h2), col(h1), X) + lm.logprob_ids(col(h1), X, Y)
    expected += np.where(col(has2), lm.logprob_ids(X, Y, col(a2)), 0.0)
    expected = expected + np.where(col(has3), lm.logprob_ids(Y, col(a2), col(a3)), 0.0)
    assert not has3[-2:].any() and has2[:-2].all()
    assert np.array_equal(got.ravel(), expected)
