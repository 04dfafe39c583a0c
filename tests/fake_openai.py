"""A real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions protocol, with SSE
streaming and scripted failures, for testing the LLM backends end to end."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeOpenAI(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict] = []
        self.reply_pieces: list[str] = ["답변입니다 [1]."]
        self.queued: list[list[str]] = []  # replies for the next requests, in order, before reply_pieces
        self.failures: list[int] = []  # HTTP statuses to answer with before succeeding, in order
        self.delay = 0.0
        self.drop_after: int | None = None  # close the connection after this many streamed pieces

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that time out on purpose drop the connection mid-reply

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def reply(self, *pieces: str) -> None:
        self.reply_pieces = list(pieces)


class _Handler(BaseHTTPRequestHandler):
    server: FakeOpenAI
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        if self.server.delay:
            time.sleep(self.server.delay)
        if self.server.failures:
            status = self.server.failures.pop(0)
            raw = json.dumps({"error": {"message": f"scripted {status}", "type": "test", "code": status}}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.send_header("retry-after-ms", "10")
            self.end_headers()
            self.wfile.write(raw)
            return
        model = body.get("model", "m")
        pieces = self.server.queued.pop(0) if self.server.queued else self.server.reply_pieces
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            first = {"role": "assistant", "content": ""}
            for sent, delta in enumerate([first] + [{"content": p} for p in pieces]):
                if self.server.drop_after is not None and sent > self.server.drop_after:
                    self.wfile.flush()
                    self.connection.shutdown(2)  # the server dies mid-answer
                    self.close_connection = True
                    return
                chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": model,
                         "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
                self._chunk(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n")
            self._chunk("data: [DONE]\n\n")
            self._chunk("")
            return
        text = "".join(pieces)
        raw = json.dumps({"id": "c1", "object": "chat.completion", "created": 0, "model": model,
                          "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                          "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _chunk(self, text: str) -> None:
        data = text.encode()
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


@contextmanager
def fake_openai() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
