"""The index-wide BM25 statistics a writer changes by deltas: live chunks, their total terms and
per-term document frequencies. Each store saves them its own way."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence


class StatsDelta:
    """Counts from ``values`` (the stored live_chunks / live_terms), moved by added and removed chunks."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.chunks = int(values.get("live_chunks", 0))
        self.terms = int(values.get("live_terms", 0))
        self.df: Counter[str] = Counter()

    def add(self, terms: Sequence[Sequence[str]]) -> None:
        for chunk_terms in terms:
            self.chunks += 1
            self.terms += len(chunk_terms)
            self.df.update(set(chunk_terms))

    def remove(self, terms: Sequence[Sequence[str]]) -> None:
        for chunk_terms in terms:
            self.chunks -= 1
            self.terms -= len(chunk_terms)
            self.df.subtract(set(chunk_terms))
