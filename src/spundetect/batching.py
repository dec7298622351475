"""Batching: short documents are checked together, one model call per group (each call of
the classifiers costs some milliseconds whatever its size, as much as scoring a few hundred
words). The command line and ``spundetect.scale`` group their inputs here."""

from __future__ import annotations

from typing import Callable, Iterable, Iterator, TypeVar

__all__ = ["groups", "fits", "GROUP_CHARS", "GROUP_ITEMS"]

GROUP_CHARS = 30_000  # short inputs are checked together, up to this many characters
GROUP_ITEMS = 64  # and at most this many inputs

T = TypeVar("T")


def fits(length: int | None) -> bool:
    """Whether an input of ``length`` characters joins a group (None: it cannot, e.g. an
    input with an error or one streamed from a large file)."""
    return length is not None and length < GROUP_CHARS


def groups(items: Iterable[T], length: Callable[[T], int | None]) -> Iterator[list[T]]:
    """Consecutive items that :func:`fits` in groups of up to GROUP_CHARS characters or
    GROUP_ITEMS items, in order; any other item alone."""
    group: list[T] = []
    size = 0
    for item in items:
        n = length(item)
        if fits(n):
            group.append(item)
            size += n
            if size >= GROUP_CHARS or len(group) >= GROUP_ITEMS:
                yield group
                group, size = [], 0
            continue
        if group:
            yield group
            group, size = [], 0
        yield [item]
    if group:
        yield group
