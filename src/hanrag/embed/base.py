"""The Embedder protocol and query/passage prefix conventions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Maps texts to L2-normalised float32 vectors; queries and passages may be encoded differently."""

    spec: str

    @property
    def dim(self) -> int: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, rows of unit length."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, rows of unit length."""
        ...


# Models trained with instruction prefixes; matched on the lower-cased model name.
_PREFIXES: tuple[tuple[str, str, str], ...] = (
    ("multilingual-e5-large-instruct", "Instruct: Given a question, retrieve passages that answer it\nQuery: ", ""),
    ("e5", "query: ", "passage: "),
    ("bge-small-en", "Represent this sentence for searching relevant passages: ", ""),
    ("bge-base-en", "Represent this sentence for searching relevant passages: ", ""),
    ("bge-large-en", "Represent this sentence for searching relevant passages: ", ""),
)


def prefixes_for(model_name: str) -> tuple[str, str]:
    """(query prefix, passage prefix) for a model; empty for models that need none (bge-m3, KURE)."""
    name = model_name.lower()
    for key, query, passage in _PREFIXES:
        if key in name:
            return query, passage
    return "", ""


class PrefixedEmbedder:
    """Mixin for backends that encode raw strings: adds the model's query/passage prefixes."""

    _query_prefix: str = ""
    _passage_prefix: str = ""

    def _encode(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._passage_prefix + t for t in texts])

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._query_prefix + t for t in texts])


def l2_normalize(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms
