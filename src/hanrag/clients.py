"""Provider SDK clients (openai, google-genai) for the embedders and LLMs: made once per component,
with one rule each for keys and retries."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from hanrag.errors import BackendError
from hanrag.keys import api_key_for

T = TypeVar("T")

# google-genai retries these with exponential backoff and jitter when asked to
_GEMINI_RETRY_STATUSES = [408, 429, 500, 502, 503, 504]


class Once(Generic[T]):
    """A value made on first use, by one thread: requests go out from several threads, and a second
    SDK client made in a race and dropped would close the connection pool the first one shares."""

    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        value = self._value
        if value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._make()
                value = self._value
        return value


def openai_client(role: str, configured_url: str | None, base_url: str | None, api_key_env: str | None,
                  timeout: float, max_retries: int) -> Any:
    """``openai.OpenAI``; OPENAI_API_KEY goes to OpenAI only, another server gets the key
    ``api_key_env`` names or a placeholder (hanrag.keys). ``role`` names the component in errors."""
    try:
        from openai import OpenAI
    except ImportError as exc:
        raise BackendError(f"{role} 'openai' needs: pip install 'hanrag[openai]'") from exc
    key = api_key_for(configured_url, api_key_env)
    if not key and base_url is None:
        raise BackendError("OPENAI_API_KEY is not set")
    return OpenAI(api_key=key or "not-needed", base_url=base_url, timeout=timeout, max_retries=max_retries)


def gemini_client(role: str, base_url: str | None, retries: int, timeout: float | None = None) -> Any:
    """``google.genai.Client`` (key from GEMINI_API_KEY or GOOGLE_API_KEY), retrying 408/429/5xx."""
    try:
        from google import genai
        from google.genai import types
    except ImportError as exc:
        raise BackendError(f"{role} 'gemini' needs: pip install 'hanrag[gemini]'") from exc
    key = os.environ.get("GEMINI_API_KEY") or os.environ.get("GOOGLE_API_KEY")
    if not key:
        raise BackendError("GEMINI_API_KEY is not set")
    retry = types.HttpRetryOptions(attempts=retries + 1, http_status_codes=_GEMINI_RETRY_STATUSES)
    options = types.HttpOptions(base_url=base_url, retry_options=retry,
                                timeout=int(timeout * 1000) if timeout is not None else None)
    return genai.Client(api_key=key, http_options=options)
