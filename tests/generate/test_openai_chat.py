"""LLM answers through the OpenAI protocol, against a real server on 127.0.0.1."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from hanrag import Index
from hanrag.errors import BackendError
from hanrag.generate.base import REFUSAL
from hanrag.generate.openai_chat import OpenAIChat
from hanrag.schema import Done, Retrieved
from tests.fake_openai import FakeOpenAI, fake_openai

pytest.importorskip("openai")


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with fake_openai() as srv:
        yield srv


@pytest.fixture
def index(tmp_path: Path, korean_folder: Path, server: FakeOpenAI) -> Iterator[Index]:
    with Index.open(tmp_path / "ix", llm=f"openai-compatible:{server.url}#test-model") as ix:
        ix.add([korean_folder])
        yield ix


def test_prompt_holds_numbered_sources_and_question(index: Index, server: FakeOpenAI) -> None:
    server.reply("연차 유급휴가는 15일입니다 [1].")
    answer = index.ask("연차 유급휴가는 며칠인가요?", top_k=3)
    body = server.requests[-1]["body"]
    assert body["model"] == "test-model" and body["stream"] is True and body["temperature"] == 0.0
    system, user = body["messages"]
    assert system["role"] == "system" and "[1]" in system["content"] and REFUSAL in system["content"]
    assert user["content"].startswith("문서:\n\n[1] (출처: leave.md)\n")
    assert "[2] (출처: " in user["content"] and "[3] (출처: " in user["content"] and "[4]" not in user["content"]
    assert user["content"].rstrip().endswith("질문: 연차 유급휴가는 며칠인가요?\n답변:")
    assert answer.answer == "연차 유급휴가는 15일입니다 [1]." and not answer.refused
    assert [c.n for c in answer.citations] == [1] and answer.citations[0].chunk.source.endswith("leave.md")
    assert len(answer.hits) == 3 and answer.warnings == []


def test_streams_pieces_then_the_answer(index: Index, server: FakeOpenAI) -> None:
    server.reply("한국은행은 ", "금리를 ", "동결했다 [2][1].")
    events = list(index.ask_stream("한국은행 금리", top_k=2))
    assert isinstance(events[0], Retrieved) and len(events[0].hits) == 2
    assert [e.text for e in events[1:-1]] == ["한국은행은 ", "금리를 ", "동결했다 [2][1]."]
    final = events[-1]
    assert isinstance(final, Done) and [c.n for c in final.answer.citations] == [2, 1]


def test_model_refusal_is_flagged(index: Index, server: FakeOpenAI) -> None:
    server.reply("제공된 문서에서 관련 정보를 ", "찾을 수 없습니다.")
    answer = index.ask("비트코인 가격은?")
    assert answer.refused and answer.citations == [] and answer.hits


def test_uncited_answer_gets_a_warning(index: Index, server: FakeOpenAI) -> None:
    server.reply("김치는 발효 음식입니다.")
    answer = index.ask("김치")
    assert not answer.refused and answer.citations == [] and "cites no source" in answer.warnings[0]


def test_no_hits_refuses_without_calling_the_llm(index: Index, server: FakeOpenAI) -> None:
    answer = index.ask("김치", threshold=5.0)
    assert answer.refused and answer.answer == REFUSAL and server.requests == []


def test_rate_limit_and_server_errors_are_retried(index: Index, server: FakeOpenAI) -> None:
    server.failures = [429, 503]
    server.reply("됩니다 [1].")
    assert index.ask("김치").answer == "됩니다 [1]."
    assert len(server.requests) == 3


@pytest.mark.parametrize(
    ("failures", "message"),
    [([500] * 5, "failed with HTTP 500"), ([401], "rejected the API key"), ([429] * 5, "rate-limiting \\(429\\)"),
     ([404], "does not know model 'm'")],
)
def test_failures_are_one_line_errors(server: FakeOpenAI, failures: list[int], message: str) -> None:
    server.failures = failures
    llm = OpenAIChat("m", base_url=server.url, max_retries=2)
    with pytest.raises(BackendError, match=message):
        list(llm.stream([{"role": "user", "content": "질문"}]))


def test_timeout_and_unreachable(server: FakeOpenAI) -> None:
    server.delay = 1.5
    slow = OpenAIChat("m", base_url=server.url, timeout=0.3, max_retries=0)
    with pytest.raises(BackendError, match="did not answer within 0.3 s"):
        list(slow.stream([{"role": "user", "content": "질문"}]))
    dead = OpenAIChat("m", base_url="http://127.0.0.1:9/v1", max_retries=0)
    with pytest.raises(BackendError, match="cannot reach the LLM at http://127.0.0.1:9/v1"):
        list(dead.stream([{"role": "user", "content": "질문"}]))


def test_key_comes_from_the_environment(
    server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    monkeypatch.setattr("hanrag.keys._warned", set())  # the warning is once per host and process
    # A URL from a spec (a config file) never gets OPENAI_API_KEY: a planted hanrag.toml cannot take it.
    list(OpenAIChat("m", base_url=server.url).stream([{"role": "user", "content": "질문"}]))
    assert server.requests[-1]["auth"] == "Bearer not-needed"
    assert "OPENAI_API_KEY is not sent to 127.0.0.1" in caplog.text
    # ... unless the user names the key for that server, or points OPENAI_BASE_URL there themselves.
    monkeypatch.setenv("VLLM_KEY", "sk-vllm")
    list(OpenAIChat("m", base_url=server.url, api_key_env="VLLM_KEY").stream([{"role": "user", "content": "질문"}]))
    assert server.requests[-1]["auth"] == "Bearer sk-vllm"
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    list(OpenAIChat("m").stream([{"role": "user", "content": "질문"}]))
    assert server.requests[-1]["auth"] == "Bearer sk-from-env"
    monkeypatch.delenv("OPENAI_BASE_URL")
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(BackendError, match="OPENAI_API_KEY is not set"):
        list(OpenAIChat("gpt-4o").stream([{"role": "user", "content": "질문"}]))
