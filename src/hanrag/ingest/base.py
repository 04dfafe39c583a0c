"""The Loader protocol."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from hanrag.schema import Page


class Loader(Protocol):
    """Reads one file into pages; raises IngestError naming the file and the cause."""

    def __call__(self, path: Path) -> list[Page]: ...
