"""The Loader protocol, and how loaders report what they could not read."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Protocol

from hanrag.errors import IngestWarning
from hanrag.schema import Page

# Per thread/context, unlike warnings.catch_warnings (process-global, unsafe in a server).
_collected: ContextVar[list[str] | None] = ContextVar("hanrag_ingest_warnings", default=None)


class Loader(Protocol):
    """Reads one file into pages; raises IngestError naming the file and the cause."""

    def __call__(self, path: Path) -> list[Page]: ...


def warn(message: str) -> None:
    """A file is readable, but not completely: collected by ``collect_warnings``, else a Python warning."""
    collected = _collected.get()
    if collected is None:
        warnings.warn(IngestWarning(message), stacklevel=3)
    else:
        collected.append(message)


@contextmanager
def collect_warnings() -> Iterator[list[str]]:
    """Collect the ``warn`` messages raised inside the block (in this thread only)."""
    collected: list[str] = []
    token = _collected.set(collected)
    try:
        yield collected
    finally:
        _collected.reset(token)
