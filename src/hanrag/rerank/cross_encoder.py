"""Cross-encoders through sentence-transformers (BAAI/bge-reranker-v2-m3, Dongjin-kr/ko-reranker, ...)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from hanrag.errors import BackendError, ConfigError
from hanrag.rerank.base import sigmoid


class CrossEncoderReranker:
    """Batches pairs, truncates to ``max_length`` tokens and maps raw logits through a sigmoid."""

    def __init__(self, model: str, batch_size: int = 16, max_length: int = 512, device: str = "cpu") -> None:
        if not model:
            raise ConfigError("cross-encoder reranker needs a model: 'cross-encoder:BAAI/bge-reranker-v2-m3'")
        self.spec = f"cross-encoder:{model}"
        self._name = model
        self._batch_size = batch_size
        self._max_length = max_length
        self._device = device
        self._model: Any = None

    @property
    def model(self) -> Any:
        if self._model is None:
            try:
                import torch
                from sentence_transformers import CrossEncoder
            except ImportError as exc:
                raise BackendError("reranker 'cross-encoder' needs: pip install torch==<cpu build> 'hanrag[st]'") from exc
            try:
                # Identity activation: we want raw logits and apply one sigmoid ourselves,
                # whatever activation the model's config declares.
                self._model = CrossEncoder(
                    self._name, device=self._device, max_length=self._max_length, activation_fn=torch.nn.Identity()
                )
            except Exception as exc:  # noqa: BLE001
                raise BackendError(f"cannot load cross-encoder '{self._name}': {exc}") from exc
        return self._model

    def score(self, query: str, passages: Sequence[str]) -> np.ndarray:
        if not passages:
            return np.zeros(0, dtype=np.float32)
        logits = self.model.predict(
            [(query, p) for p in passages], batch_size=self._batch_size, show_progress_bar=False, convert_to_numpy=True
        )
        logits = np.asarray(logits, dtype=np.float32)
        if logits.ndim == 2:  # two-class heads: use the "relevant" logit minus the other
            logits = logits[:, -1] - logits[:, 0] if logits.shape[1] == 2 else logits[:, 0]
        return sigmoid(logits)
