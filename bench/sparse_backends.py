"""bm25s vs tantivy as hanrag's sparse index, on the same pre-tokenized chunks (Kiwi morphemes).

    .venv/bin/python bench/sparse_backends.py [--sizes 10000 100000] [--queries 500] [--runs 3]

Chunks at each size are built by recombining Kiwi-tokenized KorQuAD sentences (3 random
sentences per chunk, fixed seed), so no corpus has to be tokenized at that scale. Queries
are KorQuAD questions. Both engines get the same space-joined morphemes (tantivy through a
whitespace tokenizer and term queries, never its query parser). Reported: build time,
query latency (top 50) p50/p95, the time to delete 1% of the chunks and make the change
searchable, and on-disk size. Medians over --runs. Results: bench/results/sparse_backends.json.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import time
from pathlib import Path

import numpy as np
from common import WORK, korquad_dataset, write_result

from hanrag.retrieve.sparse import BM25Index
from hanrag.text.kiwi import KiwiTokenizer
from hanrag.text.sentences import split_sentences


def sentence_terms() -> tuple[list[list[str]], list[list[str]]]:
    cache = WORK / "korquad_sentence_terms.json"
    if cache.is_file():
        data = json.loads(cache.read_text())
        return data["sentences"], data["queries"]
    dataset = korquad_dataset()
    texts = [json.loads(l)["text"] for l in (dataset / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    spans = split_sentences(texts, threads=2)
    sentences = [t[a:b] for t, sp in zip(texts, spans) for a, b in sp]
    tok = KiwiTokenizer(threads=2)
    sentence_tokens = [s for s in tok.tokenize(sentences) if s]
    queries = [json.loads(l)["text"] for l in (dataset / "queries.jsonl").read_text(encoding="utf-8").splitlines()]
    query_tokens = tok.tokenize(queries)
    cache.write_text(json.dumps({"sentences": sentence_tokens, "queries": query_tokens}, ensure_ascii=False))
    return sentence_tokens, query_tokens


def synthetic_chunks(sentences: list[list[str]], n: int, seed: int = 0) -> list[list[str]]:
    rng = random.Random(seed)
    return [sum((sentences[rng.randrange(len(sentences))] for _ in range(3)), []) for _ in range(n)]


def disk_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def bench_bm25s(chunks: list[list[str]], queries: list[list[str]], directory: Path) -> dict:
    shutil.rmtree(directory, ignore_errors=True)
    start = time.perf_counter()
    index = BM25Index.build(chunks)
    index.save(directory)
    build = time.perf_counter() - start
    loaded = BM25Index.load(directory)
    latencies = []
    for q in queries:
        t = time.perf_counter()
        loaded.top(q, 50)
        latencies.append((time.perf_counter() - t) * 1000)
    # No deletes in bm25s: hanrag rebuilds the generation without the removed rows.
    keep = chunks[: int(len(chunks) * 0.99)]
    start = time.perf_counter()
    BM25Index.build(keep).save(directory.with_name(directory.name + "-del"))
    delete = time.perf_counter() - start
    size = disk_size(directory)
    shutil.rmtree(directory.with_name(directory.name + "-del"), ignore_errors=True)
    return {"build_s": build, "query_p50_ms": float(np.percentile(latencies, 50)),
            "query_p95_ms": float(np.percentile(latencies, 95)), "delete_1pct_s": delete, "disk_mb": size / 1e6}


def bench_tantivy(chunks: list[list[str]], queries: list[list[str]], directory: Path) -> dict:
    import tantivy

    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("row", stored=True, indexed=True, fast=True)
    builder.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
    schema = builder.build()
    start = time.perf_counter()
    index = tantivy.Index(schema, path=str(directory))
    writer = index.writer(heap_size=256_000_000, num_threads=2)
    for i, terms in enumerate(chunks):
        writer.add_document(tantivy.Document(row=i, body=" ".join(terms)))
    writer.commit()
    writer.wait_merging_threads()
    build = time.perf_counter() - start
    index.reload()
    searcher = index.searcher()
    latencies = []
    for q in queries:
        t = time.perf_counter()
        if q:
            query = tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.term_query(schema, "body", term)) for term in q])
            hits = searcher.search(query, 50).hits
            [searcher.doc(address)["row"][0] for _score, address in hits]
        latencies.append((time.perf_counter() - t) * 1000)
    writer = index.writer(heap_size=64_000_000, num_threads=1)
    start = time.perf_counter()
    for i in range(int(len(chunks) * 0.99), len(chunks)):
        writer.delete_documents_by_term("row", i)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    delete = time.perf_counter() - start
    return {"build_s": build, "query_p50_ms": float(np.percentile(latencies, 50)),
            "query_p95_ms": float(np.percentile(latencies, 95)), "delete_1pct_s": delete, "disk_mb": disk_size(directory) / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sentences, query_terms = sentence_terms()
    queries = random.Random(1).sample(query_terms, args.queries)
    results = []
    for size in args.sizes:
        chunks = synthetic_chunks(sentences, size)
        per_engine: dict[str, list[dict]] = {"bm25s": [], "tantivy": []}
        for _ in range(args.runs):
            per_engine["bm25s"].append(bench_bm25s(chunks, queries, WORK / "sparse-bm25s"))
            per_engine["tantivy"].append(bench_tantivy(chunks, queries, WORK / "sparse-tantivy"))
        for engine, runs in per_engine.items():
            median = {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]}
            results.append({"engine": engine, "chunks": size, **median})
            print(engine, size, median, flush=True)
    for size in args.sizes:
        a = next(r for r in results if r["engine"] == "bm25s" and r["chunks"] == size)
        b = next(r for r in results if r["engine"] == "tantivy" and r["chunks"] == size)
        print(f"{size}: query p50 tantivy/bm25s = {b['query_p50_ms'] / a['query_p50_ms']:.2f}, "
              f"build bm25s/tantivy = {a['build_s'] / b['build_s']:.2f}")
    print(write_result("sparse_backends", {"runs": args.runs, "queries": args.queries, "results": results}))


if __name__ == "__main__":
    main()
