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

    def __init__(self, vectors: np.ndarray, ann: HnswIndex | None = None, ids: np.ndarray | None = None) -> None:
        self.vectors = vectors
        self.ann = ann
        # Chunk id of each row (ascending): the graph's labels are chunk ids.
        self.ids = ids if ids is not None else np.arange(vectors.shape[0] if vectors.ndim == 2 else 0, dtype=np.int64)

    def with_ann(
        self,
        params: HnswParams | None = None,
        threads: int = 0,
        previous: "DenseIndex | None" = None,
    ) -> "DenseIndex":
        """This index with an HNSW graph: ``previous``'s graph carried forward when it can be,
        else a new one."""
        params = params or HnswParams()
        vectors = np.asarray(self.vectors)
        if previous is not None and previous.ann is not None and previous.ann.compatible(params):
            graph = previous.ann.extended(previous.ids, self.ids, vectors, threads)
            if graph is not None:
                graph.params.ef_search = params.ef_search
                return DenseIndex(self.vectors, graph, self.ids)
        return DenseIndex(self.vectors, HnswIndex.build(vectors, self.ids, params, threads), self.ids)

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
    def load(cls, directory: Path, mmap: bool = True, ids: np.ndarray | None = None) -> "DenseIndex":
        vectors = np.load(directory / "vectors.npy", mmap_mode="r" if mmap else None)
        dim = int(vectors.shape[1]) if vectors.ndim == 2 else 0
        return cls(vectors, HnswIndex.load(directory, dim) if dim else None, ids)

    def scores(self, query_vector: np.ndarray) -> np.ndarray:
        if self.size == 0:
            return np.zeros(0, dtype=np.float32)
        return np.asarray(self.vectors @ np.asarray(query_vector, dtype=np.float32), dtype=np.float32)

    def top(self, query_vector: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        if self.ann is not None:
            labels, scores = self.ann.top(query_vector, n)
            rows = np.clip(np.searchsorted(self.ids, labels), 0, max(self.size - 1, 0))
            valid = self.ids[rows] == labels if self.size else np.zeros(0, dtype=bool)
            return rows[valid].astype(np.int64), scores[valid]
        return top_n(self.scores(query_vector), n)
