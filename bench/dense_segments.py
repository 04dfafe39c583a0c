"""Dense search over several segment graphs: recall@10 against exact search and latency (wall and CPU), by the
search breadth each graph uses and by whether the graphs are searched side by side.

    .venv/bin/python bench/dense_segments.py --dir bench/.work/latency-segments-1000000 [--efs 256 128 96 64]
        [--threads 1 2] [--repeats 3] [--queries 200] [--single bench/.work/single-graph-1000000 --single-ef 256]

On an index built by bench/search_latency.py (or writes.py's builder). Times the store's dense
retrieval alone (top 50, as hanrag asks for), query vector given; the exact top 10 comes from
multiplying every vector (search_latency.child_exact). Each setting runs once per repeat, in
rotated order; medians over repeats. ``--single`` also times one graph over all the index's vectors
(the store before segments kept one), hnswlib alone, as a floor. Results: bench/results/dense_segments.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np
from common import write_result
from scale import load_sources
from search_latency import child_exact, picked, recall_at_10


def timed(store, vectors: np.ndarray, n: int) -> tuple[list[float], list[float], list[list[str]]]:
    """Wall and CPU (all threads of the process) ms per query, and the top 10 chunk ids."""
    times, cpu, tops = [], [], []
    for vector in vectors:
        t, c = time.perf_counter(), time.process_time()
        ranking = store.retrieve(None, vector, None, ["dense"], n)["dense"]
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        tops.append(ranking.ids[:10].tolist())
    return times, cpu, tops


def single_graph(directory: Path, target: Path) -> tuple[object, np.ndarray]:
    """One HNSW graph over every segment's vectors (what the store kept before segments), built
    once into ``target`` with the store's parameters; and the store key of each label."""
    import sqlite3

    from hanrag.retrieve.ann import HnswIndex, HnswParams

    numbers = [r[0] for r in sqlite3.connect(directory / "hanrag.sqlite").execute("SELECT id FROM segments ORDER BY id")]
    keys = np.concatenate([np.load(directory / "segments" / str(n) / "keys.npy") for n in numbers])
    if not (target / "hnsw.bin").is_file():
        vectors = np.concatenate([np.load(directory / "segments" / str(n) / "vectors.npy") for n in numbers])
        target.mkdir(parents=True, exist_ok=True)
        HnswIndex.build(vectors, np.arange(keys.size), HnswParams(), os.cpu_count() or 1).save(target)
    return HnswIndex.load(target, 384), keys


def time_single(directory: Path, target: Path, vectors: np.ndarray, exact: list[list[str]], n: int,
                ef: int) -> dict:
    """The single graph searched for the top ``n`` at ``ef`` (hnswlib alone: no store around it)."""
    import sqlite3

    graph, keys = single_graph(directory, target)
    graph.params.ef_search = ef
    names = dict(sqlite3.connect(directory / "hanrag.sqlite").execute("SELECT id, chunk_id FROM chunks"))
    times, cpu, tops = [], [], []
    for vector in vectors:
        t, c = time.perf_counter(), time.process_time()
        labels, _ = graph.top(vector, n)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        tops.append([names[int(k)] for k in keys[labels[:10]]])
    return {"p50_ms": float(np.percentile(times, 50)), "p95_ms": float(np.percentile(times, 95)),
            "cpu_p50_ms": float(np.percentile(cpu, 50)), "recall@10": recall_at_10(tops, exact)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--efs", type=int, nargs="+", default=[256, 160, 128, 96, 64])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--candidates", type=int, default=50)
    parser.add_argument("--single", type=Path, help="also time one graph over all vectors, kept (built) here")
    parser.add_argument("--single-ef", type=int, nargs="+", default=[256])
    args = parser.parse_args()
    from hanrag.store import nearest
    from hanrag.store.local import LocalStore

    meta, _, query_vectors, _ = load_sources()
    vectors = query_vectors[picked(meta, args.queries)]
    exact = child_exact(args.dir, args.queries)["dense_exact_top10"]
    store = LocalStore(args.dir)
    store.retrieve(None, vectors[0], None, ["dense"], args.candidates)  # open the segments and graphs
    settings = [(ef, threads) for ef in args.efs for threads in args.threads]
    runs: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {s: [] for s in settings}
    for repeat in range(args.repeats):
        for ef, threads in settings[repeat % len(settings):] + settings[:repeat % len(settings)]:
            nearest.beam_per_graph = lambda _ef, _graphs, ef=ef: ef  # the same breadth for every graph
            nearest._WORKERS = threads
            times, cpu, tops = timed(store, vectors, args.candidates)
            runs[(ef, threads)].append((float(np.percentile(times, 50)), float(np.percentile(times, 95)),
                                        recall_at_10(tops, exact), float(np.percentile(cpu, 50))))
            print(repeat, ef, threads, [round(v, 3) for v in runs[(ef, threads)][-1]], flush=True)
    graphs = sum(1 for _ in args.dir.glob("segments/*/hnsw.bin"))
    rows = [{"ef_per_graph": ef, "threads": threads,
             "p50_ms": round(statistics.median(r[0] for r in runs[(ef, threads)]), 3),
             "p95_ms": round(statistics.median(r[1] for r in runs[(ef, threads)]), 3),
             "recall@10": round(statistics.median(r[2] for r in runs[(ef, threads)]), 4),
             "cpu_p50_ms": round(statistics.median(r[3] for r in runs[(ef, threads)]), 3)} for ef, threads in settings]
    single = []
    for ef in args.single_ef if args.single else []:
        found = [time_single(args.dir, args.single, vectors, exact, args.candidates, ef) for _ in range(args.repeats)]
        single.append({"ef": ef, **{key: round(statistics.median(f[key] for f in found), 4) for key in found[0]}})
    for row in rows + single:
        print(row)
    print(write_result("dense_segments", {"index": args.dir.name, "graphs": graphs, "queries": args.queries,
                                           "candidates": args.candidates, "repeats": args.repeats, "rows": rows,
                                           "single_graph": single}))


if __name__ == "__main__":
    main()
