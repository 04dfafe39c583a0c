"""Summing per-row contributions from several lists."""

from __future__ import annotations

import numpy as np


def sum_by_row(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Sum the values of equal keys across parts; returns (keys, totals), best first, ties by key."""
    if not parts or all(len(rows) == 0 for rows, _ in parts):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    rows = np.concatenate([np.asarray(r) for r, _ in parts])  # chunk ids (str) or any sortable keys
    values = np.concatenate([np.asarray(v, dtype=np.float64) for _, v in parts])
    unique, inverse = np.unique(rows, return_inverse=True)
    totals = np.zeros(unique.size, dtype=np.float64)
    np.add.at(totals, inverse, values)
    order = np.lexsort((unique, -totals))
    return unique[order], totals[order]
