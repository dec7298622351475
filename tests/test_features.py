import numpy as np

from spundetect import segment
from spundetect.features import TOKEN_FEATURES, SpinFeatures, token_rows, token_rows_batch

SENTENCES = [
    "Shells hit a faculty constructing and left two civilians injured.",
    "Shells hit a school building and left two civilians injured.",
    "Stoltenberg mentioned at a press convention that talks continue.",
    "Hello.",
]


def _tokens(text):
    return [t.text for t in segment.tokenize(text)]


def _column(rows, tokens, name):
    col = TOKEN_FEATURES.index(name)
    return {tokens[i]: rows.rows[r, col] for r, i in enumerate(rows.index)}


def test_batch_equals_one_sentence_at_a_time():
    tokenised = [_tokens(s) for s in SENTENCES]
    batch = token_rows_batch(tokenised)
    for tokens, together in zip(tokenised, batch):
        alone = token_rows(tokens)
        assert np.array_equal(alone.index, together.index)
        assert np.array_equal(alone.rows, together.rows)
        assert alone.best == together.best


def test_joint_swap_of_adjacent_words_is_seen():
    spun, clean = (_tokens(s) for s in SENTENCES[:2])
    rows = token_rows(spun)
    pair, single = _column(rows, spun, "pair_gain"), _column(rows, spun, "channel_gain")
    # each word alone fits its spun neighbour; swapped back together they fit far better
    for word in ("faculty", "constructing"):
        assert pair[word] > 0 > single[word]
    original = _column(token_rows(clean), clean, "pair_gain")
    assert original["school"] < 0 and original["building"] < 0
    # a word with no adjacent word has no pair
    hello = _tokens("Hello.")
    assert _column(token_rows(hello), hello, "pair_gain")["Hello"] == -10.0


def test_transformer_names_its_columns():
    docs = [[_tokens(s) for s in SENTENCES[:2]], [_tokens(SENTENCES[2])]]
    f = SpinFeatures().fit(docs)
    X = f.transform(docs)
    assert X.shape == (len(f.token_index_), len(f.get_feature_names_out()))
    assert list(f.get_feature_names_out()) == list(TOKEN_FEATURES)
    assert {d for d, _, _ in f.token_index_} == {0, 1}
    import pickle

    from sklearn.base import clone  # the class is made on first use, yet clones and pickles as a module-level one

    assert type(pickle.loads(pickle.dumps(f))) is SpinFeatures and type(clone(f)) is SpinFeatures


def test_context_rows_see_neighbours_sentence_and_document():
    from spundetect.features import CONTEXT_FEATURES, context_rows

    # two documents: sentences 0 and 1 (rows 0-2, 3-4), sentence 2 (rows 5-6)
    p = np.array([0.1, 0.9, 0.3, 0.6, 0.2, 0.7, 0.5])
    row_sent = np.array([0, 0, 0, 1, 1, 2, 2])
    row_doc = np.array([0, 0, 0, 0, 0, 1, 1])
    X = np.arange(7 * len(TOKEN_FEATURES), dtype=float).reshape(7, -1)
    C = context_rows(X, p, row_sent, row_doc)
    col = {n: C[:, i] for i, n in enumerate(CONTEXT_FEATURES)}
    assert C.shape == (7, len(CONTEXT_FEATURES))
    assert np.array_equal(col["p"], p)
    assert np.array_equal(col["p_left"], [0, 0.1, 0.9, 0, 0.6, 0, 0.7])  # never across sentences
    assert np.array_equal(col["p_right"], [0.9, 0.3, 0, 0.2, 0, 0.5, 0])
    assert np.array_equal(col["p_near2"], [0.3, 0, 0.1, 0, 0, 0, 0])
    assert np.array_equal(col["sentence_max_p_others"], [0.9, 0.3, 0.9, 0.2, 0.6, 0.5, 0.7])
    assert np.allclose(col["sentence_mean_p_others"], [0.6, 0.2, 0.5, 0.2, 0.6, 0.5, 0.7])
    assert np.array_equal(col["sentence_n_over_05_others"], [1, 0, 1, 0, 1, 1, 1])
    assert np.allclose(col["doc_mean_p"], [0.42] * 5 + [0.6] * 2)
    assert np.allclose(col["doc_frac_over_05"], [0.4] * 5 + [1.0] * 2)
    own = TOKEN_FEATURES.index("surprisal")
    assert np.array_equal(col["surprisal"], X[:, own])
    assert context_rows(X[:0], p[:0], row_sent[:0], row_doc[:0]).shape == (0, len(CONTEXT_FEATURES))


def test_sentence_rows_tell_quoted_words_from_the_rest():
    from spundetect.features import SENTENCE_FEATURES, SentenceRows, sentence_rows

    def sentence(quoted):  # token rows whose only set column is in_quotes
        rows = np.zeros((len(quoted), len(TOKEN_FEATURES)))
        rows[:, TOKEN_FEATURES.index("in_quotes")] = quoted
        return SentenceRows(np.arange(len(quoted)), rows, ())

    # one document: an all-quoted sentence, a half-quoted one, one without quotes;
    # a second document without any quoted word
    parts = [sentence([1, 1]), sentence([1, 0, 0, 1]), sentence([0, 0]), sentence([0, 0, 0])]
    p = [np.array([0.2, 0.6]), np.array([0.4, 0.9, 0.7, 0.1]), np.array([0.8, 0.3]), np.array([0.1, 0.2, 0.6])]
    S = sentence_rows(p, parts, [0, 0, 0, 1])
    col = {n: S[:, i] for i, n in enumerate(SENTENCE_FEATURES)}
    assert np.allclose(col["quoted_share"], [1.0, 0.5, 0.0, 0.0])
    assert np.allclose(col["max_p_unquoted"], [0.0, 0.9, 0.8, 0.6])
    # document 0: quoted words 0.2 0.6 0.4 0.1 (one over 0.5), the others 0.9 0.7 0.8 0.3 (three)
    assert np.allclose(col["doc_quoted_frac_over_05"], [0.25] * 3 + [-1.0])
    assert np.allclose(col["doc_unquoted_frac_over_05"], [0.75] * 3 + [1 / 3])
    assert np.allclose(col["max_p"], [0.6, 0.9, 0.8, 0.6])
