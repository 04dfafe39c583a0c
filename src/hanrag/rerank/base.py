"""The Reranker protocol."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Reranker(Protocol):
    """Scores passages against a query; higher is more relevant, in [0, 1] so thresholds mean something."""

    spec: str

    def score(self, query: str, passages: Sequence[str]) -> np.ndarray: ...


def sigmoid(logits: np.ndarray) -> np.ndarray:
    logits = np.asarray(logits, dtype=np.float64)
    return (1.0 / (1.0 + np.exp(-np.clip(logits, -500, 500)))).astype(np.float32)
