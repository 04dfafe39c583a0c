"""A small thread-safe LRU of question -> vector: the web app and evaluations ask the same questions again."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from hanrag.recent import Recent


class QueryLRU:
    """Per-embedder (so per model identity) memory of recent query vectors."""

    def __init__(self, size: int = 1024) -> None:
        self._recent: Recent[np.ndarray] = Recent(size)

    def get_or_compute(self, texts: Sequence[str], compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Rows for ``texts``; only unseen texts go to ``compute`` (once each)."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)

        def fresh(missing: list[str]) -> list[np.ndarray]:
            vectors = list(compute(missing))
            for vector in vectors:
                vector.setflags(write=False)  # shared between callers
            return vectors

        return np.vstack(self._recent.get_or_compute(texts, fresh))
