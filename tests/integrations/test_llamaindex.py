"""hanrag inside LlamaIndex: retriever, query engines, reranking postprocessor, documents in."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from llama_index.core import Document, SimpleDirectoryReader
from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.schema import NodeWithScore, TextNode

from hanrag import Index
from hanrag.integrations.llamaindex import (
    HanragQueryEngine, HanragReranker, HanragRetriever, add_llama_documents, hits_from_nodes,
)
from hanrag.rerank.base import RerankWarning
from tests.integrations.conftest import NOTES
from tests.rerank.fake_rerank import FakeRerank, fake_rerank, probability

QUERY = "연차 유급휴가"


@pytest.fixture
def server() -> Iterator[FakeRerank]:
    with fake_rerank() as running:
        yield running


def test_retriever_returns_hanrags_hits_as_nodes(reader_index: Index) -> None:
    hits = reader_index.search(QUERY, top_k=3)
    nodes = HanragRetriever(reader_index, top_k=3).retrieve(QUERY)
    assert [n.node.node_id for n in nodes] == [h.chunk.chunk_id for h in hits]
    assert [n.score for n in nodes] == [h.score for h in hits]
    assert [n.node.get_content() for n in nodes] == [h.chunk.text for h in hits]
    top = nodes[0].node
    assert top.ref_doc_id == hits[0].chunk.doc_id
    meta = top.metadata
    assert meta["name"] == "leave.md" and meta["section"] == "휴가" and meta["page"] is None
    assert meta["source"] == hits[0].chunk.source and meta["rank"] == 1
    assert meta["scores"]["bm25"]["rank"] == 1 and meta["scores"]["fused"] == hits[0].scores.fused
    assert meta["collection"] == "샘플" and meta["file_name"] == "leave.md"  # the reader's metadata, kept


def test_async_retrieve_matches_sync(reader_index: Index) -> None:
    retriever = HanragRetriever(reader_index, top_k=2, mode="bm25")
    sync = retriever.retrieve(QUERY)
    concurrent = asyncio.run(_gather(retriever, [QUERY, "누리호 발사"]))
    assert [n.node.node_id for n in concurrent[0]] == [n.node.node_id for n in sync]
    assert concurrent[1][0].node.metadata["name"] == "space.txt"
    assert all(n.node.metadata["scores"]["dense"] is None for n in sync)  # mode reached the search


async def _gather(retriever: HanragRetriever, queries: list[str]) -> list[list[NodeWithScore]]:
    return list(await asyncio.gather(*(retriever.aretrieve(q) for q in queries)))


def test_where_filter_is_applied(reader_index: Index) -> None:
    nodes = HanragRetriever(reader_index, top_k=5, where="source:*.txt").retrieve(QUERY)
    assert nodes and all(n.node.metadata["name"].endswith(".txt") for n in nodes)


def test_retriever_query_engine_with_mock_llm(reader_index: Index) -> None:
    retriever = HanragRetriever(reader_index, top_k=3)
    hits = reader_index.search(QUERY, top_k=3)
    response = RetrieverQueryEngine.from_args(retriever, llm=MockLLM()).query(QUERY)
    assert [(n.node.node_id, n.score) for n in response.source_nodes] == [(h.chunk.chunk_id, h.score) for h in hits]
    prompt = str(response)  # MockLLM answers with the prompt it was given
    assert hits[0].chunk.text in prompt and "name: leave.md" in prompt and "section: 휴가" in prompt
    assert "scores" not in prompt and "chunk_id" not in prompt and "page: None" not in prompt


def test_as_query_engine_with_mock_llm_and_offline(reader_index: Index) -> None:
    retriever = HanragRetriever(reader_index, top_k=3)
    with_llm = retriever.as_query_engine(llm=MockLLM())
    assert isinstance(with_llm, RetrieverQueryEngine) and "15일" in str(with_llm.query(QUERY))

    offline = retriever.as_query_engine()
    assert isinstance(offline, HanragQueryEngine)
    response = offline.query("연차 유급휴가는 며칠인가요?")
    assert "15일" in str(response) and "[1]" in str(response)
    assert response.metadata["citations"][0]["name"] == "leave.md" and response.metadata["refused"] is False
    assert response.source_nodes[0].node.metadata["name"] == "leave.md"
    assert str(asyncio.run(offline.aquery("연차 유급휴가는 며칠인가요?"))) == str(response)


def test_in_memory_documents_keep_their_metadata(reader_index: Index) -> None:
    node = HanragRetriever(reader_index, top_k=1).retrieve("부가가치세 신고")[0].node
    assert node.ref_doc_id == "note-tax" and node.metadata["category"] == "세금"
    assert node.metadata["author"] == NOTES["note-tax"][1]["author"]


def test_documents_as_text_and_pages(tmp_path: Path, sample_folder: Path) -> None:
    documents = SimpleDirectoryReader(str(sample_folder), filename_as_id=True).load_data()
    documents.append(Document(id_="page-doc", text="제60조 연차 유급휴가 조항", metadata={"page_label": "7"}))
    with Index.open(tmp_path / "ix") as index:
        report = add_llama_documents(index, documents, read_files=False)
        assert report.added == len(documents)
        again = add_llama_documents(index, documents, read_files=False)
        assert again.skipped == len(documents) and again.added == 0
        node = HanragRetriever(index, top_k=1).retrieve("제60조")[0].node
        assert node.ref_doc_id == "page-doc" and node.metadata["page_label"] == "7"
        ids = {d.doc_id for d in index.documents()}
        assert any(i.endswith("leave.md") for i in ids)  # the reader's ids, not hanrag's file ids


def test_hits_from_nodes_round_trip(reader_index: Index) -> None:
    hits = reader_index.search(QUERY, top_k=2)
    back = hits_from_nodes(reader_index, HanragRetriever(reader_index, top_k=2).retrieve(QUERY))
    assert [(h.chunk, h.score, h.scores) for h in back] == [(h.chunk, h.score, h.scores) for h in hits]


def test_reranker_postprocessor(server: FakeRerank) -> None:
    texts = ["김치는 발효 음식이다.", "연차 유급휴가는 15일이다.", "유급 휴일", "누리호"]
    nodes = [NodeWithScore(node=TextNode(id_=f"n{i}", text=t), score=1.0 - i / 10) for i, t in enumerate(texts)]
    reranker = HanragReranker(reranker=f"tei:{server.url}", top_n=2)
    kept = reranker.postprocess_nodes(nodes, query_str=QUERY)
    assert [n.node.node_id for n in kept] == ["n1", "n2"]
    assert [n.score for n in kept] == pytest.approx([probability(QUERY, texts[1]), probability(QUERY, texts[2])])
    assert nodes[1].score == 0.9  # the input nodes are not changed

    strict = HanragReranker(reranker=f"tei:{server.url}", top_n=4, threshold=probability(QUERY, texts[1]))
    assert [n.node.node_id for n in strict.postprocess_nodes(nodes, query_str=QUERY)] == ["n1"]
    with pytest.raises(ValueError, match="needs the query"):
        reranker.postprocess_nodes(nodes)

    server.fail_always = 400
    with pytest.warns(RerankWarning, match="HTTP 400"):
        fallback = HanragReranker(reranker=f"tei:{server.url}", top_n=3).postprocess_nodes(nodes, query_str=QUERY)
    assert [n.node.node_id for n in fallback] == ["n0", "n1", "n2"]


def test_reranker_inside_a_query_engine(reader_index: Index, server: FakeRerank) -> None:
    engine = RetrieverQueryEngine.from_args(
        HanragRetriever(reader_index, top_k=5), llm=MockLLM(),
        node_postprocessors=[HanragReranker(reranker=f"infinity:{server.url}", top_n=2)],
    )
    response = engine.query(QUERY)
    assert len(response.source_nodes) == 2
    scores = [n.score for n in response.source_nodes]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == pytest.approx(probability(QUERY, response.source_nodes[0].node.get_content()))
