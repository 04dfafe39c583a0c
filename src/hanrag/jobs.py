"""One writer for a server: uploads and removals queue up as jobs that one thread carries out.

Jobs, their files and the uploaded originals persist in a folder of their own (the server
puts it in the index folder as ``server/``): after a restart the job list still shows what
happened, and jobs that were queued or running are run again from their stored files
(unchanged files are skipped by content hash, so a half-done job simply finishes).
"""

from __future__ import annotations

import hashlib
import json
import queue
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hanrag.errors import ConflictError, HanragError, IndexLockedError, InputError, NotFoundError
from hanrag.index import Index, SourceFile
from hanrag.progress import StageClock
from hanrag.schema import iso_time

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, stage TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0, done INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL, finished REAL, report TEXT, error TEXT,
    target TEXT, rate REAL, eta REAL
);
CREATE TABLE IF NOT EXISTS job_files (
    job_id TEXT NOT NULL REFERENCES jobs(job_id) ON DELETE CASCADE, n INTEGER NOT NULL,
    name TEXT NOT NULL, stored TEXT NOT NULL, doc_id TEXT NOT NULL, status TEXT NOT NULL, error TEXT,
    PRIMARY KEY (job_id, n)
);
CREATE TABLE IF NOT EXISTS originals (doc_id TEXT PRIMARY KEY, name TEXT NOT NULL, stored TEXT NOT NULL);
"""
# Share of a job's progress bar each stage of Index.add_files fills.
_STAGES = {"reading": (0.0, 0.25), "analysing": (0.25, 0.35), "summarising tables": (0.35, 0.4),
           "embedding": (0.4, 0.95), "committing": (0.95, 1.0)}
_LOCK_WAIT_S = 600  # how long a job waits for another process (e.g. `hanrag index`) to release the index


@dataclass(frozen=True)
class Upload:
    """A file received by the server: its name as the user gave it, and where its bytes are."""

    name: str
    path: Path
    error: str | None = None  # refused on arrival (e.g. not a supported type): listed as failed


def upload_doc_id(name: str) -> str:
    """Uploads are documents by name: uploading 보고서.pdf again updates the same document."""
    return hashlib.blake2b(f"upload:{name}".encode("utf-8"), digest_size=8).hexdigest()


class JobQueue:
    """Persistent jobs run one at a time by a single writer thread."""

    def __init__(self, index: Index, directory: Path) -> None:
        self.index = index
        self.directory = Path(directory)
        (self.directory / "staging").mkdir(parents=True, exist_ok=True)
        (self.directory / "originals").mkdir(exist_ok=True)
        self._db = sqlite3.connect(self.directory / "jobs.sqlite", check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)
        present = {row[1] for row in self._db.execute("PRAGMA table_info(jobs)")}
        for column in ("rate", "eta"):  # job files written before these columns existed
            if column not in present:
                self._db.execute(f"ALTER TABLE jobs ADD COLUMN {column} REAL")
        self._db_lock = threading.Lock()
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._finished: dict[str, threading.Event] = {}
        self._thread = threading.Thread(target=self._run, name="hanrag-writer", daemon=True)
        for (job_id,) in self._sql("SELECT job_id FROM jobs WHERE status IN ('queued', 'running') ORDER BY created"):
            self._sql("UPDATE jobs SET status = 'queued', stage = 'queued', progress = 0, done = 0 WHERE job_id = ?", job_id)
            self._enqueue(job_id)
        self._thread.start()

    def close(self, timeout: float = 10.0) -> None:
        """Stop after the running job (queued ones stay queued for the next start)."""
        self._queue.put(None)
        self._thread.join(timeout)
        self._db.close()

    # --- submitting -----------------------------------------------------------------
    def submit_uploads(self, uploads: Sequence[Upload]) -> str:
        """Queue files for indexing; they are moved into the queue's folder at once."""
        if not uploads:
            raise InputError("no files in the upload (multipart field 'files')")
        job_id = uuid.uuid4().hex
        staging = self.directory / "staging" / job_id
        staging.mkdir(parents=True)
        rows = []
        for n, upload in enumerate(uploads):
            stored = staging / f"{n}{upload.path.suffix}"
            if upload.error is None:
                shutil.move(str(upload.path), stored)
            status = "queued" if upload.error is None else "failed"
            rows.append((job_id, n, upload.name, str(stored), upload_doc_id(upload.name), status, upload.error))
        with self._db_lock:
            self._db.execute("BEGIN")
            self._db.execute("INSERT INTO jobs (job_id, kind, status, stage, created) VALUES (?, 'upload', 'queued', 'queued', ?)",
                             (job_id, time.time()))
            self._db.executemany("INSERT INTO job_files VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            self._db.execute("COMMIT")
        self._enqueue(job_id)
        return job_id

    def submit_removal(self, doc_id: str) -> str:
        """Queue the removal of a document (and of its stored original)."""
        self.index.document(doc_id)  # NotFoundError before queueing
        job_id = uuid.uuid4().hex
        self._sql("INSERT INTO jobs (job_id, kind, status, stage, created, target) VALUES (?, 'remove', 'queued', 'queued', ?, ?)",
                  job_id, time.time(), doc_id)
        self._enqueue(job_id)
        return job_id

    def wait(self, job_id: str, timeout: float | None = None) -> bool:
        """Whether the job finished within ``timeout`` seconds."""
        event = self._finished.get(job_id)
        return event.wait(timeout) if event is not None else True

    # --- reading --------------------------------------------------------------------
    def get(self, job_id: str) -> dict[str, Any]:
        rows = self._sql("SELECT * FROM jobs WHERE job_id = ?", job_id, names=True)
        if not rows:
            raise NotFoundError(f"no job '{job_id}'")
        return self._describe(rows[0])

    def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        rows = self._sql("SELECT * FROM jobs WHERE kind = 'upload' ORDER BY created DESC LIMIT ?", limit, names=True)
        return [self._describe(row) for row in rows]

    def forget(self, job_id: str) -> None:
        """Drop a finished job from the list."""
        job = self.get(job_id)
        if job["status"] in ("queued", "running"):
            raise ConflictError(f"job '{job_id}' is still {job['status']}; wait until it finishes")
        self._sql("DELETE FROM jobs WHERE job_id = ?", job_id)

    def original(self, doc_id: str) -> tuple[Path, str] | None:
        """The stored original of an uploaded document: (path, file name)."""
        rows = self._sql("SELECT stored, name FROM originals WHERE doc_id = ?", doc_id)
        return (Path(rows[0][0]), rows[0][1]) if rows else None

    def _describe(self, row: dict[str, Any]) -> dict[str, Any]:
        report = json.loads(row["report"]) if row["report"] else {}
        files = [
            {"name": name, "status": status, "error": error, "doc_id": doc_id if status in ("done", "skipped") else None}
            for name, status, error, doc_id in self._sql(
                "SELECT name, status, error, doc_id FROM job_files WHERE job_id = ? ORDER BY n", row["job_id"]
            )
        ]
        errors = [{"source": f["name"], "error": f["error"]} for f in files if f["status"] == "failed"]
        if row["error"]:
            errors.append({"source": row["target"] or "", "error": row["error"]})
        return {
            "job_id": row["job_id"], "kind": row["kind"], "status": row["status"], "stage": row["stage"],
            "progress": round(row["progress"], 3), "created": iso_time(row["created"]),
            # items per second of the running stage (chunks while embedding) and seconds it has left
            "rate": None if row["rate"] is None or row["status"] != "running" else round(row["rate"], 2),
            "eta_s": None if row["eta"] is None or row["status"] != "running" else round(row["eta"], 1),
            "finished": iso_time(row["finished"]),
            "files": files, "done": row["done"], "total": len(files),
            "added": report.get("added", 0), "updated": report.get("updated", 0), "skipped": report.get("skipped", 0),
            "removed": report.get("removed", 0), "errors": errors, "warnings": report.get("warnings", []),
        }

    # --- the writer thread ------------------------------------------------------------
    def _enqueue(self, job_id: str) -> None:
        self._finished[job_id] = threading.Event()
        self._queue.put(job_id)

    def _run(self) -> None:
        while True:
            job_id = self._queue.get()
            if job_id is None:
                return
            try:
                self._carry_out(job_id)
            except Exception as exc:  # noqa: BLE001 - a job's failure never stops the writer
                message = str(exc) if isinstance(exc, HanragError) else f"{type(exc).__name__}: {exc}"
                self._sql("UPDATE jobs SET status = 'failed', stage = 'failed', error = ?, finished = ? WHERE job_id = ?",
                          message, time.time(), job_id)
                self._sql("UPDATE job_files SET status = 'failed', error = ? WHERE job_id = ? AND status = 'queued'",
                          message, job_id)
            finally:
                event = self._finished.pop(job_id, None)
                if event is not None:
                    event.set()

    def _carry_out(self, job_id: str) -> None:
        rows = self._sql("SELECT kind, target FROM jobs WHERE job_id = ?", job_id)
        if not rows:
            return  # forgotten meanwhile
        kind, target = rows[0]
        self._sql("UPDATE jobs SET status = 'running', stage = 'reading' WHERE job_id = ?", job_id)
        report = self._waiting_for_lock(job_id, lambda: self._remove(target) if kind == "remove" else self._index(job_id))
        self._sql("UPDATE jobs SET status = 'done', stage = 'done', progress = 1, finished = ?, report = ? WHERE job_id = ?",
                  time.time(), json.dumps(report, ensure_ascii=False), job_id)

    def _waiting_for_lock(self, job_id: str, work: Any) -> dict[str, Any]:
        """Run ``work``; while another process holds the index's writer lock, wait and retry."""
        deadline = time.monotonic() + _LOCK_WAIT_S
        while True:
            try:
                return work()
            except IndexLockedError:
                if time.monotonic() > deadline:
                    raise
                self._sql("UPDATE jobs SET stage = 'waiting for another writer' WHERE job_id = ?", job_id)
                time.sleep(1.0)

    def _index(self, job_id: str) -> dict[str, Any]:
        files = self._sql(
            "SELECT n, name, stored, doc_id FROM job_files WHERE job_id = ? AND status = 'queued' ORDER BY n", job_id
        )
        # The same name twice in one upload: the last one is the document.
        latest = {name: n for n, name, _, _ in files}
        sources = [SourceFile(Path(stored), name, doc_id) for n, name, stored, doc_id in files if latest[name] == n]
        for n, name, _, _ in files:
            if latest[name] != n:
                self._file_done(job_id, n, "skipped", "a later file in this upload has the same name")
        last = [0.0, ""]
        clock = StageClock()

        def progress(stage: str, done: int, total: int) -> None:
            now = time.monotonic()
            rate, left = clock.update(stage, done, total)
            if stage == last[1] and now - last[0] < 0.25 and done < total:
                return  # at most four progress writes a second within a stage
            last[:] = [now, stage]
            low, high = _STAGES.get(stage, (0.0, 1.0))
            share = low + (high - low) * (done / total if total else 1.0)
            if done >= total:
                rate = left = None
            self._sql("UPDATE jobs SET stage = ?, progress = ?, rate = ?, eta = ? WHERE job_id = ?",
                      stage, share, rate, left, job_id)
            if stage == "reading":
                self._sql("UPDATE jobs SET done = ? WHERE job_id = ?", done, job_id)

        result = self.index.add_files(sources, progress=progress)
        errors = dict(result.errors)
        for n, name, stored, doc_id in files:
            if latest[name] != n:
                continue
            outcome = result.outcomes.get(name, "failed")
            if outcome in ("added", "updated"):
                self._keep_original(doc_id, name, Path(stored))
            self._file_done(job_id, n, "done" if outcome in ("added", "updated") else outcome, errors.get(name))
        shutil.rmtree(self.directory / "staging" / job_id, ignore_errors=True)
        self._sql("UPDATE jobs SET done = (SELECT COUNT(*) FROM job_files WHERE job_id = ?) WHERE job_id = ?",
                  job_id, job_id)
        return result.to_dict()

    def _keep_original(self, doc_id: str, name: str, staged: Path) -> None:
        kept = self.directory / "originals" / f"{doc_id}{staged.suffix}"
        previous = self.original(doc_id)
        shutil.move(str(staged), kept)
        if previous is not None and previous[0] != kept:
            previous[0].unlink(missing_ok=True)
        self._sql("INSERT OR REPLACE INTO originals VALUES (?, ?, ?)", doc_id, name, str(kept))

    def _file_done(self, job_id: str, n: int, status: str, error: str | None) -> None:
        self._sql("UPDATE job_files SET status = ?, error = ? WHERE job_id = ? AND n = ?", status, error, job_id, n)

    def _remove(self, doc_id: str) -> dict[str, Any]:
        report = self.index.remove([doc_id])
        kept = self.original(doc_id)
        if kept is not None:
            kept[0].unlink(missing_ok=True)
            self._sql("DELETE FROM originals WHERE doc_id = ?", doc_id)
        return report.to_dict()

    def _sql(self, statement: str, *args: Any, names: bool = False) -> list[Any]:
        with self._db_lock:
            cursor = self._db.execute(statement, args)
            rows = cursor.fetchall()
            if names and cursor.description:
                columns = [c[0] for c in cursor.description]
                return [dict(zip(columns, row)) for row in rows]
            return rows

