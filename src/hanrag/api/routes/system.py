"""Health and the settings a client (the web app) starts from."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from hanrag.api.deps import get_index, require_key
from hanrag.index import Index
from hanrag.ingest import SUPPORTED_SUFFIXES

router = APIRouter(tags=["system"])


@router.get("/health")
def health() -> dict[str, str]:
    """Liveness; needs no API key."""
    return {"status": "ok"}


@router.get("/config", dependencies=[Depends(require_key)])
def config(request: Request, index: Index = Depends(get_index)) -> dict[str, Any]:
    """The index's defaults and the choices a request may make."""
    s = index.settings
    r = s.retrieval
    return {
        "index": request.app.state.model_name,
        "auth": bool(request.app.state.api_key),
        "llm": s.llm,
        "llms": allowed_llms(index),
        "reranker": s.reranker,
        "retrieval": {
            "mode": r.mode, "fusion": r.fusion, "normalization": r.normalization, "weights": r.weights,
            "top_k": r.top_k, "candidates": r.candidates, "rrf_k": r.rrf_k, "threshold": r.threshold,
        },
        "limits": {"max_upload_bytes": int(s.server.max_upload_mb * 1e6), "max_query_chars": r.max_query_chars},
        "formats": sorted(SUPPORTED_SUFFIXES),
    }


def allowed_llms(index: Index) -> list[str]:
    """The LLM specs a request may choose: the configured one, the offline default, server.llms."""
    specs = [index.settings.llm, "extractive", *index.settings.server.llms]
    return list(dict.fromkeys(specs))
