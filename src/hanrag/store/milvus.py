"""The Milvus store: the Store protocol over Milvus standalone, a cluster, or milvus-lite.

``MilvusStore("http://host:19530")`` (credentials from HANRAG_MILVUS_TOKEN, or HANRAG_MILVUS_USER
and HANRAG_MILVUS_PASSWORD) or ``MilvusStore("/path/index.db")`` (milvus-lite, in this process:
one process may open a .db at a time). Collections and BM25 are described in
``store.milvus_schema`` and ``store.milvus_bm25``; writes in ``store.milvus_writer``.

Reads have no snapshot across calls (Milvus offers none): ``snapshot()`` is a no-op, and a read
racing a commit may see part of it. Every read uses consistency level Strong.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import numpy as np

from hanrag.errors import BackendError, InputError
from hanrag.retrieve.bm25 import Bm25Params, idf
from hanrag.retrieve.filters import Condition
from hanrag.schema import Chunk, DocumentInfo
from hanrag.store import milvus_bm25 as bm25
from hanrag.store.base import Ranking, StoredDocument
from hanrag.store.milvus_filters import NOTHING, DocumentMeta, compile_conditions, quote
from hanrag.store.milvus_schema import (
    Target, connect, create_chunk_collection, create_side_collections, import_pymilvus, row_key,
)

T = TypeVar("T")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,200}$")
_CHUNK_FIELDS = ["chunk_id", "doc_id", "source", "text", "page", "has_page", "start", "end", "title", "has_title",
                 "kind", "summary", "has_summary", "modified", "has_modified"]
_BATCH = 500  # ids per "in [...]" expression


class MilvusStore:
    """One hanrag index in Milvus: collections ``<collection>_chunks``, ``_docs``, ``_terms``, ``_meta``."""

    read_only = False

    def __init__(self, uri: str, collection: str = "hanrag", *, token: str | None = None,
                 dense_index: dict | None = None, timeout: float = 60.0) -> None:
        if not _NAME.match(collection):
            raise InputError(f"Milvus collection name '{collection}': letters, digits and _ only, not starting "
                             "with a digit")
        self.target = Target.parse(uri, token)
        self.prefix = collection
        self.timeout = timeout
        # FLAT is exact and is what milvus-lite 2.5 offers; a server gets HNSW unless told otherwise.
        self.dense_index = dense_index or ({"index_type": "FLAT"} if self.target.lite else
                                           {"index_type": "HNSW", "params": {"M": 16, "efConstruction": 200}})
        self.client = connect(self.target, timeout)
        self._docs_cache: tuple[int, list[dict]] = (-1, [])
        self._cache_lock = threading.Lock()
        self._has_chunks = False
        self.call("open the index", create_side_collections, self.client, self.prefix)

    # --- plumbing ------------------------------------------------------------------------
    @property
    def where(self) -> str:
        return f"milvus-lite {self.target.uri}" if self.target.lite else f"Milvus {self.target.uri}"

    def call(self, doing: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one client call; a failure becomes one BackendError line."""
        try:
            return fn(*args, **kwargs)
        except import_pymilvus().MilvusException as exc:
            message = getattr(exc, "message", None) or str(exc)
            raise BackendError(f"{self.where} failed to {doing}: {message.splitlines()[0][:300]}") from exc

    @property
    def chunks_name(self) -> str:
        return f"{self.prefix}_chunks"

    def has_chunks(self) -> bool:
        if not self._has_chunks:
            self._has_chunks = bool(self.call("list collections", self.client.has_collection, self.chunks_name))
        return self._has_chunks

    def ensure_chunks(self, dim: int) -> None:
        if not self.has_chunks():
            self.call("create the chunk collection", create_chunk_collection, self.client, self.chunks_name, dim,
                      self.dense_index)
            self._has_chunks = True

    def query(self, collection: str, expr: str, fields: list[str]) -> list[dict]:
        """Every row of ``collection`` matching ``expr`` (paged; any number of rows)."""
        iterator = self.call("read", self.client.query_iterator, f"{self.prefix}_{collection}", batch_size=1000,
                             filter=expr, output_fields=fields, timeout=self.timeout)
        rows: list[dict] = []
        try:
            while batch := self.call("read", iterator.next):
                rows.extend(batch)
        finally:
            iterator.close()
        return rows

    def query_in(self, collection: str, column: str, values: Sequence[str], fields: list[str]) -> list[dict]:
        rows: list[dict] = []
        for start in range(0, len(values), _BATCH):
            part = values[start : start + _BATCH]
            rows.extend(self.call("read", self.client.query, f"{self.prefix}_{collection}",
                                  filter=f"{column} in [{', '.join(quote(v) for v in part)}]",
                                  output_fields=fields, timeout=self.timeout))
        return rows

    def close(self) -> None:
        try:
            self.client.close()
        except Exception:  # closing a client whose server already died must not hide the first error
            pass

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """No-op: Milvus has no multi-request snapshot (see the module docstring)."""
        yield

    # --- manifest and statistics ---------------------------------------------------------
    def manifest(self) -> dict[str, str]:
        return {r["key"]: r["value"] for r in self.query("meta", 'key != ""', ["key", "value"])}

    def version(self) -> int:
        found = self.query_in("meta", "key", ["version"], ["value"])
        return int(found[0]["value"]) if found else 0

    def stats(self) -> tuple[int, float]:
        """(live chunks, mean terms per chunk)."""
        values = {r["key"]: r["value"] for r in self.query_in("meta", "key", ["live_chunks", "live_terms"],
                                                                ["key", "value"])}
        n = int(values.get("live_chunks", 0))
        return n, (int(values.get("live_terms", 0)) / n if n else 0.0)

    def df(self, terms: Sequence[str]) -> dict[str, int]:
        distinct = list(dict.fromkeys(terms))
        keys = {row_key(t): t for t in distinct}
        rows = self.query_in("terms", "pk", list(keys), ["pk", "df"])
        return {keys[r["pk"]]: int(r["df"]) for r in rows if r["pk"] in keys}

    def idf(self, terms: Sequence[str]) -> np.ndarray:
        n, _ = self.stats()
        df = self.df(terms)
        return idf(n, np.asarray([df.get(t, 0) for t in terms], dtype=np.float64))

    def count(self) -> int:
        return self.stats()[0]

    def is_empty(self) -> bool:
        return self.count() == 0

    # --- documents -----------------------------------------------------------------------
    def _document_rows(self) -> list[dict]:
        version = self.version()
        with self._cache_lock:
            if self._docs_cache[0] == version:
                return self._docs_cache[1]
        rows = self.query("docs", 'pk != ""', ["doc_id", "source", "content_hash", "pages", "chunks",
                                                     "modified", "has_modified"])
        with self._cache_lock:
            self._docs_cache = (version, rows)
        return rows

    def documents(self, doc_id: str | None = None) -> list[DocumentInfo]:
        rows = [r for r in self._document_rows() if doc_id is None or r["doc_id"] == doc_id]
        return [DocumentInfo(doc_id=r["doc_id"], source=r["source"], pages=int(r["pages"]), chunks=int(r["chunks"]),
                             modified=r["modified"] if r["has_modified"] else None)
                for r in sorted(rows, key=lambda r: r["source"])]

    def document_hashes(self) -> dict[str, str]:
        return {r["doc_id"]: r["content_hash"] for r in self._document_rows()}

    def doc_ids_under(self, source_prefix: str) -> list[str]:
        folder = source_prefix.rstrip("/") + "/"
        return [r["doc_id"] for r in self._document_rows()
                if r["source"] == source_prefix or r["source"].startswith(folder)]

    def has_document(self, doc_id: str) -> bool:
        return bool(self.query_in("docs", "pk", [row_key(doc_id)], ["pk"]))

    # --- chunks --------------------------------------------------------------------------
    def fetch(self, chunk_ids: Sequence[str]) -> dict[str, Chunk]:
        if not self.has_chunks():
            return {}
        rows = self.query_in("chunks", "pk", [row_key(str(i)) for i in chunk_ids], _CHUNK_FIELDS)
        return {r["chunk_id"]: _chunk(r) for r in rows}

    def retrieve(
        self,
        terms: Sequence[str] | None,
        vector: np.ndarray | None,
        conditions: Sequence[Condition] | None,
        retrievers: Sequence[str],
        n: int,
        bm25: Bm25Params = Bm25Params(),
    ) -> dict[str, Ranking]:
        """Top ``n`` chunk ids with raw scores from "bm25" and/or "dense" among the chunks passing
        ``conditions`` (a Milvus expression applied inside the search, before the cut)."""
        expr = None
        if conditions:
            documents = [DocumentMeta(r["doc_id"], r["source"], r["modified"] if r["has_modified"] else None)
                         for r in self._document_rows()]
            expr = compile_conditions(list(conditions), documents)
        found: dict[str, Ranking] = {}
        for name in retrievers:
            if name == "bm25":
                found[name] = self._bm25(terms or [], expr, n, bm25)
            elif name == "dense" and vector is not None:
                found[name] = self._dense(vector, expr, n)
        return found

    def _search(self, field: str, data: Any, expr: str | None, limit: int, fields: list[str]) -> list[dict]:
        hits = self.call("search", self.client.search, self.chunks_name, data=[data], anns_field=field,
                         limit=limit, filter=expr or "", output_fields=fields,
                         search_params={"metric_type": "IP", "params": self._search_params(field, limit)},
                         timeout=self.timeout)
        return list(hits[0]) if hits else []

    def _search_params(self, field: str, limit: int) -> dict:
        if field == "dense" and self.dense_index.get("index_type") == "HNSW":
            return {"ef": max(64, limit)}
        return {}

    def _dense(self, vector: np.ndarray, expr: str | None, n: int) -> Ranking:
        if expr == NOTHING or n <= 0 or not self.has_chunks():
            return Ranking.empty()
        hits = self._search("dense", np.asarray(vector, dtype=np.float32).tolist(), expr, min(n, 16_384), ["chunk_id"])
        return _ranking([(h["entity"]["chunk_id"], float(h["distance"])) for h in hits], n)

    def _bm25(self, terms: Sequence[str], expr: str | None, n: int, params: Bm25Params) -> Ranking:
        if not terms or expr == NOTHING or n <= 0 or not self.has_chunks():
            return Ranking.empty()
        total, avgdl = self.stats()
        df = self.df(terms)
        if not df:
            return Ranking.empty()
        term_idf = dict(zip(df, idf(total, np.fromiter(df.values(), np.float64, len(df))).tolist()))
        hits = self._search("sparse", bm25.query_vector(terms, term_idf), expr, bm25.candidates(n), ["chunk_id", "terms"])
        scores = bm25.rescore(terms, [h["entity"]["terms"].split() for h in hits], total, avgdl, df, params)
        return _ranking([(h["entity"]["chunk_id"], float(s)) for h, s in zip(hits, scores.tolist()) if s > 0.0], n)

    def export(self, batch: int = 100) -> Iterator[tuple[StoredDocument, list[Chunk], list[list[str]], np.ndarray]]:
        """Every document with its chunks, terms and vectors, in the order they were given: what
        ``StoreWriter.upsert`` takes, so an index moves to another store without re-embedding."""
        rows = sorted(self.query("docs", 'pk != ""', ["*"]), key=lambda r: r["source"])
        dim = int(self.manifest().get("dim") or 0)
        for start in range(0, len(rows), batch):
            part = rows[start : start + batch]
            chunks: dict[str, list[dict]] = {r["doc_id"]: [] for r in part}
            if self.has_chunks():
                for row in self.query_in("chunks", "doc_id", list(chunks), ["*"]):
                    chunks[row["doc_id"]].append(row)
            for doc in part:
                found = sorted(chunks[doc["doc_id"]], key=lambda r: r["position"])
                stored = StoredDocument(doc["doc_id"], doc["source"], doc["content_hash"], int(doc["pages"]),
                                        doc["title"] if doc["has_title"] else None,
                                        doc["modified"] if doc["has_modified"] else None)
                vectors = np.asarray([r["dense"] for r in found], dtype=np.float32).reshape(len(found), dim)
                yield stored, [_chunk(r) for r in found], [r["terms"].split() for r in found], vectors

    def writer(self) -> Any:
        """The one writer (IndexLockedError while another holds a milvus-lite index)."""
        from hanrag.store.milvus_writer import MilvusWriter

        return MilvusWriter(self)


def _ranking(scored: list[tuple[str, float]], n: int) -> Ranking:
    """Best first, ties by chunk id (the order is then the same on every deployment)."""
    scored = sorted(scored, key=lambda pair: (-pair[1], pair[0]))[:n]
    if not scored:
        return Ranking.empty()
    return Ranking(np.asarray([c for c, _ in scored], dtype=str), np.asarray([s for _, s in scored], dtype=np.float32))


def _chunk(row: dict) -> Chunk:
    return Chunk(
        chunk_id=row["chunk_id"], doc_id=row["doc_id"], source=row["source"], text=row["text"],
        page=int(row["page"]) if row["has_page"] else None, start=int(row["start"]), end=int(row["end"]),
        title=row["title"] if row["has_title"] else None, kind=row["kind"],
        summary=row["summary"] if row["has_summary"] else None,
        modified=row["modified"] if row["has_modified"] else None,
    )
