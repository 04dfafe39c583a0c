"""Follow-up questions ("그럼 2년차는?") rewritten into standalone questions before retrieval."""

from __future__ import annotations

from collections.abc import Sequence

from hanrag.generate.base import LLM, Message
from hanrag.schema import Turn

REWRITE_PROMPT = """대화 기록과 마지막 질문이 주어집니다. 마지막 질문이 앞의 대화를 가리키면(예: "그럼 2년차는?", "그건 언제까지야?"),
대화 없이도 이해할 수 있는 하나의 완전한 한국어 질문으로 바꿔 쓰세요. 이미 완전한 질문이면 그대로 쓰세요.
질문만 한 줄로 답하고, 답변이나 설명은 쓰지 마세요."""

_MAX_TURNS = 4  # the latest turns are what a follow-up refers to
_MAX_ANSWER_CHARS = 600


def rewrite_question(llm: LLM, history: Sequence[Turn], question: str) -> str:
    """The standalone form of ``question`` given the earlier turns (the question itself without history)."""
    if not history:
        return question
    lines = []
    for turn in history[-_MAX_TURNS:]:
        lines.append(f"사용자: {turn.question}")
        lines.append(f"도우미: {turn.answer[:_MAX_ANSWER_CHARS]}")
    messages: list[Message] = [
        {"role": "system", "content": REWRITE_PROMPT},
        {"role": "user", "content": "대화 기록:\n" + "\n".join(lines) + f"\n\n마지막 질문: {question}\n\n독립된 질문:"},
    ]
    rewritten = " ".join("".join(llm.stream(messages)).split()).strip().strip('"')
    return rewritten or question
