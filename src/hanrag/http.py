"""One JSON-over-HTTP client for every remote backend: time-outs, retries with backoff, one-line errors.

429, 5xx, time-outs and dropped connections are retried ``retries`` times with exponential
backoff (a server's ``Retry-After`` is honoured, capped); then a ``BackendTimeoutError`` (no
answer in time) or ``BackendError`` naming the server and what it said. Other 4xx answers are
not retried: the request itself is wrong (a bad model name, a missing key).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx

from hanrag.errors import BackendError, BackendTimeoutError

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_MAX_WAIT = 10.0  # seconds: the longest a Retry-After is obeyed


class JsonClient:
    """POSTs JSON and returns the decoded answer; safe to share between threads."""

    def __init__(
        self,
        name: str,
        timeout: float = 30.0,
        retries: int = 2,
        backoff: float = 0.5,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> None:
        self.name = name  # e.g. "reranker tei at http://gpu:8080/rerank", the start of every error
        self._timeout = timeout
        self._retries = retries
        self.backoff = backoff
        self._headers = headers or {}
        self._auth = auth
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = httpx.Client(timeout=self._timeout, headers=self._headers, auth=self._auth)
        return self._client

    def post(self, url: str, payload: Any) -> Any:
        """The JSON answer to ``payload`` POSTed at ``url``."""
        for attempt in range(self._retries + 1):
            last = attempt == self._retries
            try:
                response = self.client.post(url, json=payload)
            except httpx.TimeoutException as exc:
                if last:
                    raise BackendTimeoutError(f"{self.name}: no answer within {self._timeout:g} s") from exc
                self._sleep(attempt)
                continue
            except httpx.TransportError as exc:
                if last:
                    raise BackendError(f"{self.name}: cannot connect ({_reason(exc)})") from exc
                self._sleep(attempt)
                continue
            if response.status_code in RETRY_STATUSES and not last:
                self._sleep(attempt, response.headers.get("retry-after"))
                continue
            if response.status_code >= 400:
                kind = BackendTimeoutError if response.status_code == 504 else BackendError
                raise kind(f"{self.name}: HTTP {response.status_code}: {_snippet(response)}")
            try:
                return response.json()
            except ValueError as exc:
                raise BackendError(f"{self.name}: the answer is not JSON: {_snippet(response)}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _sleep(self, attempt: int, retry_after: str | None = None) -> None:
        wait = self.backoff * 2**attempt
        if retry_after:
            try:
                wait = max(wait, float(retry_after))
            except ValueError:
                pass  # an HTTP date: keep our own backoff
        time.sleep(min(wait, _MAX_WAIT))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def _snippet(response: httpx.Response) -> str:
    """What the server said, as one short line (its JSON error message when it sent one)."""
    try:
        body = response.json()
    except ValueError:
        body = response.text
    if isinstance(body, dict):
        error = body.get("error") or body.get("message") or body.get("detail") or body
        if isinstance(error, dict):
            error = error.get("reason") or error.get("message") or error
        body = error
    text = " ".join(str(body).split())
    return text[:300] or response.reason_phrase or "(empty answer)"
