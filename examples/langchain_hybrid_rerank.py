"""The reference notebook's flow in LangChain, with hanrag inside: load a folder of Korean PDFs,
hybrid search + rerank, a chain, an answer.

    python examples/langchain_hybrid_rerank.py [FOLDER] [--question ...] [--reranker SPEC] [--llm auto|offline|openai]

FOLDER defaults to the 근로기준법 PDF bundled with hanrag. Offline by default (hanrag's extractive
answers with [n] citations); with OPENAI_API_KEY set (and ``pip install langchain-openai``) a
prompt | ChatOpenAI chain answers from the same documents.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda

import hanrag
from hanrag import Index
from hanrag.integrations.langchain import HanragReranker, HanragRetriever, answer_documents

BUNDLED = Path(hanrag.__file__).parent / "data"
PROMPT = "아래 문서만 근거로 답하고, 근거 문서 번호를 [n]으로 표시하세요.\n\n{context}\n\n질문: {question}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(BUNDLED), help="a folder of PDFs")
    parser.add_argument("--question", default="연차 유급휴가는 며칠인가요?")
    parser.add_argument("--index", default=None, help="index directory (default: a new temporary one)")
    parser.add_argument("--reranker", default="none", help="e.g. cross-encoder:Dongjin-kr/ko-reranker, tei:http://gpu:8080")
    parser.add_argument("--llm", choices=["auto", "offline", "openai"], default="auto")
    args = parser.parse_args(argv)

    with Index.open(args.index or tempfile.mkdtemp(prefix="hanrag-langchain-")) as index:
        # 1. Load a folder of Korean PDFs (LangChain loader output also works: add_langchain_documents).
        index.add([args.folder])
        # 2. Hybrid search for 20 candidates, then the reranker keeps the best 4 (a document compressor).
        retriever = HanragRetriever(index=index, k=20, search_kwargs={"rerank": False})
        rerank = HanragReranker(reranker=args.reranker, top_n=4) if args.reranker != "none" else None

        def search(question: str) -> list[Document]:
            candidates = retriever.invoke(question)
            return list(rerank.compress_documents(candidates, question)) if rerank else candidates[:4]

        # 3. A chain over the retrieved documents, 4. the answer and its sources.
        documents = RunnableLambda(search).invoke(args.question)
        print(answer(index, args.question, documents, args.llm))
        for doc in documents:
            meta = doc.metadata
            score = meta.get("rerank_score", meta["score"])
            print(f"  {score:.3f}  {meta['name']} p.{meta['page']}  {meta['section'] or ''}")


def answer(index: Index, question: str, documents: list[Document], llm: str) -> str:
    if llm == "auto":
        llm = "openai" if os.environ.get("OPENAI_API_KEY") else "offline"
    if llm == "offline":
        return answer_documents(index, question, documents).answer  # hanrag: extractive, cited
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_openai import ChatOpenAI  # pip install langchain-openai

    context = "\n\n".join(f"[{n}] {d.page_content}" for n, d in enumerate(documents, 1))
    chain = ChatPromptTemplate.from_template(PROMPT) | ChatOpenAI(model="gpt-4o-mini") | StrOutputParser()
    return chain.invoke({"context": context, "question": question})


if __name__ == "__main__":
    main()
