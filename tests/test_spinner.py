"""The training spinners (build.spinner): the tool profile writes like real tools."""

from typer.testing import CliRunner

from spundetect import segment
from spundetect.build.spinner import ALL_PROFILES, EXTRA_PROFILES, PROFILES, Spinner, real_choices
from spundetect.cli import app


def _spin(profile: str, text: str, seed: int = 0) -> str:
    tokens = [t.text for t in segment.tokenize(text)]
    return " ".join(Spinner.from_profile(ALL_PROFILES[profile], seed=seed).spin(tokens)[0])


def test_real_choices_come_from_the_development_rows_only(shared):
    from spundetect.evaluation import pps_dev_rows, pps_sample

    choices = real_choices()
    assert "organization" in choices["network"][0] and "relapse" in choices["regression"][0]
    assert all(abs(sum(odds) - 1) < 1e-9 for _, odds in choices.values())
    # the rows they are read from hold none of the 1,000 evaluation rows
    assert not {t for t, _ in pps_dev_rows()} & {t for t, _ in pps_sample()}


def test_tool_profile_swaps_hyphen_parts_capitals_and_phrases(shared):
    text = "Most pre-training models use computer vision when Training data is scarce."
    spun = [_spin("tool", text, seed) for seed in range(30)]
    assert any("pre-" in s and "pre-training" not in s for s in spun)  # a hyphenated word's part
    assert any("Training" not in s for s in spun)  # capitalised words are not protected
    assert any(s.lower().startswith(("the vast majority of", "the greater part of")) for s in spun)
    # the packaged model's profiles never use the tool's choices
    assert "tool" not in PROFILES and all(p.real_rate == 0 and not p.hyphen_parts for p in PROFILES.values())
    assert set(EXTRA_PROFILES) == {"tool"}


def test_train_refuses_an_unknown_profile():
    r = CliRunner().invoke(app, ["train", "--profile", "nonesuch", "--out", "/nonexistent"])
    assert r.exit_code == 2 and "unknown profile nonesuch" in r.stderr
