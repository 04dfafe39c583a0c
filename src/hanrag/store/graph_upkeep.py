"""The writer's side of the index's one vector graph (``store.graph``): when to build or extend it,
and publishing a new one as a commit of its own.

A small commit never touches the graph: its rows are searched exactly in their segments. Once
``AnnPolicy.batch`` live rows are not in the graph, the graph is extended (the saved graph loaded,
the new rows' vectors added, the result written as a new folder); a graph more than half deleted
is built again from the live rows. That work takes seconds to minutes at a million rows, so by
default (``AnnPolicy.upkeep == "background"``) the commit that asks for it only starts a detached
process (``python -m hanrag.store.graph_upkeep``), as ``git gc --auto`` does, and returns. The
process works in three steps, and holds the writer lock only in the first and the last:

1. ``prepare``: the plan, the live rows to add (their segments' files opened, so a merge that
   removes them meanwhile does no harm) and a reserved folder number;
2. ``build``: the graph loaded or started, the vectors added, saved and synced, with no lock;
3. ``publish``: one SQLite commit names the folder, if the graph it extended is still the
   index's; the rows it holds that were deleted meanwhile are listed in ``graph_dead``.

Writers go on meanwhile: their rows are searched exactly until a later extension. One upkeep at a
time (``graph.lock``); a writer does not remove graph folders while it is held. A crash at any
moment leaves the last commit's graph (or none) in use; the next writer removes the orphan.
``upkeep == "inline"`` runs the three steps inside the commit (benchmarks, tests, bulk loads).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from hanrag.store import graph as graphs
from hanrag.store.lock import UPKEEP_TAG, FileLock
from hanrag.store.segment import Segment, fsync_tree
from hanrag.store.testhook import pause_at

if TYPE_CHECKING:
    from hanrag.store.local import AnnPolicy, LocalStore

GRAPH_KEYS = ("graph", "graph_key", "graph_rows", "graph_dead")
LOCK_NAME = "graph.lock"
LOG_NAME = "graph-upkeep.log"
# How long a background upkeep waits for the writer lock (a long indexing job may hold it).
_WRITER_WAIT_S = 3600.0
_LOG_MAX_BYTES = 1 << 20


def plan(policy: "AnnPolicy", live: int, uncovered: int, rows: int | None, dead: int) -> str | None:
    """"build", "extend" or None, from the live rows, those not in the graph, the graph's rows (None:
    no graph) and how many of them are deleted."""
    if policy.scope != "index" or not policy.wanted(live):
        return None
    if rows is None or dead * 2 > rows:
        return "build"
    return "extend" if uncovered >= max(1, policy.batch) else None


def state(db: sqlite3.Connection) -> dict[str, int]:
    """The graph's manifest entries (absent: no graph)."""
    marks = ",".join("?" * len(GRAPH_KEYS))
    return {k: int(v) for k, v in db.execute(f"SELECT key, value FROM manifest WHERE key IN ({marks})", GRAPH_KEYS)}


def record_deleted(db: sqlite3.Connection, keys: list[int]) -> None:
    """Within a writer's transaction: deleted chunks that the graph holds (hidden by readers)."""
    covered = state(db).get("graph_key")
    gone = [(k,) for k in keys if covered is not None and k <= covered]
    if not gone:
        return
    db.executemany("INSERT OR IGNORE INTO graph_dead VALUES (?)", gone)
    db.execute("INSERT OR REPLACE INTO manifest VALUES ('graph_dead', (SELECT COUNT(*) FROM graph_dead))")


def forget(db: sqlite3.Connection) -> None:
    """Within a writer's transaction: the index has no graph any more (e.g. rebuilt vectors); an
    upkeep under way will not publish."""
    db.execute(f"DELETE FROM manifest WHERE key IN ({','.join('?' * len(GRAPH_KEYS))})", GRAPH_KEYS)
    db.execute("DELETE FROM graph_dead")
    db.execute("INSERT INTO manifest VALUES ('graph_epoch', '1') "
               "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")


def needed(db: sqlite3.Connection, policy: "AnnPolicy") -> str | None:
    """What the policy asks of the graph now: "build", "extend" or None (cheap: manifest and one
    range count)."""
    current = state(db)
    live = int((db.execute("SELECT value FROM manifest WHERE key = 'live_chunks'").fetchone() or [0])[0])
    has = "graph" in current
    # The rows above the graph's last key (an INTEGER PRIMARY KEY range: no scan of the table).
    uncovered = int(db.execute("SELECT COUNT(*) FROM chunks WHERE id > ? AND segment IS NOT NULL",
                               (current.get("graph_key", 0),)).fetchone()[0]) if has else live
    return plan(policy, live, uncovered, current.get("graph_rows") if has else None, current.get("graph_dead", 0))


@dataclass
class Job:
    """A graph to build or extend: what ``prepare`` saw, what ``build`` adds."""

    action: str
    base: int | None  # the index's graph when prepared (extended, or replaced by a build)
    epoch: int
    after: int  # keys above this are added
    number: int  # the new graph's folder
    dim: int
    rows: int
    max_key: int
    keys: np.ndarray = field(repr=False)  # the store keys added (``build`` releases ``chosen`` as it goes)
    chosen: list[tuple[Segment, np.ndarray, np.ndarray]] = field(repr=False)


def prepare(db: sqlite3.Connection, store: "LocalStore") -> Job | None:
    """Writer lock held, no transaction open: the job the policy asks for, its folder number
    reserved; None when nothing is to be done."""
    action = needed(db, store.options.ann)
    if action is None:
        return None
    current = state(db)
    manifest = dict(db.execute("SELECT key, value FROM manifest WHERE key IN ('dim', 'graph_epoch', 'next_graph')"))
    base = current.get("graph")
    after = current.get("graph_key", 0) if action == "extend" else 0
    chosen = _chosen(db, store, after)
    keys = np.concatenate([k for _, _, k in chosen]) if chosen else np.zeros(0, np.int64)
    dim = int(manifest.get("dim") or 0) or next((segment.dim for segment, _, _ in chosen), 0)
    if not dim or not keys.size:
        return None
    number = int(manifest.get("next_graph", 1))
    db.execute("INSERT OR REPLACE INTO manifest VALUES ('next_graph', ?)", (str(number + 1),))  # autocommit
    return Job(action, base, int(manifest.get("graph_epoch", 0)), after, number, dim,
               (current["graph_rows"] if action == "extend" else 0) + int(keys.size), max(after, int(keys.max())),
               keys, chosen)


def build(job: Job, store: "LocalStore") -> Path:
    """No lock needed: the new graph written and synced into its reserved folder."""
    policy = store.options.ann
    folder = store.graph_dir(job.number)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    pause_at("graph")  # test hook, off by default (hanrag.store.testhook)
    if job.action == "extend":
        index = graphs.reopen(store.graph_dir(job.base), job.dim, job.rows)
    else:
        index = graphs.start(job.dim, job.rows, policy.params)
    while job.chosen:  # one segment's vectors in memory at a time, its map released after
        segment, positions, keys = job.chosen.pop(0)
        graphs.add(index, np.ascontiguousarray(segment.vectors[positions], dtype=np.float32), keys, policy.threads)
        del segment
    index.save(folder)
    del index
    fsync_tree(folder)
    pause_at("graph_written")
    return folder


def publish(db: sqlite3.Connection, store: "LocalStore", job: Job) -> bool:
    """Writer lock held: name the new graph in one commit, unless the graph it extends is no longer
    the index's (then the folder is removed); whether it was published."""
    committed = False
    try:
        db.execute("BEGIN IMMEDIATE")
        current = state(db)
        epoch = int((db.execute("SELECT value FROM manifest WHERE key = 'graph_epoch'").fetchone() or [0])[0])
        if epoch != job.epoch or current.get("graph") != job.base:
            db.execute("ROLLBACK")
            return False
        # Rows added to the graph and deleted since ``prepare``: hidden like any deleted row.
        live = np.fromiter((r[0] for r in db.execute(
            "SELECT id FROM chunks WHERE id > ? AND id <= ? AND segment IS NOT NULL", (job.after, job.max_key))),
            np.int64)
        gone = np.setdiff1d(job.keys, live, assume_unique=True)
        if job.action == "build":
            db.execute("DELETE FROM graph_dead")
        db.executemany("INSERT OR IGNORE INTO graph_dead VALUES (?)", [(int(k),) for k in gone])
        dead = int(db.execute("SELECT COUNT(*) FROM graph_dead").fetchone()[0])
        values = {"graph": job.number, "graph_key": job.max_key, "graph_rows": job.rows, "graph_dead": dead}
        db.executemany("INSERT OR REPLACE INTO manifest VALUES (?, ?)", [(k, str(v)) for k, v in values.items()])
        db.execute("INSERT INTO manifest VALUES ('version', '1') "
                   "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")
        db.execute("COMMIT")
        committed = True
        pause_at("graph_committed")
    finally:
        if not committed:
            if db.in_transaction:
                db.execute("ROLLBACK")
            shutil.rmtree(store.graph_dir(job.number), ignore_errors=True)
    if job.base is not None:
        shutil.rmtree(store.graph_dir(job.base), ignore_errors=True)
    return True


def _chosen(db: sqlite3.Connection, store: "LocalStore", after: int) -> list[tuple[Segment, np.ndarray, np.ndarray]]:
    """(segment, positions, store keys) of the live rows with keys above ``after``, per segment."""
    chosen = []
    for number, rows in db.execute("SELECT id, rows FROM segments ORDER BY id").fetchall():
        segment = Segment(store.segment_dir(number), load_graph=False)
        live = np.ones(rows, dtype=bool)
        dead = [r[0] for r in db.execute("SELECT position FROM tombstones WHERE segment = ?", (number,))]
        live[np.asarray(dead, dtype=np.int64)] = False
        keys = np.asarray(segment.keys)
        positions = np.flatnonzero(live & (keys > after))
        if positions.size:
            chosen.append((segment, positions, keys[positions].astype(np.int64)))
    return chosen


def upkeep_inline(db: sqlite3.Connection, store: "LocalStore") -> str | None:
    """The three steps under the caller's writer lock; what was done (None also while a background
    upkeep is under way: it does the work)."""
    lock = FileLock(store.directory / LOCK_NAME)
    if not lock.try_acquire():
        return None
    try:
        job = prepare(db, store)
        if job is None:
            return None
        build(job, store)
        return job.action if publish(db, store, job) else None
    finally:
        lock.release()


def upkeep_background(store: "LocalStore", rounds: int = 5) -> list[str]:
    """What the detached process runs: the three steps, the writer lock held only in the first and
    the last, again while the policy still asks (writes went on meanwhile, or a rebuild made the
    work moot); what was done ("build", "extend", or "dropped" when the index changed under it)."""
    lock = FileLock(store.directory / LOCK_NAME, UPKEEP_TAG)
    if not lock.try_acquire():
        return []  # another upkeep is under way
    done: list[str] = []
    try:
        for _ in range(rounds):
            with store.writer(wait_s=_WRITER_WAIT_S, tag=UPKEEP_TAG) as writer:
                job = prepare(writer.connection, store)
            if job is None:
                break
            try:
                build(job, store)
            except BaseException:
                shutil.rmtree(store.graph_dir(job.number), ignore_errors=True)
                raise
            with store.writer(wait_s=_WRITER_WAIT_S, tag=UPKEEP_TAG) as writer:
                done.append(job.action if publish(writer.connection, store, job) else "dropped")
    finally:
        lock.release()
    return done


def start_background(store: "LocalStore") -> subprocess.Popen | None:
    """Start the detached upkeep process for ``store`` unless one is under way; its output goes
    to ``graph-upkeep.log`` in the index folder."""
    from hanrag.store.lock import held

    if held(store.directory / LOCK_NAME):
        return None
    policy = dataclasses.asdict(store.options.ann)
    log_path = store.directory / LOG_NAME
    fresh = log_path.is_file() and log_path.stat().st_size > _LOG_MAX_BYTES  # a line per upkeep: start over now and then
    with open(log_path, "wb" if fresh else "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "hanrag.store.graph_upkeep", str(store.directory), json.dumps(policy)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
        )


def _main(directory: str, policy_json: str) -> None:
    from hanrag.retrieve.ann import HnswParams
    from hanrag.store.local import AnnPolicy, LocalStore, StoreOptions

    fields = json.loads(policy_json)
    fields["params"] = HnswParams(**fields["params"])
    store = LocalStore(Path(directory), StoreOptions(ann=AnnPolicy(**fields)))
    clock = time.perf_counter()
    done = upkeep_background(store)
    if done:
        print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} pid {os.getpid()}: graph {', '.join(done)} in "
              f"{time.perf_counter() - clock:.1f} s", flush=True)


if __name__ == "__main__":
    _main(*sys.argv[1:3])
