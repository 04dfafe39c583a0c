"""The local store's writer: one commit = SQLite rows + one new segment + tombstones, all or nothing.

Segment files are written and synced under a number the database does not name yet; only the
SQLite COMMIT makes them live, so a crash at any moment leaves the last commit readable (the next
writer removes the orphaned folder). Merges run after the commit, each as a commit of its own.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from hanrag.schema import Chunk
from hanrag.store import graph_upkeep
from hanrag.store import segment as segments
from hanrag.store.base import StoredDocument
from hanrag.store.lock import WriterLock, held
from hanrag.store.merge import pick_merge
from hanrag.store.stats import StatsDelta
from hanrag.store.testhook import pause_at

if TYPE_CHECKING:
    from hanrag.store.local import LocalStore

# Gives vectors for store keys (rows of the result), or None where it has none.
VectorSource = Callable[[list[int]], list[np.ndarray | None]]


class LocalWriter:
    """Stages document changes and commits them, all or nothing."""

    def __init__(self, store: "LocalStore", wait_s: float = 0.0, tag: str = "") -> None:
        self._store = store
        self._db: sqlite3.Connection | None = None
        self._lock = WriterLock(store.directory / "write.lock", tag)
        self._wait_s = wait_s
        self._removed: list[str] = []
        self._added: list[tuple[StoredDocument, list[Chunk], list[list[str]], np.ndarray]] = []
        self.last_timings: dict[str, float] = {}  # seconds per stage of the last commit (benchmarks)
        self.upkeep_process: subprocess.Popen | None = None  # the background graph upkeep this writer started

    def __enter__(self) -> "LocalWriter":
        self._lock.acquire(self._wait_s)
        self._db = self._store._connect()
        self._clean_orphans()
        return self

    @property
    def connection(self) -> sqlite3.Connection:
        """The writer's own SQLite connection (for the store's modules; nothing outside ``store/``)."""
        assert self._db is not None, "the writer is not entered"
        return self._db

    def __exit__(self, *exc: object) -> None:
        if self._db is not None:
            self._store._release(self._db)
            self._db = None
        self._lock.release()

    def init_manifest(self, values: dict[str, str]) -> None:
        """Record the components the index is built with (only if not recorded yet)."""
        self._store.init_manifest(values, self._db)

    def delete(self, doc_id: str) -> None:
        self._removed.append(doc_id)

    def upsert(self, doc: StoredDocument, chunks: list[Chunk], terms: list[list[str]], vectors: np.ndarray) -> None:
        """Add (or replace, when doc_id exists) a document with its chunks, their terms and vectors."""
        self._added.append((doc, chunks, terms, vectors))
        pause_at("staged")  # test hook, off by default (hanrag.store.testhook)

    @property
    def pending(self) -> bool:
        return bool(self._removed or self._added)

    # --- commit ---------------------------------------------------------------------
    def commit(self) -> None:
        """Apply the staged changes: rows, one new segment, tombstones and statistics; then merge
        segments if the policy asks for it."""
        if not self.pending:
            return
        db = self._db
        timings: dict[str, float] = {}
        clock = time.perf_counter()
        folder = None
        committed = False
        try:
            db.execute("BEGIN IMMEDIATE")
            stats = _Stats(db)
            for doc_id in self._removed:
                self._delete_rows(doc_id, stats)
            keys: list[int] = []
            terms: list[list[str]] = []
            vectors: list[np.ndarray] = []
            for doc, chunks, chunk_terms, chunk_vectors in self._added:
                self._delete_rows(doc.doc_id, stats)
                keys.extend(self._insert(doc, chunks, chunk_terms))
                terms.extend(chunk_terms)
                vectors.append(np.asarray(chunk_vectors, dtype=np.float32))
            timings["rows_s"] = time.perf_counter() - clock
            if keys:
                clock = time.perf_counter()
                data = segments.build(keys, terms, np.concatenate(vectors))
                folder, number = self._write_segment(data)
                self._register(number, data)
                stats.add(terms)
                timings["segment_s"] = time.perf_counter() - clock
            stats.save()
            pause_at("written")
            db.execute("COMMIT")
            committed = True
            pause_at("committed")
        except BaseException as exc:
            self._abandon(exc, committed, folder)
            raise
        finally:
            self._removed.clear()
            self._added.clear()
        clock = time.perf_counter()
        merged = self._merge_while_needed()
        if merged:
            timings["merge_s"] = time.perf_counter() - clock
        clock = time.perf_counter()
        if self._upkeep_as_policy():
            timings["graph_s"] = time.perf_counter() - clock
        self.last_timings = {k: round(v, 3) for k, v in timings.items()}
        self._clean_orphans()

    def _upkeep_as_policy(self) -> str | None:
        """After a commit: build or extend the vector graph if the policy asks for it, in this
        process or by starting the background upkeep ("started")."""
        policy = self._store.options.ann
        if policy.upkeep != "background":
            return self.upkeep_graph()
        if graph_upkeep.needed(self._db, policy) is None:
            return None
        try:
            self.upkeep_process = graph_upkeep.start_background(self._store)
        except OSError:  # no interpreter to start (e.g. hanrag embedded in another program): do it here
            return self.upkeep_graph()
        return "started" if self.upkeep_process is not None else None

    def upkeep_graph(self) -> str | None:
        """Build or extend the index's vector graph now, in this process, if the policy asks for it;
        "build", "extend" or None (None also while a background upkeep is under way)."""
        try:
            return graph_upkeep.upkeep_inline(self._db, self._store)
        except (OSError, sqlite3.DatabaseError) as exc:
            from hanrag.store.local import _tree_size, storage_error

            needed = _tree_size(self._store.directory / "graphs") + 16 * 2**20
            raise storage_error(exc, self._store.directory, "write the index's vector graph", needed) from exc

    def _abandon(self, exc: BaseException, committed: bool, folder) -> None:
        """Undo an uncommitted write; a storage failure becomes one clear StoreError."""
        if committed:  # e.g. Ctrl-C just after COMMIT: the new segment is live, keep it
            return
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        if isinstance(exc, (OSError, sqlite3.DatabaseError)):
            from hanrag.store.local import _tree_size, storage_error

            needed = _tree_size(self._store.directory / "segments") // 10 + 16 * 2**20
            raise storage_error(exc, self._store.directory, "write the index", needed) from exc

    def _insert(self, doc: StoredDocument, chunks: list[Chunk], terms: list[list[str]]) -> list[int]:
        self._db.execute(
            "INSERT OR REPLACE INTO documents (doc_id, source, content_hash, pages, title, indexed_at, modified) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (doc.doc_id, doc.source, doc.content_hash, doc.pages, doc.title, time.time(), doc.modified),
        )
        keys = []
        for chunk, chunk_terms in zip(chunks, terms):
            cursor = self._db.execute(
                "INSERT INTO chunks (chunk_id, doc_id, page, start_char, end_char, title, text, terms, kind, summary) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (chunk.chunk_id, chunk.doc_id, chunk.page, chunk.start, chunk.end, chunk.title,
                 chunk.text, " ".join(chunk_terms), chunk.kind, chunk.summary),
            )
            keys.append(int(cursor.lastrowid))
            pause_at("rows")
        return keys

    def _delete_rows(self, doc_id: str, stats: "_Stats") -> None:
        """Remove a document's rows; its chunks become tombstones in their segments."""
        rows = self._db.execute("SELECT segment, position, terms, id FROM chunks WHERE doc_id = ?",
                                (doc_id,)).fetchall()
        placed = [(s, p) for s, p, _, _ in rows if s is not None]
        if placed:
            self._db.executemany("INSERT OR IGNORE INTO tombstones VALUES (?, ?)", placed)
            for number, count in Counter(s for s, _ in placed).items():
                self._db.execute("UPDATE segments SET deleted = deleted + ? WHERE id = ?", (count, number))
            stats.remove([terms.split() for s, _, terms, _ in rows if s is not None])
            graph_upkeep.record_deleted(self._db, [key for s, _, _, key in rows if s is not None])
        self._db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        self._db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

    def _write_segment(self, data: segments.SegmentData):
        """Write a new segment's files under a fresh number (never reused: readers cache by number)."""
        row = self._db.execute("SELECT value FROM manifest WHERE key = 'next_segment'").fetchone()
        number = int(row[0]) if row else 1
        self._db.execute("INSERT OR REPLACE INTO manifest VALUES ('next_segment', ?)", (str(number + 1),))
        folder = self._store.segment_dir(number)
        policy = self._store.options.ann
        params = policy.params if policy.scope == "segment" and policy.wanted(data.size) else None
        segments.write(data, folder, params, policy.threads)
        return folder, number

    def _register(self, number: int, data: segments.SegmentData) -> None:
        self._db.execute("INSERT INTO segments (id, rows, deleted) VALUES (?, ?, 0)", (number, data.size))
        self._db.executemany("INSERT INTO segment_terms VALUES (?, ?, ?, ?)",
                             [(term, number, start, stop) for term, start, stop in data.term_ranges()])
        self._db.executemany("UPDATE chunks SET segment = ?, position = ? WHERE id = ?",
                             [(number, position, key) for position, key in enumerate(data.keys.tolist())])

    # --- merges ---------------------------------------------------------------------
    def _merge_while_needed(self) -> int:
        merged = 0
        while True:
            listed = self._db.execute("SELECT id, rows, deleted FROM segments").fetchall()
            options = self._store.options
            chosen = pick_merge(listed, options.merge_factor, options.merge_floor)
            if not chosen:
                return merged
            self._merge(chosen)
            merged += 1

    def _merge(self, numbers: list[int]) -> None:
        """Fold ``numbers`` into one segment (their postings carried over, tombstoned rows dropped)."""
        db = self._db
        folder = None
        try:
            db.execute("BEGIN IMMEDIATE")
            parts = [segments.MergePart(segments.Segment(self._store.segment_dir(n)), self._live(n),
                                        db.execute("SELECT term, start, stop FROM segment_terms WHERE segment = ?",
                                                   (n,)).fetchall())
                     for n in numbers]
            data = segments.merge(parts)
            marks = ",".join("?" * len(numbers))
            for table, column in (("segments", "id"), ("segment_terms", "segment"), ("tombstones", "segment")):
                db.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", numbers)
            if data.size:
                folder, number = self._write_segment(data)
                self._register(number, data)
            _bump_version(db)
            db.execute("COMMIT")
        except BaseException as exc:
            self._abandon(exc, False, folder)
            raise
        for number in numbers:
            shutil.rmtree(self._store.segment_dir(number), ignore_errors=True)

    def _live(self, number: int) -> np.ndarray:
        rows = self._db.execute("SELECT rows FROM segments WHERE id = ?", (number,)).fetchone()[0]
        live = np.ones(rows, dtype=bool)
        dead = [r[0] for r in self._db.execute("SELECT position FROM tombstones WHERE segment = ?", (number,))]
        live[np.asarray(dead, dtype=np.int64)] = False
        return live

    # --- rebuild --------------------------------------------------------------------
    def rebuild(self, embed_missing: Callable[[list[Chunk]], np.ndarray] | None = None,
                old_vectors: VectorSource | None = None) -> None:
        """All search structures again from the stored chunks: terms from SQLite, vectors from the
        segments that can still be read (or ``old_vectors``), the rest from ``embed_missing``
        (chunks -> vectors). Without vectors and without ``embed_missing`` the index is marked
        as needing a rebuild."""
        db = self._db
        folder = None
        try:
            db.execute("BEGIN IMMEDIATE")
            rows = db.execute("SELECT id, terms, segment, position FROM chunks ORDER BY id").fetchall()
            keys = [r[0] for r in rows]
            found = self._stored_vectors(rows) if old_vectors is None else old_vectors(keys)
            missing = [i for i, v in enumerate(found) if v is None]
            for table in ("segments", "segment_terms", "tombstones", "term_stats"):
                db.execute(f"DELETE FROM {table}")
            graph_upkeep.forget(db)  # vectors may be embedded again: the graph is built anew below
            db.execute("UPDATE chunks SET segment = NULL, position = NULL")
            stats = _Stats(db, fresh=True)
            if missing and embed_missing is None:
                db.execute("INSERT OR REPLACE INTO manifest VALUES ('needs_rebuild', '1')")
            elif keys:
                if missing:
                    chunks = self._store.chunks_by_key([keys[i] for i in missing], self._db)
                    computed = embed_missing([chunks[keys[i]] for i in missing])
                    for i, vector in zip(missing, computed):
                        found[i] = vector
                terms = [r[1].split() for r in rows]
                data = segments.build(keys, terms, np.vstack(found))
                folder, number = self._write_segment(data)
                self._register(number, data)
                stats.add(terms)
                db.execute("DELETE FROM manifest WHERE key = 'needs_rebuild'")
            else:
                db.execute("DELETE FROM manifest WHERE key = 'needs_rebuild'")
            stats.save()
            db.execute("COMMIT")
        except BaseException as exc:
            self._abandon(exc, False, folder)
            raise
        self._upkeep_as_policy()
        self._clean_orphans()

    def _stored_vectors(self, rows: Sequence[tuple]) -> list[np.ndarray | None]:
        opened: dict[int, segments.Segment | None] = {}
        out: list[np.ndarray | None] = []
        for _key, _terms, number, position in rows:
            if number is not None and number not in opened:
                try:
                    opened[number] = segments.Segment(self._store.segment_dir(number))
                except (OSError, ValueError, KeyError):
                    opened[number] = None
            segment = opened.get(number) if number is not None else None
            usable = segment is not None and position is not None and position < segment.size
            out.append(np.array(segment.vectors[position]) if usable else None)
        return out

    def _clean_orphans(self) -> None:
        """Remove segment and graph folders the database does not name (crashed writes, finished
        merges, replaced graphs)."""
        graph = graph_upkeep.state(self._db).get("graph")
        named = {"segments": {str(r[0]) for r in self._db.execute("SELECT id FROM segments")},
                 "graphs": set() if graph is None else {str(graph)}}
        if held(self._store.directory / graph_upkeep.LOCK_NAME):
            del named["graphs"]  # an upkeep is writing a folder no commit names yet
        for kind, current in named.items():
            folder = self._store.directory / kind
            if folder.is_dir():
                for path in folder.iterdir():
                    if path.name not in current:
                        shutil.rmtree(path, ignore_errors=True)


class _Stats(StatsDelta):
    """The BM25 statistics, saved into SQLite within the writer's transaction."""

    def __init__(self, db: sqlite3.Connection, fresh: bool = False) -> None:
        super().__init__({} if fresh else dict(db.execute(
            "SELECT key, value FROM manifest WHERE key IN ('live_chunks', 'live_terms')")))
        self._db = db

    def save(self) -> None:
        changes = [(term, delta) for term, delta in self.df.items() if delta]
        self._db.executemany(
            "INSERT INTO term_stats (term, df) VALUES (?, ?) ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
            changes)
        self._db.executemany("DELETE FROM term_stats WHERE term = ? AND df <= 0",
                             [(term,) for term, delta in changes if delta < 0])
        self._db.executemany("INSERT OR REPLACE INTO manifest VALUES (?, ?)",
                             [("live_chunks", str(self.chunks)), ("live_terms", str(self.terms))])
        _bump_version(self._db)


def _bump_version(db: sqlite3.Connection) -> None:
    db.execute("INSERT INTO manifest VALUES ('version', '1') "
               "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")

