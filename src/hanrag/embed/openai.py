"""OpenAI embeddings and any server speaking its /v1/embeddings protocol (Ollama, vLLM, TEI, LM Studio)."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from hanrag.embed.base import PrefixedEmbedder, l2_normalize, prefixes_for
from hanrag.embed.concurrent import embed_in_batches
from hanrag.errors import BackendError, ConfigError
from hanrag.keys import api_key_for

OLLAMA_URL = "http://localhost:11434/v1"


class OpenAIEmbedder(PrefixedEmbedder):
    """``openai:<model>``, ``openai-compatible:<base_url>#<model>`` or ``ollama:<model>``.

    OPENAI_API_KEY goes to OpenAI only; another server gets the key named by ``api_key_env``
    (``embedder_api_key_env``), or a placeholder (see hanrag.keys).
    """

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        spec: str | None = None,
        batch_size: int | None = None,
        timeout: float = 60.0,
        max_retries: int = 3,
        api_key_env: str | None = None,
        concurrency: int = 4,
    ) -> None:
        if not model:
            raise ConfigError("embedder needs a model name, e.g. 'openai:text-embedding-3-small'")
        self._api_key_env = api_key_env
        self.spec = spec or f"openai:{model}"
        self._model_name = model
        self._base_url = base_url
        # OpenAI takes up to 2,048 inputs a request (and 300k tokens: 512 chunks of ~1k tokens stay under);
        # local servers (Ollama, TEI, vLLM) batch on their side, so smaller requests in flight together suit them.
        self._batch_size = batch_size or (512 if base_url is None else 64)
        self._concurrency = concurrency
        self._timeout = timeout
        self._max_retries = max_retries
        self._query_prefix, self._passage_prefix = prefixes_for(model)
        self._client: Any = None
        # created once: requests go out from several threads, and a second client dropped in a race
        # would close the first one's connection pool under it
        self._client_lock = threading.Lock()
        self._dim: int | None = None

    @property
    def client(self) -> Any:
        with self._client_lock:
            return self._client or self._make_client()

    def _make_client(self) -> Any:
        try:
            from openai import OpenAI
        except ImportError as exc:
            raise BackendError("embedder 'openai' needs: pip install 'hanrag[openai]'") from exc
        key = api_key_for(self._base_url, self._api_key_env)
        if not key and self._base_url is None:
            raise BackendError("OPENAI_API_KEY is not set")
        self._client = OpenAI(
            api_key=key or "not-needed",
            base_url=self._base_url,
            timeout=self._timeout,
            max_retries=self._max_retries,
        )
        return self._client

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._dim = int(self._encode(["dimension probe"]).shape[1])
        return self._dim

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dim or 0), dtype=np.float32)
        rows = embed_in_batches(texts, self._batch_size, self._concurrency, self._request)
        matrix = l2_normalize(np.asarray(rows, dtype=np.float32))
        self._dim = matrix.shape[1]
        return matrix

    def _request(self, batch: list[str]) -> list[list[float]]:
        """One request; the openai client retries 429, 5xx and dropped connections with backoff (max_retries)."""
        try:
            response = self.client.embeddings.create(model=self._model_name, input=batch)
        except BackendError:
            raise
        except Exception as exc:  # noqa: BLE001 - openai raises many error types
            where = self._base_url or "api.openai.com"
            raise BackendError(f"embedding request to {where} failed: {type(exc).__name__}: {exc}") from exc
        return [item.embedding for item in sorted(response.data, key=lambda d: d.index)]
