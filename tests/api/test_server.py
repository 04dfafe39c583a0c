"""Serving safely: API keys, exposure, limits, restarts, failing LLMs, follow-up questions."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.api.conftest import server_env, upload, wait_job
from tests.api.test_search import sse_events
from tests.conftest import KOREAN_DOCS
from tests.fake_openai import fake_openai
from tests.server import free_port, start_server

DOCS = {name: text.encode("utf-8") for name, text in KOREAN_DOCS.items()}


def test_api_key_guards_every_route_but_health(tmp_path: Path, cache_dir: Path) -> None:
    server = start_server(tmp_path / "index", env=server_env(cache_dir, HANRAG_API_KEY="s3cret-키"))
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert client.get("/health").status_code == 200
            for method, path in [("GET", "/documents"), ("GET", "/jobs"), ("POST", "/search"), ("GET", "/config"),
                                 ("GET", "/v1/models"), ("DELETE", "/documents/x"), ("GET", "/chunks/x")]:
                missing = client.request(method, path)
                error = missing.json()["error"]
                message = error["message"] if path.startswith("/v1/") else error  # OpenAI's error shape there
                assert missing.status_code == 401 and "missing API key" in message, path
            wrong = client.get("/documents", headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 401 and wrong.json() == {"error": "wrong API key"}
            good = {"Authorization": "Bearer s3cret-키".encode("utf-8")}  # the raw UTF-8 bytes on the wire
            assert client.get("/documents", headers=good).json() == []
            assert client.get("/config", headers=good).json()["auth"] is True
    finally:
        server.stop()


def test_network_address_without_a_key_is_refused(tmp_path: Path, cache_dir: Path) -> None:
    command = [sys.executable, "-m", "hanrag", "serve", "--index", str(tmp_path / "ix"), "--host", "0.0.0.0",
               "--port", str(free_port())]
    result = subprocess.run(command, capture_output=True, text=True, env=server_env(cache_dir), timeout=60)
    assert result.returncode == 2
    assert "refusing to listen on 0.0.0.0 without an API key" in result.stderr and "Traceback" not in result.stderr


def test_limits_and_empty_index(tmp_path: Path, cache_dir: Path) -> None:
    server = start_server(tmp_path / "index", env=server_env(cache_dir, HANRAG_SERVER__MAX_UPLOAD_MB="0.001"))
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            empty = client.post("/ask", json={"question": "연차는 며칠인가요?"})
            assert empty.status_code == 409 and "is empty" in empty.json()["error"]
            big = client.post("/documents", files=[("files", ("big.txt", "가".encode() * 1000))])
            assert big.status_code == 413 and "big.txt: larger than the upload limit" in big.json()["error"]
            wrong = client.post("/documents", files=[("files", ("photo.pdf", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))])
            assert wrong.status_code == 415 and wrong.json()["error"].startswith("photo.pdf: not a supported document")
            disguised = client.post("/documents", files=[("files", ("setup.exe", "텍스트로 된 실행 파일".encode()))])
            assert disguised.status_code == 415  # text content, but not under a text name
            nothing = client.post("/documents")
            assert nothing.status_code == 422 and "files" in nothing.json()["error"]
            assert not list((tmp_path / "index" / "server" / "incoming").iterdir())  # nothing left behind
    finally:
        server.stop()


def test_jobs_survive_a_restart_and_unfinished_ones_resume(tmp_path: Path, cache_dir: Path) -> None:
    index = tmp_path / "index"
    server = start_server(index, env=server_env(cache_dir))
    with httpx.Client(base_url=server.url, timeout=30) as client:
        finished = upload(client, {"bok.txt": DOCS["bok.txt"]})
        pending = client.post("/documents", files=[("files", ("space.txt", DOCS["space.txt"])),
                                                   ("files", ("food.txt", DOCS["food.txt"]))]).json()["job_id"]
    server.process.send_signal(signal.SIGKILL)  # no clean shutdown: the job may be queued or half done
    server.process.wait()
    server = start_server(index, env=server_env(cache_dir))
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert client.get(f"/jobs/{finished['job_id']}").json()["status"] == "done"
            resumed = wait_job(client, pending)
            assert resumed["status"] == "done" and {f["status"] for f in resumed["files"]} <= {"done", "skipped"}
            assert sorted(d["name"] for d in client.get("/documents").json()) == ["bok.txt", "food.txt", "space.txt"]
    finally:
        server.stop()


def test_unreachable_llm_is_a_502_with_the_hits(tmp_path: Path, cache_dir: Path) -> None:
    dead = f"openai-compatible:http://127.0.0.1:{free_port()}/v1#m"
    env = server_env(cache_dir, HANRAG_LLM=dead, HANRAG_ANSWER__MAX_RETRIES="0", HANRAG_ANSWER__TIMEOUT="5",
                     HANRAG_INGEST__TABLE_SUMMARIES="false")
    server = start_server(tmp_path / "index", env=env)
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            upload(client, {"space.txt": DOCS["space.txt"]})
            failed = client.post("/ask", json={"question": "누리호는 언제 발사에 성공했나?"})
            body = failed.json()
            assert failed.status_code == 502 and "cannot reach the LLM" in body["error"]
            assert body["answer"] is None and body["hits"][0]["name"] == "space.txt"
            events = sse_events(client.post("/ask", json={"question": "누리호는 언제 발사에 성공했나?", "stream": True}))
            assert [n for n, _ in events] == ["hits", "error"]
            assert events[1][1]["status"] == 502 and events[1][1]["hits"][0]["name"] == "space.txt"
            offline = client.post("/ask", json={"question": "누리호는 언제 발사에 성공했나?", "llm": "extractive"})
            assert offline.status_code == 200 and "2022년" in offline.json()["answer"]
    finally:
        server.stop()


def test_follow_up_is_rewritten_before_retrieval(tmp_path: Path, cache_dir: Path) -> None:
    with fake_openai() as llm:
        env = server_env(cache_dir, HANRAG_LLM=f"openai-compatible:{llm.url}#m", HANRAG_ANSWER__MAX_RETRIES="0")
        server = start_server(tmp_path / "index", env=env)
        try:
            with httpx.Client(base_url=server.url, timeout=60) as client:
                upload(client, {"space.txt": DOCS["space.txt"], "food.txt": DOCS["food.txt"]})
                llm.queued = [["누리호는 언제 발사에 성공했나요?"], ["2022년에 성공했습니다 [1]."]]
                history = [{"question": "누리호가 뭐야?", "answer": "한국이 독자 개발한 우주 발사체입니다 [1]."}]
                events = sse_events(client.post("/ask", json={"question": "그건 언제 성공했어?", "history": history,
                                                              "stream": True}))
                assert events[0] == ("rewrite", {"question": "누리호는 언제 발사에 성공했나요?"})
                hits = events[1][1]["hits"]
                assert events[1][0] == "hits" and hits[0]["name"] == "space.txt"
                done = events[-1][1]
                assert done["question"] == "누리호는 언제 발사에 성공했나요?" and done["citations"][0]["name"] == "space.txt"
                rewrite_prompt = llm.requests[-2]["body"]["messages"][-1]["content"]
                assert "누리호가 뭐야?" in rewrite_prompt and "그건 언제 성공했어?" in rewrite_prompt
                # The same through the OpenAI-compatible route, as a multi-turn chat.
                llm.queued = [["누리호는 언제 발사에 성공했나요?"], ["2022년입니다 [1]."]]
                reply = client.post("/v1/chat/completions", json={"model": "index", "messages": [
                    {"role": "user", "content": "누리호가 뭐야?"}, {"role": "assistant", "content": "발사체입니다."},
                    {"role": "user", "content": "그건 언제 성공했어?"}]}).json()
                assert reply["hanrag"]["question"] == "누리호는 언제 발사에 성공했나요?"
                assert reply["choices"][0]["message"]["content"].startswith("2022년입니다 [1].")
        finally:
            server.stop()
