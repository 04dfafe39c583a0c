"""The Gemini embedder against a local stand-in for the API: batching, bounded concurrency, retries."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

pytest.importorskip("google.genai")

from hanrag.embed.gemini import GeminiEmbedder  # noqa: E402

_lock = threading.Lock()


class Server(ThreadingHTTPServer):
    requests: list[dict]
    fail_next: int = 0
    in_flight: int = 0
    max_in_flight: int = 0


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        srv = self.server
        with _lock:
            srv.requests.append({"path": self.path, **body})
            fail = srv.fail_next > 0
            srv.fail_next -= fail
            srv.in_flight += 1
            srv.max_in_flight = max(srv.max_in_flight, srv.in_flight)
        time.sleep(0.1)
        with _lock:
            srv.in_flight -= 1
        if fail:
            self._send(429, {"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED"}})
            return
        texts = [r["content"]["parts"][0]["text"] for r in body["requests"]]
        self._send(200, {"embeddings": [{"values": [float(len(t)), 1.0, 0.0]} for t in texts]})

    def _send(self, status: int, payload: dict) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    monkeypatch.setenv("GEMINI_API_KEY", "test-key")
    srv = Server(("127.0.0.1", 0), Handler)
    srv.requests = []
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def embedder(srv: Server, **options: int) -> GeminiEmbedder:
    return GeminiEmbedder("gemini-embedding-001", base_url=f"http://127.0.0.1:{srv.server_address[1]}", **options)


def test_batches_in_flight_together_and_in_order(server: Server) -> None:
    texts = ["가" * n for n in range(1, 8)]
    vectors = embedder(server, batch_size=2, concurrency=2).embed_passages(texts)
    assert len(server.requests) == 4 and all(len(r["requests"]) <= 2 for r in server.requests)
    assert server.max_in_flight == 2
    expected = np.array([[n, 1.0, 0.0] for n in range(1, 8)]) / np.linalg.norm([[n, 1.0, 0.0] for n in range(1, 8)], axis=1)[:, None]
    np.testing.assert_allclose(vectors, expected, rtol=1e-5)
    assert server.requests[0]["requests"][0]["taskType"] == "RETRIEVAL_DOCUMENT"


def test_429_is_retried(server: Server) -> None:
    server.fail_next = 1
    assert embedder(server).embed_queries(["질문"]).shape == (1, 3)
    assert len(server.requests) == 2
