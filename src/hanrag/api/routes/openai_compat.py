"""OpenAI-compatible chat completions: any OpenAI client or chat front end talks to hanrag unchanged.

The model is the index; the reply is hanrag's grounded answer followed by its sources, and the
citations travel in an extra ``hanrag`` field (clients that do not know it ignore it).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, StreamingResponse

from hanrag.api.deps import get_index, require_key
from hanrag.api.models import AskRequest, ChatRequest, TurnModel
from hanrag.api.routes.search import start_answer
from hanrag.errors import HanragError, InputError, NotFoundError
from hanrag.index import Index
from hanrag.schema import Answer, Done, Token

router = APIRouter(prefix="/v1", tags=["openai"], dependencies=[Depends(require_key)])


@router.get("/models")
def models(request: Request) -> dict[str, Any]:
    name = request.app.state.model_name
    return {"object": "list", "data": [{"id": name, "object": "model", "created": 0, "owned_by": "hanrag"}]}


@router.post("/chat/completions")
def chat_completions(body: ChatRequest, request: Request, index: Index = Depends(get_index)) -> Any:
    """The last user message is the question; earlier user/assistant pairs are the conversation."""
    name = request.app.state.model_name
    if body.model != name:
        raise NotFoundError(f"model '{body.model}' does not exist; this server offers '{name}'")
    events = start_answer(index, _as_ask(body))
    reply = {"id": f"chatcmpl-{uuid.uuid4().hex}", "created": int(time.time()), "model": name}
    if body.stream:
        return StreamingResponse(_stream(events, reply), media_type="text/event-stream")
    try:
        answer = next(e.answer for e in events if isinstance(e, Done))
    except HanragError as exc:
        return JSONResponse({"error": {"message": str(exc), "type": "server_error", "code": exc.status}},
                            status_code=exc.status)
    return {
        **reply, "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.answer + _sources(answer)},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "hanrag": _extra(answer),
    }


def _as_ask(body: ChatRequest) -> AskRequest:
    turns: list[TurnModel] = []
    question: str | None = None
    pending: str | None = None
    for message in body.messages:
        if message.role == "user":
            if pending is not None:
                turns.append(TurnModel(question=pending, answer=""))
            pending = message.text()
        elif message.role == "assistant" and pending is not None:
            turns.append(TurnModel(question=pending, answer=message.text()))
            pending = None
    question = pending
    if not question:
        raise InputError("the last message must be the user's question")
    return AskRequest(question=question, history=turns)


def _stream(events: Iterator[Any], reply: dict[str, Any]) -> Iterator[str]:
    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {**reply, "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {_json(body)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    try:
        for event in events:
            if isinstance(event, Token):
                yield chunk({"content": event.text})
            elif isinstance(event, Done):
                yield chunk({"content": _sources(event.answer)})
                yield chunk({}, "stop", hanrag=_extra(event.answer))
    except HanragError as exc:
        yield f"data: {_json({'error': {'message': str(exc), 'code': exc.status}})}\n\n"
    yield "data: [DONE]\n\n"


def _sources(answer: Answer) -> str:
    if not answer.citations:
        return ""
    lines = [f"[{c.n}] {c.chunk.name}" + (f", {c.chunk.page}쪽" if c.chunk.page else "") for c in answer.citations]
    return "\n\n출처:\n" + "\n".join(lines)


def _extra(answer: Answer) -> dict[str, Any]:
    data = answer.to_dict()
    return {"question": data["question"], "refused": data["refused"], "citations": data["citations"]}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
