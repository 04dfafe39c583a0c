"""/v1/chat/completions through the official openai client: hanrag as an OpenAI model."""

from __future__ import annotations

import pytest

from tests.server import ServerHandle

openai = pytest.importorskip("openai")


@pytest.fixture(scope="module")
def oai(server: ServerHandle, corpus_job: dict) -> "openai.OpenAI":
    return openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0)


def test_models_lists_the_index(oai: "openai.OpenAI") -> None:
    assert [m.id for m in oai.models.list()] == ["index"]


def test_chat_completion(oai: "openai.OpenAI") -> None:
    reply = oai.chat.completions.create(model="index", messages=[{"role": "user", "content": "누리호는 언제 발사에 성공했나?"}])
    content = reply.choices[0].message.content
    assert "2022년" in content and "출처:\n[1] space.txt" in content
    assert reply.choices[0].finish_reason == "stop"
    extra = reply.model_extra["hanrag"]
    assert extra["refused"] is False and extra["citations"][0]["name"] == "space.txt"


def test_chat_completion_streaming(oai: "openai.OpenAI") -> None:
    stream = oai.chat.completions.create(
        model="index", stream=True, messages=[{"role": "system", "content": "간결하게"},
                                              {"role": "user", "content": "김치는 무엇으로 만드나요?"}],
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert "배추" in text and "food.txt" in text
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_unknown_model_and_missing_question(oai: "openai.OpenAI") -> None:
    with pytest.raises(openai.NotFoundError, match="offers 'index'"):
        oai.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "김치"}])
    with pytest.raises(openai.UnprocessableEntityError, match="last message"):
        oai.chat.completions.create(model="index", messages=[{"role": "assistant", "content": "안녕하세요"}])
