"""The Gemini backend's HTTP calls, through google-genai, against a server on 127.0.0.1."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hanrag.errors import BackendError
from hanrag.generate.gemini_chat import GeminiChat

pytest.importorskip("google.genai")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    requests: list[dict]
    status: int = 200


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append({"path": self.path, "key": self.headers.get("x-goog-api-key"), "body": body})
        if self.server.status != 200:
            raw = json.dumps({"error": {"code": self.server.status, "message": "scripted", "status": "INTERNAL"}}).encode()
            self.send_response(self.server.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for piece in ["연차 유급휴가는 ", "15일입니다 [1]."]:
            chunk = {"candidates": [{"content": {"role": "model", "parts": [{"text": piece}]}, "index": 0}]}
            self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\r\n\r\n".encode())
            self.wfile.flush()
        self.close_connection = True


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server(("127.0.0.1", 0), Handler)
    srv.requests = []
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_streams_from_the_gemini_protocol(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "g-key")
    llm = GeminiChat("gemini-2.0-flash", base_url=f"http://127.0.0.1:{server.server_address[1]}", max_retries=0)
    messages = [{"role": "system", "content": "규칙"}, {"role": "user", "content": "[1] 문서\n질문: 연차?"}]
    assert list(llm.stream(messages)) == ["연차 유급휴가는 ", "15일입니다 [1]."]
    request = server.requests[-1]
    assert request["path"].endswith("models/gemini-2.0-flash:streamGenerateContent?alt=sse")
    assert request["key"] == "g-key"
    body = request["body"]
    assert body["systemInstruction"]["parts"][0]["text"] == "규칙"
    assert body["contents"] == [{"role": "user", "parts": [{"text": "[1] 문서\n질문: 연차?"}]}]
    assert body["generationConfig"]["temperature"] == 0.0


def test_errors_and_missing_key(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "g-key")
    server.status = 500
    llm = GeminiChat("gemini-2.0-flash", base_url=f"http://127.0.0.1:{server.server_address[1]}", max_retries=0)
    with pytest.raises(BackendError, match="failed"):
        list(llm.stream([{"role": "user", "content": "질문"}]))
    monkeypatch.delenv("GEMINI_API_KEY")
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    with pytest.raises(BackendError, match="GEMINI_API_KEY is not set"):
        list(GeminiChat("gemini-2.0-flash").stream([{"role": "user", "content": "질문"}]))
