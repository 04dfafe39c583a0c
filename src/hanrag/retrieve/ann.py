"""Approximate nearest neighbours (HNSW, hnswlib) for large dense indexes.

Exact search reads the whole float32 matrix per query: ~1.5 GB at 1M x 384, which memory
bandwidth on these machines turns into well over 150 ms. A segment (``hanrag.store.segment``)
of at least ``retrieval.ann_threshold`` rows (with the ``ann`` extra installed) gets an HNSW graph
over its vectors when it is written, labels being its positions; segments are immutable, so the
graph's links never change: a reader marks tombstoned positions deleted in its loaded copy (hnswlib
skips them), and a metadata filter that keeps few positions is searched exactly instead.

Malkov & Yashunin, "Efficient and robust approximate nearest neighbor search using
Hierarchical Navigable Small World graphs", IEEE TPAMI 2020.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hanrag.errors import BackendError

GRAPH_FILE = "hnsw.bin"
META_FILE = "hnsw.json"
_log = logging.getLogger(__name__)


def ann_available() -> bool:
    try:
        import hnswlib  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass
class HnswParams:
    m: int = 16
    ef_construction: int = 100
    ef_search: int = 256


class HnswIndex:
    """An HNSW graph over L2-normalised vectors with inner-product distance."""

    def __init__(self, graph: Any, params: HnswParams) -> None:
        self.graph = graph
        self.params = params

    @classmethod
    def build(
        cls, vectors: np.ndarray, ids: np.ndarray, params: HnswParams | None = None, threads: int = 0
    ) -> "HnswIndex":
        hnswlib = _import()
        params = params or HnswParams()
        graph = hnswlib.Index(space="ip", dim=int(vectors.shape[1]))
        graph.init_index(max_elements=max(1, int(vectors.shape[0])), M=params.m, ef_construction=params.ef_construction)
        index = cls(graph, params)
        index._insert(vectors, ids, threads)
        return index

    def _insert(self, vectors: np.ndarray, ids: np.ndarray, threads: int) -> None:
        if vectors.shape[0]:
            self.graph.set_num_threads(threads or os.cpu_count() or 1)
            self.graph.add_items(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))
        self.graph.set_num_threads(1)  # one query at a time: threads only add overhead

    def compatible(self, params: HnswParams) -> bool:
        return (self.params.m, self.params.ef_construction) == (params.m, params.ef_construction)

    def save(self, directory: Path) -> None:
        self.graph.save_index(str(directory / GRAPH_FILE))
        meta = {**self.params.__dict__, "labels": "position"}
        (directory / META_FILE).write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, dim: int) -> "HnswIndex | None":
        """The saved graph, or None when the generation has none (or hnswlib is missing: exact search then)."""
        if not (directory / GRAPH_FILE).is_file():
            return None
        try:
            hnswlib = _import()
        except BackendError as exc:
            _log.warning("%s; searching exactly", exc)
            return None
        meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        meta.pop("labels", None)
        meta.pop("deleted", None)  # written by graphs before segments
        graph = hnswlib.Index(space="ip", dim=dim)
        graph.load_index(str(directory / GRAPH_FILE))
        graph.set_num_threads(1)
        return cls(graph, HnswParams(**meta))

    def top(self, query_vector: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(chunk ids, cosine scores) of about the ``n`` nearest vectors, best first."""
        n = min(n, int(self.graph.get_current_count()))
        if n <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        self.graph.set_ef(max(self.params.ef_search, n))
        labels, distances = self.graph.knn_query(np.asarray(query_vector, dtype=np.float32).reshape(1, -1), k=n)
        return labels[0].astype(np.int64), (1.0 - distances[0]).astype(np.float32)


def _import() -> Any:
    try:
        import hnswlib
    except ImportError as exc:
        raise BackendError("approximate dense search needs hnswlib: pip install 'hanrag[ann]'") from exc
    return hnswlib
