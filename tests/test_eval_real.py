"""The real-text evaluation's pieces (spundetect.eval_real), on hand-made cases."""

import numpy as np
import pytest

from spundetect.eval_real import _aligned, _in_place, _recall_at, auc, genre_holdout, real_documents, real_stretches, stretches


def test_stretches_are_the_words_aligned_differently():
    original = "Most competitive neural sequence transduction models have an encoder-decoder structure."
    spun = "Most cutthroat neural grouping transduction models have an encoder-decoder structure."
    assert [spun[a:b] for a, b in stretches(original, spun)] == ["cutthroat", "grouping"]
    # a run of changed words is one stretch; punctuation-only changes are none
    assert stretches("He said it, then left.", "He said it; then left.") == []
    spun = "At the point when it rains, we stay."
    assert [spun[a:b] for a, b in stretches("When it rains, we stay.", spun)] == ["At the point"]  # "when" matches


def test_each_stretch_comes_with_the_original_words_in_its_place():
    original = "When it rains, we stay in the house."
    spun = "At the point when it downpours, we stay in the home."
    assert [(spun[a:b], o) for a, b, o in _aligned(original, spun)] == [
        ("At the point", ""),  # inserted: no original words
        ("downpours", "rains"),
        ("home", "house"),
    ]
    # a span's original: the aligned words, kept ones included
    at = spun.index("the home")
    assert _in_place(original, spun, at, len(spun) - 1) == "the house"
    # a span that cuts through a rewrite of another length has no original to compare
    original, spun = "They generate an output sequence now.", "They yield succession now."
    assert _in_place(original, spun, spun.index("succession"), spun.index(" now")) is None
    assert _in_place(original, spun, spun.index("yield"), spun.index(" now")) == "generate an output sequence"


def test_real_stretches(shared):
    rows = real_stretches(shared)
    assert len(rows) > 400 and all(r.original and r.spun.strip() for r in rows)
    assert all(r.sentence[r.start : r.end] == r.spun for r in rows)


def test_auc_and_recall_at_a_clean_rate():
    pos, neg = np.array([0.9, 0.8, 0.3]), np.array([0.1, 0.2, 0.3, 0.85])
    # pairs won: 0.9 beats 4, 0.8 beats 3, 0.3 beats 2 and ties 1
    assert auc(pos, neg) == pytest.approx((4 + 3 + 2.5) / 12)
    recall, threshold = _recall_at(pos, neg, 0.25)  # one clean score in four may reach it
    assert threshold > 0.3 and recall == pytest.approx(2 / 3)
    recall, threshold = _recall_at(pos, neg, 0.0)
    assert threshold > 0.85 and recall == pytest.approx(1 / 3)


def test_real_documents_and_the_genre_holdout(shared):
    docs = real_documents(shared)
    assert sum(len(d.spun) for d in docs) == 137
    for d in docs:
        assert [d.text[a : a + len(s)] for a, s in zip(d.starts, d.spun)] == list(d.spun)
    lines = (shared / "corpus" / "reviews.txt").read_text(encoding="utf-8").splitlines()
    held = genre_holdout("reviews", shared)
    assert held == lines[len(lines) - len(held) :] and 0.1 < len(held) / len(lines) < 0.2


def test_training_never_reads_the_genre_holdout(shared):
    from spundetect.build.dataset import genre_sentences
    from spundetect.eval_real import GENRES

    for name in GENRES:
        held = set(genre_holdout(name, shared))
        assert not any(paragraph in held for paragraph, _ in genre_sentences(name))


def test_the_language_model_never_reads_the_genre_holdout_or_the_training_paragraphs(shared):
    """The language model reads the genre files' training part, but neither the held-back
    lines that measure false alarms nor the paragraphs `train --genre` takes (their features
    must look as they do on new text)."""
    from spundetect.build.dataset import genre_sentences
    from spundetect.build.lm import genre_lm_lines
    from spundetect.eval_real import GENRES

    lm_lines = set(genre_lm_lines())
    assert len(lm_lines) > 10_000
    for name in GENRES:
        assert not lm_lines & {line.strip() for line in genre_holdout(name, shared)}
        assert not lm_lines & {paragraph for paragraph, _ in genre_sentences(name)}


def test_span_bands_count_shown_and_overlapping_spans_by_score():
    from spundetect.eval_real import SPAN_BANDS, SpanBands

    bands = SpanBands()
    for score, overlaps in [(0.49, True), (0.5, True), (0.55, False), (0.61, True), (0.95, True), (1.0, False)]:
        bands.add(score, overlaps)
    table = bands.table()
    assert [b["from"] for b in table] == list(SPAN_BANDS)
    assert [b["shown"] for b in table] == [2, 1, 0, 0, 2]  # under the lowest band: not counted
    assert [b["overlapping_a_real_stretch"] for b in table] == [1, 1, 0, 0, 1]
    assert table[0]["share"] == 0.5


def test_threshold_paragraphs_are_the_validation_splits_genre_paragraphs_whole_and_clean(shared):
    """`train` picks thresholds on these too: each a paragraph the genre files give the
    splits, in the validation split's share, never held back, never spun."""
    from spundetect.build.dataset import SPLITS, _bucket, genre_documents, genre_sentences
    from spundetect.eval_real import GENRES

    docs = genre_documents("validation")
    lo, hi = SPLITS["validation"]
    paragraphs = {"".join(p.split()): (name, p) for name in GENRES for p, _ in genre_sentences(name)}
    held = {name: set(genre_holdout(name, shared)) for name in GENRES}
    seen = []
    for doc in docs:
        assert doc.profile == "clean" and not any(any(ex.spun) for ex in doc.examples)
        name, paragraph = paragraphs["".join(t for ex in doc.examples for t in ex.tokens).replace(" ", "")]
        assert doc.examples[0].source == f"{name}.txt" and lo <= _bucket(paragraph) < hi
        assert paragraph not in held[name]
        seen.append(name)
    assert set(seen) == set(GENRES)
    assert len(docs) == sum(lo <= _bucket(p) < hi for _, p in paragraphs.values()) > 400


def test_base_thresholds_hold_each_kind_of_clean_validation_text_within_its_budget():
    """The corpus documents and the genre paragraphs each keep their false alarms within the
    budget; a tier takes the higher of the two, and without genre paragraphs it is as before."""
    from types import SimpleNamespace

    from spundetect.build.train import DOCUMENT_FPR, SENTENCE_FPR, _base_thresholds, _ValidationScores

    rng = np.random.default_rng(0)
    n = 400  # one-sentence documents of one word each: 200 drawn, then 200 genre paragraphs
    genre = np.arange(n) >= 200
    score = np.where(genre, rng.uniform(0.0, 0.9, n), rng.uniform(0.0, 0.6, n))
    idx = np.arange(n)
    val = SimpleNamespace(sent_doc=idx, row_sent=idx)
    clean = np.ones(n, dtype=bool)

    def thresholds(doc_genre):
        return _base_thresholds(_ValidationScores(val, score, score, score, score, clean, clean, score, clean, doc_genre))

    both, drawn_only = thresholds(genre), thresholds(np.zeros(n, dtype=bool))
    genre_scores = score[genre]
    assert (genre_scores >= both["document"]).mean() <= DOCUMENT_FPR
    assert (genre_scores >= both["sentence"]).mean() <= SENTENCE_FPR
    assert both["document"] > np.sort(score[~genre])[-1]  # the drawn documents' budget is not what binds
    assert drawn_only["document"] < both["document"]  # all 400 pooled as one kind: a lower bar
    assert (score >= drawn_only["document"]).mean() <= DOCUMENT_FPR < (score >= drawn_only["document"] - 0.001).mean()


def test_the_packaged_models_thresholds_record_the_genre_paragraphs_they_were_picked_on(shared):
    from spundetect.build.dataset import genre_documents
    from spundetect.build.sources import sha256_file
    from spundetect.eval_real import GENRES, genre_file
    from spundetect.model import load_model

    meta = load_model(None).meta
    assert meta["training"]["threshold_genre_files_sha256"] == {
        f"{name}.txt": sha256_file(genre_file(name, shared)) for name in GENRES
    }
    assert meta["metrics"]["validation"]["genre_paragraphs"]["documents"] == len(genre_documents("validation"))
