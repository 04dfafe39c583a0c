"""Score normalisations applied to one retriever's candidate list before a convex combination.

- min-max: (s - min) / (max - min); a single hit, or all-equal scores, give 1.0.
- z-score: (s - mean) / std; all-equal scores give 0.0.
- DBSF (distribution-based score fusion, Qdrant; Bruch et al. 2023, "An Analysis of Fusion
  Functions for Hybrid Retrieval"): (s - (mean - 3 std)) / (6 std), clipped to [0, 1];
  all-equal scores give 1.0 (like min-max).
- L2: s / ||s||; a zero vector stays zero.
- none: raw scores (the reference notebook's behaviour; kept only as a baseline).
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def minmax(scores: np.ndarray) -> np.ndarray:
    scores = np.asarray(scores, dtype=np.float64)
    if scores.size == 0:
        return scores
    low, high = scores.min(), scores.max()
    if high - low <= 0:
        return np.ones_like(scores)
    return (scores - low) / (high - low)


def zscore(scores: np.ndarray) -> np.ndarray:
    scores = np.asarray(scores, dtype=np.float64)
    if scores.size == 0:
        return scores
    std = scores.std()
    if std <= 0:
        return np.zeros_like(scores)
    return (scores - scores.mean()) / std


def dbsf(scores: np.ndarray) -> np.ndarray:
    scores = np.asarray(scores, dtype=np.float64)
    if scores.size == 0:
        return scores
    mean, std = scores.mean(), scores.std()
    if std <= 0:
        return np.ones_like(scores)
    return np.clip((scores - (mean - 3 * std)) / (6 * std), 0.0, 1.0)


def l2(scores: np.ndarray) -> np.ndarray:
    scores = np.asarray(scores, dtype=np.float64)
    norm = np.linalg.norm(scores)
    if norm <= 0:
        return np.zeros_like(scores)
    return scores / norm


def identity(scores: np.ndarray) -> np.ndarray:
    return np.asarray(scores, dtype=np.float64)


NORMALIZERS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "minmax": minmax,
    "zscore": zscore,
    "dbsf": dbsf,
    "l2": l2,
    "none": identity,
}


def normalize(scores: np.ndarray, method: str) -> np.ndarray:
    """Apply the named normalisation (minmax, zscore, dbsf, l2, none)."""
    try:
        return NORMALIZERS[method](scores)
    except KeyError:
        raise ValueError(f"unknown normalization '{method}' (choose from {', '.join(NORMALIZERS)})") from None
