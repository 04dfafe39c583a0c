from pathlib import Path

import pytest

from hanrag import Index
from hanrag.errors import EmptyIndexError
from hanrag.generate.base import REFUSAL
from hanrag.schema import Done, Retrieved, Token


def test_quotes_the_answering_sentence_with_its_citation(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder])
        answer = index.ask("연차 유급휴가는 며칠을 받나요?")
    assert not answer.refused
    first_line = answer.answer.splitlines()[0]
    assert "15일의 연차 유급휴가" in first_line
    n = int(first_line.rsplit("[", 1)[1].rstrip("]"))
    assert answer.citations[0].n == n and answer.citations[0].chunk.source.endswith("leave.md")
    assert len(answer.answer.splitlines()) <= 3


def test_refuses_when_the_documents_lack_the_fact(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder])
        answer = index.ask("비트코인 시세 전망을 알려줘")
    assert answer.refused and answer.answer == REFUSAL and answer.citations == [] and answer.hits


def test_stream_yields_sentences_then_answer(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder])
        events = list(index.ask_stream("누리호는 언제 발사에 성공했나?"))
    retrieved, *tokens, done = events
    assert isinstance(retrieved, Retrieved) and retrieved.hits[0].chunk.source.endswith("space.txt")
    assert tokens and all(isinstance(t, Token) for t in tokens) and isinstance(done, Done)
    final = done.answer
    assert "".join(t.text for t in tokens) == final.answer and final.hits == retrieved.hits
    assert "2022년" in final.answer.splitlines()[0] and final.question == "누리호는 언제 발사에 성공했나?"


def test_empty_index_is_a_clear_error(tmp_path: Path) -> None:
    with Index.open(tmp_path / "ix") as index, pytest.raises(EmptyIndexError, match="is empty; add documents"):
        index.ask("아무 질문")


def test_no_hit_refuses_without_answering(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder])
        answer = index.ask("김치", threshold=5.0)
    assert answer.refused and answer.hits == [] and answer.answer == REFUSAL


def test_a_table_is_quoted_by_the_row_that_answers(tmp_path: Path) -> None:
    from tests.ingest.test_office_formats import make_docx

    docs = tmp_path / "docs"
    docs.mkdir()
    make_docx(docs / "welfare.docx")
    with Index.open(tmp_path / "ix") as index:
        index.add([docs])
        answer = index.ask("자기계발비 지원 금액은 얼마인가요?")
    first = answer.answer.split("\n")[0]
    assert first == "항목: 자기계발비, 지원 금액: 연 120만원 [1]"
    assert answer.citations[0].chunk.kind == "table" and not answer.refused
