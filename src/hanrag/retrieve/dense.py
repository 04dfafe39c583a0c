"""Inner-product search over an L2-normalised float32 matrix, memory-mapped from .npy: exact,
or through an HNSW graph (``hanrag.retrieve.ann``) when the generation has one."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hanrag.retrieve.ann import HnswIndex, HnswParams
from hanrag.retrieve.topk import top_n


class DenseIndex:
    """Cosine similarity by one matrix-vector product (exact), or by an HNSW graph for ``top``
    when one was built (``with_ann``); ``scores`` is always exact."""

    def __init__(self, vectors: np.ndarray, ann: HnswIndex | None = None) -> None:
        self.vectors = vectors
        self.ann = ann

    def with_ann(self, params: HnswParams | None = None, threads: int = 0) -> "DenseIndex":
        return DenseIndex(self.vectors, HnswIndex.build(np.asarray(self.vectors), params, threads))

    @property
    def size(self) -> int:
        return int(self.vectors.shape[0])

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1]) if self.vectors.ndim == 2 else 0

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / "vectors.npy", np.ascontiguousarray(self.vectors, dtype=np.float32))
        if self.ann is not None:
            self.ann.save(directory)

    @classmethod
    def load(cls, directory: Path, mmap: bool = True) -> "DenseIndex":
        vectors = np.load(directory / "vectors.npy", mmap_mode="r" if mmap else None)
        dim = int(vectors.shape[1]) if vectors.ndim == 2 else 0
        return cls(vectors, HnswIndex.load(directory, dim) if dim else None)

    def scores(self, query_vector: np.ndarray) -> np.ndarray:
        if self.size == 0:
            return np.zeros(0, dtype=np.float32)
        return np.asarray(self.vectors @ np.asarray(query_vector, dtype=np.float32), dtype=np.float32)

    def top(self, query_vector: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        if self.ann is not None:
            return self.ann.top(query_vector, n)
        return top_n(self.scores(query_vector), n)
