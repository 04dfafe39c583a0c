"""LangChain: hanrag as a retriever, a reranking document compressor, and an index built from
LangChain ``Document``s (``pip install 'hanrag[langchain]'``).

    from hanrag import Index
    from hanrag.integrations.langchain import HanragRetriever

    retriever = HanragRetriever(index=Index.open(".hanrag"), k=4)
    docs = retriever.invoke("연차 유급휴가는 며칠인가요?")          # or invoke(query, k=1), ainvoke(...)
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

try:
    from langchain_core.callbacks import (
        AsyncCallbackManagerForRetrieverRun, CallbackManagerForRetrieverRun, Callbacks,
    )
    from langchain_core.documents import BaseDocumentCompressor, Document
    from langchain_core.retrievers import BaseRetriever
    from pydantic import ConfigDict, Field, PrivateAttr
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("hanrag.integrations.langchain needs: pip install 'hanrag[langchain]'") from exc

from hanrag.errors import BackendError
from hanrag.index import Index
from hanrag.integrations._documents import Incoming, add_documents, hit_metadata, hits_from, resolve_reranker
from hanrag.rerank.base import Reranker, rerank_failed
from hanrag.schema import Answer, IndexReport, SearchHit

__all__ = ["HanragReranker", "HanragRetriever", "add_langchain_documents", "answer_documents", "documents_from_hits"]


class HanragRetriever(BaseRetriever):
    """hanrag's hybrid search (BM25 over Korean morphemes + dense, fused, reranked when the index
    has a reranker) as a LangChain retriever. ``k`` documents, set here or per call
    (``invoke(query, k=1)``); other search options likewise (``mode``, ``where``, ``rerank``...).
    Each Document's id is the chunk id; its metadata: source, name, page, section, score and
    ``scores`` (bm25/dense/fused/rerank), plus the metadata of the document it came from."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Index
    k: int = Field(default=4, ge=1)
    search_kwargs: dict[str, Any] = Field(default_factory=dict, description="Index.search options: mode, where, ...")

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        return documents_from_hits(self.index, self.search(query, **kwargs))

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        hits = await asyncio.to_thread(self.search, query, **kwargs)
        return documents_from_hits(self.index, hits)

    def search(self, query: str, **options: Any) -> list[SearchHit]:
        """hanrag's hits for ``query`` (``k`` and ``search_kwargs``, overridden by ``options``)."""
        options = {**self.search_kwargs, **options}
        k, top_k = options.pop("k", None), options.pop("top_k", None)
        return self.index.search(query, top_k=k or top_k or self.k, **options)


class HanragReranker(BaseDocumentCompressor):
    """Reranks any LangChain documents with a hanrag reranker on its calibrated 0-1 scale, keeping
    the ``top_n`` best that score at least ``threshold``; the score goes to ``metadata["rerank_score"]``.
    ``reranker`` is a spec ("cross-encoder:BAAI/bge-reranker-v2-m3", "tei:http://gpu:8080", ...)
    or a Reranker. When it fails, the first ``top_n`` documents come back with a RerankWarning."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    reranker: Any
    top_n: int = Field(default=4, ge=1)
    threshold: float = 0.0
    _model: Reranker | None = PrivateAttr(default=None)

    @property
    def model(self) -> Reranker:
        if self._model is None:
            self._model = resolve_reranker(self.reranker)
        return self._model

    def compress_documents(
        self, documents: Sequence[Document], query: str, callbacks: Callbacks | None = None
    ) -> Sequence[Document]:
        documents = list(documents)
        if not documents:
            return []
        try:
            scores = self.model.score(query, [d.page_content for d in documents])
        except BackendError as exc:
            rerank_failed(exc)
            return documents[: self.top_n]
        order = sorted(range(len(documents)), key=lambda i: -float(scores[i]))  # stable: ties keep order
        return [
            Document(page_content=documents[i].page_content, id=documents[i].id,
                     metadata={**documents[i].metadata, "rerank_score": float(scores[i])})
            for i in order
            if scores[i] >= self.threshold
        ][: self.top_n]


def add_langchain_documents(index: Index, documents: Sequence[Document], read_files: bool = True) -> IndexReport:
    """Index LangChain ``Document``s keeping their metadata. Documents from loaders that name a file
    in ``metadata["source"]`` (PyPDFLoader, TextLoader, DirectoryLoader...) are indexed from that
    file with hanrag's own loaders, unless ``read_files=False``; others as their text."""
    return add_documents(
        index,
        (Incoming(d.id, d.page_content, dict(d.metadata), _file(d.metadata.get("source"))) for d in documents),
        read_files=read_files,
    )


def documents_from_hits(index: Index, hits: Sequence[SearchHit]) -> list[Document]:
    """hanrag hits as LangChain documents."""
    return [
        Document(page_content=hit.chunk.text, id=hit.chunk.chunk_id, metadata=meta)
        for hit, meta in zip(hits, hit_metadata(hits, index))
    ]


def answer_documents(index: Index, question: str, documents: Sequence[Document]) -> Answer:
    """hanrag's grounded answer from documents a HanragRetriever returned (its LLM, or offline
    extractive answers), with [n] citations in the documents' order."""
    hits = hits_from(index, [(str(d.metadata.get("chunk_id") or d.id), d.metadata) for d in documents])
    return index.ask(question, hits=hits)


def _file(source: Any) -> str | None:
    return source if isinstance(source, str) and "://" not in source else None
