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
    a pipe, a device) are written directly; a symbolic link stays, and the file it points to
    is replaced. Write errors raise :class:`OutputError`; ``binary``: :attr:`file` takes bytes."""

    def __init__(self, target: Path, binary: bool = False):
        self.target = _followed(target)
        self.temp: Path | None = None
        text = {} if binary else {"encoding": "utf-8", "newline": ""}
        if _in_place(target):
            self.file = open(target, "ab" if binary else "a", **text)  # appended: a `>> log` behind /dev/stdout stays
            return
        fd, self.temp = _temp_beside(self.target)
        self.file = os.fdopen(fd, "wb" if binary else "w", **text)

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
            targets = [_followed(Path(t)) for t in files]
            for target, data in zip(targets, files.values()):
                fd, temp = _temp_beside(target)
                temps.append(temp)
                with os.fdopen(fd, "wb") as f:
                    f.write(data.encode("utf-8") if isinstance(data, str) else data)
                    f.flush()
                    os.fsync(f.fileno())
            for target, temp in zip(targets, temps):
                _replace(temp, target)
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)


def _followed(target: Path) -> Path:
    """The file a symbolic link points to (through every link): that file is replaced and
    the link stays; other paths as they are."""
    return Path(os.path.realpath(target)) if os.path.islink(target) else target


def _in_place(target: Path) -> bool:
    """Whether ``target`` is written where it is rather than replaced by a rename: what is
    not a plain file (a pipe, a device), or a link to a file descriptor (``/dev/stdout``,
    ``/dev/fd/1``: links in ``/proc/PID/fd``, which a rename would replace with a file of
    its own while the output the user redirected got nothing)."""
    path = os.path.abspath(target)
    for _ in range(40):  # the links of the last component, one by one
        if not os.path.islink(path):
            break
        if os.path.realpath(os.path.dirname(path)).startswith("/proc/"):
            return True
        path = os.path.abspath(os.path.join(os.path.dirname(path), os.readlink(path)))
    return os.path.exists(path) and not os.path.isfile(path)


def _temp_beside(target: Path) -> tuple[int, Path]:
    """A new temporary file in the target's folder (a rename within it is atomic)."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent if str(target.parent) else ".")
    return fd, Path(name)


def _replace(temp: Path, target: Path) -> None:
    """Rename ``temp`` over ``target``, with the target's permissions (a new file: the umask's)."""
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask()
    os.chmod(temp, mode)
    os.replace(temp, target)
