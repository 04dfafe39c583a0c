"""Search, grounded answers (JSON or streamed), and single chunks."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, StreamingResponse

from hanrag.api.deps import get_index, require_key
from hanrag.api.models import AskRequest, SearchRequest
from hanrag.api.routes.system import allowed_llms
from hanrag.api.sse import sse
from hanrag.errors import HanragError, InputError
from hanrag.index import Index
from hanrag.schema import AnswerEvent, Done, Retrieved, SearchHit, failed_answer

router = APIRouter(tags=["search"], dependencies=[Depends(require_key)])


@router.post("/search")
def search(body: SearchRequest, index: Index = Depends(get_index)) -> list[dict[str, Any]]:
    """Ranked chunks with each retriever's score and rank, and the query's terms matched in each."""
    return [h.to_dict() for h in index.search(body.query, **body.search_kwargs())]


@router.post("/ask", responses={200: {"content": {"text/event-stream": {}}}})
def ask(body: AskRequest, request: Request, index: Index = Depends(get_index)) -> Any:
    """A grounded answer; streamed as SSE with ``"stream": true`` or ``Accept: text/event-stream``."""
    events = start_answer(index, body)
    if body.stream or "text/event-stream" in request.headers.get("accept", ""):
        return StreamingResponse(_as_sse(events), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    hits: list[SearchHit] = []
    try:
        for event in events:
            if isinstance(event, Retrieved):
                hits = event.hits
            elif isinstance(event, Done):
                return event.answer.to_dict()
    except HanragError as exc:  # the LLM failed after the search: the hits are still given
        return JSONResponse(failed_answer(hits, str(exc)), status_code=exc.status)
    raise AssertionError("no answer")  # pragma: no cover


@router.get("/chunks/{chunk_id}")
def chunk(chunk_id: str, index: Index = Depends(get_index)) -> dict[str, Any]:
    """One chunk with its document, page and section."""
    c = index.chunk(chunk_id)
    return {"chunk_id": c.chunk_id, "doc_id": c.doc_id, "source": c.source, "name": c.name, "page": c.page,
            "section": c.section, "title": c.title, "kind": c.kind, "text": c.text}


def start_answer(index: Index, body: AskRequest) -> Iterator[AnswerEvent]:
    """The answer's events, with the first one already taken, so that a bad question or an empty
    index is an ordinary HTTP error rather than an error inside a stream."""
    if body.llm is not None and body.llm not in allowed_llms(index):
        raise InputError(f"llm '{body.llm}' is not offered by this server (choose from: {', '.join(allowed_llms(index))})")
    events = index.ask_stream(body.question, history=[t.turn() for t in body.history], llm=body.llm,
                              **body.search_kwargs())
    first = next(events)
    return chain([first], events)


def _as_sse(events: Iterator[AnswerEvent]) -> Iterator[str]:
    hits: list[SearchHit] = []
    try:
        for event in events:
            if isinstance(event, Retrieved):
                hits = event.hits
            yield sse(event.event, event.to_dict())
    except HanragError as exc:
        yield sse("error", {"error": str(exc), "status": exc.status, "hits": [h.to_dict() for h in hits]})
