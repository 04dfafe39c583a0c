"""Any sentence-transformers model by Hugging Face id or local path (bge-m3, KURE, e5, ...)."""

from __future__ import annotations

from typing import Any

import numpy as np

from hanrag.embed.base import PrefixedEmbedder, l2_normalize, prefixes_for
from hanrag.errors import BackendError, ConfigError


class SentenceTransformerEmbedder(PrefixedEmbedder):
    """Loads the model on first use (downloading it by name where the hub is reachable)."""

    def __init__(
        self, model: str, batch_size: int = 32, max_length: int | None = None, device: str | None = None
    ) -> None:
        """``device`` None picks a GPU (cuda, mps) when one is present, else the CPU; ``batch_size`` texts
        go through the model at once (larger suits a GPU)."""
        if not model:
            raise ConfigError("sentence-transformers embedder needs a model: 'sentence-transformers:BAAI/bge-m3'")
        self.spec = f"sentence-transformers:{model}"
        self._name = model
        self._batch_size = batch_size
        self._max_length = max_length
        self._device = device
        self._query_prefix, self._passage_prefix = prefixes_for(model)
        self._model: Any = None

    @property
    def model(self) -> Any:
        if self._model is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise BackendError(
                    "embedder 'sentence-transformers' needs: pip install torch==<cpu build> 'hanrag[st]'"
                ) from exc
            try:
                self._model = SentenceTransformer(self._name, device=self._device)
            except Exception as exc:  # noqa: BLE001 - hub/OS errors come in many types
                raise BackendError(f"cannot load sentence-transformers model '{self._name}': {exc}") from exc
            if self._max_length:
                self._model.max_seq_length = self._max_length
        return self._model

    @property
    def dim(self) -> int:
        get_dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return int(get_dim())

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            texts, batch_size=self._batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return l2_normalize(vectors)
