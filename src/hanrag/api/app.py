"""The FastAPI application: routers, error payloads, auth, the web app's static files."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from hanrag.api.routes import documents, jobs, openai_compat, search, system
from hanrag.config import Settings, load_settings
from hanrag.errors import HanragError
from hanrag.index import Index
from hanrag.jobs import JobQueue

STATIC = Path(str(files("hanrag") / "ui" / "static"))


def create_app(settings: Settings | None = None, api_key: str | None = None) -> FastAPI:
    """The API and web app over the index ``settings.index`` (opened at start-up, closed at shutdown).

    ``api_key`` (default: ``$HANRAG_API_KEY``) turns on bearer auth for every route but /health.
    """
    settings = settings or load_settings()
    key = api_key if api_key is not None else os.environ.get("HANRAG_API_KEY") or None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        index = Index.open(settings=settings)
        app.state.index = index
        app.state.jobs = JobQueue(index, index.settings.index / "server")
        try:
            yield
        finally:
            app.state.jobs.close()
            index.close()

    app = FastAPI(
        title="hanrag", summary="Korean-first retrieval-augmented generation over your documents",
        version=_version(), lifespan=lifespan,
    )
    app.state.api_key = key
    app.state.model_name = model_name(settings.index)
    _add_error_handlers(app)
    if settings.server.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.server.cors_origins,
                           allow_methods=["GET", "POST", "DELETE"], allow_headers=["Authorization", "Content-Type"])
    for module in (system, documents, jobs, search, openai_compat):
        app.include_router(module.router)
    _add_web_app(app)
    return app


def model_name(index_dir: Path) -> str:
    """The index as an OpenAI model name: its folder's name ('.hanrag' -> 'hanrag')."""
    return Path(index_dir).resolve().name.lstrip(".") or "hanrag"


def _add_error_handlers(app: FastAPI) -> None:
    """Every error is ``{"error": "one line"}`` with the status of whose fault it is (under /v1/,
    OpenAI's ``{"error": {"message", "type", "code"}}``, which OpenAI clients read)."""

    def payload(request: Request, message: str, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
        if request.url.path.startswith("/v1/"):
            kind = "invalid_request_error" if status < 500 else "server_error"
            body: dict[str, object] = {"error": {"message": message, "type": kind, "code": status}}
        else:
            body = {"error": message}
        return JSONResponse(body, status_code=status, headers=headers)

    @app.exception_handler(HanragError)
    async def hanrag_error(request: Request, exc: HanragError) -> JSONResponse:
        return payload(request, str(exc), exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
            parts.append(f"{where}: {error.get('msg', 'invalid')}")
        return payload(request, "invalid request: " + "; ".join(parts), 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return payload(request, str(exc.detail), exc.status_code, exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        return payload(request, f"internal error: {type(exc).__name__}: {exc}", 500)


def _add_web_app(app: FastAPI) -> None:
    if not (STATIC / "index.html").is_file():
        return

    @app.get("/", include_in_schema=False)
    def web_app() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/ui", StaticFiles(directory=STATIC), name="ui")


def _version() -> str:
    from hanrag import __version__

    return __version__
