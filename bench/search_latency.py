"""Search latency of several versions of the code, side by side in one run.

    .venv/bin/python bench/search_latency.py [--sizes 100000 1000000] [--repeats 5] [--queries 200]
        [--versions before=bbe346d segments=1040f6e new=.] [--name search_latency]

The machine is shared (other benchmarks and test runs come and go), so absolute times drift by
20 % and more between runs: versions are only ever compared within one run, interleaved (each
repeat runs every version once, in rotated order) and summarised as medians over the repeats.

Corpora are bench/scale.py's synthetic chunks, built as bench/writes.py builds them (documents of
100 chunks, commits of 20,000, merges on the way; no embedding timed). A version names a commit
("." is this work tree); versions that read the same index format share one index, built once by
the first of them (kept in bench/.work/latency-<format>-<n>, reused by later runs: building 1M
chunks takes ~20-35 min here). The store before segments (bbe346d) has a format of its own.

Each repeat and version is a fresh process that opens the index like a reader and times
search_prepared (query terms and vector given, as in writes.py) for bm25, dense and hybrid over
--queries KorQuAD questions (one warm-up query first). It also counts the questions for which two
versions return the same 10 BM25 hits in the same order, and the dense recall@10 of each version
against exact search (every vector multiplied, once per index). With HANRAG_BENCH_VECTORS=synthetic
the vectors are bench/scale.py's synthetic ones (indexes kept apart: latency-<format>-synthvec-<n>).
Results: bench/results/search_latency.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from common import BENCH, WORK, write_result
from scale import SYNTHETIC_VECTORS, load_sources, peak_rss_mb, prepare_sources

MODES = ("bm25", "dense", "hybrid")
OLD_FORMAT = {"bbe346d"}  # commits whose store is the one before segments


def picked(meta: dict, queries: int) -> np.ndarray:
    return np.random.default_rng(1).choice(len(meta["queries"]), size=min(queries, len(meta["queries"])), replace=False)


def child_exact(directory: Path, queries: int) -> dict:
    """The exact dense top 10 (chunk ids) of each picked question: every live vector of every
    segment multiplied (read from the segment files, as no reader API searches exactly)."""
    import sqlite3

    meta, _, query_vectors, _ = load_sources()
    wanted = query_vectors[picked(meta, queries)]
    db = sqlite3.connect(directory / "hanrag.sqlite")
    keys, scores = [], []
    for (number,) in db.execute("SELECT id FROM segments").fetchall():
        folder = directory / "segments" / str(number)
        found = np.load(folder / "vectors.npy", mmap_mode="r") @ wanted.T  # rows x queries
        dead = [r[0] for r in db.execute("SELECT position FROM tombstones WHERE segment = ?", (number,))]
        found[dead] = -np.inf
        best = np.argpartition(-found, 10, axis=0)[:10]  # 10 x queries
        keys.append(np.load(folder / "keys.npy")[best])
        scores.append(np.take_along_axis(found, best, axis=0))
    keys_all, scores_all = np.concatenate(keys), np.concatenate(scores)
    order = np.argsort(-scores_all, axis=0, kind="stable")[:10]
    top_keys = np.take_along_axis(keys_all, order, axis=0).T.tolist()
    names = dict(db.execute("SELECT id, chunk_id FROM chunks"))
    return {"dense_exact_top10": [[names[k] for k in row] for row in top_keys]}


def child_search(directory: Path, queries: int) -> dict:
    from hanrag import Index, load_settings

    meta, _, query_vectors, _ = load_sources()
    picks = picked(meta, queries)
    out: dict = {}
    with Index.open(directory, load_settings()) as index:
        index.search_prepared("warm", meta["query_terms"][0], query_vectors[0], index.retrieval_settings())
        for mode in MODES:
            settings = index.retrieval_settings(mode=mode)
            times, cpu, tops = [], [], []
            for q in picks:
                t, c = time.perf_counter(), time.process_time()
                hits = index.search_prepared(meta["queries"][q], meta["query_terms"][q], query_vectors[q], settings)
                times.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)  # all threads of the process
                tops.append([h.chunk.chunk_id for h in hits[:10]])
            out[f"{mode}_p50_ms"] = float(np.percentile(times, 50))
            out[f"{mode}_p95_ms"] = float(np.percentile(times, 95))
            out[f"{mode}_cpu_p50_ms"] = float(np.percentile(cpu, 50))
            if mode == "bm25":
                out["bm25_top10"] = tops
        ten = index.retrieval_settings(mode="dense", top_k=10)  # untimed: the dense top 10 for recall
        out["dense_top10"] = [[h.chunk.chunk_id for h in index.search_prepared(
            meta["queries"][q], meta["query_terms"][q], query_vectors[q], ten)] for q in picks]
    out["search_peak_rss_mb"] = round(peak_rss_mb())
    return out


def recall_at_10(found: list[list[str]], exact: list[list[str]]) -> float:
    """Mean share of the exact top 10 found in the top 10."""
    return float(np.mean([len(set(a[:10]) & set(b[:10])) / max(1, len(b[:10])) for a, b in zip(found, exact)]))


def worktree(commit: str) -> Path:
    """A checkout of ``commit`` under bench/.work (this work tree for ".")."""
    if commit == ".":
        return BENCH.parent
    path = WORK / f"code-{commit}"
    if not (path / "src" / "hanrag").is_dir():
        subprocess.run(["git", "-C", str(BENCH.parent), "worktree", "add", "--detach", str(path), commit], check=True,
                       capture_output=True)
    return path


def run(command: list[str], source: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(source / "src")}
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def build(n: int, directory: Path, source: Path, old: bool) -> dict:
    """The index, built by writes.py's builder with the code at ``source`` (unless it exists)."""
    if (directory / "hanrag.sqlite").is_file():
        return {"reused": True}
    command = [sys.executable, str(BENCH / "writes.py"), "--child", "build", "--sizes", str(n), "--dir", str(directory)]
    return run(command + (["--old"] if old else []), source)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--versions", nargs="+", default=["before=bbe346d", "segments=1040f6e", "new=."])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--name", default="search_latency", help="results file bench/results/NAME.json")
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--exact", action="store_true")
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()
    if args.child:
        print(json.dumps((child_exact if args.exact else child_search)(args.dir, args.queries)))
        return
    prepare_sources()
    versions = [tuple(v.split("=", 1)) for v in args.versions]
    result: dict = {"queries": args.queries, "repeats": args.repeats, "versions": dict(versions), "sizes": {}}
    partial = WORK / "search_latency_partial.json"
    for n in args.sizes:
        row: dict = {"build": {}}
        indexes: dict[str, Path] = {}
        for name, commit in versions:
            kind = "before" if commit in OLD_FORMAT else "segments"
            indexes[name] = WORK / f"latency-{kind}{'-synthvec' if SYNTHETIC_VECTORS else ''}-{n}"
            started = time.perf_counter()
            built = build(n, indexes[name], worktree(commit), kind == "before")
            row["build"][name] = {**built, "s": round(time.perf_counter() - started, 1)}
            print(n, name, "index", row["build"][name], flush=True)
        # The same chunks (same ids) in every index: the exact top 10 comes from a segments-format one
        # (the store before segments has no segment files to multiply).
        readable = {name: path for name, path in indexes.items() if "latency-before" not in path.name}
        computed = {path: run([sys.executable, __file__, "--child", "--exact", "--dir", str(path), "--queries",
                               str(args.queries)], BENCH.parent)["dense_exact_top10"] for path in set(readable.values())}
        exact = {name: computed[readable.get(name, next(iter(readable.values())))] for name in indexes}
        runs: dict[str, list[dict]] = {name: [] for name, _ in versions}
        for repeat in range(args.repeats):
            order = versions[repeat % len(versions):] + versions[:repeat % len(versions)]
            for name, commit in order:
                command = [sys.executable, __file__, "--child", "--dir", str(indexes[name]), "--queries", str(args.queries)]
                runs[name].append(run(command, worktree(commit)))
                print(n, repeat, name, {k: round(v, 2) for k, v in runs[name][-1].items() if k.endswith("_ms")}, flush=True)
        for name, _ in versions:
            summary = {key: round(statistics.median(r[key] for r in runs[name]), 2)
                       for key in runs[name][0] if key.endswith("_ms")}
            summary["search_peak_rss_mb"] = max(r["search_peak_rss_mb"] for r in runs[name])
            summary["dense_recall@10"] = round(statistics.median(recall_at_10(r["dense_top10"], exact[name])
                                                                 for r in runs[name]), 4)
            for other, _ in versions:  # share of questions with the same 10 BM25 hits, in the same order
                if other != name:
                    summary["same_bm25_top10_as_" + other] = round(float(np.mean(
                        [a == b for a, b in zip(runs[name][0]["bm25_top10"], runs[other][0]["bm25_top10"])])), 3)
            row[name] = summary
        last = versions[-1][0]
        row[f"ratios_over_{last}"] = {name: {f"{m}_p50": round(row[name][f"{m}_p50_ms"] / row[last][f"{m}_p50_ms"], 2)
                                             for m in MODES} for name, _ in versions[:-1]}
        result["sizes"][str(n)] = row
        partial.write_text(json.dumps(result, indent=1))
        print(n, json.dumps(row), flush=True)
    print(write_result(args.name, result))


if __name__ == "__main__":
    main()
