"""Convex combination of normalised scores: fused(d) = sum_r w_r * norm_r(s_r(d)).

A document missing from retriever r's list contributes 0 from r. With min-max
normalisation and a lexical-leaning weight this beats both single retrievers on
KorQuAD (DESIGN §5); Bruch et al. 2023 ("An Analysis of Fusion Functions for Hybrid
Retrieval", ACM TOIS) show CC is more robust than RRF when scores are normalised.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from hanrag.retrieve.fusion.accumulate import sum_by_row
from hanrag.retrieve.fusion.normalization import normalize


def convex_combination(
    rankings: Mapping[str, tuple[np.ndarray, np.ndarray]],
    weights: Mapping[str, float],
    normalization: str = "minmax",
) -> tuple[np.ndarray, np.ndarray]:
    """Fuse (rows, scores) lists by weighted sum of normalised scores."""
    parts = [
        (rows, weights.get(name, 0.0) * normalize(scores, normalization))
        for name, (rows, scores) in rankings.items()
        if len(rows)
    ]
    return sum_by_row(parts)
