"""A real HTTP server on 127.0.0.1 speaking the rerank APIs hanrag calls, with scripted failures.

Each API answers as documented: results sorted best first (so clients must map by ``index``),
raw logits where the real server returns logits (TEI with ``raw_scores``, OpenSearch ML
commons) and sigmoid probabilities where it returns those (Cohere, Jina, vLLM, Infinity).
The relevance of a passage is a logit from its character overlap with the query (``logit``).
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def logit(query: str, passage: str) -> float:
    """The fake model: share of the query's characters found in the passage, mapped to -3..+5."""
    chars = {c for c in query if not c.isspace()}
    overlap = sum(c in passage for c in chars) / max(1, len(chars))
    return 8.0 * overlap - 3.0


def probability(query: str, passage: str) -> float:
    return 1.0 / (1.0 + math.exp(-logit(query, passage)))


class FakeRerank(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict[str, Any]] = []
        self.failures: list[int] = []  # HTTP statuses to answer with before succeeding, in order
        self.fail_always: int | None = None  # answer every request with this status
        self.delay = 0.0
        self.malformed = False  # answer 200 with a body of the wrong shape

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that time out on purpose drop the connection mid-reply

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeRerank
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        if self.server.delay:
            time.sleep(self.server.delay)
        status = self.server.fail_always or (self.server.failures.pop(0) if self.server.failures else None)
        if status:
            self._send(status, {"error": f"scripted {status}"})
            return
        if self.server.malformed:
            self._send(200, {"unexpected": True})
            return
        answer = self._answer(self.path, body)
        if answer is None:
            self._send(404, {"error": f"no route {self.path}"})
        else:
            self._send(200, answer)

    def _answer(self, path: str, body: dict[str, Any]) -> Any:
        if path == "/rerank" and "texts" in body:  # TEI
            query, docs = body["query"], body["texts"]
            score = logit if body.get("raw_scores") else probability
            return _best_first([{"index": i, "score": score(query, d)} for i, d in enumerate(docs)], "score")
        if path in ("/v2/rerank", "/v1/rerank", "/rerank"):  # Cohere v2, Jina, vLLM, Infinity
            query, docs = body["query"], body["documents"]
            results = _best_first(
                [{"index": i, "relevance_score": probability(query, d)} for i, d in enumerate(docs)], "relevance_score"
            )[: body.get("top_n") or None]
            answer: dict[str, Any] = {"id": "r1", "results": results}
            if path == "/rerank":
                answer.update({"object": "rerank", "model": body.get("model", "default"),
                               "usage": {"prompt_tokens": 1, "total_tokens": 1}})
            return answer
        if path in ("/score", "/v1/score"):  # vLLM score API: unsorted, one entry per text_2
            query, docs = body["text_1"], body["text_2"]
            return {"id": "s1", "object": "list", "model": body.get("model", "m"),
                    "data": [{"index": i, "object": "score", "score": probability(query, d)} for i, d in enumerate(docs)]}
        if re.fullmatch(r"/_plugins/_ml/models/[^/]+/_predict", path):  # OpenSearch ML commons
            query, docs = body["query_text"], body["text_docs"]
            return {"inference_results": [
                {"output": [{"name": "similarity", "data_type": "FLOAT32", "shape": [1], "data": [logit(query, d)]}]}
                for d in docs
            ]}
        return None

    def _send(self, status: int, payload: Any) -> None:
        raw = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


def _best_first(results: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return sorted(results, key=lambda r: -r[key])


@contextmanager
def fake_rerank() -> Iterator[FakeRerank]:
    server = FakeRerank()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
