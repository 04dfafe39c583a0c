"""The LLM and Answerer protocols and the context passed to them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from hanrag.schema import SearchHit

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}

REFUSAL = "제공된 문서에서 관련 정보를 찾을 수 없습니다."


@runtime_checkable
class LLM(Protocol):
    """A chat model that streams its reply."""

    spec: str

    def stream(self, messages: Sequence[Message]) -> Iterator[str]:
        """Text pieces of the reply as they arrive; raises BackendError on failure."""
        ...


@dataclass(frozen=True)
class Context:
    """A retrieved chunk as numbered for the answer: [n]."""

    n: int
    hit: SearchHit


class Answerer(Protocol):
    """Turns a question and numbered contexts into answer text with [n] citation markers."""

    def stream_answer(self, question: str, contexts: Sequence[Context]) -> Iterator[str]: ...
