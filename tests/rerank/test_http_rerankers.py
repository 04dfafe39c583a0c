"""Every HTTP rerank backend against a fake server speaking its documented API."""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator

import numpy as np
import pytest

from hanrag.errors import BackendError, BackendTimeoutError, ConfigError
from hanrag.registry import create_reranker
from tests.rerank.fake_rerank import FakeRerank, fake_rerank, probability

QUERY = "연차 유급휴가"
PASSAGES = [
    "김치는 발효 음식이다.",
    "근로자는 15일의 연차 유급휴가를 받는다.",
    "연차휴가는 1년간 사용하지 않으면 소멸된다.",
    "누리호 발사 성공",
    "유급 휴일은 주 1회 이상 주어야 한다.",
]

# kind: (spec with {url}, the path it must call)
BACKENDS = {
    "tei": ("tei:{url}", "/rerank"),
    "cohere": ("cohere:{url}#rerank-v3.5", "/v2/rerank"),
    "jina": ("jina:{url}#jina-reranker-v2-base-multilingual", "/v1/rerank"),
    "vllm": ("vllm:{url}#BAAI/bge-reranker-v2-m3", "/v1/rerank"),
    "vllm-score": ("vllm:{url}/score#BAAI/bge-reranker-v2-m3", "/score"),
    "infinity": ("infinity:{url}#mixedbread-ai/mxbai-rerank-base-v1", "/rerank"),
    "opensearch": ("opensearch:{url}#lhr2tZUBQ3ADXlq-YHvA", "/_plugins/_ml/models/lhr2tZUBQ3ADXlq-YHvA/_predict"),
}


@pytest.fixture
def server() -> Iterator[FakeRerank]:
    with fake_rerank() as running:
        yield running


def make(name: str, server: FakeRerank, **options: object):
    spec = BACKENDS[name][0].format(url=server.url)
    return create_reranker(spec, **{"retries": 2, **options})  # type: ignore[arg-type]


def fast(reranker):  # no real waiting between retries in tests
    reranker.http.backoff = 0.001
    return reranker


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_round_trip_gives_calibrated_scores_in_input_order(name: str, server: FakeRerank) -> None:
    reranker = make(name, server)
    scores = reranker.score(QUERY, PASSAGES)
    expected = [probability(QUERY, p) for p in PASSAGES]
    np.testing.assert_allclose(scores, expected, rtol=1e-5, atol=1e-6)
    assert scores.dtype == np.float32 and ((scores >= 0) & (scores <= 1)).all()
    assert int(np.argmax(scores)) == 1  # the server answered best first; the mapping back is by index
    [request] = server.requests
    assert request["path"] == BACKENDS[name][1]
    body = request["body"]
    sent = body.get("texts") or body.get("documents") or body.get("text_2") or body.get("text_docs")
    assert sent == PASSAGES
    assert QUERY in (body.get("query"), body.get("text_1"), body.get("query_text"))


def test_request_bodies_follow_each_api(server: FakeRerank) -> None:
    for name in BACKENDS:
        make(name, server).score(QUERY, PASSAGES[:2])
    bodies = {r["path"] + ("" if "model" not in r["body"] else "#" + r["body"]["model"]): r["body"] for r in server.requests}
    assert bodies["/rerank"]["raw_scores"] is True  # TEI: logits, our sigmoid
    assert bodies["/v2/rerank#rerank-v3.5"]["top_n"] == 2
    assert bodies["/v1/rerank#jina-reranker-v2-base-multilingual"]["return_documents"] is False
    assert bodies["/score#BAAI/bge-reranker-v2-m3"]["text_1"] == QUERY
    assert "raw_scores" not in bodies["/rerank#mixedbread-ai/mxbai-rerank-base-v1"]  # Infinity: its own sigmoid
    assert set(bodies["/_plugins/_ml/models/lhr2tZUBQ3ADXlq-YHvA/_predict"]) == {"query_text", "text_docs"}


@pytest.mark.parametrize("name", ["tei", "opensearch", "cohere"])
def test_long_lists_go_in_batches(name: str, server: FakeRerank) -> None:
    passages = [f"{i}번 문단: " + PASSAGES[i % len(PASSAGES)] for i in range(70)]
    scores = make(name, server).score(QUERY, passages)
    np.testing.assert_allclose(scores, [probability(QUERY, p) for p in passages], rtol=1e-5, atol=1e-6)
    assert [len(r["body"].get("texts") or r["body"].get("documents") or r["body"]["text_docs"])
            for r in server.requests] == [32, 32, 6]


def test_no_passages_no_request(server: FakeRerank) -> None:
    assert make("tei", server).score(QUERY, []).shape == (0,)
    assert server.requests == []


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_transient_server_errors_are_retried(name: str, server: FakeRerank) -> None:
    server.failures = [503, 429]
    scores = fast(make(name, server)).score(QUERY, PASSAGES)
    np.testing.assert_allclose(scores, [probability(QUERY, p) for p in PASSAGES], rtol=1e-5, atol=1e-6)
    assert len(server.requests) == 3


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_server_error_is_one_line_naming_the_server(name: str, server: FakeRerank) -> None:
    server.fail_always = 500
    reranker = fast(make(name, server))
    with pytest.raises(BackendError) as caught:
        reranker.score(QUERY, PASSAGES)
    message = str(caught.value)
    assert "\n" not in message and server.url in message and f"reranker {name.split('-')[0]}" in message
    assert "HTTP 500: scripted 500" in message
    assert len(server.requests) == 3  # the first try and two retries


def test_client_errors_are_not_retried(server: FakeRerank) -> None:
    server.fail_always = 400
    with pytest.raises(BackendError, match="HTTP 400: scripted 400"):
        fast(make("cohere", server)).score(QUERY, PASSAGES)
    assert len(server.requests) == 1


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_unexpected_answer_is_a_backend_error(name: str, server: FakeRerank) -> None:
    server.malformed = True
    with pytest.raises(BackendError, match="unexpected answer"):
        make(name, server).score(QUERY, PASSAGES)


def test_server_down_is_a_clear_error() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    reranker = fast(create_reranker(f"tei:http://127.0.0.1:{port}", retries=1))
    with pytest.raises(BackendError, match=rf"reranker tei at http://127.0.0.1:{port}/rerank: cannot connect"):
        reranker.score(QUERY, PASSAGES)


def test_slow_server_times_out(server: FakeRerank) -> None:
    server.delay = 1.0
    reranker = create_reranker(f"vllm:{server.url}#m", timeout=0.2, retries=0)
    with pytest.raises(BackendTimeoutError, match=r"reranker vllm at .*: no answer within 0.2 s"):
        reranker.score(QUERY, PASSAGES)


def test_provider_keys_only_go_to_the_provider(server: FakeRerank, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CO_API_KEY", "cohere-secret")
    monkeypatch.setenv("MY_RERANK_KEY", "own-secret")
    make("cohere", server).score(QUERY, PASSAGES[:1])  # a configured URL is not Cohere's own host
    make("tei", server, api_key_env="MY_RERANK_KEY").score(QUERY, PASSAGES[:1])
    assert [r["auth"] for r in server.requests] == [None, "Bearer own-secret"]
    assert create_reranker("cohere:rerank-v3.5").http.client.headers["Authorization"] == "Bearer cohere-secret"


def test_opensearch_basic_auth(server: FakeRerank, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OS_CREDENTIALS", "admin:s3cret")
    make("opensearch", server, api_key_env="OS_CREDENTIALS").score(QUERY, PASSAGES[:1])
    assert server.requests[0]["auth"] == "Basic " + base64.b64encode(b"admin:s3cret").decode()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("tei:gpu-box:8080", "expected tei:http://host:port"),
        ("cohere:", "name the model"),
        ("opensearch:http://localhost:9200", "name the model"),
        ("jina:http://localhost:8080", "name the model"),
    ],
)
def test_bad_specs_are_config_errors(spec: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        create_reranker(spec)


def test_missing_key_variable_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    with pytest.raises(ConfigError, match="NOT_SET_ANYWHERE"):
        create_reranker("tei:http://127.0.0.1:1", api_key_env="NOT_SET_ANYWHERE")


@pytest.mark.parametrize(
    ("spec", "url"),
    [
        ("tei:http://h:8080/", "http://h:8080/rerank"),
        ("tei:http://h/proxy/tei/rerank", "http://h/proxy/tei/rerank"),
        ("cohere:rerank-v3.5", "https://api.cohere.com/v2/rerank"),
        ("jina:jina-reranker-v2-base-multilingual", "https://api.jina.ai/v1/rerank"),
        ("vllm:http://h:8000/v1", "http://h:8000/v1/rerank"),
        ("infinity:http://h:7997", "http://h:7997/rerank"),
        ("opensearch:https://h:9200/_plugins/_ml/models/abc/_predict", "https://h:9200/_plugins/_ml/models/abc/_predict"),
    ],
)
def test_endpoints(spec: str, url: str) -> None:
    assert create_reranker(spec).url == url
