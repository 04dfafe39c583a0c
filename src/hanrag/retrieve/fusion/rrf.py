"""Weighted reciprocal rank fusion: fused(d) = sum_r w_r / (k + rank_r(d)), ranks from 1.

Cormack, Clarke & Büttcher 2009, "Reciprocal Rank Fusion outperforms Condorcet and
individual Rank Learning Methods" (SIGIR). Scores are ignored; only ranks count, which
is why it needs no normalisation and why it loses information CC keeps.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from hanrag.retrieve.fusion.accumulate import sum_by_row


def weighted_rrf(
    rankings: Mapping[str, tuple[np.ndarray, np.ndarray]],
    weights: Mapping[str, float],
    k: int = 60,
) -> tuple[np.ndarray, np.ndarray]:
    """Fuse (rows, scores) lists by weighted reciprocal rank."""
    parts = []
    for name, (rows, _scores) in rankings.items():
        if len(rows):
            ranks = np.arange(1, len(rows) + 1, dtype=np.float64)
            parts.append((rows, weights.get(name, 0.0) / (k + ranks)))
    return sum_by_row(parts)
