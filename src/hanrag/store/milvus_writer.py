"""The Milvus store's writer: staged upserts and deletes applied by ``commit``.

Milvus has no transaction across rows or collections, so a commit is a sequence of requests in an
order chosen for recovery: a ``commit_pending`` mark, then the changed documents' rows removed
from ``_docs``, their chunks deleted and the new ones inserted, then the new document rows, then
the statistics, then the mark cleared. A commit interrupted midway leaves every touched document
absent from the document list (so the next ``hanrag index`` adds it again, its hash being
unknown), and the next writer, seeing the mark, deletes chunks whose document is gone and counts
the statistics again from the chunks. Readers during a commit may see part of it.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from hanrag.errors import IndexLockedError, StoreError
from hanrag.schema import Chunk
from hanrag.store.stats import StatsDelta
from hanrag.store import milvus_bm25 as bm25
from hanrag.store.base import StoredDocument
from hanrag.store.lock import WriterLock
from hanrag.store.milvus_filters import quote
from hanrag.store.milvus_schema import PLACEHOLDER, TEXT_MAX, row_key

if TYPE_CHECKING:
    from hanrag.store.milvus import MilvusStore

FORMAT_VERSION = "milvus-1"
DRIFT = 1.2  # largest ratio between the avgdl a stored weight assumes and today's
_BATCH = 500
_IN_PROCESS: dict[str, threading.Lock] = {}  # one writer per index within this process, too
_IN_PROCESS_GUARD = threading.Lock()


class MilvusWriter:
    """Stages document changes and applies them on ``commit``."""

    def __init__(self, store: "MilvusStore") -> None:
        self._store = store
        key = f"{store.target.uri}#{store.prefix}"
        with _IN_PROCESS_GUARD:
            self._local_lock = _IN_PROCESS.setdefault(key, threading.Lock())
        # Across processes only milvus-lite can be locked (a file beside the .db); on a server,
        # running one writer per collection is the deployment's job (docs/milvus.md).
        self._file_lock = WriterLock(Path(f"{store.target.uri}.{store.prefix}.lock")) if store.target.lite else None
        self._removed: list[str] = []
        self._added: dict[str, tuple[StoredDocument, list[Chunk], list[list[str]], np.ndarray]] = {}

    def __enter__(self) -> "MilvusWriter":
        if not self._local_lock.acquire(blocking=False):
            raise IndexLockedError(f"{self._store.where} is being written by another writer in this process")
        try:
            if self._file_lock is not None:
                self._file_lock.acquire()
            if self._store.manifest().get("commit_pending"):
                self._recover()
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._release()

    def _release(self) -> None:
        if self._file_lock is not None:
            self._file_lock.release()
        if self._local_lock.locked():
            self._local_lock.release()

    # --- staging ---------------------------------------------------------------------------
    def init_manifest(self, values: dict[str, str]) -> None:
        """Record what the index is built with (keys already recorded are kept)."""
        known = self._store.manifest()
        new = {k: v for k, v in {"format_version": FORMAT_VERSION, **values}.items() if k not in known}
        self._set_meta(new)

    def upsert(self, doc: StoredDocument, chunks: list[Chunk], terms: list[list[str]], vectors: np.ndarray) -> None:
        self._added.pop(doc.doc_id, None)  # a later upsert of the same document wins
        self._added[doc.doc_id] = (doc, chunks, terms, np.asarray(vectors, dtype=np.float32))

    def delete(self, doc_id: str) -> None:
        self._removed.append(doc_id)
        self._added.pop(doc_id, None)

    @property
    def pending(self) -> bool:
        return bool(self._removed or self._added)

    # --- commit ----------------------------------------------------------------------------
    def commit(self) -> None:
        if not self.pending:
            return
        try:
            self._apply()
        finally:
            self._removed.clear()
            self._added.clear()

    def _apply(self) -> None:
        store = self._store
        added = list(self._added.values())
        rows, doc_rows = [], []
        stats = _Stats(store)
        new_terms = [t for _, _, terms, _ in added for t in terms]
        touched = list(dict.fromkeys(self._removed + [doc.doc_id for doc, *_ in added]))
        self._set_meta({"commit_pending": "1"})
        if store.has_chunks():
            old = store.query_in("chunks", "doc_id", touched, ["terms"])
            stats.remove([r["terms"].split() for r in old])
        chunks_after = stats.chunks + len(new_terms)
        avgdl = (stats.terms + sum(map(len, new_terms))) / chunks_after if chunks_after else 1.0
        for doc, chunks, terms, vectors in added:
            doc_rows.append(_doc_row(doc, len(chunks)))
            rows.extend(_chunk_row(doc, c, t, v, avgdl, i) for i, (c, t, v) in enumerate(zip(chunks, terms, vectors)))
        self._delete_in("docs", "pk", [row_key(d) for d in touched])
        if store.has_chunks():
            self._delete_in("chunks", "doc_id", touched)
        if rows:
            store.ensure_chunks(len(rows[0]["dense"]))
            for start in range(0, len(rows), _BATCH):
                store.call("insert chunks", store.client.insert, store.chunks_name, rows[start : start + _BATCH],
                           timeout=store.timeout)
        for start in range(0, len(doc_rows), _BATCH):
            store.call("insert documents", store.client.upsert, f"{store.prefix}_docs",
                       doc_rows[start : start + _BATCH], timeout=store.timeout)
        stats.add(new_terms)
        stats.save(self._set_meta)
        self._reweight_if_drifted(stats, avgdl)
        store.call("finish the commit", store.client.delete, f"{store.prefix}_meta",
                   filter='key == "commit_pending"', timeout=store.timeout)

    def _delete_in(self, collection: str, column: str, values: Sequence[str]) -> None:
        store = self._store
        for start in range(0, len(values), _BATCH):
            part = values[start : start + _BATCH]
            store.call(f"delete from {collection}", store.client.delete, f"{store.prefix}_{collection}",
                       filter=f"{column} in [{', '.join(quote(v) for v in part)}]", timeout=store.timeout)

    def _set_meta(self, values: dict[str, str]) -> None:
        if values:
            store = self._store
            store.call("write the manifest", store.client.upsert, f"{store.prefix}_meta",
                       [{"key": k, "value": str(v), "placeholder": PLACEHOLDER} for k, v in values.items()],
                       timeout=store.timeout)

    # --- recovery and rebuild --------------------------------------------------------------
    def _recover(self) -> None:
        """After an interrupted commit: drop chunks of documents that are gone, count again."""
        store = self._store
        if store.has_chunks():
            known = set(store.document_hashes())
            orphans = {r["doc_id"] for r in store.query("chunks", 'pk != ""', ["doc_id"])} - known
            self._delete_in("chunks", "doc_id", sorted(orphans))
        self.rebuild()
        store.call("finish recovery", store.client.delete, f"{store.prefix}_meta",
                   filter='key == "commit_pending"', timeout=store.timeout)

    def _reweight_if_drifted(self, stats: "_Stats", written_with: float) -> None:
        """Keep every stored weight within DRIFT of today's avgdl (else the candidate cut can
        miss a chunk whose weight was computed with a very different average length)."""
        meta = self._store.manifest()
        low = min(float(meta.get("weights_avgdl_low", written_with)), written_with)
        high = max(float(meta.get("weights_avgdl_high", written_with)), written_with)
        now = stats.terms / stats.chunks if stats.chunks else 1.0
        if max(high / now, now / low) > DRIFT:
            self._reweight(now)
            low = high = now
        self._set_meta({"weights_avgdl_low": repr(low), "weights_avgdl_high": repr(high)})

    def _reweight(self, avgdl: float) -> None:
        """Every chunk's sparse weights again with ``avgdl`` (rows are written whole in Milvus 2.5)."""
        store = self._store
        keys = [r["pk"] for r in store.query("chunks", 'pk != ""', ["pk"])]
        for start in range(0, len(keys), _BATCH):
            full = store.query_in("chunks", "pk", keys[start : start + _BATCH], ["*"])
            for row in full:
                row["sparse"] = bm25.chunk_vector(row["terms"].split(), avgdl)
            store.call("rewrite chunks", store.client.upsert, store.chunks_name, full, timeout=store.timeout)

    def rebuild(self, embed_missing: Callable[[list[Chunk]], np.ndarray] | None = None) -> None:
        """Statistics, document chunk counts and sparse BM25 weights again from the stored chunks.
        Vectors live in Milvus with their chunks, so ``embed_missing`` is never needed."""
        store = self._store
        stats = _Stats(store, fresh=True)
        avgdl = 1.0
        if store.has_chunks():
            rows = store.query("chunks", 'pk != ""', ["doc_id", "terms"])
            stats.add([r["terms"].split() for r in rows])
            avgdl = stats.terms / stats.chunks if stats.chunks else 1.0
            self._reweight(avgdl)
            counts = Counter(r["doc_id"] for r in rows)
            docs = store.query("docs", 'pk != ""', ["*"])
            for row in docs:
                row["chunks"] = counts.get(row["doc_id"], 0)
            for start in range(0, len(docs), _BATCH):
                store.call("rewrite documents", store.client.upsert, f"{store.prefix}_docs",
                           docs[start : start + _BATCH], timeout=store.timeout)
        stats.save(self._set_meta)
        self._set_meta({"weights_avgdl_low": repr(avgdl), "weights_avgdl_high": repr(avgdl)})


def _checked_text(value: str, what: str, chunk_id: str) -> str:
    if len(value.encode()) > TEXT_MAX:
        raise StoreError(f"chunk {chunk_id}: its {what} is longer than Milvus's {TEXT_MAX}-byte VARCHAR limit; "
                         "use a smaller chunk size")
    return value


def _doc_row(doc: StoredDocument, chunks: int) -> dict:
    return {"pk": row_key(doc.doc_id), "doc_id": doc.doc_id, "source": doc.source, "content_hash": doc.content_hash, "pages": doc.pages,
            "title": doc.title or "", "has_title": doc.title is not None, "modified": float(doc.modified or 0.0),
            "has_modified": doc.modified is not None, "chunks": chunks, "indexed_at": time.time(),
            "placeholder": PLACEHOLDER}


def _chunk_row(doc: StoredDocument, chunk: Chunk, terms: list[str], vector: np.ndarray, avgdl: float,
               position: int) -> dict:
    title = chunk.title if chunk.title is not None else doc.title  # what a title filter sees, as locally
    return {
        "pk": row_key(chunk.chunk_id), "chunk_id": chunk.chunk_id, "doc_id": doc.doc_id, "source": doc.source,
        "text": _checked_text(chunk.text, "text", chunk.chunk_id),
        "terms": _checked_text(" ".join(terms), "terms", chunk.chunk_id),
        "title": chunk.title or "", "has_title": chunk.title is not None,
        "title_lc": (title or "").lower(), "kind": chunk.kind, "kind_lc": chunk.kind.lower(),
        "summary": _checked_text(chunk.summary or "", "summary", chunk.chunk_id),
        "has_summary": chunk.summary is not None, "page": int(chunk.page or 0), "has_page": chunk.page is not None,
        "start": int(chunk.start), "end": int(chunk.end), "length": len(terms), "position": position,
        "modified": float(doc.modified or 0.0), "has_modified": doc.modified is not None,
        "sparse": bm25.chunk_vector(terms, avgdl), "dense": np.asarray(vector, dtype=np.float32).tolist(),
    }


class _Stats(StatsDelta):
    """The BM25 statistics, saved into the terms and meta collections."""

    def __init__(self, store: "MilvusStore", fresh: bool = False) -> None:
        super().__init__({} if fresh else store.manifest())
        self._store = store
        self._fresh = fresh

    def save(self, set_meta: Callable[[dict[str, str]], None]) -> None:
        store = self._store
        name = f"{store.prefix}_terms"
        if self._fresh:
            store.call("clear term statistics", store.client.delete, name, filter='pk != ""', timeout=store.timeout)
            current: dict[str, int] = {}
        else:
            current = store.df([t for t, d in self.df.items() if d])
        after = {t: current.get(t, 0) + d for t, d in self.df.items() if d or self._fresh}
        live = [{"pk": row_key(t), "df": v, "placeholder": PLACEHOLDER} for t, v in after.items() if v > 0]
        gone = [row_key(t) for t, v in after.items() if v <= 0 and t in current]
        for start in range(0, len(live), 5 * _BATCH):
            store.call("write term statistics", store.client.upsert, name, live[start : start + 5 * _BATCH],
                       timeout=store.timeout)
        for start in range(0, len(gone), _BATCH):
            part = gone[start : start + _BATCH]
            store.call("write term statistics", store.client.delete, name,
                       filter=f"pk in [{', '.join(quote(t) for t in part)}]", timeout=store.timeout)
        version = int(store.manifest().get("version", 0)) + 1
        set_meta({"live_chunks": str(self.chunks), "live_terms": str(self.terms), "version": str(version)})
