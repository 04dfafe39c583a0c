"""Dense search over the segments of one snapshot: their graphs side by side, each with a narrower beam.

A big index holds several segments with an HNSW graph each (one per ``ann_threshold`` rows), and a
query searches all of them. Two things cut what that costs over one graph of every row (they do
not remove it: S searches stay S; docs/design-notes.md, "Dense at 1M, graphs side by side"):

- *A narrower beam per graph.* The top 10 of S graphs together are spread over S graphs, so each
  graph needs to find fewer of them than one graph over all rows would; ``beam_per_graph``
  narrows ``ef`` by the square root of S (recall@10 against exact search in docs/benchmarks.md,
  "Dense over several graphs").
- *Graphs searched at once.* hnswlib releases the GIL while it searches, so a small pool shared
  by all searches of the process runs the graphs side by side (on idle cores). Segments without
  a graph (small, recent ones) are multiplied exactly in the calling thread meanwhile, and BM25
  is scored there in a hybrid search.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from hanrag.store.graph import VectorGraph
from hanrag.store.segment import Segment

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
# No wider than the machine: more threads would only queue on the same cores.
_WORKERS = max(1, min(4, os.cpu_count() or 1))


def beam_per_graph(ef: int, graphs: int) -> int:
    """The ``ef`` each of ``graphs`` graphs searches with for the recall one graph has at ``ef``."""
    if graphs <= 1:
        return ef
    return max(1, math.ceil(ef / math.sqrt(graphs)))


def _forget_pool() -> None:
    """A forked child has none of the parent's threads: it starts a pool of its own when it needs one."""
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_pool)


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="hanrag-dense")
    return _pool


Part = tuple[Segment, "np.ndarray | None", "np.ndarray | None"]  # (segment, live mask, filter mask)


@dataclass(frozen=True)
class GraphPart:
    """The index's one graph in a search: this snapshot's deleted keys, a filter as a mask by key."""

    graph: VectorGraph
    dead: np.ndarray
    allowed_keys: np.ndarray | None
    ef: int


class Search:
    """A dense search under way: its graphs are searched in the shared pool from the start, so the
    caller can score BM25 meanwhile; ``result()`` searches the other segments and waits.

    With the index's one graph (``graph``), that graph is the only one searched and each segment
    only exactly over its rows newer than the graph; ``from_graph`` then holds the graph's (store
    keys, cosine) after ``result()``."""

    def __init__(self, parts: Sequence[Part], vector: np.ndarray, n: int, other_work: bool = False,
                 graph: GraphPart | None = None) -> None:
        self._parts, self._vector, self._n, self._graph = list(parts), vector, n, graph
        self.from_graph: tuple[np.ndarray, np.ndarray] | None = None
        if graph is not None:
            graphs: list[int] = []
        else:
            graphs = [i for i, (segment, _, _) in enumerate(self._parts) if segment.graph is not None]
        self._ef = beam_per_graph(max((self._parts[i][0].graph.params.ef_search for i in graphs), default=0),
                                  len(graphs))
        # Handing a search to a pool thread costs ~0.1 ms: only worth it with something to overlap.
        overlap = len(self._parts) > 1 or other_work
        self._pending: dict[int, Future] = {}
        self._graph_pending: Future | None = None
        if _WORKERS > 1 and overlap and graph is not None:
            self._graph_pending = _executor().submit(self._one_graph)
        elif graphs and overlap and _WORKERS > 1:
            pool = _executor()
            self._pending = {i: pool.submit(self._one, i) for i in graphs}

    def _one(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        segment, live, allowed = self._parts[i]
        if self._graph is not None:
            return segment.dense_among(self._vector, self._n, segment.above(self._graph.graph.max_key), live, allowed)
        return segment.dense(self._vector, self._n, live, allowed, self._ef)

    def _one_graph(self) -> tuple[np.ndarray, np.ndarray] | None:
        g = self._graph
        return g.graph.top(self._vector, self._n, g.dead, g.ef, g.allowed_keys)

    def result(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(positions, cosine) of the ``n`` nearest in each part, in the parts' order."""
        found = [None if i in self._pending else self._one(i) for i in range(len(self._parts))]
        if self._graph is not None:
            self.from_graph = self._graph_pending.result() if self._graph_pending else self._one_graph()
            if self.from_graph is None:  # the graph hides rows this older snapshot still sees: all exactly
                found = [segment.dense_among(self._vector, self._n, np.arange(segment.size), live, allowed)
                         for segment, live, allowed in self._parts]
        return [self._pending[i].result() if i in self._pending else top for i, top in enumerate(found)]


def search(parts: Sequence[Part], vector: np.ndarray, n: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(positions, cosine) of the ``n`` nearest of each (segment, live mask, filter mask) part, in order."""
    return Search(parts, vector, n).result()
