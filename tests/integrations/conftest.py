"""One index for the integration tests: the Korean sample files read by LlamaIndex's
SimpleDirectoryReader, plus two in-memory documents with metadata of their own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hanrag import Index
from tests.conftest import KOREAN_DOCS

pytest.importorskip("llama_index.core")
pytest.importorskip("langchain_core")

NOTES = {
    "note-tax": ("부가가치세 신고는 1월과 7월에 한다.", {"category": "세금", "author": "김민수"}),
    "note-visa": ("취업비자 연장은 출입국관리사무소에서 신청한다.", {"category": "비자", "author": "이지은"}),
}


@pytest.fixture(scope="session")
def sample_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("docs")
    for name, text in KOREAN_DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def reader_index(tmp_path_factory: pytest.TempPathFactory, sample_folder: Path) -> Iterator[Index]:
    from llama_index.core import Document, SimpleDirectoryReader

    from hanrag.integrations.llamaindex import add_llama_documents

    documents = SimpleDirectoryReader(str(sample_folder), file_metadata=_file_metadata).load_data()
    documents += [Document(id_=doc_id, text=text, metadata=meta) for doc_id, (text, meta) in NOTES.items()]
    with Index.open(tmp_path_factory.mktemp("reader") / "index") as index:
        report = add_llama_documents(index, documents)
        assert report.added == len(KOREAN_DOCS) + len(NOTES) and not report.errors
        yield index


def _file_metadata(path: str) -> dict[str, str]:
    return {"file_path": path, "file_name": Path(path).name, "collection": "샘플"}
