"""Request bodies of the HTTP API (responses are the same dicts the CLI prints with --json)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hanrag.schema import Turn


class SearchOptions(BaseModel):
    """Per-request overrides of the index's retrieval settings."""

    model_config = ConfigDict(extra="forbid")

    top_k: int | None = Field(None, ge=1, le=100)
    mode: Literal["hybrid", "bm25", "dense"] | None = None
    fusion: Literal["cc", "rrf"] | None = None
    normalization: Literal["minmax", "zscore", "dbsf", "l2", "none"] | None = None
    weights: dict[str, float] | None = None
    rerank: bool | None = None
    where: str | list[str] | dict[str, Any] | None = Field(
        None, description="metadata filter: 'source:*.pdf', ['page<10', 'kind:table'] or {'page': {'<': 10}}"
    )

    def search_kwargs(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, include=set(SearchOptions.model_fields))


class SearchRequest(SearchOptions):
    query: str


class TurnModel(BaseModel):
    question: str
    answer: str

    def turn(self) -> Turn:
        return Turn(self.question, self.answer)


class AskRequest(SearchOptions):
    question: str
    stream: bool = False
    history: list[TurnModel] = Field(default_factory=list, max_length=50, description="earlier turns, oldest first")
    llm: str | None = Field(None, description="one of GET /config 'llms'")


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):  # [{"type": "text", "text": ...}, ...]
            return "".join(str(part.get("text", "")) for part in self.content if part.get("type") == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    """OpenAI's chat completion request; options other than these are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
