"""Assemble the training/validation/test splits' manifest and the spinner statistics.

    python corpus/make_splits.py        # writes corpus/splits.json and corpus/spinner_stats.json

The text stays in ../shared/corpus; the splits are defined by code (spundetect.build.dataset:
the LM's held-out lines, assigned to a split by a hash of the line) and this manifest records
their sizes and the sha256 of every file they come from. The statistics compare each spinner
profile's swaps with the seed's spun article and the tortured-phrase list (swap rate, part
of speech, frequency shift, how many thesauri link the swapped pair).
"""

from __future__ import annotations

import csv
import json
import statistics
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _pos(word: str) -> str:
    import lemminflect

    lemmas = lemminflect.getAllLemmas(word.lower())
    for upos in ("NOUN", "VERB", "ADJ", "ADV"):
        if upos in lemmas:
            return upos
    return "OTHER"


def _stats(pairs: list[tuple[str, str]], content_words: int) -> dict:
    """Swap statistics; ``content_words`` 0: no running text to take a rate of."""
    from spundetect.lm import language_model

    lm = language_model()
    single = [(o, w) for o, w in pairs if " " not in o and " " not in w]
    shift = [float(lm.unigram_logp([w.lower()])[0] - lm.unigram_logp([o.lower()])[0]) for o, w in single]
    pos = Counter(_pos(o) for o, _ in single)
    agree = Counter(_thesauri(o, w) for o, w in single)
    return {
        "swaps": len(pairs),
        "phrase_swaps": len(pairs) - len(single),
        "swap_rate_of_content_words": round(len(single) / max(content_words, 1), 3) if content_words else None,
        "pos_of_original": {k: round(v / max(len(single), 1), 3) for k, v in pos.most_common()},
        "median_log_frequency_shift": round(statistics.median(shift), 3) if shift else None,
        "share_rarer_than_original": round(sum(s < 0 for s in shift) / max(len(shift), 1), 3),
        # how many of Moby, WordNet and Roget link the pair (0: none does)
        "thesauri_linking_the_pair": {str(k): round(agree[k] / max(len(single), 1), 3) for k in range(4)},
    }


def _thesauri(original: str, written: str) -> int:
    """How many thesauri (Moby either way, WordNet, Roget) link ``written`` to ``original``."""
    from spundetect.candidates.synonyms import thesaurus

    o = original.lower()
    return max((link.n_sources for link in thesaurus().originals(written.lower()) if link.original == o), default=0)


def seed_stats() -> dict:
    from spundetect import segment
    from spundetect.build.sources import shared_dir
    from spundetect.evaluation import BODY_START, SEED_SPUN
    from spundetect.restore import FUNCTION_WORDS

    root = shared_dir() / "seeds"
    text = (root / SEED_SPUN).read_text(encoding="utf-8")
    body = text[text.index(BODY_START) :]
    content = sum(1 for t in segment.tokenize(body) if t.is_word and t.text.lower() not in FUNCTION_WORDS)
    lines = [line for line in (root / "001_spun_gold.tsv").read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    pairs = []
    for row in csv.DictReader(lines, delimiter="\t"):
        spun, orig = row["spun"].split(), row["original"].split()
        if len(spun) == len(orig):
            pairs += [(o, s) for s, o in zip(spun, orig) if s.lower() != o.lower()]
        else:
            pairs.append((row["original"], row["spun"]))
    return _stats(pairs, content)


def pps_stats() -> dict:
    """The same statistics for a paper-mill spinner: the word swaps of the tortured-phrase
    list's rows outside the 1,000 that ``spundetect.evaluation`` reports on (same length on
    both sides, aligned word by word with the first original where the list gives several)."""
    from spundetect.evaluation import pps_dev_rows

    pairs = []
    for tortured, expected in pps_dev_rows():
        spun, orig = tortured.split(), expected[0].split()
        if len(spun) == len(orig):
            pairs += [(o, w) for w, o in zip(spun, orig) if w.lower() != o.lower()]
    return _stats(pairs, 0)


def profile_stats(n: int = 2000) -> dict:
    from spundetect.build.dataset import make_examples
    from spundetect.build.spinner import PROFILES
    from spundetect.restore import FUNCTION_WORDS

    out = {}
    for name in PROFILES:
        examples = make_examples("train", n, seed=0, profiles=(name,))
        spun = [ex for ex in examples if ex.profile == name]
        content = sum(1 for ex in spun for t, s in zip(ex.tokens, ex.spun) if t[:1].isalpha() and t.lower() not in FUNCTION_WORDS)
        pairs = []
        for ex in spun:
            i, n_tok = 0, len(ex.tokens)
            while i < n_tok:
                if not ex.spun[i]:
                    i += 1
                    continue
                j = i  # a phrase swap: consecutive written tokens sharing one original
                while j + 1 < n_tok and ex.spun[j + 1] and ex.originals[j + 1] == ex.originals[i]:
                    j += 1
                pairs.append((ex.originals[i], " ".join(ex.tokens[i : j + 1])))
                i = j + 1
        out[name] = _stats(pairs, content)
        out[name]["sentences"] = len(spun)
    return out


def main() -> int:
    from spundetect.build.dataset import datasheet

    (HERE / "splits.json").write_text(json.dumps(datasheet(), indent=1) + "\n", encoding="utf-8")
    stats = {"seed_001": seed_stats(), "tortured_phrases": pps_stats(), "profiles": profile_stats()}
    (HERE / "spinner_stats.json").write_text(json.dumps(stats, indent=1) + "\n", encoding="utf-8")
    json.dump(stats, sys.stdout, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
