"""Summing per-row contributions from several lists."""

from __future__ import annotations

import numpy as np


def sum_by_row(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Sum the values of equal rows across parts; returns (rows, totals), best first, ties by row."""
    if not parts or all(len(rows) == 0 for rows, _ in parts):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    rows = np.concatenate([np.asarray(r, dtype=np.int64) for r, _ in parts])
    values = np.concatenate([np.asarray(v, dtype=np.float64) for _, v in parts])
    unique, inverse = np.unique(rows, return_inverse=True)
    totals = np.zeros(unique.size, dtype=np.float64)
    np.add.at(totals, inverse, values)
    order = np.lexsort((unique, -totals))
    return unique[order], totals[order]
