"""The Reranker protocol, score calibration, and what every reranker behind an HTTP API shares."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable
from urllib.parse import urlsplit

import numpy as np

from hanrag.collect import Collector
from hanrag.errors import BackendError, ConfigError

if TYPE_CHECKING:
    from hanrag.http import JsonClient

_log = logging.getLogger("hanrag")


@runtime_checkable
class Reranker(Protocol):
    """Scores passages against a query; higher is more relevant, in [0, 1] so thresholds mean something."""

    spec: str

    def score(self, query: str, passages: Sequence[str]) -> np.ndarray: ...


# --- calibration: every reranker ends on the same 0-1 scale ----------------------------
def sigmoid(logits: np.ndarray) -> np.ndarray:
    """For raw cross-encoder logits (local models, TEI raw scores, OpenSearch ML commons)."""
    logits = np.asarray(logits, dtype=np.float64)
    return (1.0 / (1.0 + np.exp(-np.clip(logits, -500, 500)))).astype(np.float32)


def unit_interval(scores: np.ndarray) -> np.ndarray:
    """For servers that already return probabilities (Cohere, Jina, vLLM, Infinity): kept, clipped to [0, 1]."""
    return np.clip(np.asarray(scores, dtype=np.float32), 0.0, 1.0)


# --- a failing reranker: the hits stay in fused order, with a warning ---------------------
class RerankWarning(UserWarning):
    """The reranker failed; the results kept their order (fused order, for a search)."""


_warnings = Collector("hanrag_rerank_warnings", RerankWarning)


def rerank_failed(error: Exception) -> None:
    """Record that reranking was skipped: into ``collect_rerank_warnings``, else a Python warning."""
    message = f"reranking skipped, results keep their order: {error}"
    _log.warning("%s", message)
    _warnings.report(message, stacklevel=6)  # the caller of Index.search


def collect_rerank_warnings() -> AbstractContextManager[list[str]]:
    """Collect the ``rerank_failed`` messages of the searches inside the block (this thread only)."""
    return _warnings.collecting()


# --- rerankers behind an HTTP API ---------------------------------------------------------
class RemoteReranker:
    """A reranker served over HTTP, from a spec argument ``<url>[#<model>]`` (or ``<model>`` for a
    hosted API). A bare server URL gets the API's usual ``path``; a URL with a path is used as it is.

    Subclasses set the class attributes and implement ``_score_batch`` (scores of one request,
    already calibrated to 0-1, in the order of ``passages``).
    """

    kind: ClassVar[str]
    path: ClassVar[str]  # appended to a bare server URL, e.g. "/rerank"
    hosted_url: ClassVar[str | None] = None  # the provider's endpoint, for '<kind>:<model>'
    key_env: ClassVar[str | None] = None  # the provider's key variable (sent only to hosted_url's host)
    needs_model: ClassVar[bool] = False
    batch_size: ClassVar[int] = 32  # pairs per request (TEI's default client batch limit is 32)

    def __init__(
        self, arg: str, spec: str | None = None, timeout: float = 10.0, retries: int = 2, api_key_env: str | None = None,
        backoff: float = 0.5,
    ) -> None:
        self.spec = spec or f"{self.kind}:{arg}"
        self.url, self.model = self._endpoint(arg)
        key = self._api_key(api_key_env)
        try:
            from hanrag.http import JsonClient
        except ImportError as exc:
            raise BackendError(f"reranker '{self.kind}' needs httpx: pip install httpx") from exc
        self.http: JsonClient = JsonClient(
            f"reranker {self.kind} at {self.url}", timeout=timeout, retries=retries, backoff=backoff,
            **self._credentials(key),
        )

    def score(self, query: str, passages: Sequence[str]) -> np.ndarray:
        passages = list(passages)
        if not passages:
            return np.zeros(0, dtype=np.float32)
        size = self.batch_size
        parts = [self._score_batch(query, passages[i : i + size]) for i in range(0, len(passages), size)]
        return np.concatenate(parts).astype(np.float32)

    def _score_batch(self, query: str, passages: list[str]) -> np.ndarray:
        raise NotImplementedError

    def _endpoint(self, arg: str) -> tuple[str, str]:
        url, _, model = arg.partition("#")
        url, model = url.strip(), model.strip()
        if not url.startswith(("http://", "https://")):
            if self.hosted_url is None or "#" in arg:
                raise ConfigError(f"'{self.spec}': expected {self.kind}:http://host:port[#model]")
            url, model = self.hosted_url, arg.strip()
        if self.needs_model and not model:
            where = f"{self.kind}:<model> or " if self.hosted_url else ""
            raise ConfigError(f"'{self.spec}': name the model: {where}{self.kind}:http://host:port#<model>")
        if urlsplit(url).path.strip("/") in ("", "v1", "v2"):
            url = url.rstrip("/").removesuffix("/v1").removesuffix("/v2") + self.path
        return url, model

    def _credentials(self, key: str | None) -> dict[str, Any]:
        """How the key is sent (JsonClient's ``headers`` / ``auth``): a bearer token."""
        return {"headers": {"Authorization": f"Bearer {key}"}} if key else {}

    def _api_key(self, api_key_env: str | None) -> str | None:
        """A named variable's key; else the provider's own key, and only for the provider's own host."""
        if api_key_env:
            key = os.environ.get(api_key_env)
            if not key:
                raise ConfigError(f"the API key variable {api_key_env} is not set")
            return key
        if self.key_env and self.hosted_url and urlsplit(self.url).hostname == urlsplit(self.hosted_url).hostname:
            return os.environ.get(self.key_env)
        return None


def scores_by_index(
    results: Any, count: int, name: str, score_key: str = "relevance_score", index_key: str = "index"
) -> np.ndarray:
    """``[{"index": i, score_key: s}, ...]`` (any order) as scores in input order; every index must be there."""
    scores = np.full(count, np.nan, dtype=np.float64)
    try:
        for item in results:
            scores[int(item[index_key])] = float(item[score_key])
    except (TypeError, KeyError, IndexError, ValueError) as exc:
        raise BackendError(f"{name}: unexpected answer ({type(exc).__name__}: {exc}): {_short(results)}") from exc
    if np.isnan(scores).any():
        missing = np.flatnonzero(np.isnan(scores)).tolist()
        raise BackendError(f"{name}: no score for passages {missing[:10]} of {count}")
    return scores


def field(answer: Any, key: str, name: str) -> Any:
    """``answer[key]``, or a BackendError saying the server answered something else."""
    if isinstance(answer, Mapping) and key in answer:
        return answer[key]
    raise BackendError(f"{name}: unexpected answer (no '{key}'): {_short(answer)}")


def _short(value: Any) -> str:
    text = " ".join(str(value).split())
    return text[:200] + ("…" if len(text) > 200 else "")
