import json
from pathlib import Path

import pytest

from hanrag.errors import HanragError
from hanrag.evaluate.dataset import load_dataset
from hanrag.evaluate.runner import sample_queries


def write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def test_native_format_with_header_and_answers(tmp_path: Path) -> None:
    write(tmp_path / "corpus.jsonl", [{"id": "d1", "title": "T", "text": "본문"}, {"id": "d2", "text": "둘"}])
    write(tmp_path / "queries.jsonl", [{"id": "q1", "text": "질문"}, {"id": "q2", "text": "판정 없음"}])
    (tmp_path / "qrels.tsv").write_text("query_id\tdoc_id\trelevance\nq1\td1\t1\n")
    write(tmp_path / "answers.jsonl", [{"query_id": "q1", "answers": ["본문"]}])
    ds = load_dataset(tmp_path)
    assert [r.id for r in ds.corpus] == ["d1", "d2"] and ds.corpus[0].title == "T"
    assert ds.queries == [("q1", "질문")]  # q2 has no judgement
    assert ds.qrels == {"q1": {"d1": 1}} and ds.answers == {"q1": ["본문"]}


def test_beir_layout(tmp_path: Path) -> None:
    write(tmp_path / "corpus.jsonl", [{"_id": "d1", "title": "", "text": "본문"}])
    write(tmp_path / "queries.jsonl", [{"_id": "q1", "text": "질문"}])
    (tmp_path / "qrels").mkdir()
    (tmp_path / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t2\n")
    ds = load_dataset(tmp_path)
    assert ds.corpus[0].id == "d1" and ds.corpus[0].title is None and ds.qrels["q1"]["d1"] == 2


def test_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(HanragError, match="dataset folder not found"):
        load_dataset(tmp_path / "nope")
    write(tmp_path / "corpus.jsonl", [{"id": "d1", "text": "x"}])
    write(tmp_path / "queries.jsonl", [{"id": "q1", "text": "y"}])
    with pytest.raises(HanragError, match="no qrels.tsv"):
        load_dataset(tmp_path)
    (tmp_path / "qrels.tsv").write_text("q1\td1\n")
    with pytest.raises(HanragError, match="qrels.tsv:1"):
        load_dataset(tmp_path)
    (tmp_path / "corpus.jsonl").write_text('{"id": "d1", "text": \n')
    with pytest.raises(HanragError, match="corpus.jsonl:1: invalid JSON"):
        load_dataset(tmp_path)


def test_sample_is_deterministic() -> None:
    queries = [(str(i), "q") for i in range(100)]
    assert sample_queries(queries, 10) == sample_queries(queries, 10)
    assert len(sample_queries(queries, 10)) == 10 and sample_queries(queries, 500) == queries
