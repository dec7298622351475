"""Writing packaged data artifacts deterministically (same inputs -> same bytes)."""

from __future__ import annotations

import hashlib
import io
import json
import logging
from pathlib import Path

import numpy as np

from ..lexicon import DATA_DIR, HEADER

__all__ = ["write_artifact"]

log = logging.getLogger(__name__)


def write_artifact(
    name: str,
    header: dict,
    arrays: dict[str, np.ndarray],
    texts: dict[str, str] | None = None,
    out_dir: Path | None = None,
) -> Path:
    """Write ``arrays`` as .npy files and ``texts`` as UTF-8 files, plus a header with checksums.

    The header's ``sha256`` is a digest over the files' digests, so it names the artifact's
    content; it is what ``spundetect info`` and the JSON output report as the version.
    """
    root = (out_dir or DATA_DIR) / name
    root.mkdir(parents=True, exist_ok=True)
    for old in root.iterdir():
        old.unlink()
    files: dict[str, str] = {}
    for key, arr in sorted(arrays.items()):
        buf = io.BytesIO()
        np.save(buf, np.ascontiguousarray(arr), allow_pickle=False)
        data = buf.getvalue()
        (root / f"{key}.npy").write_bytes(data)
        files[f"{key}.npy"] = hashlib.sha256(data).hexdigest()
    for key, text in sorted((texts or {}).items()):
        data = text.encode("utf-8")
        (root / key).write_bytes(data)
        files[key] = hashlib.sha256(data).hexdigest()
    digest = hashlib.sha256("".join(f"{k}:{v}\n" for k, v in sorted(files.items())).encode()).hexdigest()
    full = {**header, "name": name, "files": files, "sha256": digest}
    (root / HEADER).write_text(json.dumps(full, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    size = sum((root / f).stat().st_size for f in files)
    log.info("wrote %s (%.1f MB, sha256 %s)", root, size / 1e6, digest[:12])
    return root
