"""The noisy channel: how likely a spinner is to leave a word as written, or to have
swapped a given original for it. Written once here; the restore search (``restore``) calls
it per option, the span features (``features``) on arrays of candidates.

A hypothesis's channel log-weight is the sum, over its words, of:

- kept as written: :func:`keep_score` (function words are kept more often);
- swapped: :func:`swap_base` plus the link terms of :func:`link_score` (the original's
  thesaurus entry lists the written word, how many thesauri link them, how many synonyms
  the original offers, optionally its frequency), or :func:`phrase_score` for a phrase-table
  row.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import cache

import numpy as np

from .lexicon import ArtifactError, load_artifact

__all__ = [
    "FUNCTION_WORDS", "Weights", "FEATURE_WEIGHTS", "fitted_weights", "keep_score", "swap_base", "link_score", "phrase_score",
]  # fmt: skip

log = logging.getLogger(__name__)

# Words a spinner rarely swaps alone (they move only inside phrase idioms).
FUNCTION_WORDS = frozenset(
    """a an the and or but if of in on at to for from by with as into onto upon about than then
    that this these those there here it its is are was were be been being am do does did have has
    had not no nor so too very can could may might must shall should will would i you he she we
    they me him her us them my your his our their who whom whose which what when where why how
    all any both each few more most other some such only own same just also""".split()
)


@dataclass(frozen=True)
class Weights:
    """Channel log-weights of the restore search (fitted on synthetic spins; see models/)."""

    keep_content: float = -0.3  # log p(a content word is left as written)
    keep_function: float = -0.05
    swap_content: float = -2.0  # log p(a content word is swapped), before the link terms
    swap_function: float = -5.0
    spinner_direction: float = 1.0  # the original's thesaurus entry lists the written word
    per_source: float = 0.7  # per thesaurus (Moby, WordNet, Roget) that links the pair
    degree: float = -0.6  # times log(number of synonyms the original offers)
    phrase_curated: float = -1.0
    phrase_mined: float = -4.0
    swap_proper: float = -6.0  # features only: a capitalised word (the search keeps names)
    frequency: float = 0.0  # times log p_unigram of each word a swap brings in
    two_hop: float = -3.0  # a word reached through two thesaurus links (known-term search)
    term_count: float = 0.0  # times log count of a known term found by the term search
    acronym: float = 8.0  # the hypothesis spells the abbreviation in brackets after the span (set on PPS dev rows)
    lm: float = 1.0  # scale of the language-model term


#: The channel weights the spin features read (``features``): fixed here, not read from the
#: ranker artifact, which is refitted for the restore search whenever the language model is
#: rebuilt; so a trained spin model keeps the features it learnt from. A model records them
#: (``meta["feature_weights"]``) and refuses to run with others.
FEATURE_WEIGHTS = Weights(spinner_direction=0.5, swap_content=-4.0, term_count=-0.2, two_hop=-6.0)


@cache
def fitted_weights(mode: str = "context") -> Weights:
    """Weights fitted by ``python -m spundetect.build ranker``: ``context`` for a span in its
    sentence, ``phrase`` for a phrase on its own; the defaults above if none is packaged."""
    try:
        art = load_artifact("ranker")
    except ArtifactError:
        log.warning("no fitted ranker weights packaged; using defaults")
        return Weights()
    return Weights(**json.loads(art.text("weights.json"))[mode])


def keep_score(is_function, w: Weights):
    """Log-weight of a word left as written (a bool, or an array of them)."""
    if np.ndim(is_function) == 0:
        return w.keep_function if is_function else w.keep_content
    return np.where(is_function, w.keep_function, w.keep_content)


def swap_base(is_function, is_proper, w: Weights):
    """Log-weight of swapping a word, before the link terms (bools, or arrays of them)."""
    if np.ndim(is_function) == 0 and np.ndim(is_proper) == 0:
        return w.swap_proper if is_proper else (w.swap_function if is_function else w.swap_content)
    return np.where(is_proper, w.swap_proper, np.where(is_function, w.swap_function, w.swap_content))


def link_score(base, forward, n_sources, log_degree, unigram_logp, w: Weights):
    """``base`` plus the link terms of an original -> written pair (scalars or arrays):
    ``forward`` whether the original's entry lists the written word, ``n_sources`` how many
    thesauri link them, ``log_degree`` log(1 + the original's number of synonyms),
    ``unigram_logp`` the original's log frequency (used when ``w.frequency`` is set)."""
    score = base + w.spinner_direction * forward + w.per_source * n_sources + w.degree * log_degree
    if w.frequency:
        score = score + w.frequency * unigram_logp
    return score


def phrase_score(curated: bool, w: Weights) -> float:
    """Log-weight of a phrase-table swap: curated rows are likelier than mined ones."""
    return w.phrase_curated if curated else w.phrase_mined
