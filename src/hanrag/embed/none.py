"""``embedder = "none"``: a BM25-only index (no vectors; dense and hybrid search are refused)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class NoEmbedder:
    """Vectors of dimension 0: indexing runs at the analyser's speed, search is lexical only."""

    spec = "none"

    @property
    def dim(self) -> int:
        return 0

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.zeros((len(texts), 0), dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.zeros((len(texts), 0), dtype=np.float32)
