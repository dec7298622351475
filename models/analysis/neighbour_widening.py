"""How ``detector.NEIGHBOUR_P`` was picked, on the validation split only.

    python models/analysis/neighbour_widening.py [--sentences 1500]

For every span the packaged model flags in validation documents (fingerprints aside) and
each neighbouring content word with span probability >= 0.05, the span is restored alone and
together with the neighbour. Where the joint restoration changes the neighbour, the table
says, by the neighbour's span probability, how often the spinner had written that neighbour,
and how often the stretch (span + neighbour) comes out exactly as the original with and
without widening (top-1). Needs ../shared; prints to stdout (about 6 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
from itertools import pairwise

import numpy as np

from spundetect import segment
from spundetect.build.dataset import make_documents
from spundetect.channel import FUNCTION_WORDS
from spundetect.detector import Detector, sentence_words
from spundetect.restore import restore_span

BINS = (0.05, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.7, 1.01)


def original_text(ex, a: int, b: int) -> str | None:
    """Tokens a..b-1 as they were before spinning; None where a swap crosses the edge."""
    out, j = [], a
    while j < b:
        if not ex.spun[j]:
            out.append(segment.norm(ex.tokens[j]))
            j += 1
            continue
        k = j
        while k + 1 < len(ex.tokens) and ex.spun[k + 1] and ex.originals[k + 1] == ex.originals[j]:
            k += 1
        if k >= b or (j == a and j > 0 and ex.spun[j - 1] and ex.originals[j - 1] == ex.originals[j]):
            return None
        out.append(ex.originals[j].lower())
        j = k + 1
    return " ".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sentences", type=int, default=1500)
    args = ap.parse_args()
    det = Detector.load()
    rows = []  # (neighbour p, neighbour spun, stretch right alone, stretch right widened)
    for doc in make_documents("validation", args.sentences, 0):
        toks = [list(ex.tokens) for ex in doc.examples]
        scores = det.score(toks)
        parts, span_p = scores.rows, scores.span_p
        span_t = det.decide(scores.sentence_p, [sentence_words(t) for t in toks]).span_thresholds
        for ex, t, sent_rows, p, st in zip(doc.examples, toks, parts, span_p, span_t):
            prob = np.zeros(len(t))
            prob[sent_rows.index] = p
            for g in det.groups(t, sent_rows, p, st):
                a, b = g.start, g.end
                base = [] if g.fingerprint else restore_span(t, a, b, k=3)
                for na, nb, j in ((a, b + 1, b), (a - 1, b, a - 1)):
                    if not base or not 0 <= j < len(t) or not segment.is_word(t[j]) or t[j].lower() in FUNCTION_WORDS:
                        continue
                    want = original_text(ex, na, nb) if prob[j] >= BINS[0] else None
                    wide = restore_span(t, na, nb, k=3) if want else []
                    if not wide:
                        continue
                    top, word = wide[0].text.lower().split(), segment.norm(t[j])
                    if ((top[-1] if j == b else top[0]) if top else "") == word:
                        continue  # the joint restoration keeps the neighbour: no reason to widen
                    alone = f"{base[0].text.lower()} {word}" if j == b else f"{word} {base[0].text.lower()}"
                    rows.append((prob[j], bool(ex.spun[j]), alone == want, wide[0].text.lower() == want))
    print("neighbour p      widened  spun  right alone  right widened")
    for lo, hi in pairwise(BINS):
        b = [r for r in rows if lo <= r[0] < hi]
        print(
            f"[{lo:.2f}, {hi:.2f})  {len(b):8d} {sum(r[1] for r in b):5d} {sum(r[2] for r in b):12d} {sum(r[3] for r in b):14d}"
        )


if __name__ == "__main__":
    main()
