"""LlamaIndex: hanrag as a retriever, as a reranking node postprocessor, and an index built from
LlamaIndex ``Document``s (``pip install 'hanrag[llamaindex]'``).

    from llama_index.core import SimpleDirectoryReader
    from llama_index.core.query_engine import RetrieverQueryEngine
    from hanrag.integrations.llamaindex import HanragRetriever

    retriever = HanragRetriever.from_documents(SimpleDirectoryReader("docs").load_data(), ".hanrag", top_k=5)
    engine = RetrieverQueryEngine.from_args(retriever, llm=llm)   # or retriever.as_query_engine()
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

try:
    from llama_index.core.base.base_query_engine import BaseQueryEngine
    from llama_index.core.base.base_retriever import BaseRetriever
    from llama_index.core.base.response.schema import Response
    from llama_index.core.bridge.pydantic import Field, PrivateAttr
    from llama_index.core.callbacks import CallbackManager, CBEventType, EventPayload
    from llama_index.core.postprocessor.types import BaseNodePostprocessor
    from llama_index.core.prompts.mixin import PromptMixinType
    from llama_index.core.schema import (
        Document, MetadataMode, NodeRelationship, NodeWithScore, QueryBundle, RelatedNodeInfo, TextNode,
    )
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("hanrag.integrations.llamaindex needs: pip install 'hanrag[llamaindex]'") from exc

from hanrag.errors import BackendError
from hanrag.index import Index
from hanrag.integrations._documents import PROMPT_KEYS, Incoming, add_documents, hit_metadata, hits_from, resolve_reranker
from hanrag.rerank.base import Reranker, rerank_failed
from hanrag.schema import Answer, IndexReport, SearchHit

__all__ = [
    "HanragQueryEngine", "HanragReranker", "HanragRetriever", "add_llama_documents", "hits_from_nodes", "nodes_from_hits",
]


class HanragRetriever(BaseRetriever):
    """hanrag's hybrid search (BM25 over Korean morphemes + dense, fused, reranked when the index
    has a reranker) as a LlamaIndex retriever. Node id = chunk id; metadata: source, name, page,
    section, the score and its breakdown, plus the metadata of the document it came from."""

    def __init__(
        self,
        index: Index,
        top_k: int | None = None,
        mode: str | None = None,
        where: str | dict | Sequence[str] | None = None,
        rerank: bool | None = None,
        callback_manager: CallbackManager | None = None,
        **search: Any,
    ) -> None:
        self.index = index
        self.top_k = top_k
        self._search = {"mode": mode, "where": where, "rerank": rerank, **search}
        super().__init__(callback_manager=callback_manager)

    @classmethod
    def from_documents(
        cls, documents: Sequence[Document], index_dir: str | Path, read_files: bool = True, top_k: int | None = None,
        **settings: Any,
    ) -> "HanragRetriever":
        """Open (or create) the index at ``index_dir``, add ``documents`` (``add_llama_documents``), retrieve from it."""
        index = Index.open(index_dir, **settings)
        add_llama_documents(index, documents, read_files=read_files)
        return cls(index, top_k=top_k)

    def search(self, query: str) -> list[SearchHit]:
        return self.index.search(query, top_k=self.top_k, **self._search)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return nodes_from_hits(self.index, self.search(query_bundle.query_str))

    async def _aretrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return await asyncio.to_thread(self._retrieve, query_bundle)

    def as_query_engine(self, llm: Any = None, **kwargs: Any) -> BaseQueryEngine:
        """With ``llm``: LlamaIndex's ``RetrieverQueryEngine`` over this retriever (kwargs go to its
        ``from_args``). Without: ``HanragQueryEngine``, answered by hanrag (its configured LLM, or
        offline extractive answers with citations)."""
        if llm is None:
            return HanragQueryEngine(retriever=self, callback_manager=self.callback_manager)
        from llama_index.core.query_engine import RetrieverQueryEngine

        return RetrieverQueryEngine.from_args(self, llm=llm, **kwargs)


class HanragQueryEngine(BaseQueryEngine):
    """Answers with ``Index.ask`` over the retriever's hits: the response text carries [n]
    citations; ``metadata`` has ``citations``, ``refused`` and ``warnings``."""

    def __init__(self, retriever: HanragRetriever, callback_manager: CallbackManager | None = None) -> None:
        self.retriever = retriever
        super().__init__(callback_manager=callback_manager or CallbackManager([]))

    def _get_prompt_modules(self) -> PromptMixinType:
        return {}

    def _query(self, query_bundle: QueryBundle) -> Response:
        payload = {EventPayload.QUERY_STR: query_bundle.query_str}
        with self.callback_manager.event(CBEventType.QUERY, payload=payload) as event:
            hits = self.retriever.search(query_bundle.query_str)
            answer = self.retriever.index.ask(query_bundle.query_str, hits=hits)
            response = _response(self.retriever.index, answer)
            event.on_end(payload={EventPayload.RESPONSE: response})
        return response

    async def _aquery(self, query_bundle: QueryBundle) -> Response:
        return await asyncio.to_thread(self._query, query_bundle)


class HanragReranker(BaseNodePostprocessor):
    """Reranks any LlamaIndex nodes with a hanrag reranker, on its calibrated 0-1 scale: keeps
    the ``top_n`` best scoring at least ``threshold``. ``reranker`` is a spec
    ("cross-encoder:BAAI/bge-reranker-v2-m3", "tei:http://gpu:8080", ...) or a Reranker.
    When the reranker fails, the first ``top_n`` nodes come back unchanged, with a RerankWarning."""

    reranker: Any = Field(description="a reranker spec string or a hanrag Reranker")
    top_n: int = Field(default=5, ge=1)
    threshold: float = Field(default=0.0)
    _model: Reranker | None = PrivateAttr(default=None)

    @classmethod
    def class_name(cls) -> str:
        return "HanragReranker"

    @property
    def model(self) -> Reranker:
        if self._model is None:
            self._model = resolve_reranker(self.reranker)
        return self._model

    def _postprocess_nodes(
        self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None = None
    ) -> list[NodeWithScore]:
        if query_bundle is None:
            raise ValueError("HanragReranker needs the query (query_bundle or query_str)")
        if not nodes:
            return []
        with self.callback_manager.event(
            CBEventType.RERANKING,
            payload={EventPayload.NODES: nodes, EventPayload.QUERY_STR: query_bundle.query_str,
                     EventPayload.TOP_K: self.top_n, EventPayload.MODEL_NAME: getattr(self.model, "spec", "")},
        ) as event:
            texts = [n.node.get_content(metadata_mode=MetadataMode.NONE) for n in nodes]
            try:
                scores = self.model.score(query_bundle.query_str, texts)
            except BackendError as exc:
                rerank_failed(exc)
                kept = nodes[: self.top_n]
            else:
                rescored = [NodeWithScore(node=n.node, score=float(s)) for n, s in zip(nodes, scores)]
                order = sorted(range(len(rescored)), key=lambda i: -rescored[i].score)  # stable: ties keep order
                kept = [rescored[i] for i in order if rescored[i].score >= self.threshold][: self.top_n]
            event.on_end(payload={EventPayload.NODES: kept})
        return kept


def add_llama_documents(index: Index, documents: Sequence[Document], read_files: bool = True) -> IndexReport:
    """Index LlamaIndex ``Document``s keeping their metadata. ``SimpleDirectoryReader`` output
    (``file_path`` in the metadata) is indexed from the files with hanrag's own loaders, unless
    ``read_files=False``; other documents are indexed as their text, under their ``doc_id``."""
    return add_documents(
        index,
        (Incoming(d.doc_id, d.text, dict(d.metadata), d.metadata.get("file_path")) for d in documents),
        read_files=read_files,
    )


def nodes_from_hits(index: Index, hits: Sequence[SearchHit]) -> list[NodeWithScore]:
    """hanrag hits as LlamaIndex nodes with their scores."""
    nodes = []
    for hit, meta in zip(hits, hit_metadata(hits, index)):
        hidden = [key for key, value in meta.items() if key not in PROMPT_KEYS or value is None]
        node = TextNode(
            id_=hit.chunk.chunk_id, text=hit.chunk.text, metadata=meta,
            excluded_llm_metadata_keys=hidden, excluded_embed_metadata_keys=hidden,
            relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=hit.chunk.doc_id)},
        )
        nodes.append(NodeWithScore(node=node, score=hit.score))
    return nodes


def hits_from_nodes(index: Index, nodes: Sequence[NodeWithScore]) -> list[SearchHit]:
    """Nodes that came from a HanragRetriever, back as hanrag hits (to answer with ``Index.ask(hits=...)``)."""
    return hits_from(index, [(n.node.node_id, {**n.node.metadata, "score": n.score}) for n in nodes])


def _response(index: Index, answer: Answer) -> Response:
    return Response(
        response=answer.answer,
        source_nodes=nodes_from_hits(index, answer.hits),
        metadata={"citations": [c.to_dict() for c in answer.citations], "refused": answer.refused,
                  "warnings": answer.warnings, "question": answer.question},
    )
