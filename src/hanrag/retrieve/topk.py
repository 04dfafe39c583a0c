"""Top-n selection over a score vector."""

from __future__ import annotations

import numpy as np


def top_n(scores: np.ndarray, n: int, min_score: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(rows, scores) of the n best entries, best first; ties broken by row (stable)."""
    if n <= 0 or scores.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    if min_score is not None:
        candidates = np.flatnonzero(scores > min_score)
        if candidates.size > n:
            part = np.argpartition(-scores[candidates], n - 1)[:n]
            candidates = candidates[part]
    elif scores.size > n:
        candidates = np.argpartition(-scores, n - 1)[:n]
    else:
        candidates = np.arange(scores.size)
    order = np.lexsort((candidates, -scores[candidates]))
    rows = candidates[order].astype(np.int64)
    return rows, np.asarray(scores[rows], dtype=np.float32)


def top_candidates(scores: np.ndarray, n: int) -> np.ndarray:
    """Rows (unordered) scoring above 0 and at least the ``n``-th best score: the best ``n``
    plus every row tied with the last of them, so a caller merging several score vectors can
    still break ties by its own key."""
    candidates = np.flatnonzero(scores > 0.0)
    if n <= 0:
        return candidates[:0]
    if candidates.size > n:
        kept = scores[candidates]
        nth = -np.partition(-kept, n - 1)[n - 1]
        candidates = candidates[kept >= nth]
    return candidates
