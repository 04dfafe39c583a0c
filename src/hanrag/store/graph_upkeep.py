"""The writer's side of the index's one vector graph (``store.graph``): when to build or extend it,
and publishing a new one as a commit of its own.

A small commit never touches the graph: its rows are searched exactly in their segments. Once
``AnnPolicy.batch`` live rows are not in the graph, the writer extends it after that commit (and
its merges), as Lucene merges in the background of writes: the saved graph is loaded, the new
rows' vectors added (hnswlib inserts into a loaded graph), and the result written as a new
folder. A graph more than half deleted is built again from the live rows. The new folder is
written and synced under a number no commit names yet; one SQLite commit then names it, so a
crash at any moment leaves the last commit's graph (or none) in use; the next writer removes
the orphan.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from hanrag.store import graph as graphs
from hanrag.store.segment import Segment, fsync_tree
from hanrag.store.testhook import pause_at

if TYPE_CHECKING:
    from hanrag.store.local import AnnPolicy, LocalStore

GRAPH_KEYS = ("graph", "graph_key", "graph_rows", "graph_dead")


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
    """Within a writer's transaction: the index has no graph any more (e.g. rebuilt vectors)."""
    db.execute(f"DELETE FROM manifest WHERE key IN ({','.join('?' * len(GRAPH_KEYS))})", GRAPH_KEYS)
    db.execute("DELETE FROM graph_dead")


def upkeep(db: sqlite3.Connection, store: "LocalStore") -> str | None:
    """Build or extend the graph if the policy asks for it (writer lock held, no transaction open);
    what was done."""
    policy = store.options.ann
    current = state(db)
    manifest = dict(db.execute("SELECT key, value FROM manifest WHERE key IN ('live_chunks', 'dim')"))
    live = int(manifest.get("live_chunks", 0))
    has = "graph" in current
    covered = current.get("graph_key", 0) if has else 0
    # The rows above the graph's last key (an INTEGER PRIMARY KEY range: no scan of the table).
    uncovered = int(db.execute("SELECT COUNT(*) FROM chunks WHERE id > ? AND segment IS NOT NULL",
                               (covered,)).fetchone()[0]) if has else live
    action = plan(policy, live, uncovered, current.get("graph_rows") if has else None, current.get("graph_dead", 0))
    if action is None:
        return None
    dim = int(manifest.get("dim") or 0)
    after = covered if action == "extend" else 0
    chosen = _chosen(db, store, after)
    added = sum(int(positions.size) for _, positions, _ in chosen)
    dim = dim or next((segment.dim for segment, _, _ in chosen), 0)
    if not dim or (action == "extend" and not added):
        return None
    rows = (current["graph_rows"] if action == "extend" else 0) + added
    max_key = max([after] + [int(keys.max()) for _, _, keys in chosen])
    old = store.graph_dir(current["graph"]) if has else None
    index = graphs.reopen(old, dim, rows) if action == "extend" else graphs.start(dim, rows, policy.params)
    while chosen:  # one segment's vectors in memory at a time, its map released after
        segment, positions, keys = chosen.pop(0)
        graphs.add(index, np.ascontiguousarray(segment.vectors[positions], dtype=np.float32), keys, policy.threads)
        del segment
    _publish(db, store, index, action, rows, max_key)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return action


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


def _publish(db: sqlite3.Connection, store: "LocalStore", index, action: str, rows: int, max_key: int) -> None:
    """Write the graph under a new number, then name it in one commit."""
    row = db.execute("SELECT value FROM manifest WHERE key = 'next_graph'").fetchone()
    number = int(row[0]) if row else 1
    folder: Path = store.graph_dir(number)
    committed = False
    try:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        pause_at("graph")  # test hook, off by default (hanrag.store.testhook)
        index.save(folder)
        fsync_tree(folder)
        pause_at("graph_written")
        db.execute("BEGIN IMMEDIATE")
        if action == "build":
            db.execute("DELETE FROM graph_dead")
        values = {"next_graph": number + 1, "graph": number, "graph_key": max_key, "graph_rows": rows,
                  "graph_dead": 0 if action == "build" else state(db).get("graph_dead", 0)}
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
            shutil.rmtree(folder, ignore_errors=True)
