"""OpenAI embeddings and any server speaking its /v1/embeddings protocol (Ollama, vLLM, TEI, LM Studio)."""

from __future__ import annotations

from typing import Any

import numpy as np

from hanrag.clients import Once, openai_client
from hanrag.embed.base import PrefixedEmbedder, l2_normalize, prefixes_for
from hanrag.embed.concurrent import embed_in_batches
from hanrag.errors import BackendError, ConfigError

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
        self._client = Once(lambda: openai_client("embedder", base_url, base_url, api_key_env, timeout, max_retries))
        self._dim: int | None = None

    @property
    def client(self) -> Any:
        return self._client.get()

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
