"""Embedding cache keyed by (model spec, text hash) in a SQLite file shared across indexes."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Callable

import numpy as np

from hanrag.embed.query_cache import QueryLRU

_log = logging.getLogger("hanrag")


class EmbeddingCache:
    """Stores float32 vectors so unchanged text is never embedded twice; recent questions (model keys
    starting "query|") are also kept in memory, so a repeated question skips SQLite too."""

    def __init__(self, path: Path, recent_queries: int = 1024) -> None:
        self._recent = QueryLRU(recent_queries)
        self._lock = threading.Lock()  # one connection shared by a server's threads
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = self._open(str(path))
        except (OSError, sqlite3.DatabaseError) as exc:
            # A read-only home or a full disk: embed without a lasting cache rather than fail.
            _log.warning("embedding cache %s unavailable (%s); vectors are kept in memory only", path, exc)
            self._db = self._open(":memory:")
        self._writable = True

    @staticmethod
    def _open(where: str) -> sqlite3.Connection:
        db = sqlite3.connect(where, timeout=30, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(
            "CREATE TABLE IF NOT EXISTS embeddings (model TEXT, text_hash BLOB, vector BLOB, PRIMARY KEY (model, text_hash))"
        )
        db.commit()
        return db

    def close(self) -> None:
        self._db.close()

    def get_or_compute(
        self,
        model: str,
        texts: Sequence[str],
        compute: Callable[[list[str]], np.ndarray],
        progress: Callable[[int], None] | None = None,
        batch_size: int = 16,
    ) -> np.ndarray:
        """Vectors for ``texts``; only cache misses go to ``compute``, in batches (progress counts texts done).

        Questions (``model`` "query|<spec>") are looked up in memory first, keyed by model and text.

        Misses go longest first, so each batch holds texts of similar length: a local model pads a batch
        to its longest text, and on mixed chunks the padding would be most of the work."""
        if model.startswith("query|") and 0 < len(texts) <= 16 and progress is None:

            def stored(keys: list[str]) -> np.ndarray:
                return self._stored(model, [k.split("\x00", 1)[1] for k in keys], compute, None, batch_size)

            return self._recent.get_or_compute([f"{model}\x00{t}" for t in texts], stored)
        return self._stored(model, texts, compute, progress, batch_size)

    def _stored(
        self,
        model: str,
        texts: Sequence[str],
        compute: Callable[[list[str]], np.ndarray],
        progress: Callable[[int], None] | None,
        batch_size: int,
    ) -> np.ndarray:
        hashes = [hashlib.blake2b(t.encode("utf-8"), digest_size=16).digest() for t in texts]
        found = self._lookup(model, hashes)
        missing = [i for i, h in enumerate(hashes) if h not in found]
        if progress and len(texts) - len(missing):
            progress(len(texts) - len(missing))
        # Identical texts among the misses are embedded once.
        copies = Counter(hashes[i] for i in missing)
        todo: dict[bytes, int] = {}
        for i in missing:
            todo.setdefault(hashes[i], i)
        items = sorted(todo.items(), key=lambda item: -len(texts[item[1]]))
        for start in range(0, len(items), batch_size):
            batch = items[start : start + batch_size]
            vectors = np.asarray(compute([texts[i] for _, i in batch]), dtype=np.float32)
            self._store([(model, h, vectors[j].tobytes()) for j, (h, _) in enumerate(batch)])
            for j, (h, _) in enumerate(batch):
                found[h] = vectors[j]
            if progress:
                progress(sum(copies[h] for h, _ in batch))
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack([found[h] for h in hashes]).astype(np.float32, copy=False)

    def _store(self, rows: list[tuple[str, bytes, bytes]]) -> None:
        """Remember vectors; a cache that cannot be written (disk full) is skipped, not fatal."""
        with self._lock:
            if not self._writable:
                return
            try:
                self._db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)", rows)
                self._db.commit()
            except sqlite3.DatabaseError as exc:
                self._db.rollback()
                self._writable = False
                _log.warning("embedding cache not written from now on (%s)", exc)

    def _lookup(self, model: str, hashes: list[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        unique = list(set(hashes))
        for start in range(0, len(unique), 500):
            part = unique[start : start + 500]
            marks = ",".join("?" * len(part))
            with self._lock:
                rows = self._db.execute(
                    f"SELECT text_hash, vector FROM embeddings WHERE model = ? AND text_hash IN ({marks})", [model, *part]
                ).fetchall()
            for h, blob in rows:
                found[h] = np.frombuffer(blob, dtype=np.float32)
        return found
