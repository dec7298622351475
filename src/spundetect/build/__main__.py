"""``python -m spundetect.build lm|thesaurus|candidates|phrases|fingerprints|toollinks|ranker|vectors|translated|contextual|all``:
rebuild packaged data (``all``: every one but ``contextual``, which is calibrated on the spin model, so it is
built after ``spundetect train``; it needs the ``contextual`` extra and PyPI)."""

from __future__ import annotations

import argparse
import logging
import sys
import time


def main(argv: list[str] | None = None) -> int:
    steps = ["lm", "thesaurus", "candidates", "phrases", "fingerprints", "toollinks", "ranker", "vectors", "translated"]
    parser = argparse.ArgumentParser(prog="python -m spundetect.build", description=__doc__)
    # contextual is calibrated on the spin model: built after `spundetect train`, not in "all"
    parser.add_argument("artifact", choices=steps + ["contextual", "all"])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", stream=sys.stderr)
    for step in steps if args.artifact == "all" else [args.artifact]:
        t = time.perf_counter()
        if step == "lm":
            from .lm import build_lm as build
        elif step == "thesaurus":
            from .thesaurus import build_thesaurus as build
        elif step == "candidates":
            from .candidates import build_candidates as build
        elif step == "phrases":
            from .phrases import build_phrases as build
        elif step == "fingerprints":
            from .fingerprints import build_fingerprints as build
        elif step == "toollinks":
            from .tool_links import build_tool_links as build
        elif step == "ranker":
            from .ranker import build_ranker as build
        elif step == "vectors":
            from .vectors import build_vectors as build
        elif step == "translated":
            from .translated import build_translated as build
        else:
            from .contextual import build_contextual as build
        build()
        logging.getLogger("spundetect.build").info("%s built in %.1f s", step, time.perf_counter() - t)
    return 0


if __name__ == "__main__":
    sys.exit(main())
