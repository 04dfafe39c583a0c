"""Gemini embeddings through google-genai (key from GEMINI_API_KEY or GOOGLE_API_KEY)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from hanrag.clients import Once, gemini_client
from hanrag.embed.base import l2_normalize
from hanrag.embed.concurrent import embed_in_batches
from hanrag.errors import BackendError, ConfigError


class GeminiEmbedder:
    """``gemini:<model>``, e.g. ``gemini:gemini-embedding-001``; uses retrieval task types."""

    def __init__(
        self, model: str, batch_size: int = 100, base_url: str | None = None, concurrency: int = 4, retries: int = 4
    ) -> None:
        if not model:
            raise ConfigError("gemini embedder needs a model, e.g. 'gemini:gemini-embedding-001'")
        self.spec = f"gemini:{model}"
        self._model_name = model
        self._batch_size = batch_size
        self._base_url = base_url
        self._concurrency = concurrency
        self._retries = retries
        self._client = Once(lambda: gemini_client("embedder", base_url, retries))
        self._dim: int | None = None

    @property
    def client(self) -> Any:
        return self._client.get()

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._dim = int(self._encode(["dimension probe"], "RETRIEVAL_QUERY").shape[1])
        return self._dim

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), "RETRIEVAL_DOCUMENT")

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), "RETRIEVAL_QUERY")

    def _encode(self, texts: list[str], task_type: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dim or 0), dtype=np.float32)
        # 100 texts per request is the API's limit for batched embedding.
        rows = embed_in_batches(texts, self._batch_size, self._concurrency, lambda b: self._request(b, task_type))
        matrix = l2_normalize(np.asarray(rows, dtype=np.float32))
        self._dim = matrix.shape[1]
        return matrix

    def _request(self, batch: list[str], task_type: str) -> list[list[float]]:
        from google.genai import types

        try:
            response = self.client.models.embed_content(
                model=self._model_name, contents=batch, config=types.EmbedContentConfig(task_type=task_type)
            )
        except BackendError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise BackendError(f"Gemini embedding request failed: {type(exc).__name__}: {exc}") from exc
        return [e.values for e in response.embeddings]
