"""Writing outputs so that nothing the user has is lost: a file is written beside its
target and renamed over it only when complete, so a run that fails or is stopped (disk
full, SIGTERM, Ctrl-C) leaves an earlier file as it was. :class:`SafeOutput` streams a
report; :func:`write_atomic` writes a whole file at once (a model, its meta, figures)."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

__all__ = ["OutputError", "SafeOutput", "write_atomic", "write_together"]


class OutputError(Exception):
    """Writing the output file failed (disk full, quota, I/O error)."""


class SafeOutput:
    """An output file written atomically: into a temporary file beside the target, renamed
    over it by :meth:`commit`. A run that fails or is killed (SIGTERM, Ctrl-C) before then
    leaves the target as it was. Targets that cannot be replaced by a rename (``/dev/stdout``,
    a pipe, a device) are written directly. Write errors raise :class:`OutputError`."""

    def __init__(self, target: Path):
        self.target = target
        self.temp: Path | None = None
        if target.exists() and not target.is_file():
            self.file = target.open("w", encoding="utf-8", newline="")
            return
        fd, self.temp = _temp_beside(target)
        self.file = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def write(self, s: str) -> None:
        with _as_output_error():
            self.file.write(s)

    def flush(self) -> None:
        with _as_output_error():
            self.file.flush()

    def commit(self) -> None:
        with _as_output_error():
            self.file.flush()
            if self.temp is not None:
                os.fsync(self.file.fileno())
                self.file.close()
                _replace(self.temp, self.target)
                self.temp = None
            else:
                self.file.close()

    def discard(self) -> None:
        try:
            self.file.close()
        except OSError:
            pass
        if self.temp is not None:
            self.temp.unlink(missing_ok=True)
            self.temp = None


@contextmanager
def _as_output_error():
    try:
        yield
    except OSError as e:
        raise OutputError(e.strerror or str(e)) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(target: Path, data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8) to ``target`` whole or not at all: an earlier file
    stays as it was until the new one is complete on disk. Errors raise :class:`OutputError`."""
    write_together({Path(target): data})


def write_together(files: dict[Path, bytes | str]) -> None:
    """:func:`write_atomic` for files that belong together (a model and its meta): every one
    is complete on disk before the first replaces its earlier file, so a write that fails
    (a full disk) leaves all the earlier files as they were."""
    temps: list[Path] = []
    try:
        with _as_output_error():
            for target, data in files.items():
                fd, temp = _temp_beside(Path(target))
                temps.append(temp)
                with os.fdopen(fd, "wb") as f:
                    f.write(data.encode("utf-8") if isinstance(data, str) else data)
                    f.flush()
                    os.fsync(f.fileno())
            for target, temp in zip(files, temps):
                _replace(temp, Path(target))
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)


def _temp_beside(target: Path) -> tuple[int, Path]:
    """A new temporary file in the target's folder (a rename within it is atomic)."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent if str(target.parent) else ".")
    return fd, Path(name)


def _replace(temp: Path, target: Path) -> None:
    """Rename ``temp`` over ``target``, with the target's permissions (a new file: the umask's)."""
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask()
    os.chmod(temp, mode)
    os.replace(temp, target)
