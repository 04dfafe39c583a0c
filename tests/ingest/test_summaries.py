"""Table summaries written by an LLM at index time (OpenAI protocol server on 127.0.0.1)."""

from pathlib import Path

import pytest

from hanrag import Index
from tests.fake_openai import fake_openai
from tests.ingest.test_office_formats import make_docx

pytest.importorskip("openai")


def test_tables_get_an_llm_summary_that_is_indexed(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    make_docx(docs / "welfare.docx")
    with fake_openai() as server:
        server.reply("직원 복지 지원금 표: 경조사비 50만원, ", "자기계발비 연 120만원을 지원한다.")
        with Index.open(tmp_path / "ix", llm=f"openai-compatible:{server.url}#m") as index:
            report = index.add([docs])
            assert report.added == 1 and report.warnings == []
            [request] = server.requests  # one table, one request; prose chunks are not summarised
            prompt = request["body"]["messages"][1]["content"]
            assert "| 경조사비 | 50만원 |" in prompt and "표 제목: 우리 회사의 복지 제도를 설명합니다." in prompt
            # "지원금" only occurs in the summary, so BM25 alone finds the table through it.
            [hit] = index.search("지원금", mode="bm25", top_k=1)
            assert hit.chunk.kind == "table"
            assert hit.chunk.summary == "직원 복지 지원금 표: 경조사비 50만원, 자기계발비 연 120만원을 지원한다."
            assert hit.to_dict()["summary"] == hit.chunk.summary


def test_unreachable_llm_leaves_tables_unsummarised_and_indexed(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    make_docx(docs / "welfare.docx")
    make_docx(docs / "welfare2.docx")
    with fake_openai() as server:
        server.failures = [401]
        with Index.open(tmp_path / "ix", llm=f"openai-compatible:{server.url}#m") as index:
            report = index.add([docs])
            assert report.added == 2 and report.errors == []
            [(_, warning)] = report.warnings
            assert warning.startswith("table summaries stopped after 0 of 1:") and "401" in warning
            assert len(server.requests) == 1  # the first failure stops further calls
            [hit] = index.search("자기계발비", mode="bm25", top_k=1)
            assert hit.chunk.kind == "table" and hit.chunk.summary is None


def test_no_summaries_with_the_extractive_default_or_when_turned_off(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    make_docx(docs / "welfare.docx")
    with fake_openai() as server:
        with Index.open(tmp_path / "ix", llm=f"openai-compatible:{server.url}#m", ingest={"table_summaries": False}) as index:
            index.add([docs])
        assert server.requests == []
    with Index.open(tmp_path / "ix2") as index:
        index.add([docs])
        assert all(h.chunk.summary is None for h in index.search("자기계발비", top_k=3))
