"""The lemminflect adapter: lemmas, inflections and the readings of an English word (the
candidate search, the fingerprint list and the build's spinners use it)."""

from __future__ import annotations

from functools import lru_cache

__all__ = ["all_inflections", "all_lemmas", "word_readings", "inflect", "first_lemma"]


@lru_cache(maxsize=200_000)
def all_inflections(lemma: str, upos: str) -> dict[str, tuple[str, ...]]:
    """lemminflect's inflections of a lemma, cached; callers must not modify the result.

    For a lower-case lemma this reads lemminflect's tables directly: its public call
    deep-copies them each time, which was a fifth of a cold check. Same result
    (tests/test_synonyms.py compares the two); anything unusual takes the public call."""
    import lemminflect

    try:
        from lemminflect.core.LexicalUtils import uposToTags

        infl = lemminflect.Inflections()
        if lemma != lemma.lower() or upos not in infl.DICT_UPOS_TYPES or upos == "PROPN":
            raise LookupError
        forms = dict(infl._getInflDict().get(lemma, {}))
        forms.update(infl._getOverridesDict().get(lemma, {}))
        tags = uposToTags(upos)
        return {tag: tuple(f) for tag, f in forms.items() if tag in tags}
    except (LookupError, AttributeError, ImportError):
        return lemminflect.getAllInflections(lemma, upos=upos)


def all_lemmas(word: str) -> dict[str, tuple[str, ...]]:
    """lemminflect's lemmas of a word; for a lower-case word read from its tables directly
    (no deep copy; same result, see tests/test_synonyms.py)."""
    import lemminflect

    try:
        lem = lemminflect.Lemmatizer()
        if word != word.lower():
            raise LookupError
        lemmas = dict(lem._getLemmaDict().get(word, {}))
        lemmas.update(lem._getOverridesDict().get(word, {}))
        return {upos: tuple(x) for upos, x in lemmas.items()}
    except (LookupError, AttributeError):
        return {upos: tuple(x) for upos, x in lemminflect.getAllLemmas(word).items()}


@lru_cache(maxsize=100_000)
def word_readings(word: str) -> tuple[tuple[str, str, str], ...]:
    """(lemma, upos, penn tag) readings of ``word``; the word itself as a lemma first."""
    out: list[tuple[str, str, str]] = []
    for upos, lemmas in all_lemmas(word).items():
        for lemma in lemmas:
            for tag, forms in all_inflections(lemma, upos).items():
                if word in forms:
                    out.append((lemma, upos, tag))
    return tuple(out)


def first_lemma(word: str) -> str:
    """The lemma of the first reading of ``word`` (the word itself if it has none)."""
    readings = word_readings(word)
    return readings[0][0] if readings else word


@lru_cache(maxsize=100_000)
def inflect(lemma: str, upos: str, tag: str) -> str | None:
    """Inflect a (possibly multiword) lemma like the written word, or None if it cannot take
    that form (a noun offered for a verb reading). Phrasal verbs inflect the first word,
    nouns the last."""
    parts = lemma.split()
    i = 0 if upos in ("VERB", "AUX") else len(parts) - 1
    forms = all_inflections(parts[i], upos).get(tag)
    if not forms:
        return None
    parts[i] = forms[0]
    return " ".join(parts)
