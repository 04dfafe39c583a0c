"""Dense search over the segments of one snapshot: their graphs side by side, each with a narrower beam.

A big index holds several segments with an HNSW graph each (one per ``ann_threshold`` rows), and a
query searches all of them. Two things keep that near the cost of one graph over every row:

- *A narrower beam per graph.* The top 10 of S graphs together are spread over S graphs, so each
  graph needs to find fewer of them than one graph over all rows would; ``beam_per_graph``
  narrows ``ef`` by the square root of S (measured recall@10 against exact search: see
  docs/benchmarks.md, "Dense at 1M").
- *Graphs searched at once.* hnswlib releases the GIL while it searches, so a small pool shared
  by all searches of the process runs the graphs side by side. Segments without a graph (small,
  recent ones) are multiplied exactly in the calling thread meanwhile (numpy releases it too).
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

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


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="hanrag-dense")
    return _pool


def search(parts: Sequence[tuple[Segment, np.ndarray | None, np.ndarray | None]], vector: np.ndarray,
           n: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(positions, cosine) of the ``n`` nearest of each (segment, live mask, filter mask) part, in order."""
    graphs = [i for i, (segment, _, _) in enumerate(parts) if segment.graph is not None]
    ef = beam_per_graph(max((parts[i][0].graph.params.ef_search for i in graphs), default=0), len(graphs))
    pending: dict[int, Future] = {}
    if len(graphs) > 1 and _WORKERS > 1:  # the calling thread searches the first graph itself
        pool = _executor()
        pending = {i: pool.submit(parts[i][0].dense, vector, n, parts[i][1], parts[i][2], ef) for i in graphs[1:]}
    found = [None if i in pending else segment.dense(vector, n, live, allowed, ef)
             for i, (segment, live, allowed) in enumerate(parts)]
    return [pending[i].result() if i in pending else top for i, top in enumerate(found)]
