"""The reference notebook's flow in LlamaIndex, with hanrag inside: load a folder of Korean PDFs,
hybrid search + rerank, a query engine, an answer.

    python examples/llamaindex_hybrid_rerank.py [FOLDER] [--question ...] [--reranker SPEC] [--llm auto|offline|mock|openai]

FOLDER defaults to the 근로기준법 PDF bundled with hanrag. Offline by default (hanrag's extractive
answers with [n] citations); with OPENAI_API_KEY set (and ``pip install llama-index-llms-openai``)
LlamaIndex's RetrieverQueryEngine answers with gpt-4o-mini. ``--llm mock`` runs that same engine
with LlamaIndex's MockLLM, which answers with the prompt it got.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from llama_index.core import SimpleDirectoryReader
from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.query_engine import RetrieverQueryEngine

import hanrag
from hanrag.integrations.llamaindex import HanragRetriever

BUNDLED = Path(hanrag.__file__).parent / "data"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(BUNDLED), help="a folder of PDFs")
    parser.add_argument("--question", default="연차 유급휴가는 며칠인가요?")
    parser.add_argument("--index", default=None, help="index directory (default: a new temporary one)")
    parser.add_argument("--reranker", default="none", help="e.g. cross-encoder:Dongjin-kr/ko-reranker, tei:http://gpu:8080")
    parser.add_argument("--llm", choices=["auto", "offline", "mock", "openai"], default="auto")
    args = parser.parse_args(argv)

    # 1. Load a folder of Korean PDFs (hanrag re-reads each file itself: pages, sections, tables).
    documents = SimpleDirectoryReader(args.folder, required_exts=[".pdf"]).load_data()
    # 2. Hybrid search (BM25 over Kiwi morphemes + dense, fused) and the reranker: the notebook's HybridSearch.
    index_dir = args.index or tempfile.mkdtemp(prefix="hanrag-llamaindex-")
    retriever = HanragRetriever.from_documents(documents, index_dir, top_k=5, reranker=args.reranker)
    try:
        # 3. A query engine over the retriever, 4. the answer and its sources.
        response = query_engine(retriever, args.llm).query(args.question)
        print(str(response).strip())
        for node in response.source_nodes:
            meta = node.node.metadata
            print(f"  {node.score:.3f}  {meta['name']} p.{meta['page']}  {meta['section'] or ''}")
    finally:
        retriever.index.close()


def query_engine(retriever: HanragRetriever, llm: str) -> BaseQueryEngine:
    if llm == "auto":
        llm = "openai" if os.environ.get("OPENAI_API_KEY") else "offline"
    if llm == "offline":
        return retriever.as_query_engine()  # answered by hanrag: extractive, cited, no model download
    if llm == "mock":
        from llama_index.core.llms import MockLLM

        return RetrieverQueryEngine.from_args(retriever, llm=MockLLM())
    from llama_index.llms.openai import OpenAI  # pip install llama-index-llms-openai

    return RetrieverQueryEngine.from_args(retriever, llm=OpenAI(model="gpt-4o-mini"))


if __name__ == "__main__":
    main()
