"""Short Korean summaries of table chunks, written by the configured LLM at index time.

The references summarise each table with an LLM so that questions phrased in prose find it;
the summary is stored with the chunk and indexed (BM25 and embedding) together with the table.
Without an LLM the table's own header and cells are what gets indexed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from hanrag.errors import HanragError
from hanrag.generate.base import LLM, Message
from hanrag.schema import Chunk

SYSTEM = "당신은 문서 속 표를 검색용으로 요약하는 도우미입니다. 표에 없는 내용은 쓰지 않습니다."
USER = (
    "다음 표가 무엇을 보여 주는지 한국어 한두 문장으로 요약하세요. "
    "항목 이름과 핵심 수치를 그대로 쓰고, 설명 없이 요약만 답하세요.\n\n"
    "{title}{table}"
)
MAX_SUMMARY_CHARS = 400


def summary_messages(chunk: Chunk) -> list[Message]:
    title = f"표 제목: {chunk.title}\n" if chunk.title else ""
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": USER.format(title=title, table=chunk.text)}]


def summarize_tables(
    chunks: Sequence[Chunk], llm: LLM, progress: Callable[[int, int], None] | None = None
) -> tuple[list[Chunk], str | None]:
    """The chunks with ``summary`` set on each table chunk, and a warning when the LLM failed.

    The first failure stops the summaries (an unreachable server would fail every call);
    the tables are then indexed by their cells alone, and nothing else is lost.
    """
    tables = [i for i, chunk in enumerate(chunks) if chunk.kind == "table"]
    out = list(chunks)
    for done, i in enumerate(tables, 1):
        try:
            text = "".join(llm.stream(summary_messages(chunks[i]))).strip()
        except HanragError as exc:
            return out, f"table summaries stopped after {done - 1} of {len(tables)}: {exc}"
        if text:
            out[i] = replace(chunks[i], summary=" ".join(text.split())[:MAX_SUMMARY_CHARS])
        if progress:
            progress(done, len(tables))
    return out, None
