"""The Loader protocol, and how loaders report what they could not read."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from hanrag.collect import Collector
from hanrag.errors import IngestWarning
from hanrag.schema import Page

_warnings = Collector("hanrag_ingest_warnings", IngestWarning)


class Loader(Protocol):
    """Reads one file into pages; raises IngestError naming the file and the cause."""

    def __call__(self, path: Path) -> list[Page]: ...


def warn(message: str) -> None:
    """A file is readable, but not completely: collected by ``collect_warnings``, else a Python warning."""
    _warnings.report(message, stacklevel=4)


def collect_warnings() -> AbstractContextManager[list[str]]:
    """Collect the ``warn`` messages raised inside the block (in this thread only)."""
    return _warnings.collecting()
