"""A small thread-safe LRU of question -> vector: the web app and evaluations ask the same questions again."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np


class QueryLRU:
    """Per-embedder (so per model identity) memory of recent query vectors."""

    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, texts: Sequence[str], compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Rows for ``texts``; only unseen texts go to ``compute`` (once each)."""
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in texts:
                vector = self._items.get(text)
                if vector is not None:
                    self._items.move_to_end(text)
                    found[text] = vector
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            vectors = compute(missing)
            with self._lock:
                for text, vector in zip(missing, vectors):
                    vector.setflags(write=False)  # shared between callers
                    found[text] = vector
                    self._items[text] = vector
                    self._items.move_to_end(text)
                while len(self._items) > self._size:
                    self._items.popitem(last=False)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack([found[t] for t in texts])
