"""Bringing an index of an older format to the current one, in place, without re-embedding.

Format 1 (hanrag before segments) kept the search structures in ``generations/<n>/``, rebuilt
whole on every write: ``rows.npy`` (store keys) and ``vectors.npy`` next to bm25s files. The
chunks and their terms were already in SQLite, so the upgrade reads the vectors of the current
generation and builds segments from them; BM25 needs nothing but the stored terms.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from hanrag.errors import StoreError
from hanrag.store.writer import LocalWriter, VectorSource


def upgrade(writer: LocalWriter, version: int) -> None:
    """Rewrite the index from ``version`` to the current format (within the writer lock)."""
    if version != 1:
        raise StoreError(f"no upgrade path from index format {version}")
    directory = writer._store.directory
    db = writer._db
    row = db.execute("SELECT value FROM manifest WHERE key = 'generation'").fetchone()
    folder = directory / "generations" / (row[0] if row else "0")
    writer.rebuild(old_vectors=_generation_vectors(folder))
    db.execute("DELETE FROM manifest WHERE key = 'generation'")
    db.execute("UPDATE manifest SET value = '2' WHERE key = 'format_version'")
    shutil.rmtree(directory / "generations", ignore_errors=True)


def _generation_vectors(folder: Path) -> VectorSource:
    """Vectors of a format-1 generation by store key (None for keys it lacks or when unreadable)."""
    try:
        keys = np.load(folder / "rows.npy")
        vectors = np.load(folder / "vectors.npy", mmap_mode="r")
    except (OSError, ValueError):
        return lambda wanted: [None] * len(wanted)

    def lookup(wanted: list[int]) -> list[np.ndarray | None]:
        positions = np.clip(np.searchsorted(keys, wanted), 0, max(keys.size - 1, 0))
        return [np.array(vectors[p]) if keys.size and keys[p] == k else None for k, p in zip(wanted, positions.tolist())]

    return lookup
