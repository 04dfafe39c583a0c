"""BM25 over pre-tokenized morphemes, built with bm25s and memory-mapped from .npy files.

Why bm25s and not tantivy: the index is derived data rebuilt into a new generation
directory on every write (DESIGN §6), which bm25s does from our stored terms in one
sparse-matrix pass, with k1/b configurable and no query parser between our morphemes
and the scorer. Measurements: bench/sparse_backends.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from hanrag.retrieve.topk import top_n


class SparseIndex(Protocol):
    """A lexical index over token lists whose rows are the chunk positions of a generation."""

    def top(self, query_terms: Sequence[str], n: int) -> tuple[np.ndarray, np.ndarray]: ...

    def scores(self, query_terms: Sequence[str]) -> np.ndarray: ...

    def save(self, directory: Path) -> None: ...


class BM25Index:
    """Okapi BM25 (Lucene variant: idf = ln(1 + (N - df + 0.5) / (df + 0.5)))."""

    def __init__(self, retriever: Any, size: int, k1: float, b: float) -> None:
        self._retriever = retriever
        self.size = size
        self.k1 = k1
        self.b = b

    @classmethod
    def build(cls, corpus_terms: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75) -> "BM25Index":
        import bm25s

        retriever = None
        if corpus_terms:
            retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
            retriever.index([list(t) for t in corpus_terms], show_progress=False)
        return cls(retriever, len(corpus_terms), k1, b)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "bm25.json").write_text(json.dumps({"size": self.size, "k1": self.k1, "b": self.b}))
        if self._retriever is not None:
            self._retriever.save(str(directory / "bm25"))

    @classmethod
    def load(cls, directory: Path, mmap: bool = True) -> "BM25Index":
        import bm25s

        meta = json.loads((directory / "bm25.json").read_text())
        retriever = bm25s.BM25.load(str(directory / "bm25"), mmap=mmap) if meta["size"] else None
        return cls(retriever, meta["size"], meta["k1"], meta["b"])

    def scores(self, query_terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every row (0 where no query term occurs)."""
        if self._retriever is None:
            return np.zeros(self.size, dtype=np.float32)
        ids = self._retriever.get_tokens_ids(list(query_terms))
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores_from_ids(ids), dtype=np.float32)

    def idf(self, terms: Sequence[str]) -> np.ndarray:
        """Corpus IDF of each term, ln(1 + (N - df + 0.5) / (df + 0.5)); unseen terms get the maximum."""
        df = np.zeros(len(terms), dtype=np.float64)
        if self._retriever is not None:
            vocab = self._retriever.vocab_dict
            indptr = self._retriever.scores["indptr"]
            for i, term in enumerate(terms):
                token = vocab.get(term)
                if token is not None and token + 1 < len(indptr):
                    df[i] = indptr[token + 1] - indptr[token]
        return np.log(1.0 + (self.size - df + 0.5) / (df + 0.5))

    def top(self, query_terms: Sequence[str], n: int) -> tuple[np.ndarray, np.ndarray]:
        """Best n rows that share at least one term with the query."""
        return top_n(self.scores(query_terms), n, min_score=0.0)
