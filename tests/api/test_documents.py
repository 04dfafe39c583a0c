"""Uploads as jobs, the document list, originals, deletion: against a real server."""

from __future__ import annotations


import httpx

from tests.api.conftest import upload
from tests.conftest import KOREAN_DOCS
from tests.server import ServerHandle


def test_batch_with_bad_files_indexes_the_good_ones(client: httpx.Client, corpus_job: dict) -> None:
    assert corpus_job["status"] == "done" and corpus_job["stage"] == "done" and corpus_job["progress"] == 1.0
    status = {f["name"]: f["status"] for f in corpus_job["files"]}
    assert status == {**{name: "done" for name in KOREAN_DOCS}, "broken.pdf": "failed", "program.exe": "failed",
                      "escape.txt": "done"}
    errors = {e["source"]: e["error"] for e in corpus_job["errors"]}
    assert "corrupt or unreadable PDF" in errors["broken.pdf"]
    assert "not a supported document" in errors["program.exe"]
    assert corpus_job["added"] == 5 and (corpus_job["done"], corpus_job["total"]) == (7, 7)
    names = sorted(d["name"] for d in client.get("/documents").json())
    assert names == sorted([*KOREAN_DOCS, "escape.txt"])


def test_names_never_become_paths(server: ServerHandle, client: httpx.Client, corpus_job: dict) -> None:
    index_dir = server.log.parent / "index"
    assert not (index_dir.parent.parent / "escape.txt").exists() and not (index_dir / "escape.txt").exists()
    stored = [p.name for p in (index_dir / "server" / "originals").iterdir()]
    assert stored and all(name.split(".")[0].isalnum() and "escape" not in name for name in stored)


def test_original_file_is_served_as_uploaded(client: httpx.Client, corpus_job: dict) -> None:
    doc = next(d for d in client.get("/documents").json() if d["name"] == "leave.md")
    response = client.get(f"/documents/{doc['doc_id']}/file")
    assert response.status_code == 200
    assert response.content == KOREAN_DOCS["leave.md"].encode("utf-8")
    assert response.headers["content-disposition"].startswith("inline")
    assert client.get("/documents/nope/file").status_code == 404


def test_jobs_list_and_forget(client: httpx.Client, corpus_job: dict) -> None:
    assert corpus_job["job_id"] in [j["job_id"] for j in client.get("/jobs").json()]
    assert client.get("/jobs/unknown").status_code == 404


def test_reupload_same_name_updates_and_same_content_skips(client: httpx.Client, corpus_job: dict) -> None:
    same = upload(client, {"food.txt": KOREAN_DOCS["food.txt"].encode("utf-8")})
    assert (same["added"], same["updated"], same["skipped"]) == (0, 0, 1)
    assert same["files"][0]["status"] == "skipped"
    changed = upload(client, {"food.txt": "비빔밥은 밥에 나물과 고추장을 넣어 비빈 음식이다.".encode("utf-8")})
    assert changed["updated"] == 1
    hits = client.post("/search", json={"query": "고추장 비빔밥", "top_k": 1}).json()
    assert hits[0]["name"] == "food.txt" and "비빔밥" in hits[0]["text"]
    assert sum(d["name"] == "food.txt" for d in client.get("/documents").json()) == 1


def test_delete_document(client: httpx.Client, corpus_job: dict) -> None:
    job = upload(client, {"temp.txt": "임시 문서: 우주 정거장 도킹 절차를 설명한다.".encode("utf-8")})
    doc_id = job["files"][0]["doc_id"]
    assert client.post("/search", json={"query": "우주 정거장 도킹", "top_k": 1}).json()[0]["doc_id"] == doc_id
    assert client.delete(f"/documents/{doc_id}").status_code == 204
    assert doc_id not in [d["doc_id"] for d in client.get("/documents").json()]
    assert all(h["doc_id"] != doc_id for h in client.post("/search", json={"query": "우주 정거장 도킹"}).json())
    assert client.get(f"/documents/{doc_id}/file").status_code == 404
    assert client.delete(f"/documents/{doc_id}").json()["error"].startswith("no document")
