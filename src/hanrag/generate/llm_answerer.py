"""Answering with an LLM: prompt with numbered contexts, stream the reply."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from hanrag.generate.base import LLM, Context
from hanrag.generate.prompts import build_messages


class LLMAnswerer:
    def __init__(self, llm: LLM, max_context_chars: int = 6000, reorder: bool = False) -> None:
        self.llm = llm
        self.max_context_chars = max_context_chars
        self.reorder = reorder

    def stream_answer(self, question: str, contexts: Sequence[Context]) -> Iterator[str]:
        yield from self.llm.stream(build_messages(question, contexts, self.max_context_chars, self.reorder))
