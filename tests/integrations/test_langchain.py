"""hanrag inside LangChain: LangChain's own standard retriever tests, the compressor, documents in."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda, RunnablePassthrough
from langchain_tests.integration_tests import RetrieversIntegrationTests

from hanrag import Index
from hanrag.integrations.langchain import (
    HanragReranker, HanragRetriever, add_langchain_documents, answer_documents,
)
from hanrag.rerank.base import RerankWarning
from tests.rerank.fake_rerank import FakeRerank, fake_rerank, probability

QUERY = "연차 유급휴가"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio  # runs the suite's async test; the sync ones ignore it
class TestHanragRetrieverStandard(RetrieversIntegrationTests):
    """langchain-tests' RetrieversIntegrationTests, unchanged: k at construction and per invoke, async."""

    @pytest.fixture(autouse=True)
    def _index(self, reader_index: Index) -> None:
        self.index = reader_index

    @property
    def retriever_constructor(self) -> type[HanragRetriever]:
        return HanragRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"index": self.index, "k": 2}

    @property
    def retriever_query_example(self) -> str:
        return "연차 유급휴가는 며칠인가요?"


@pytest.fixture
def server() -> Iterator[FakeRerank]:
    with fake_rerank() as running:
        yield running


def test_documents_carry_hits_and_their_scores(reader_index: Index) -> None:
    hits = reader_index.search(QUERY, top_k=3)
    docs = HanragRetriever(index=reader_index, k=3).invoke(QUERY)
    assert [d.id for d in docs] == [h.chunk.chunk_id for h in hits]
    assert [d.page_content for d in docs] == [h.chunk.text for h in hits]
    meta = docs[0].metadata
    assert meta["name"] == "leave.md" and meta["section"] == "휴가" and meta["score"] == hits[0].score
    assert meta["scores"] == hits[0].to_dict()["scores"] and meta["collection"] == "샘플"


def test_options_at_construction_and_per_call(reader_index: Index) -> None:
    retriever = HanragRetriever(index=reader_index, k=3, search_kwargs={"mode": "bm25"})
    docs = retriever.invoke(QUERY)
    assert 0 < len(docs) <= 3 and all(d.metadata["scores"]["dense"] is None for d in docs)
    txt_only = retriever.invoke(QUERY, k=2, mode="hybrid", where="source:*.txt")
    assert len(txt_only) == 2 and all(d.metadata["name"].endswith(".txt") for d in txt_only)
    both = asyncio.run(_both(retriever))
    assert [d.id for d in both[0]] == [d.id for d in docs] and len(both[1]) == 1


async def _both(retriever: HanragRetriever) -> list[list[Document]]:
    return list(await asyncio.gather(retriever.ainvoke(QUERY), retriever.ainvoke(QUERY, k=1)))


def test_offline_chain_answers_with_citations(reader_index: Index) -> None:
    retriever = HanragRetriever(index=reader_index, k=3)
    chain = {"question": RunnablePassthrough(), "documents": retriever} | RunnableLambda(
        lambda x: answer_documents(reader_index, x["question"], x["documents"])
    )
    answer = chain.invoke("연차 유급휴가는 며칠인가요?")
    assert "15일" in answer.answer and answer.citations[0].chunk.name == "leave.md"
    assert [h.chunk.chunk_id for h in answer.hits] == [d.id for d in retriever.invoke("연차 유급휴가는 며칠인가요?")]


def test_compressor_reranks_any_documents(server: FakeRerank) -> None:
    texts = ["김치는 발효 음식이다.", "연차 유급휴가는 15일이다.", "유급 휴일", "누리호"]
    docs = [Document(page_content=t, metadata={"i": i}, id=f"d{i}") for i, t in enumerate(texts)]
    compressor = HanragReranker(reranker=f"cohere:{server.url}#rerank-v3.5", top_n=2)
    kept = compressor.compress_documents(docs, QUERY)
    assert [d.id for d in kept] == ["d1", "d2"] and [d.metadata["i"] for d in kept] == [1, 2]
    assert kept[0].metadata["rerank_score"] == pytest.approx(probability(QUERY, texts[1]))
    assert "rerank_score" not in docs[1].metadata
    strict = HanragReranker(reranker=f"cohere:{server.url}#rerank-v3.5", top_n=4, threshold=kept[0].metadata["rerank_score"])
    assert [d.id for d in asyncio.run(strict.acompress_documents(docs, QUERY))] == ["d1"]

    server.fail_always = 404
    with pytest.warns(RerankWarning, match="HTTP 404"):
        assert [d.id for d in compressor.compress_documents(docs, QUERY)] == ["d0", "d1"]


def test_langchain_documents_in(tmp_path: Path, sample_folder: Path) -> None:
    docs = [
        Document(page_content="ignored: the file is read", metadata={"source": str(sample_folder / "leave.md"), "team": "인사"}),
        Document(page_content="부가가치세 신고는 1월과 7월에 한다.", metadata={"source": "https://example.org/tax", "page": 3},
                 id="tax"),
        Document(page_content="취업비자 연장 신청", metadata={"topic": "비자"}),
    ]
    with Index.open(tmp_path / "ix") as index:
        report = add_langchain_documents(index, docs)
        assert report.added == 3 and not report.errors
        retriever = HanragRetriever(index=index, k=1)
        leave = retriever.invoke("연차 유급휴가")[0]
        assert leave.metadata["name"] == "leave.md" and leave.metadata["team"] == "인사" and "15일" in leave.page_content
        tax = retriever.invoke("부가가치세")[0]
        assert tax.metadata["doc_id"] == "tax" and tax.metadata["page"] is None
        assert tax.metadata["source"] == "tax" and tax.metadata.get("topic") is None
        visa = retriever.invoke("취업비자")[0]
        assert visa.metadata["topic"] == "비자" and visa.metadata["doc_id"].startswith("text-")
