"""Chat completions over the OpenAI protocol: OpenAI itself, vLLM, llama.cpp server, LM Studio, Ollama."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

from hanrag.clients import Once, openai_client
from hanrag.errors import BackendError, BackendTimeoutError, ConfigError
from hanrag.generate.base import Message

OLLAMA_URL = "http://localhost:11434/v1"


class OpenAIChat:
    """``openai:<model>``, ``openai-compatible:<base_url>#<model>`` or ``ollama:<model>``.

    429, 5xx, timeouts and dropped connections are retried ``max_retries`` times with
    exponential backoff (the openai client's own policy); then a one-line BackendError.
    """

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        spec: str | None = None,
        temperature: float = 0.0,
        max_tokens: int = 1024,
        timeout: float = 60.0,
        max_retries: int = 3,
        api_key_env: str | None = None,
    ) -> None:
        if not model:
            raise ConfigError("llm needs a model name, e.g. 'openai:gpt-4o'")
        self._configured_url = base_url  # from a spec (a config file): never gets OPENAI_API_KEY by default
        self._api_key_env = api_key_env
        self.spec = spec or f"openai:{model}"
        self.model = model
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL")
        self._options = {"temperature": temperature, "max_tokens": max_tokens}
        self._timeout = timeout
        self._max_retries = max_retries
        self._client = Once(lambda: openai_client(
            "llm", self._configured_url, self.base_url, api_key_env, timeout, max_retries))

    @property
    def client(self) -> Any:
        return self._client.get()

    def stream(self, messages: Sequence[Message]) -> Iterator[str]:
        try:
            response = self.client.chat.completions.create(
                model=self.model, messages=list(messages), stream=True, **self._options
            )
            for chunk in response:
                if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except BackendError:
            raise
        except Exception as exc:  # noqa: BLE001 - the openai client raises many types
            import openai

            kind = BackendTimeoutError if isinstance(exc, openai.APITimeoutError) else BackendError
            raise kind(self._describe(exc)) from exc

    def _describe(self, exc: Exception) -> str:
        import openai

        where = self.base_url or "api.openai.com"
        if isinstance(exc, openai.AuthenticationError):
            return f"LLM at {where} rejected the API key (401); check OPENAI_API_KEY"
        if isinstance(exc, openai.RateLimitError):
            return f"LLM at {where} is rate-limiting (429) after {self._max_retries} retries; try again later"
        if isinstance(exc, openai.APITimeoutError):
            return f"LLM at {where} did not answer within {self._timeout:g} s"
        if isinstance(exc, openai.APIConnectionError):
            return f"cannot reach the LLM at {where} ({exc.__cause__ or exc})"
        if isinstance(exc, openai.NotFoundError):
            return f"LLM at {where} does not know model '{self.model}' (404)"
        if isinstance(exc, openai.APIStatusError):
            return f"LLM at {where} failed with HTTP {exc.status_code}: {_short(exc.message)}"
        return f"LLM at {where} failed: {type(exc).__name__}: {_short(str(exc))}"


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
