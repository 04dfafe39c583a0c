"""A small thread-safe LRU of recent results by text: question vectors, question terms."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

V = TypeVar("V")


class Recent(Generic[V]):
    """The last ``size`` values computed, by key; values are shared between callers (keep them immutable)."""

    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._items: OrderedDict[str, V] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, keys: Sequence[str], compute: Callable[[list[str]], Sequence[V]]) -> list[V]:
        """Values for ``keys``; only unseen keys go to ``compute`` (once each, in one call)."""
        found: dict[str, V] = {}
        with self._lock:
            for key in keys:
                if key in self._items:
                    self._items.move_to_end(key)
                    found[key] = self._items[key]
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        if missing:
            values = compute(missing)
            with self._lock:
                for key, value in zip(missing, values):
                    found[key] = self._items[key] = value
                    self._items.move_to_end(key)
                while len(self._items) > self._size:
                    self._items.popitem(last=False)
        return [found[k] for k in keys]
