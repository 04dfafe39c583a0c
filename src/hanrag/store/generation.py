"""A generation: the derived search structures for one committed state of the index.

Layout of ``generations/<n>/``: ``rows.npy`` (chunk ids in row order), ``vectors.npy``,
``bm25.json`` and ``bm25/`` (bm25s arrays). Files are written, fsynced, and only then
named as current in SQLite, so a crash leaves the previous generation in use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hanrag.retrieve.dense import DenseIndex
from hanrag.retrieve.sparse import BM25Index
from hanrag.store.testhook import pause_at


@dataclass
class Generation:
    number: int
    rows: np.ndarray  # int64 chunk ids, ascending; row i of both indexes is chunk rows[i]
    bm25: BM25Index
    dense: DenseIndex

    @property
    def size(self) -> int:
        return int(self.rows.size)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=False)
        np.save(directory / "rows.npy", self.rows.astype(np.int64))
        pause_at("generation")  # test hook, off by default (hanrag.store.testhook)
        self.dense.save(directory)
        self.bm25.save(directory)
        _fsync_tree(directory)

    @classmethod
    def load(cls, directory: Path, number: int) -> "Generation":
        rows = np.load(directory / "rows.npy")
        return cls(number=number, rows=rows, bm25=BM25Index.load(directory), dense=DenseIndex.load(directory, ids=rows))

    @classmethod
    def empty(cls, dim: int) -> "Generation":
        return cls(0, np.zeros(0, dtype=np.int64), BM25Index.build([]), DenseIndex(np.zeros((0, dim), np.float32)))


def _fsync_tree(directory: Path) -> None:
    for root, _dirs, files in os.walk(directory):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fd = os.open(root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
