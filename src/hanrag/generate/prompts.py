"""Korean prompts with numbered context blocks packed to a character budget."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hanrag.generate.base import REFUSAL, Context, Message

SYSTEM_PROMPT = f"""당신은 사용자가 제공한 문서만을 근거로 한국어로 답하는 도우미입니다.
규칙:
1. 아래에 [번호]로 표시된 문서 내용만 사용하세요. 외부 지식이나 추측으로 답하지 마세요.
2. 답의 각 문장 끝에 근거가 된 문서 번호를 [1]처럼 붙이세요. 근거가 여럿이면 [1][3]처럼 붙이세요.
3. 문서에 관련된 내용이 전혀 없으면 다른 말 없이 "{REFUSAL}"라고만 답하세요.
4. 질문이 묻는 사실(수치, 기간, 기한, 주체 등)이 문서에 직접 적혀 있지 않으면, 비슷한 주제의 문장이 있더라도 답을 추측하지 말고 "{REFUSAL}"로 시작한 뒤, 문서가 대신 다루는 가까운 내용을 한 문장으로 번호와 함께 알려 주세요. 다른 법령이나 제도(예: 문서에 이름만 인용된 법률)에 관한 질문도 같습니다.
5. 가장 직접 답하는 문장(원칙 규정)을 먼저 쓰고, 예외나 단서는 그 뒤에 쓰세요.
6. 간결하고 정확하게 답하세요."""


def context_label(context: Context) -> str:
    chunk = context.hit.chunk
    where = Path(chunk.source).name
    if chunk.page is not None:
        where += f", {chunk.page}쪽"
    return f"[{context.n}] (출처: {where})"


def pack_contexts(contexts: Sequence[Context], max_chars: int) -> list[Context]:
    """Most relevant first, as many as fit in ``max_chars`` (the first always goes in, cut if needed)."""
    packed: list[Context] = []
    used = 0
    for context in contexts:
        size = len(context.hit.chunk.text) + len(context_label(context)) + 2
        if packed and used + size > max_chars:
            break
        packed.append(context)
        used += size
    return packed


def reorder_for_long_context(contexts: Sequence[Context]) -> list[Context]:
    """Most relevant at both ends, least relevant in the middle (Liu et al. 2023,
    "Lost in the Middle: How Language Models Use Long Contexts"): 1, 3, 5, ..., 6, 4, 2."""
    ordered = list(contexts)
    return ordered[0::2] + ordered[1::2][::-1]


def build_messages(question: str, contexts: Sequence[Context], max_chars: int, reorder: bool = False) -> list[Message]:
    """System + user messages; each context block carries its number, source and page."""
    blocks = reorder_for_long_context(contexts) if reorder else list(contexts)
    budget = max_chars
    parts = []
    for context in blocks:
        text = context.hit.chunk.text
        if len(text) > budget:
            text = text[: max(budget, 200)]
        budget -= len(text)
        parts.append(f"{context_label(context)}\n{text}")
    user = "문서:\n\n" + "\n\n".join(parts) + f"\n\n질문: {question}\n답변:"
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]
