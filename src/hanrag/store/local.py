"""The embedded store: SQLite (WAL) for documents, chunks, terms, statistics and the list of
segments; immutable memory-mapped segments (``store.segment``) for postings and vectors.

A write adds one small segment and tombstones; merges keep the number of segments bounded
(``store.merge``). Readers see one committed state per ``snapshot()``: the list of segments,
tombstones and BM25 statistics are read in the same SQLite transaction as the chunks.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import numpy as np

from hanrag.errors import StoreError
from hanrag.retrieve.ann import HnswParams, ann_available
from hanrag.retrieve.bm25 import Bm25Params, idf
from hanrag.retrieve.filters import Condition
from hanrag.schema import Chunk, DocumentInfo
from hanrag.store import graph_upkeep, nearest, sqlfilter
from hanrag.store.graph import VectorGraph
from hanrag.store.base import Ranking, StaleReadError, StoredDocument
from hanrag.store.segment import Segment, both

if TYPE_CHECKING:
    from hanrag.store.writer import LocalWriter

FORMAT_VERSION = 2

__all__ = ["AnnPolicy", "LocalStore", "Ranking", "StaleReadError", "StoreOptions", "StoredDocument", "storage_error"]


def _writable(directory: Path) -> bool:
    """Whether this process may create files in ``directory`` (false on a read-only mount too)."""
    return os.access(directory, os.W_OK | os.X_OK) and os.access(directory / "hanrag.sqlite", os.W_OK)


def _is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return isinstance(exc, sqlite3.DatabaseError) and "full" in str(exc).lower()


def _out_of_space(exc: BaseException, directory: Path) -> bool:
    """ENOSPC, or an SQLite I/O failure on a device that is (nearly) full."""
    return _is_disk_full(exc) or (isinstance(exc, sqlite3.OperationalError) and _free_bytes(directory) < 2**20)


def _tree_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else 0


def storage_error(exc: BaseException, directory: Path, doing: str, needed: int | None = None) -> StoreError:
    """One line for a failed read or write of the index: no space, read-only, or real damage."""
    if _out_of_space(exc, directory):
        free = _free_bytes(directory)
        need = f"; about {needed / 2**20:.0f} MB more are needed" if needed else ""
        return StoreError(
            f"no space left on the device of {directory} to {doing} ({free / 2**20:.1f} MB free); "
            f"nothing was lost, the index keeps its last commit{need}"
        )
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StoreError(f"cannot {doing} at {directory}: {exc.strerror} (read-only or not yours)")
    if isinstance(exc, OSError):
        return StoreError(f"cannot {doing} at {directory}: {exc.strerror or exc}; nothing committed was lost")
    return StoreError(f"{directory}: not a hanrag index or damaged ({exc})")


def _free_bytes(directory: Path) -> int:
    try:
        return shutil.disk_usage(directory if directory.exists() else directory.parent).free
    except OSError:
        return 0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS manifest (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    pages INTEGER NOT NULL,
    title TEXT,
    indexed_at REAL NOT NULL,
    modified REAL
);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chunk_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    page INTEGER,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    title TEXT,
    text TEXT NOT NULL,
    terms TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'text',
    summary TEXT,
    segment INTEGER,
    position INTEGER
);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS documents_by_source ON documents(source);
CREATE TABLE IF NOT EXISTS segments (
    id INTEGER PRIMARY KEY,
    rows INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tombstones (
    segment INTEGER NOT NULL, position INTEGER NOT NULL, PRIMARY KEY (segment, position)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS segment_terms (
    term TEXT NOT NULL, segment INTEGER NOT NULL, start INTEGER NOT NULL, stop INTEGER NOT NULL,
    PRIMARY KEY (term, segment)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS segment_terms_by_segment ON segment_terms(segment);
CREATE TABLE IF NOT EXISTS term_stats (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS graph_dead (key INTEGER PRIMARY KEY);
"""
# Columns added after format 1 was first released; older index files get them on open.
_ADDED_COLUMNS = {
    "documents": {"modified": "REAL"},
    "chunks": {"kind": "TEXT NOT NULL DEFAULT 'text'", "summary": "TEXT", "segment": "INTEGER", "position": "INTEGER"},
}


@dataclass(frozen=True)
class AnnPolicy:
    """When the index gets an HNSW graph: ``mode`` "auto" (from ``threshold`` live rows, if hnswlib
    is installed), "on" (always; an error without hnswlib) or "off". ``scope`` "index": one graph
    for the whole index (``store.graph``), extended once ``batch`` live rows are not in it yet;
    "segment": a graph per segment of ``threshold`` rows (how indexes were built before)."""

    mode: str = "auto"
    threshold: int = 50_000
    params: HnswParams = field(default_factory=HnswParams)
    threads: int = 0
    scope: str = "index"
    batch: int = 20_000
    upkeep: str = "inline"  # or "background": a detached process builds and extends (store.graph_upkeep)

    def wanted(self, rows: int) -> bool:
        if self.mode == "off" or rows == 0:
            return False
        if self.mode == "on":
            return True
        return rows >= self.threshold and ann_available()


@dataclass(frozen=True)
class StoreOptions:
    """How the local store builds and merges segments."""

    ann: AnnPolicy = field(default_factory=AnnPolicy)
    merge_factor: int = 10  # segments of one size tier merged together (Lucene's segmentsPerTier)
    merge_floor: int = 1000  # live rows below which segments share the smallest tier


class LocalStore:
    """One index directory. Many readers, each thread on its own SQLite connection; one
    writer at a time (``writer()``), on a connection of its own."""

    def __init__(self, directory: Path, options: StoreOptions | None = None) -> None:
        self.directory = Path(directory)
        self.options = options or StoreOptions()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._segments: dict[int, Segment] = {}
        self._live: dict[int, tuple[int, np.ndarray]] = {}  # segment -> (deleted count, live mask)
        self._filter_cache: tuple[object, dict[int, np.ndarray]] = (None, {})
        self._graphs: dict[int, VectorGraph] = {}
        self._graph_dead: tuple[object, np.ndarray] = (None, np.zeros(0, np.int64))
        self._cache_lock = threading.Lock()
        # A read-only mount, or a folder this user may read but not write: searching needs no writes.
        self.read_only = (self.directory / "hanrag.sqlite").is_file() and not _writable(self.directory)
        self._uri = f"file:{quote(str(self.directory / 'hanrag.sqlite'))}?mode=ro" if self.read_only else None
        self._why_read_only = f"index {self.directory} is read-only here: searching and asking work, changing it does not"
        try:
            if self.read_only:
                self._open_read_only()
            else:
                self.directory.mkdir(parents=True, exist_ok=True)
                (self.directory / "segments").mkdir(exist_ok=True)
                setup = self._connect()
                setup.execute("PRAGMA journal_mode=WAL")
                setup.executescript(_SCHEMA)
                self._add_missing_columns(setup)
        except (sqlite3.DatabaseError, OSError) as exc:
            self.close()
            if not (self.directory / "hanrag.sqlite").is_file() or not _out_of_space(exc, self.directory):
                raise storage_error(exc, self.directory, "open the index") from exc
            # A full disk: SQLite cannot create its shared-memory file, but reading needs no space.
            self.read_only = True
            needed = _tree_size(self.directory / "segments") + 16 * 2**20
            self._why_read_only = str(storage_error(exc, self.directory, "write to the index", needed))
            self._uri = f"file:{quote(str(self.directory / 'hanrag.sqlite'))}?mode=ro"
            self._open_read_only()
        self._check_format()

    def _check_format(self) -> None:
        """Refuse an index of a newer format; bring a format-1 index to this one (keeping chunks and vectors)."""
        recorded = self.manifest().get("format_version")
        version = int(recorded) if recorded and recorded.isdigit() else None
        if version is None or version == FORMAT_VERSION:
            return
        if version > FORMAT_VERSION:
            self.close()
            raise StoreError(
                f"index {self.directory} has format {version}, written by a newer hanrag (this one reads format "
                f"{FORMAT_VERSION}); upgrade hanrag (pip install -U hanrag)"
            )
        if self.read_only:
            self.close()
            raise StoreError(
                f"index {self.directory} has format {version}, older than this hanrag's ({FORMAT_VERSION}); open it "
                "once with write access to upgrade it in place (chunks and vectors are kept, nothing is re-embedded)"
            )
        from hanrag.store.upgrade import upgrade

        with self.writer() as writer:
            upgrade(writer, version)

    def _open_read_only(self) -> None:
        """Reads without writing anything: SQLite's shared-memory file cannot be created here,
        so unless it exists the database is opened as immutable (no other writer can exist:
        nobody may write to this folder... but its owner, whose changes a reopen picks up)."""
        try:
            self._connect().execute("SELECT COUNT(*) FROM manifest").fetchone()
        except sqlite3.OperationalError:
            self.close()
            self._uri = f"{self._uri}&immutable=1"
            self._connect().execute("SELECT COUNT(*) FROM manifest").fetchone()

    def _connect(self) -> sqlite3.Connection:
        """A new connection in autocommit mode (transactions are opened explicitly)."""
        if self._uri is not None:
            db = sqlite3.connect(self._uri, uri=True, timeout=30, check_same_thread=False, isolation_level=None)
        else:
            db = sqlite3.connect(self.directory / "hanrag.sqlite", timeout=30, check_same_thread=False,
                                 isolation_level=None)
        db.execute("PRAGMA foreign_keys=ON")
        sqlfilter.register(db)
        with self._connections_lock:
            self._connections.append(db)
        return db

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's reading connection."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    def _release(self, db: sqlite3.Connection) -> None:
        with self._connections_lock:
            if db in self._connections:
                self._connections.remove(db)
        db.close()

    def close(self) -> None:
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for db in connections:
            db.close()
        self._local = threading.local()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside the block see one committed state of the index (a read transaction)."""
        db = self._db
        if db.in_transaction:  # nested: the outer block holds the snapshot
            yield
            return
        db.execute("BEGIN")
        try:
            yield
        finally:
            if db.in_transaction:
                db.execute("COMMIT")

    @staticmethod
    def _add_missing_columns(db: sqlite3.Connection) -> None:
        for table, columns in _ADDED_COLUMNS.items():
            present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            for name, declaration in columns.items():
                if name not in present:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")

    # --- manifest -------------------------------------------------------------------
    def manifest(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT key, value FROM manifest"))

    def init_manifest(self, values: dict[str, str], db: sqlite3.Connection | None = None) -> None:
        """Record the components the index is built with (only if not recorded yet)."""
        (db or self._db).executemany(
            "INSERT OR IGNORE INTO manifest VALUES (?, ?)",
            [("format_version", str(FORMAT_VERSION)), *values.items()],
        )

    def version(self) -> int:
        """A number that grows with every commit (any process)."""
        row = self._db.execute("SELECT value FROM manifest WHERE key = 'version'").fetchone()
        return int(row[0]) if row else 0

    def segment_dir(self, number: int) -> Path:
        return self.directory / "segments" / str(number)

    def graph_dir(self, number: int) -> Path:
        return self.directory / "graphs" / str(number)

    # --- reads: documents and chunks ------------------------------------------------------
    def documents(self, doc_id: str | None = None) -> list[DocumentInfo]:
        """Every document (or the one with ``doc_id``), by source."""
        where, args = ("WHERE d.doc_id = ? ", (doc_id,)) if doc_id is not None else ("", ())
        rows = self._db.execute(
            "SELECT d.doc_id, d.source, d.pages, COUNT(c.id), d.modified FROM documents d "
            f"LEFT JOIN chunks c ON c.doc_id = d.doc_id {where}GROUP BY d.doc_id ORDER BY d.source", args
        )
        return [DocumentInfo(doc_id=r[0], source=r[1], pages=r[2], chunks=r[3], modified=r[4]) for r in rows]

    def fetch(self, chunk_ids: Sequence[str]) -> dict[str, Chunk]:
        """Chunks by public id (missing ids are left out)."""
        return {c.chunk_id: c for c in self._chunks_where("c.chunk_id", [str(i) for i in chunk_ids]).values()}

    def chunks_by_key(self, keys: Sequence[int], db: sqlite3.Connection | None = None) -> dict[int, Chunk]:
        """Chunks by the store's internal key (for the store's own writer and benchmarks)."""
        return self._chunks_where("c.id", [int(k) for k in keys], db)

    def _chunks_where(self, column: str, values: list, db: sqlite3.Connection | None = None) -> dict[int, Chunk]:
        db = db or self._db
        found: dict[int, Chunk] = {}
        for start in range(0, len(values), 500):
            part = values[start : start + 500]
            marks = ",".join("?" * len(part))
            for row in db.execute(
                "SELECT c.id, c.chunk_id, c.doc_id, d.source, c.text, c.page, c.start_char, c.end_char, c.title, "
                "c.kind, c.summary, d.modified "
                f"FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE {column} IN ({marks})",
                part,
            ):
                found[row[0]] = Chunk(
                    chunk_id=row[1], doc_id=row[2], source=row[3], text=row[4], page=row[5],
                    start=row[6], end=row[7], title=row[8], kind=row[9], summary=row[10], modified=row[11],
                )
        return found

    def document_hashes(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT doc_id, content_hash FROM documents"))

    def doc_ids_under(self, source_prefix: str) -> list[str]:
        """Documents whose source equals the path or lies under it as a folder."""
        folder = source_prefix.rstrip("/") + "/"
        rows = self._db.execute(
            "SELECT doc_id FROM documents WHERE source = ? OR substr(source, 1, ?) = ?",
            (source_prefix, len(folder), folder),
        )
        return [r[0] for r in rows]

    def has_document(self, doc_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone() is not None

    def is_empty(self) -> bool:
        """No chunk at all (cheap: COUNT(*) scans the table, this stops at the first row)."""
        return self._db.execute("SELECT 1 FROM chunks LIMIT 1").fetchone() is None

    def count(self) -> int:
        row = self._db.execute("SELECT value FROM manifest WHERE key = 'live_chunks'").fetchone()
        return int(row[0]) if row else int(self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])

    # --- reads: search --------------------------------------------------------------
    def _stats(self) -> tuple[int, float]:
        """(live chunks, mean terms per chunk) over the whole index."""
        values = dict(self._db.execute(
            "SELECT key, value FROM manifest WHERE key IN ('live_chunks', 'live_terms')"))
        n = int(values.get("live_chunks", 0))
        return n, (int(values.get("live_terms", 0)) / n if n else 0.0)

    def idf(self, terms: Sequence[str]) -> np.ndarray:
        """Index-wide BM25 idf of each term; unseen terms get the maximum."""
        with self.snapshot():
            n, _ = self._stats()
            df = self._df(terms)
        return idf(n, np.asarray([df.get(t, 0) for t in terms], dtype=np.float64))

    def _df(self, terms: Sequence[str]) -> dict[str, int]:
        distinct = list(dict.fromkeys(terms))
        found: dict[str, int] = {}
        for start in range(0, len(distinct), 500):
            part = distinct[start : start + 500]
            found.update(self._db.execute(
                f"SELECT term, df FROM term_stats WHERE term IN ({','.join('?' * len(part))})", part))
        return found

    def _open_segments(self) -> list[tuple[int, Segment, np.ndarray | None]]:
        """(id, segment, live mask or None) of every segment of this snapshot."""
        listed = self._db.execute("SELECT id, rows, deleted FROM segments ORDER BY id").fetchall()
        self._forget_except({number for number, _, _ in listed})
        # With the index's one graph, graphs of segments written before it are neither searched nor loaded.
        own_graphs = "graph" not in graph_upkeep.state(self._db) or self.options.ann.mode == "off"
        return [(number, self._segment(number, own_graphs), self._live_mask(number, rows, deleted))
                for number, rows, deleted in listed]

    def _forget_except(self, current: set[int]) -> None:
        """Drop cached segments merged away (their files are unlinked; the maps would keep the space)."""
        if not set(self._segments) - current:
            return
        with self._cache_lock:
            for number in set(self._segments) - current:
                self._segments.pop(number, None)
                self._live.pop(number, None)

    def _segment(self, number: int, own_graph: bool = True) -> Segment:
        found = self._segments.get(number)
        if found is not None:  # (loaded before the index got its graph: keeps its own until merged away)
            return found
        with self._cache_lock:
            if number not in self._segments:
                path = self.segment_dir(number)
                try:
                    segment = Segment(path, load_graph=own_graph)
                except (OSError, ValueError, KeyError) as exc:
                    # a merge removes the folder file by file: whether the latest commit still names the
                    # segment tells merged away (retry on a new snapshot) from damaged, not the folder
                    if not self._listed_now(number):
                        raise StaleReadError(f"segment {number} was merged away") from exc
                    raise StoreError(f"{path}: search files are missing or damaged ({exc}); run "
                                     "'hanrag index --rebuild' to rebuild them") from exc
                if segment.graph is not None:
                    segment.graph.params.ef_search = self.options.ann.params.ef_search
                self._segments[number] = segment
            return self._segments[number]

    def _listed_now(self, number: int) -> bool:
        """Whether the latest commit (not this read's snapshot) still names segment ``number``."""
        db = self._connect()
        try:
            return db.execute("SELECT 1 FROM segments WHERE id = ?", (number,)).fetchone() is not None
        finally:
            self._release(db)

    def _graph(self) -> tuple[VectorGraph, np.ndarray] | None:
        """This snapshot's graph over the whole index with its deleted keys, or None (no graph, or ann off)."""
        state = graph_upkeep.state(self._db)
        if "graph" not in state or self.options.ann.mode == "off":
            return None
        number = state["graph"]
        found = self._graphs.get(number)
        if found is None:
            with self._cache_lock:
                found = self._graphs.get(number)
                if found is None:
                    path = self.graph_dir(number)
                    try:
                        found = VectorGraph(path, int(self.manifest().get("dim") or 0), state["graph_key"])
                    except (OSError, RuntimeError, ValueError) as exc:
                        if self._latest_graph() != number:
                            raise StaleReadError(f"graph {number} was replaced") from exc
                        raise StoreError(f"{path}: search files are missing or damaged ({exc}); run "
                                         "'hanrag index --rebuild' to rebuild them") from exc
                    self._graphs = {number: found}  # the one graph in use: older ones are dropped
        key, dead = self._graph_dead
        if key != (number, state.get("graph_dead", 0)):
            dead = np.fromiter((r[0] for r in self._db.execute("SELECT key FROM graph_dead")), np.int64)
            self._graph_dead = ((number, state.get("graph_dead", 0)), dead)
        return found, dead

    def _latest_graph(self) -> int | None:
        """The graph the latest commit (not this read's snapshot) names."""
        db = self._connect()
        try:
            return graph_upkeep.state(db).get("graph")
        finally:
            self._release(db)

    def _live_mask(self, number: int, rows: int, deleted: int) -> np.ndarray | None:
        if deleted == 0:
            return None
        cached = self._live.get(number)
        if cached is not None and cached[0] == deleted:
            return cached[1]
        live = np.ones(rows, dtype=bool)
        dead = [r[0] for r in self._db.execute("SELECT position FROM tombstones WHERE segment = ?", (number,))]
        live[np.asarray(dead, dtype=np.int64)] = False
        self._live[number] = (deleted, live)
        return live

    def _allowed(self, conditions: Sequence[Condition]) -> dict[int, np.ndarray]:
        """Per segment, the positions whose chunks pass every condition (cached per commit)."""
        key = (self.version(), tuple(conditions))
        cached_key, cached = self._filter_cache
        if cached_key == key:
            return cached
        where, args = sqlfilter.compile_conditions(list(conditions))
        sizes = dict(self._db.execute("SELECT id, rows FROM segments"))
        allowed = {number: np.zeros(rows, dtype=bool) for number, rows in sizes.items()}
        found = self._db.execute(
            "SELECT c.segment, c.position FROM documents d CROSS JOIN chunks c ON c.doc_id = d.doc_id "
            f"WHERE c.segment IS NOT NULL AND {where}", args).fetchall()
        if found:
            pairs = np.asarray(found, dtype=np.int64)
            for number in np.unique(pairs[:, 0]).tolist():
                if number in allowed:
                    allowed[number][pairs[pairs[:, 0] == number, 1]] = True
        self._filter_cache = (key, allowed)  # one assignment: readers never see a key with other masks
        return allowed

    def retrieve(
        self,
        terms: Sequence[str] | None,
        vector: np.ndarray | None,
        conditions: Sequence[Condition] | None,
        retrievers: Sequence[str],
        n: int,
        bm25: Bm25Params = Bm25Params(),
    ) -> dict[str, Ranking]:
        """Top ``n`` chunk ids with raw scores from "bm25" and/or "dense", among the chunks that
        pass ``conditions`` (applied before the cut, so a narrow filter still fills ``n``)."""
        with self.snapshot():
            if self._db.execute("SELECT 1 FROM manifest WHERE key = 'needs_rebuild'").fetchone():
                raise StoreError(f"index {self.directory} has no search files yet; run 'hanrag index --rebuild'")
            segments = self._open_segments()
            allowed = self._allowed(conditions) if conditions else None
            passing = {number: None if allowed is None else allowed.get(number, np.zeros(segment.size, dtype=bool))
                       for number, segment, _live in segments}
            dense = None
            if "dense" in retrievers and vector is not None:  # its graphs start now, BM25 runs meanwhile
                dense = nearest.Search([(segment, live, passing[number]) for number, segment, live in segments],
                                       vector, n, other_work="bm25" in retrievers,
                                       graph=self._graph_part(segments, passing))
            found: dict[str, tuple[np.ndarray, np.ndarray]] = {}
            for name in retrievers:
                if name == "bm25":
                    masks = {number: both(live, passing[number]) for number, _segment, live in segments}
                    found[name] = self._bm25_top(terms or [], segments, masks, n, bm25)
                elif name == "dense" and dense is not None:
                    tops = [(segment.keys, top) for (_, segment, _), top in zip(segments, dense.result())]
                    if dense.from_graph is not None:
                        keys, scores = dense.from_graph
                        tops.append((keys, (np.arange(keys.size), scores)))
                    found[name] = self._merge_tops(tops, n)
            return self._rankings(found)

    def _bm25_top(self, terms: Sequence[str], segments: list, masks: dict, n: int, params: Bm25Params) -> tuple:
        if not terms or not segments:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        total, avgdl = self._stats()
        distinct = list(dict.fromkeys(terms))
        df: dict[str, int] = {}
        postings: dict[int, dict[str, tuple[int, int]]] = {}
        for start in range(0, len(distinct), 500):
            part = distinct[start : start + 500]
            for term, count, number, first, stop in self._db.execute(
                "SELECT t.term, t.df, s.segment, s.start, s.stop FROM term_stats t "
                f"JOIN segment_terms s ON s.term = t.term WHERE t.term IN ({','.join('?' * len(part))})", part
            ):
                df[term] = count
                postings.setdefault(number, {})[term] = (first, stop)
        term_idf = dict(zip(df, idf(total, np.fromiter(df.values(), np.float64, len(df))).tolist()))
        keys, scores = [], []
        for number, segment, _live in segments:
            here = postings.get(number)
            if not here:
                continue
            # A repeated query term counts again (as in bm25s and Lucene's BooleanQuery). Each segment
            # gives its own best (ties at its cut kept): no index-sized array is built.
            best, found = segment.bm25([(term_idf[t], *here[t]) for t in terms if t in here], avgdl, params, n,
                                       masks[number])
            keys.append(np.asarray(segment.keys[best]))
            scores.append(found.astype(np.float32))
        if not keys:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        all_keys, all_scores = np.concatenate(keys), np.concatenate(scores)
        order = np.lexsort((all_keys, -all_scores.astype(np.float64)))[:n]  # ties by key (insertion order)
        return all_keys[order], all_scores[order]

    def _graph_part(self, segments: list, passing: dict) -> nearest.GraphPart | None:
        """The index's graph for this search; None without one, or when a filter keeps so few rows
        that multiplying them is cheaper than a graph walk skipping the rest."""
        opened = self._graph()
        if opened is None:
            return None
        graph, dead = opened
        allowed_keys = None
        if any(mask is not None for mask in passing.values()):
            kept = sum(int(np.count_nonzero(mask)) for mask in passing.values() if mask is not None)
            if kept <= 0.2 * max(1, graph.size - dead.size):
                return None
            allowed_keys = np.zeros(graph.max_key + 1, dtype=bool)
            for number, segment, _live in segments:
                keys = np.asarray(segment.keys)
                mask = passing[number]
                chosen = keys if mask is None else keys[mask]
                allowed_keys[chosen[chosen <= graph.max_key]] = True
        return nearest.GraphPart(graph, dead, allowed_keys, self.options.ann.params.ef_search)

    @staticmethod
    def _merge_tops(tops: list, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Per-segment (store keys of its positions, (positions, scores)) into the best ``n`` (store
        keys, scores); ties by key."""
        keys = [np.asarray(seg_keys)[positions] for seg_keys, (positions, _scores) in tops]
        scores = [np.asarray(s, dtype=np.float64) for _seg, (_p, s) in tops]
        if not keys:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        keys_all, scores_all = np.concatenate(keys), np.concatenate(scores)
        order = np.lexsort((keys_all, -scores_all))[:n]
        return keys_all[order], scores_all[order].astype(np.float32)

    def _rankings(self, found: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, Ranking]:
        keys = sorted({int(k) for ids, _ in found.values() for k in ids.tolist()})
        names: dict[int, str] = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            names.update(self._db.execute(f"SELECT id, chunk_id FROM chunks WHERE id IN ({','.join('?' * len(part))})",
                                          part))
        out = {}
        for name, (ids, scores) in found.items():
            known = [i for i, k in enumerate(ids.tolist()) if k in names]
            out[name] = Ranking(np.asarray([names[int(ids[i])] for i in known], dtype=str),
                                np.asarray(scores[known], dtype=np.float32)) if known else Ranking.empty()
        return out

    def export(self) -> Iterator[tuple[StoredDocument, list[Chunk], list[list[str]], np.ndarray]]:
        """Every document with its chunks, terms and vectors (what ``StoreWriter.upsert`` takes),
        read from one snapshot: an index moves to another store without re-embedding."""
        with self.snapshot():
            documents = self._db.execute(
                "SELECT doc_id, source, content_hash, pages, title, modified FROM documents ORDER BY source").fetchall()
            dim = int(self.manifest().get("dim") or 0)
            for doc in documents:
                rows = self._db.execute("SELECT id, terms, segment, position FROM chunks WHERE doc_id = ? ORDER BY id",
                                        (doc[0],)).fetchall()
                chunks = self.chunks_by_key([r[0] for r in rows])
                vectors = np.zeros((len(rows), dim), dtype=np.float32)
                for i, (_key, _terms, number, position) in enumerate(rows):
                    if number is None:
                        raise StoreError(f"index {self.directory} has no search files for {doc[1]}; run "
                                         "'hanrag index --rebuild' before exporting it")
                    vectors[i] = self._segment(number).vectors[position]
                yield (StoredDocument(*doc), [chunks[r[0]] for r in rows], [r[1].split() for r in rows], vectors)

    # --- writes ---------------------------------------------------------------------
    def writer(self, wait_s: float = 0.0, tag: str = "") -> "LocalWriter":
        """Take the writer lock (IndexLockedError if another process holds it after ``wait_s``)."""
        if self.read_only:
            raise StoreError(self._why_read_only)
        from hanrag.store.writer import LocalWriter

        return LocalWriter(self, wait_s, tag)
