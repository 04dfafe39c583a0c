"""Messages a component reports without failing (a page it could not read, a reranker that
failed), collected per thread and per call: ``warnings.catch_warnings`` is process-global and
so unsafe in a server. Outside a ``collecting()`` block they become Python warnings."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class Collector:
    """One kind of message: ``report`` it where it happens, ``collecting()`` where it is shown."""

    def __init__(self, name: str, category: type[Warning]) -> None:
        self._collected: ContextVar[list[str] | None] = ContextVar(name, default=None)
        self._category = category

    def report(self, message: str, stacklevel: int = 3) -> None:
        collected = self._collected.get()
        if collected is None:
            warnings.warn(self._category(message), stacklevel=stacklevel)
        else:
            collected.append(message)

    @contextmanager
    def collecting(self) -> Iterator[list[str]]:
        """The messages reported inside the block, in this thread or task only."""
        collected: list[str] = []
        token = self._collected.set(collected)
        try:
            yield collected
        finally:
            self._collected.reset(token)
