"""Dependencies shared by the routers: the open index, the job queue, the API key."""

from __future__ import annotations

import hmac

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hanrag.errors import InputError
from hanrag.index import Index
from hanrag.jobs import JobQueue

_bearer = HTTPBearer(auto_error=False, description="HANRAG_API_KEY, when the server has one")


class AuthError(InputError):
    status = 401


def get_index(request: Request) -> Index:
    return request.app.state.index


def get_jobs(request: Request) -> JobQueue:
    return request.app.state.jobs


def require_key(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> None:
    """With an API key configured, every route it guards needs ``Authorization: Bearer <key>``."""
    key: str | None = request.app.state.api_key
    if not key:
        return
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthError("missing API key: send 'Authorization: Bearer <HANRAG_API_KEY>'")
    # Header values arrive decoded as latin-1: re-encoding gives the bytes sent (a UTF-8 key works too).
    if not hmac.compare_digest(credentials.credentials.encode("latin-1"), key.encode("utf-8")):
        raise AuthError("wrong API key")
