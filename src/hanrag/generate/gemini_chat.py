"""Gemini through google-genai (key from GEMINI_API_KEY or GOOGLE_API_KEY), streamed."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

from hanrag.clients import Once, gemini_client
from hanrag.errors import BackendError, ConfigError
from hanrag.generate.base import Message


class GeminiChat:
    """``gemini:<model>``, e.g. ``gemini:gemini-2.0-flash``; ``base_url`` reaches a proxy or test server."""

    def __init__(
        self, model: str, temperature: float = 0.0, max_tokens: int = 1024, timeout: float = 60.0,
        max_retries: int = 3, base_url: str | None = None,
    ) -> None:
        if not model:
            raise ConfigError("gemini llm needs a model, e.g. 'gemini:gemini-2.0-flash'")
        self.spec = f"gemini:{model}"
        self.model = model
        self._temperature = temperature
        self._max_tokens = max_tokens
        self._timeout = timeout
        self._max_retries = max_retries
        self._base_url = base_url or os.environ.get("GEMINI_BASE_URL")
        self._client = Once(lambda: gemini_client("llm", self._base_url, max_retries, timeout))

    @property
    def client(self) -> Any:
        return self._client.get()

    def request(self, messages: Sequence[Message]) -> dict[str, Any]:
        """The arguments sent to generate_content_stream (system prompt apart, turns as contents)."""
        from google.genai import types

        system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
        contents = [
            types.Content(role="model" if m["role"] == "assistant" else "user", parts=[types.Part(text=m["content"])])
            for m in messages
            if m["role"] != "system"
        ]
        config = types.GenerateContentConfig(
            system_instruction=system or None, temperature=self._temperature, max_output_tokens=self._max_tokens
        )
        return {"model": self.model, "contents": contents, "config": config}

    def stream(self, messages: Sequence[Message]) -> Iterator[str]:
        try:
            for chunk in self.client.models.generate_content_stream(**self.request(messages)):
                if chunk.text:
                    yield chunk.text
        except BackendError:
            raise
        except Exception as exc:  # noqa: BLE001
            where = self._base_url or "Gemini API"
            raise BackendError(f"{where} failed: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}") from exc
