"""The embedded store: SQLite (WAL) for documents, chunks, terms and the manifest;
numpy/bm25s files for the search structures, in atomically switched generations."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import numpy as np

from hanrag.errors import StoreError
from hanrag.retrieve.ann import HnswParams, ann_available
from hanrag.retrieve.dense import DenseIndex
from hanrag.retrieve.sparse import BM25Index
from hanrag.schema import Chunk, DocumentInfo
from hanrag.store.generation import Generation
from hanrag.store.lock import WriterLock
from hanrag.store.testhook import pause_at

FORMAT_VERSION = "1"


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
    summary TEXT
);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS documents_by_source ON documents(source);
"""
# Columns added after format 1 was first released; older index files get them on open.
_ADDED_COLUMNS = {
    "documents": {"modified": "REAL"},
    "chunks": {"kind": "TEXT NOT NULL DEFAULT 'text'", "summary": "TEXT"},
}


@dataclass(frozen=True)
class StoredDocument:
    doc_id: str
    source: str
    content_hash: str
    pages: int
    title: str | None = None
    modified: float | None = None


@dataclass(frozen=True)
class AnnPolicy:
    """When a generation gets an HNSW graph: ``mode`` "auto" (from ``threshold`` rows, if hnswlib
    is installed), "on" (always; an error without hnswlib) or "off"."""

    mode: str = "auto"
    threshold: int = 200_000
    params: HnswParams = field(default_factory=HnswParams)
    threads: int = 0

    def wanted(self, rows: int) -> bool:
        if self.mode == "off" or rows == 0:
            return False
        if self.mode == "on":
            return True
        return rows >= self.threshold and ann_available()


class LocalStore:
    """One index directory. Many readers, each thread on its own SQLite connection; one
    writer at a time (``writer()``), on a connection of its own."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        # A read-only mount, or a folder this user may read but not write: searching needs no writes.
        self.read_only = (self.directory / "hanrag.sqlite").is_file() and not _writable(self.directory)
        self._uri = f"file:{quote(str(self.directory / 'hanrag.sqlite'))}?mode=ro" if self.read_only else None
        self._why_read_only = f"index {self.directory} is read-only here: searching and asking work, changing it does not"
        try:
            if self.read_only:
                self._open_read_only()
                return
            self.directory.mkdir(parents=True, exist_ok=True)
            (self.directory / "generations").mkdir(exist_ok=True)
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
            needed = _tree_size(self.directory / "generations") + 16 * 2**20
            self._why_read_only = str(storage_error(exc, self.directory, "write to the index", needed))
            self._uri = f"file:{quote(str(self.directory / 'hanrag.sqlite'))}?mode=ro"
            self._open_read_only()

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
            [("format_version", FORMAT_VERSION), *values.items()],
        )

    def current_generation(self) -> int:
        row = self._db.execute("SELECT value FROM manifest WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def load_generation(self, dim: int, number: int | None = None) -> Generation:
        """The search structures of generation ``number`` (default: the current one)."""
        number = self.current_generation() if number is None else number
        if number == 0:
            return Generation.empty(dim)
        path = self._generation_dir(number)
        try:
            return Generation.load(path, number)
        except (OSError, ValueError, KeyError) as exc:
            raise StoreError(
                f"{path}: search files are missing or damaged ({exc}); run 'hanrag index --rebuild' to rebuild them"
            ) from exc

    def _generation_dir(self, number: int) -> Path:
        return self.directory / "generations" / str(number)

    # --- reads ----------------------------------------------------------------------
    def documents(self, doc_id: str | None = None) -> list[DocumentInfo]:
        """Every document (or the one with ``doc_id``), by source."""
        where, args = ("WHERE d.doc_id = ? ", (doc_id,)) if doc_id is not None else ("", ())
        rows = self._db.execute(
            "SELECT d.doc_id, d.source, d.pages, COUNT(c.id), d.modified FROM documents d "
            f"LEFT JOIN chunks c ON c.doc_id = d.doc_id {where}GROUP BY d.doc_id ORDER BY d.source", args
        )
        return [DocumentInfo(doc_id=r[0], source=r[1], pages=r[2], chunks=r[3], modified=r[4]) for r in rows]

    def document(self, doc_id: str) -> DocumentInfo | None:
        found = self.documents(doc_id)
        return found[0] if found else None

    def chunk_by_id(self, chunk_id: str) -> Chunk | None:
        """A chunk by its public id."""
        row = self._db.execute("SELECT id FROM chunks WHERE chunk_id = ?", (chunk_id,)).fetchone()
        return self.chunks([row[0]]).get(row[0]) if row else None

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

    def chunks(self, ids: Sequence[int]) -> dict[int, Chunk]:
        """Chunks by internal id (missing ids are left out)."""
        found: dict[int, Chunk] = {}
        ids = [int(i) for i in ids]
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            for row in self._db.execute(
                "SELECT c.id, c.chunk_id, c.doc_id, d.source, c.text, c.page, c.start_char, c.end_char, c.title, "
                "c.kind, c.summary, d.modified "
                f"FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE c.id IN ({marks})",
                part,
            ):
                found[row[0]] = Chunk(
                    chunk_id=row[1], doc_id=row[2], source=row[3], text=row[4], page=row[5],
                    start=row[6], end=row[7], title=row[8], kind=row[9], summary=row[10], modified=row[11],
                )
        return found

    def chunk_metadata(self) -> dict[int, dict[str, object]]:
        """Filterable fields of every chunk, by internal id (source, type, doc_id, title, page, kind, modified)."""
        rows = self._db.execute(
            "SELECT c.id, c.doc_id, d.source, c.page, COALESCE(c.title, d.title), c.kind, d.modified FROM chunks c "
            "JOIN documents d ON d.doc_id = c.doc_id"
        )
        return {
            r[0]: {
                "doc_id": r[1], "source": r[2], "type": Path(r[2]).suffix.lstrip(".").lower(), "page": r[3],
                "title": r[4], "kind": r[5], "modified": r[6],
            }
            for r in rows
        }

    def is_empty(self) -> bool:
        """No chunk at all (cheap: COUNT(*) scans the table, this stops at the first row)."""
        return self._db.execute("SELECT 1 FROM chunks LIMIT 1").fetchone() is None

    def chunk_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])

    # --- writes ---------------------------------------------------------------------
    def writer(self) -> "StoreWriter":
        """Take the writer lock (IndexLockedError if another process holds it)."""
        if self.read_only:
            raise StoreError(self._why_read_only)
        return StoreWriter(self)


class StoreWriter:
    """Stages document changes and commits them with a new generation, all or nothing."""

    def __init__(self, store: LocalStore) -> None:
        self._store = store
        self._db: sqlite3.Connection | None = None
        self._lock = WriterLock(store.directory / "write.lock")
        self._removed: list[str] = []
        self.last_timings: dict[str, float] = {}  # seconds per stage of the last commit (benchmarks)
        self._previous: Generation | None = None
        self._added: list[tuple[StoredDocument, list[Chunk], list[list[str]], np.ndarray]] = []

    def __enter__(self) -> "StoreWriter":
        self._lock.acquire()
        self._db = self._store._connect()
        self._clean_orphans()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._db is not None:
            self._store._release(self._db)
            self._db = None
        self._lock.release()

    def init_manifest(self, values: dict[str, str]) -> None:
        """Record the components the index is built with (only if not recorded yet)."""
        self._store.init_manifest(values, self._db)

    def remove(self, doc_id: str) -> None:
        self._removed.append(doc_id)

    def add(self, doc: StoredDocument, chunks: list[Chunk], terms: list[list[str]], vectors: np.ndarray) -> None:
        """Add (or replace, when doc_id exists) a document with its chunks, their terms and vectors."""
        self._added.append((doc, chunks, terms, vectors))
        pause_at("staged")  # test hook, off by default (hanrag.store.testhook)

    @property
    def pending(self) -> bool:
        return bool(self._removed or self._added)

    def commit(
        self,
        k1: float,
        b: float,
        dim: int,
        embed_missing: Callable[[list[int]], np.ndarray] | None = None,
        rebuild: bool = False,
        ann: AnnPolicy | None = None,
    ) -> None:
        """Apply the staged changes and switch to a freshly built generation atomically.

        ``embed_missing`` gives vectors for chunk ids the previous generation lacks
        (needed only when rebuilding after damaged or missing generation files).
        """
        if not self.pending and not rebuild:
            return
        store = self._store
        previous = store.current_generation()
        new_vectors: dict[int, np.ndarray] = {}
        timings: dict[str, float] = {}
        clock = time.perf_counter()
        committed = False
        try:
            self._db.execute("BEGIN IMMEDIATE")
            for doc_id in self._removed:
                self._db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
                self._db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
            for doc, chunks, terms, vectors in self._added:
                self._db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc.doc_id,))
                self._db.execute(
                    "INSERT OR REPLACE INTO documents (doc_id, source, content_hash, pages, title, indexed_at, modified) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (doc.doc_id, doc.source, doc.content_hash, doc.pages, doc.title, time.time(), doc.modified),
                )
                for chunk, chunk_terms, vector in zip(chunks, terms, vectors):
                    cursor = self._db.execute(
                        "INSERT INTO chunks (chunk_id, doc_id, page, start_char, end_char, title, text, terms, kind, summary) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (chunk.chunk_id, chunk.doc_id, chunk.page, chunk.start, chunk.end, chunk.title,
                         chunk.text, " ".join(chunk_terms), chunk.kind, chunk.summary),
                    )
                    new_vectors[int(cursor.lastrowid)] = vector
                    pause_at("rows")
            timings["rows_s"] = time.perf_counter() - clock
            generation = self._build_generation(previous + 1, k1, b, dim, new_vectors, embed_missing, rebuild, timings)
            if ann is not None and ann.wanted(generation.size):
                clock = time.perf_counter()
                previous_dense = self._previous.dense if self._previous is not None else None
                generation.dense = generation.dense.with_ann(ann.params, ann.threads, previous=previous_dense)
                timings["ann_s"] = time.perf_counter() - clock
            clock = time.perf_counter()
            generation.save(store._generation_dir(generation.number))
            timings["save_s"] = time.perf_counter() - clock
            pause_at("written")
            self._db.execute("INSERT OR REPLACE INTO manifest VALUES ('generation', ?)", (str(generation.number),))
            self._db.execute("COMMIT")
            committed = True
            pause_at("committed")
            self.last_timings = {k: round(v, 3) for k, v in timings.items()}
        except BaseException as exc:
            if committed:  # e.g. Ctrl-C just after COMMIT: the new generation is live, keep it
                raise
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            shutil.rmtree(store._generation_dir(previous + 1), ignore_errors=True)
            if isinstance(exc, (OSError, sqlite3.DatabaseError)):
                needed = _tree_size(store._generation_dir(previous)) + 16 * 2**20
                raise storage_error(exc, store.directory, "write the index", needed) from exc
            raise
        finally:
            self._previous = None
            self._removed.clear()
            self._added.clear()
        self._clean_orphans()

    def _build_generation(
        self,
        number: int,
        k1: float,
        b: float,
        dim: int,
        new_vectors: dict[int, np.ndarray],
        embed_missing: Callable[[list[int]], np.ndarray] | None,
        rebuild: bool,
        timings: dict[str, float],
    ) -> Generation:
        clock = time.perf_counter()
        ids: list[int] = []
        terms: list[list[str]] = []
        for chunk_id, chunk_terms in self._db.execute("SELECT id, terms FROM chunks ORDER BY id"):
            ids.append(chunk_id)
            terms.append(chunk_terms.split())
        rows = np.asarray(ids, dtype=np.int64)
        vectors = np.zeros((rows.size, dim), dtype=np.float32)
        have = np.zeros(rows.size, dtype=bool)
        if not rebuild:
            self._copy_previous_vectors(rows, vectors, have)
        for i, chunk_id in enumerate(ids):
            vector = new_vectors.get(chunk_id)
            if vector is not None:
                vectors[i] = vector
                have[i] = True
        if not have.all():
            if embed_missing is None:
                raise StoreError("search files of the previous generation are missing; rebuild the index")
            missing = np.flatnonzero(~have)
            vectors[missing] = embed_missing([ids[i] for i in missing])
        timings["read_s"] = time.perf_counter() - clock
        clock = time.perf_counter()
        bm25 = BM25Index.build(terms, k1=k1, b=b)
        timings["bm25_s"] = time.perf_counter() - clock
        return Generation(number, rows, bm25, DenseIndex(vectors, ids=rows))

    def _copy_previous_vectors(self, rows: np.ndarray, vectors: np.ndarray, have: np.ndarray) -> None:
        previous = self._store.current_generation()
        if previous == 0:
            return
        try:
            old = Generation.load(self._store._generation_dir(previous), previous)
        except (OSError, ValueError, KeyError):
            return
        if old.dense.dim != vectors.shape[1]:
            return
        self._previous = old  # its HNSW graph, if any, is carried into the new generation
        positions = np.searchsorted(old.rows, rows)
        positions = np.clip(positions, 0, max(old.rows.size - 1, 0))
        found = old.rows.size > 0
        if found:
            mask = old.rows[positions] == rows
            vectors[mask] = old.dense.vectors[positions[mask]]
            have[mask] = True

    def _clean_orphans(self) -> None:
        """Remove generation folders other than the current one (crashed or superseded writes)."""
        current = str(self._store.current_generation())
        for path in (self._store.directory / "generations").iterdir():
            if path.name != current:
                shutil.rmtree(path, ignore_errors=True)

