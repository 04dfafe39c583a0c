"""The Store seam: everything the engine asks of storage, and nothing about how it is kept.

A store holds documents, their chunks (text, metadata, terms, vector) and whatever search
structures it likes. The engine never sees files, segments or row numbers: rankings come back
keyed by chunk id, and retriever names are data ("bm25", "dense", or any other a store offers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from hanrag.errors import StoreError
from hanrag.retrieve.bm25 import Bm25Params
from hanrag.retrieve.filters import Condition
from hanrag.schema import Chunk, DocumentInfo


class StaleReadError(StoreError):
    """What a read's snapshot names was replaced meanwhile (e.g. segments merged away): read again."""


@dataclass(frozen=True)
class Ranking:
    """One retriever's candidates, best first: chunk ids and raw scores."""

    ids: np.ndarray  # str
    scores: np.ndarray  # float32

    @classmethod
    def empty(cls) -> "Ranking":
        return cls(np.zeros(0, dtype=str), np.zeros(0, dtype=np.float32))

    def __len__(self) -> int:
        return int(self.ids.size)

    def __iter__(self) -> Iterator[np.ndarray]:  # (ids, scores) = ranking
        return iter((self.ids, self.scores))


@dataclass(frozen=True)
class StoredDocument:
    doc_id: str
    source: str
    content_hash: str
    pages: int
    title: str | None = None
    modified: float | None = None


@runtime_checkable
class StoreReader(Protocol):
    """Reads. ``snapshot()`` makes the reads inside it see one committed state."""

    def snapshot(self) -> AbstractContextManager[None]: ...

    def retrieve(
        self,
        terms: Sequence[str] | None,
        vector: np.ndarray | None,
        conditions: Sequence[Condition] | None,
        retrievers: Sequence[str],
        n: int,
        bm25: Bm25Params = Bm25Params(),
    ) -> dict[str, Ranking]:
        """Each named retriever's top ``n`` among the chunks passing ``conditions``."""
        ...

    def fetch(self, chunk_ids: Sequence[str]) -> dict[str, Chunk]:
        """Chunks by id (ids not in the store are left out)."""
        ...

    def documents(self, doc_id: str | None = None) -> list[DocumentInfo]: ...

    def count(self) -> int:
        """Number of chunks."""
        ...

    def idf(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 idf of each term over the whole store (unseen terms get the maximum)."""
        ...

    def is_empty(self) -> bool: ...

    def manifest(self) -> dict[str, str]:
        """What the index was built with (tokenizer, embedder, dim, chunking, format_version)."""
        ...

    def document_hashes(self) -> dict[str, str]:
        """doc_id -> content hash of every document (to skip unchanged files)."""
        ...

    def doc_ids_under(self, source_prefix: str) -> list[str]:
        """Documents whose source is the path or lies under it as a folder."""
        ...

    def has_document(self, doc_id: str) -> bool: ...

    def export(self) -> Iterator[tuple[StoredDocument, list[Chunk], list[list[str]], np.ndarray]]:
        """Every document with its chunks, terms and vectors, as ``StoreWriter.upsert`` takes them."""
        ...


@runtime_checkable
class StoreWriter(Protocol):
    """Stages changes; ``commit`` applies them all or nothing. A context manager: one writer at
    a time (entering fails with IndexLockedError while another holds the index)."""

    def __enter__(self) -> "StoreWriter": ...

    def __exit__(self, *exc: object) -> None: ...

    def init_manifest(self, values: dict[str, str]) -> None:
        """Record what the index is built with (keys already recorded are kept)."""
        ...

    def upsert(self, doc: StoredDocument, chunks: list[Chunk], terms: list[list[str]], vectors: np.ndarray) -> None: ...

    def delete(self, doc_id: str) -> None: ...

    @property
    def pending(self) -> bool: ...

    def commit(self) -> None: ...

    def rebuild(self, embed_missing: Callable[[list[Chunk]], np.ndarray] | None = None) -> None:
        """Rebuild the search structures from the stored chunks; chunks whose vectors are lost
        are embedded again through ``embed_missing``."""
        ...


@runtime_checkable
class Store(StoreReader, Protocol):
    """A whole store: reads, one writer at a time, and closing."""

    read_only: bool

    def writer(self) -> StoreWriter: ...

    def close(self) -> None: ...
