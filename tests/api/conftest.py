"""A real `hanrag serve` on 127.0.0.1 over a small Korean corpus, shared by the API tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import KOREAN_DOCS
from tests.server import ServerHandle, start_server


def server_env(cache: Path, **extra: str) -> dict[str, str]:
    """The test session's embedding cache and nothing else from HANRAG_* of the outer environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HANRAG_")}
    env.update({"HANRAG_CACHE_DIR": str(cache), **extra})
    return env


def upload(client: httpx.Client, files: dict[str, bytes]) -> dict:
    """Upload files in one request and wait for the job to finish; the final job object."""
    response = client.post("/documents", files=[("files", (name, data)) for name, data in files.items()])
    assert response.status_code == 202, response.text
    return wait_job(client, response.json()["job_id"])


def wait_job(client: httpx.Client, job_id: str, timeout: float = 240.0) -> dict:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish: {job}")


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp() / "hanrag-cache"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Iterator[ServerHandle]:
    handle = start_server(tmp_path_factory.mktemp("api") / "index", env=server_env(cache_dir))
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="module")
def client(server: ServerHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def corpus_job(client: httpx.Client) -> dict:
    """The four Korean documents, a corrupt PDF, a binary file and a name with ../ in one upload."""
    files = {name: text.encode("utf-8") for name, text in KOREAN_DOCS.items()}
    files["broken.pdf"] = b"%PDF-1.7\n1 0 obj garbage"
    files["program.exe"] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    files["../../../escape.txt"] = "우회 경로 이름으로 올린 문서이다. 비밀 유지 서약서 양식.".encode("utf-8")
    return upload(client, files)
