"""Server-sent events as bytes on the wire (one ``event:`` line, one ``data:`` line of JSON)."""

from __future__ import annotations

import json
from typing import Any


def sse(event: str, data: Any) -> str:
    # json.dumps escapes newlines, so the payload is always one data line.
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
