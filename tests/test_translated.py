"""The machine-translation signal: its features, its packaged trees, and how it shows in
reports, apart from spinning."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from spundetect import segment
from spundetect.cli import app
from spundetect.detector import Detector
from spundetect.model import TreeEnsemble
from spundetect.render import strip_marks
from spundetect.translated import (
    VARIETY,
    count_names,
    document_feature_names,
    document_features,
    rate_names,
    rates,
    sentence_counts,
    translation_model,
    variety,
    word_count,
)  # fmt: skip

runner = CliRunner()
TEXT = (
    "The minister said on Tuesday that the new measures will be implemented in the coming weeks. "
    "In this regard, he stressed that the situation remains difficult. "
    "According to the ministry, more than 300 people were affected."
)


def tokens(text: str) -> list[list[str]]:
    return [[t.text for t in s.tokens] for s in segment.sentences(text)]


def test_counts_fold_curly_quotes_and_count_each_kind():
    names = count_names(["of the"])
    straight, curly = (
        sentence_counts(tokens('He said "it is over" of the war.'), ["of the"]),
        sentence_counts(tokens("He said “it is over” of the war."), ["of the"]),
    )
    assert (straight == curly).all()
    row = dict(zip(names, straight[0]))
    assert row["words"] == 8 and row["sentences"] == 1 and row["words_sq"] == 64
    assert row['punct:"'] == 2 and row["punct:."] == 1
    assert row["fw:the"] == 1 and row["fw:of"] == 1 and row["mark:said"] == 1
    assert row["open:he"] == 1 and row["pat:of the"] == 1


def test_rates_have_one_named_column_each():
    counts = sentence_counts(tokens(TEXT), ["of the", "* *"])
    assert rates(counts).shape == (3, len(rate_names(["of the", "* *"])))
    doc = rates(counts.sum(axis=0))[0]
    names = rate_names(["of the", "* *"])
    assert doc[names.index("log_words")] == pytest.approx(np.log1p(counts[:, 0].sum()))
    assert doc[names.index("open:according")] == pytest.approx(1 / 3)  # openings count per sentence


def test_variety_counts_repetition_and_untranslated_words():
    doc = [["The", "the", "cat", "sat", "."], ["The", "cat", "Ōla", "sat", "sat", "sat", "sat", "."]]
    got = dict(zip(VARIETY, variety(doc)))
    # 11 words: the the cat sat | the cat ōla sat sat sat sat; content words: cat sat | cat ōla sat x4
    assert got["moving_type_token"] == pytest.approx(4 / 11)  # shorter than a window: plain type-token ratio
    assert got["content_type_token"] == pytest.approx(3 / 8)
    assert got["content_repeated"] == pytest.approx(5 / 8)  # cat and the four "sat" occur in the sentence before
    assert got["same_opening"] == 1.0
    assert got["non_ascii_words"] == pytest.approx(1 / 11)
    assert got["word_doubled"] == pytest.approx(4 / 11)  # the-the, sat-sat three times
    assert got["trigram_repeated"] == pytest.approx(1 / 7)  # "sat sat sat" twice among 2 + 5 trigrams


def test_moving_type_token_ratio_averages_windows():
    words = [f"w{i % 60}" for i in range(120)]  # every 50-word window holds 50 distinct words
    assert variety([words])[0] == pytest.approx(1.0)
    assert variety([["a", "b"] * 60])[0] == pytest.approx(2 / 50)


def test_document_features_are_rates_then_variety_and_the_model_uses_them():
    model = translation_model()
    docs = [tokens(TEXT), tokens("Hello there. It is raining.")]
    X = document_features(docs, model.bigrams)
    assert X.shape == (2, len(document_feature_names(model.bigrams)))
    np.testing.assert_array_equal(X[0, : -len(VARIETY)], rates(sentence_counts(docs[0], model.bigrams).sum(axis=0))[0])
    np.testing.assert_array_equal(X[1, -len(VARIETY) :], variety(docs[1]))
    assert [s.document.score for s in model.score_many(docs)] == pytest.approx(list(model.document.proba(X)), abs=0)


def test_register_weights_give_machine_translation_the_originals_conversation_markers():
    from spundetect.build.translated import REGISTER, _register_weights

    names = document_feature_names(translation_model().bigrams)
    assert set(REGISTER) <= set(names)  # the build reads them by name
    rng = np.random.default_rng(0)
    you = names.index("fw:you")
    pos, neg = rng.random((2000, len(names))), rng.random((3000, len(names)))
    pos[:, you] = rng.exponential(0.02, len(pos))  # machine translation: "you" three times as often
    neg[:, you] = rng.exponential(0.006, len(neg))
    w = _register_weights(pos, neg, names)
    assert w.mean() == pytest.approx(1.0) and (w > 0).all()
    assert np.average(pos[:, you], weights=w) == pytest.approx(neg[:, you].mean(), rel=0.1)
    assert np.corrcoef(w, pos[:, you])[0, 1] < -0.3  # conversational documents weigh less


def test_tree_ensemble_arrays_match_scikit_learn():
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 6))
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(int)
    clf = HistGradientBoostingClassifier(max_iter=30, random_state=0).fit(X, y)
    trees = TreeEnsemble.from_estimator(clf)
    again = TreeEnsemble.from_arrays(trees.arrays(), trees.baseline)
    np.testing.assert_array_equal(again.raw(X), clf.decision_function(X))  # the same floats
    np.testing.assert_allclose(again.proba(X), clf.predict_proba(X)[:, 1], rtol=1e-12)


def test_packaged_model_scores_the_seeds(shared):
    """Seed 000 is a content farm's machine translation; seed 001 a spun English wire story."""
    model = translation_model()
    mt = model.score(tokens((shared / "seeds" / "000_2d48038f344946a1.txt").read_text(encoding="utf-8")))
    spun = model.score(tokens((shared / "seeds" / "001_38abb57aea349095.txt").read_text(encoding="utf-8")))
    assert mt.document.likely and mt.document.score >= model.thresholds["document"]
    assert not spun.document.likely
    assert len(mt.sentences) == len(tokens((shared / "seeds" / "000_2d48038f344946a1.txt").read_text(encoding="utf-8")))


def test_short_text_is_never_called_likely():
    scores = translation_model().score(tokens("Hello there. It is raining."))
    assert not scores.document.likely
    assert 0.0 <= scores.document.score <= 1.0


def test_reports_carry_the_signal_and_spin_is_unchanged():
    on, off = Detector.load(suggestions=0), Detector.load(suggestions=0, translated=False)
    a, b = on.check(TEXT), off.check(TEXT)
    assert a.translated is not None and b.translated is None
    assert (a.score, a.spun, a.verdict) == (b.score, b.spun, b.verdict)
    assert [(s.score, s.spun) for s in a.sentences] == [(s.score, s.spun) for s in b.sentences]
    assert all(s.translated is not None for s in a.sentences)
    d = a.to_dict()
    assert set(d["translated"]) == {"score", "likely"}
    assert all(set(s["translated"]) == {"score", "likely"} for s in d["sentences"])
    assert "translated" not in b.to_dict()
    assert a.records("document")[0]["translated_score"] == round(a.translated.score, 4)


def test_not_english_reads_zero():
    r = Detector.load(suggestions=0).check(
        "Der Minister sagte am Dienstag, dass die neuen Maßnahmen in den kommenden Wochen umgesetzt werden."
    )
    assert r.notes and r.translated is not None and r.translated.score == 0.0 and not r.translated.likely


def test_cli_json_text_and_no_translated(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(TEXT + "\n", encoding="utf-8")
    with_mt = runner.invoke(app, ["check", "--format", "json", str(f)])
    without = runner.invoke(app, ["check", "--format", "json", "--no-translated", str(f)])
    assert with_mt.exit_code == without.exit_code  # the exit code is about spinning only
    doc = json.loads(with_mt.stdout)["documents"][0]
    assert 0.0 <= doc["translated"]["score"] <= 1.0 and isinstance(doc["translated"]["likely"], bool)
    assert all("translated" in s for s in doc["sentences"])
    doc = json.loads(without.stdout)["documents"][0]
    assert "translated" not in doc and all("translated" not in s for s in doc["sentences"])
    text = runner.invoke(app, ["check", str(f)])
    assert "machine-translated" in text.stdout.splitlines()[-1] or "machine translation" in text.stdout.splitlines()[-1]
    assert strip_marks(text.stdout) == f.read_text(encoding="utf-8")
    lines = runner.invoke(app, ["check", "--format", "jsonl", str(f)]).stdout.splitlines()
    assert all("translated" in json.loads(x) for x in lines)


def test_word_count_is_the_words_the_floor_counts():
    doc = tokens(TEXT)
    assert word_count(doc) == sentence_counts(doc, ())[:, 0].sum() == sum(segment.is_word(t) for s in doc for t in s)


def test_the_spin_model_does_not_check_the_translation_data(caplog):
    """The spin model records the checksums of the data its features read; the
    machine-translation classifier is not among them, so rebuilding it leaves the spin model
    loading without a warning (the packaged model's meta still lists it from before)."""
    import dataclasses

    from spundetect.detector import _check_artifacts
    from spundetect.lexicon import FORMATS, SPIN_ARTIFACTS
    from spundetect.model import load_model

    model = load_model()
    assert "translated" not in SPIN_ARTIFACTS and set(SPIN_ARTIFACTS) < set(FORMATS)
    for name, warned in (("translated", False), ("ranker", False), ("lm", True)):
        caplog.clear()
        stale = dataclasses.replace(model, meta={**model.meta, "artifacts": {**model.meta["artifacts"], name: "f" * 64}})
        with caplog.at_level("WARNING"):
            _check_artifacts(stale)
        assert (f"with {name} data" in caplog.text) is warned


def test_original_paragraphs_are_whole_lines_of_the_genre_files_before_their_held_back_part(tmp_path):
    from spundetect.eval_real import GENRE_HOLDOUT, GENRES
    from spundetect.eval_translated import DEFAULT_BLOCKS, original_paragraphs

    (tmp_path / "corpus").mkdir()
    n = 1000
    for g in GENRES:
        lines = [f"Paragraph {i} of genre {GENRES.index(g)} is here. It has two sentences." for i in range(n)]
        lines[4] = ""
        (tmp_path / "corpus" / f"{g}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    units = original_paragraphs(tmp_path)
    step = int(n * GENRE_HOLDOUT) // DEFAULT_BLOCKS
    for g in GENRES:
        mine = [u for u in units if u.group[0] == g]
        numbers = [int(u.sentences[0][1]) for u in mine]
        assert numbers == [i for i in range(min(int(n * GENRE_HOLDOUT), DEFAULT_BLOCKS * step)) if i != 4]
        for u, i in zip(mine, numbers):
            assert u.group == (g, str(i // step)) and len(u.sentences) == 2  # whole, in its block's group
            text = f"Paragraph {i} of genre {GENRES.index(g)} is here . It has two sentences ."
            assert " ".join(" ".join(s) for s in u.sentences) == text
