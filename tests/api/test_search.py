"""Search, ask (JSON and SSE) and chunks over HTTP."""

from __future__ import annotations

import json
from urllib.parse import quote

import httpx

from hanrag.generate.base import REFUSAL


def sse_events(response: httpx.Response) -> list[tuple[str, dict]]:
    """Parse a text/event-stream body into (event, data) pairs."""
    events = []
    for block in response.text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "data" in lines:
            events.append((lines.get("event", "message"), json.loads(lines["data"])))
    return events


def test_search_hits_carry_scores_and_matched_spans(client: httpx.Client, corpus_job: dict) -> None:
    hits = client.post("/search", json={"query": "연차 유급휴가는 며칠인가요?", "top_k": 2}).json()
    top = hits[0]
    assert top["name"] == "leave.md" and top["scores"]["bm25"]["rank"] == 1
    spans = [(m["term"], top["text"][m["start"] : m["end"]]) for m in top["matched"]]
    assert ("연차", "연차") in spans and ("유급휴가", "유급휴가") in spans  # compound kept whole
    starts = [m["start"] for m in top["matched"]]
    assert starts == sorted(starts)


def test_search_options_and_filters(client: httpx.Client, corpus_job: dict) -> None:
    hits = client.post("/search", json={"query": "한국 휴가", "mode": "bm25", "where": "source:*.md"}).json()
    assert hits and all(h["name"].endswith(".md") for h in hits) and all(h["scores"]["dense"] is None for h in hits)
    bad = client.post("/search", json={"query": "한국", "mode": "fast"})
    assert bad.status_code == 422 and "hybrid" in bad.json()["error"]
    assert client.post("/search", json={"query": "한국", "where": "colour:red"}).status_code == 422
    assert client.post("/search", json={"query": "   "}).json() == {"error": "empty query"}
    broken = client.post("/ask", content='{"question": "누리호\\ud800 발사"}', headers={"Content-Type": "application/json"})
    assert broken.status_code == 200 and broken.json()["question"] == "누리호\ufffd 발사"  # a lone surrogate
    long = client.post("/search", json={"query": "가" * 2001})
    assert long.status_code == 422 and "limit is 2,000" in long.json()["error"]


def test_ask_json_and_refusal(client: httpx.Client, corpus_job: dict) -> None:
    answer = client.post("/ask", json={"question": "누리호는 언제 발사에 성공했나?"}).json()
    assert not answer["refused"] and "2022년" in answer["answer"]
    assert answer["citations"][0]["name"] == "space.txt" and answer["question"] == "누리호는 언제 발사에 성공했나?"
    refused = client.post("/ask", json={"question": "비트코인 시세 전망을 알려줘"}).json()
    assert refused["refused"] and refused["answer"].startswith(REFUSAL) and "'비트코인 시세 전망'" in refused["answer"]
    # The closest sources it names instead come back as citations, as from the CLI.
    assert all(f"[{c['n']}]" in refused["answer"] for c in refused["citations"])


def test_ask_stream_sends_hits_tokens_then_the_answer(client: httpx.Client, corpus_job: dict) -> None:
    question = {"question": "김치는 무엇으로 만드나요?"}
    with client.stream("POST", "/ask", json={**question, "stream": True}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        response.read()
    events = sse_events(response)
    names = [name for name, _ in events]
    assert names[0] == "hits" and names[-1] == "done" and set(names[1:-1]) == {"token"}
    done = events[-1][1]
    assert "".join(data["text"] for name, data in events if name == "token").strip() == done["answer"]
    assert done == client.post("/ask", json=question).json()  # the same answer either way
    via_accept = client.post("/ask", json=question, headers={"Accept": "text/event-stream"})
    assert [n for n, _ in sse_events(via_accept)][-1] == "done"


def test_chunk_route(client: httpx.Client, corpus_job: dict) -> None:
    hit = client.post("/search", json={"query": "누리호", "top_k": 1}).json()[0]
    chunk = client.get("/chunks/" + quote(hit["chunk_id"], safe="")).json()  # ids hold '#': percent-encode
    assert chunk["text"] == hit["text"] and chunk["doc_id"] == hit["doc_id"] and chunk["name"] == "space.txt"
    assert client.get("/chunks/" + quote("none#0", safe="")).status_code == 404


def test_llm_choice_is_limited_to_the_servers_list(client: httpx.Client, corpus_job: dict) -> None:
    response = client.post("/ask", json={"question": "김치", "llm": "openai-compatible:http://evil.example/v1#m"})
    assert response.status_code == 422 and "not offered" in response.json()["error"]
