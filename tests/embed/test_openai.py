"""The OpenAI-protocol embedder against a real HTTP server on 127.0.0.1."""

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from hanrag import Index
from hanrag.errors import BackendError
from hanrag.registry import create_embedder

pytest.importorskip("openai")
_lock = threading.Lock()


def fake_vector(text: str, dim: int = 8) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest()
    return [b - 128.0 for b in digest[:dim]]


class Server(ThreadingHTTPServer):
    requests: list[dict]
    fail_next: int = 0
    fail_status: int = 500
    delay: float = 0.0
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
            srv.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
            fail = srv.fail_next > 0
            srv.fail_next -= fail
            srv.in_flight += 1
            srv.max_in_flight = max(srv.max_in_flight, srv.in_flight)
        try:
            time.sleep(srv.delay)
        finally:
            with _lock:
                srv.in_flight -= 1
        if fail:
            headers = {"Retry-After": "0"} if srv.fail_status == 429 else {}
            self._send(srv.fail_status, {"error": {"message": "boom"}}, headers)
            return
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [{"object": "embedding", "index": i, "embedding": fake_vector(t)} for i, t in enumerate(inputs)]
        self._send(200, {"object": "list", "data": data, "model": body["model"], "usage": {"prompt_tokens": 1, "total_tokens": 1}})

    def _send(self, status: int, payload: dict, headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server(("127.0.0.1", 0), Handler)
    srv.requests = []
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def url(srv: Server) -> str:
    return f"http://127.0.0.1:{srv.server_address[1]}/v1"


def test_embeds_through_the_protocol(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-only")
    monkeypatch.setenv("MY_SERVER_KEY", "sk-test")
    embedder = create_embedder(f"openai-compatible:{url(server)}#my-embedder", api_key_env="MY_SERVER_KEY")
    vectors = embedder.embed_passages(["가", "나", "다"])
    assert vectors.shape == (3, 8)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    expected = np.asarray(fake_vector("나"), dtype=np.float32)
    np.testing.assert_allclose(vectors[1], expected / np.linalg.norm(expected), rtol=1e-5)
    request = server.requests[-1]
    assert request["path"] == "/v1/embeddings" and request["model"] == "my-embedder"
    assert request["input"] == ["가", "나", "다"] and request["auth"] == "Bearer sk-test"
    create_embedder(f"openai-compatible:{url(server)}#my-embedder").embed_queries(["라"])
    assert server.requests[-1]["auth"] == "Bearer not-needed"  # OPENAI_API_KEY stays with OpenAI


def test_e5_models_get_prefixes(server: Server) -> None:
    embedder = create_embedder(f"openai-compatible:{url(server)}#intfloat/multilingual-e5-small")
    embedder.embed_queries(["질문"])
    embedder.embed_passages(["문서"])
    assert [r["input"] for r in server.requests] == [["query: 질문"], ["passage: 문서"]]


def test_retries_server_errors_then_succeeds(server: Server) -> None:
    server.fail_next = 1
    embedder = create_embedder(f"openai-compatible:{url(server)}#m")
    assert embedder.embed_queries(["질문"]).shape == (1, 8)
    assert len(server.requests) == 2


def test_persistent_failure_and_unreachable_server_are_clear_errors(server: Server) -> None:
    from hanrag.embed.openai import OpenAIEmbedder

    server.fail_next = 100
    embedder = OpenAIEmbedder("m", base_url=url(server), max_retries=1)
    with pytest.raises(BackendError, match="embedding request to http://127.0.0.1:.* failed"):
        embedder.embed_queries(["질문"])
    dead = OpenAIEmbedder("m", base_url="http://127.0.0.1:9/v1", max_retries=0, timeout=2)
    with pytest.raises(BackendError, match="APIConnectionError"):
        dead.embed_queries(["질문"])


def test_missing_key_for_openai_proper(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(BackendError, match="OPENAI_API_KEY is not set"):
        create_embedder("openai:text-embedding-3-small").embed_queries(["질문"])


def test_cache_avoids_second_request(server: Server, tmp_path: Path, korean_folder: Path) -> None:
    spec = f"openai-compatible:{url(server)}#m"
    with Index.open(tmp_path / "a", embedder=spec) as index:
        index.add([korean_folder])
    sent = sum(len(r["input"]) for r in server.requests)
    with Index.open(tmp_path / "b", embedder=spec) as index:  # a second index over the same text
        index.add([korean_folder])
        assert index.search("누리호", top_k=1)[0].chunk.source.endswith("space.txt")
    assert sum(len(r["input"]) for r in server.requests) == sent + 1  # only the query was embedded


def test_429_is_retried_with_backoff(server: Server) -> None:
    from hanrag.embed.openai import OpenAIEmbedder

    server.fail_status = 429
    server.fail_next = 2
    embedder = OpenAIEmbedder("m", base_url=url(server), max_retries=3)
    assert embedder.embed_passages(["가"]).shape == (1, 8)
    assert len(server.requests) == 3


def test_batches_go_out_concurrently_and_come_back_in_order(server: Server) -> None:
    from hanrag.embed.openai import OpenAIEmbedder

    server.delay = 0.2
    texts = [f"문서 {i}" for i in range(12)]
    embedder = OpenAIEmbedder("m", base_url=url(server), batch_size=2, concurrency=3)
    vectors = embedder.embed_passages(texts)
    assert all(len(r["input"]) <= 2 for r in server.requests) and len(server.requests) == 6
    assert server.max_in_flight == 3  # bounded: never more than ``concurrency`` requests at once
    for text, vector in zip(texts, vectors):
        expected = np.asarray(fake_vector(text), dtype=np.float32)
        np.testing.assert_allclose(vector, expected / np.linalg.norm(expected), rtol=1e-5)


def test_concurrent_failure_is_raised(server: Server) -> None:
    from hanrag.embed.openai import OpenAIEmbedder

    server.fail_next = 100
    embedder = OpenAIEmbedder("m", base_url=url(server), batch_size=1, concurrency=2, max_retries=0)
    with pytest.raises(BackendError, match="failed"):
        embedder.embed_passages(["가", "나", "다"])
