"""The index's one vector graph: an HNSW graph over the vectors of every chunk up to a store key,
kept beside the segments (``graphs/<id>/``), labels being store keys.

Store keys never change (SQLite ``chunks.id``, AUTOINCREMENT), so a graph stays valid across
segment merges: it covers every chunk live when it was written whose key is at most ``max_key``.
Chunks added later have greater keys and are searched exactly in their segments until the writer
extends the graph (``store.graph_upkeep``); chunks deleted later are listed in SQLite
(``graph_dead``) and a reader marks them deleted in its loaded copy, as for segment tombstones.
A graph folder is never changed once named by a commit: extending writes a new folder.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from hanrag.retrieve.ann import HnswIndex, HnswParams, _import


class VectorGraph:
    """A loaded graph, shared by the readers of one store; deletion marks follow the newest snapshot seen."""

    def __init__(self, directory: Path, dim: int, max_key: int) -> None:
        index = HnswIndex.load(directory, dim)
        if index is None:
            raise FileNotFoundError(f"{directory}: no graph")
        self.index = index
        self.max_key = max_key
        self._lock = threading.Lock()  # hnswlib's ef and deletion marks are per index
        self._hidden: set[int] = set()

    @property
    def size(self) -> int:
        return int(self.index.graph.get_current_count())

    def top(self, query: np.ndarray, n: int, dead: np.ndarray, ef: int,
            allowed_keys: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray] | None:
        """(store keys, cosine) of the ``n`` nearest chunks not in ``dead`` (this snapshot's deleted
        keys) and, with ``allowed_keys`` (a mask indexed by key), passing a filter; None when the
        graph cannot give this snapshot's answer (search exactly then)."""
        n = min(n, self.size - int(dead.size))
        if n <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        check = None if allowed_keys is None else (lambda label: bool(allowed_keys[label]))
        with self._lock:
            if not self._hide(dead):
                return None
            graph = self.index.graph
            graph.set_ef(max(ef, n))
            try:
                labels, distances = graph.knn_query(np.asarray(query, np.float32).reshape(1, -1), k=n, filter=check)
            except RuntimeError:  # fewer than n reachable past deleted or filtered nodes
                return None
        return labels[0].astype(np.int64), (1.0 - distances[0]).astype(np.float32)

    def _hide(self, dead: np.ndarray) -> bool:
        """Mark ``dead`` deleted. Deletions only grow within a graph, so marks only grow; False
        when the marks already hide keys of a later commit that this (older) snapshot still sees."""
        if dead.size < len(self._hidden):
            return False
        if dead.size > len(self._hidden):
            for key in dead.tolist():
                if key not in self._hidden:
                    self.index.graph.mark_deleted(key)
                    self._hidden.add(key)
        return True


def start(dim: int, capacity: int, params: HnswParams) -> HnswIndex:
    """An empty graph with room for ``capacity`` vectors (filled piece by piece with ``add``)."""
    graph = _import().Index(space="ip", dim=dim)
    graph.init_index(max_elements=max(1, capacity), M=params.m, ef_construction=params.ef_construction)
    return HnswIndex(graph, params)


def reopen(directory: Path, dim: int, capacity: int) -> HnswIndex:
    """The graph saved in ``directory``, loaded with room for ``capacity`` vectors in all; the
    folder is not changed (the caller saves the result as a new graph)."""
    index = HnswIndex.load(directory, dim)
    if index is None:
        raise FileNotFoundError(f"{directory}: no graph")
    index.graph.resize_index(max(capacity, int(index.graph.get_current_count())))
    return index


def add(index: HnswIndex, vectors: np.ndarray, keys: np.ndarray, threads: int) -> None:
    """Insert ``vectors`` labelled by store ``keys``."""
    index._insert(vectors, keys, threads)
