"""HNSW search breadth (ef) against recall@10 and latency, on recombined vectors.

    .venv/bin/python bench/ann_params.py [--size 200000] [--queries 300]

Vectors as in bench/scale.py (sum of 3 KorQuAD paragraph vectors + noise, normalised), HNSW
with hanrag's build parameters (M=16, ef_construction=100), KorQuAD question vectors as
queries; recall@10 against exact search. Results: bench/results/ann_params.json.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from common import write_result
from scale import load_sources, prepare_sources, synthetic

from hanrag.retrieve.ann import HnswIndex, HnswParams


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    prepare_sources()
    meta, paragraph_vectors, query_vectors, owners = load_sources()
    vectors = np.concatenate([v for _, _, _, v in synthetic(args.size, meta, paragraph_vectors, owners)])
    start = time.perf_counter()
    graph = HnswIndex.build(vectors, np.arange(len(vectors)), HnswParams(), threads=2)
    build_s = time.perf_counter() - start
    picks = np.random.default_rng(1).choice(len(query_vectors), size=args.queries, replace=False)
    truth = [set(np.argsort(-(vectors @ query_vectors[q]))[:10].tolist()) for q in picks]
    rows = []
    for ef in (32, 64, 128, 256, 512):
        graph.params.ef_search = ef
        recalls, times = [], []
        for q, want in zip(picks, truth):
            t = time.perf_counter()
            got = graph.top(query_vectors[q], 50)[0][:10]
            times.append((time.perf_counter() - t) * 1000)
            recalls.append(len(want & set(got.tolist())) / 10)
        rows.append({"ef_search": ef, "recall@10": round(float(np.mean(recalls)), 4),
                     "p50_ms": round(float(np.percentile(times, 50)), 3), "p95_ms": round(float(np.percentile(times, 95)), 3)})
        print(rows[-1], flush=True)
    write_result("ann_params", {"size": args.size, "queries": args.queries, "build_s": round(build_s, 1),
                                "candidates": 50, "rows": rows})


if __name__ == "__main__":
    main()
