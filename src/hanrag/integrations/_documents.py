"""What the LlamaIndex and LangChain integrations share: indexing their documents with their
metadata, hits as plain metadata, and hits rebuilt from that metadata."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hanrag.index import Index, Record, SourceFile
from hanrag.ingest import SUPPORTED_SUFFIXES
from hanrag.registry import create_reranker
from hanrag.rerank.base import Reranker
from hanrag.schema import ComponentScore, IndexReport, ScoreBreakdown, SearchHit

# Per-document metadata that hanrag's own store has no column for, kept beside the index.
_METADATA_FILE = "integrations.sqlite"
# The hit fields an LLM prompt shows with each chunk; the rest (ids, scores) stays out of prompts.
PROMPT_KEYS = ("name", "page", "section")


@dataclass(frozen=True)
class Incoming:
    """A framework's document: its id, text, metadata, and the file it was read from (if known)."""

    id: str | None
    text: str
    metadata: dict[str, Any]
    file: str | None = None


def add_documents(index: Index, documents: Iterable[Incoming], read_files: bool = True) -> IndexReport:
    """Index documents, keeping their metadata (it comes back with every hit from them).

    With ``read_files``, documents read from a file that still exists, of a type hanrag reads,
    are indexed from that file by hanrag's own loaders (pages, sections and tables of Korean PDFs, HWP...), once per
    file, with the metadata all its documents share; the others are indexed as their text.
    """
    files: dict[Path, list[Incoming]] = {}
    records: list[Record] = []
    metadata: dict[str, dict[str, Any]] = {}
    for doc in documents:
        path = Path(doc.file).expanduser() if read_files and doc.file else None
        if path is not None and path.suffix.lower() in SUPPORTED_SUFFIXES and path.is_file():
            files.setdefault(path.resolve(), []).append(doc)
        elif doc.text.strip():
            doc_id = doc.id or "text-" + hashlib.sha1(doc.text.encode("utf-8")).hexdigest()[:16]
            title = doc.metadata.get("title")
            records.append(Record(doc_id, doc.text, title=str(title) if title else None))
            metadata[doc_id] = doc.metadata
    report = IndexReport()
    if files:
        sources = {path: SourceFile.at(path) for path in files}
        _merge(report, index.add_files(list(sources.values())))
        metadata.update({sources[path].doc_id: _shared(group) for path, group in files.items()})
    if records:
        _merge(report, index.add_records(records, chunk=True))
    DocumentMetadata(index.settings.index).put(metadata)
    return report


class DocumentMetadata:
    """Metadata of documents added through an integration, by doc id (SQLite: safe across threads and processes)."""

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / _METADATA_FILE

    def put(self, items: dict[str, dict[str, Any]]) -> None:
        if not items:
            return
        with closing(sqlite3.connect(self.path, timeout=30)) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS metadata (doc_id TEXT PRIMARY KEY, json TEXT NOT NULL)")
            db.executemany(
                "INSERT OR REPLACE INTO metadata VALUES (?, ?)",
                [(doc_id, json.dumps(meta, ensure_ascii=False, default=str)) for doc_id, meta in items.items()],
            )

    def get(self, doc_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        wanted = sorted(set(doc_ids))
        if not wanted or not self.path.is_file():
            return {}
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            try:
                rows = db.execute(
                    f"SELECT doc_id, json FROM metadata WHERE doc_id IN ({','.join('?' * len(wanted))})", wanted
                ).fetchall()
            except sqlite3.OperationalError:  # no table yet
                return {}
        return {doc_id: json.loads(text) for doc_id, text in rows}


def hit_metadata(hits: Sequence[SearchHit], index: Index) -> list[dict[str, Any]]:
    """Each hit as metadata: its document's own metadata, then hanrag's fields (which win on a clash)."""
    documents = DocumentMetadata(index.settings.index).get(h.chunk.doc_id for h in hits)
    out = []
    for hit in hits:
        data = hit.to_dict()
        fields = {key: data[key] for key in ("chunk_id", "doc_id", "source", "name", "page", "section", "rank", "score",
                                             "scores")}
        out.append({**documents.get(hit.chunk.doc_id, {}), **fields})
    return out


def hits_from(index: Index, items: Sequence[tuple[str, dict[str, Any]]]) -> list[SearchHit]:
    """Hits rebuilt from (chunk id, metadata) pairs that ``hit_metadata`` made (scores kept; others get none)."""
    hits: list[SearchHit] = []
    for chunk_id, meta in items:
        scores = meta.get("scores") or {}
        score = float(meta.get("score") or 0.0)
        components = {name: _component(value) for name, value in scores.items()
                      if name not in ("fused", "rerank") and value}
        breakdown = ScoreBreakdown(components, fused=float(scores.get("fused", score)), rerank=scores.get("rerank"))
        hits.append(SearchHit(rank=len(hits) + 1, chunk=index.chunk(chunk_id), score=score, scores=breakdown))
    return hits


def _component(value: Any) -> ComponentScore:
    return ComponentScore(score=float(value["score"]), rank=int(value["rank"]))


def _shared(group: list[Incoming]) -> dict[str, Any]:
    """The metadata every document of one file agrees on (drops per-page keys such as page_label)."""
    first, rest = group[0].metadata, group[1:]
    return {k: v for k, v in first.items() if all(k in d.metadata and d.metadata[k] == v for d in rest)}


def _merge(total: IndexReport, part: IndexReport) -> None:
    total.added += part.added
    total.updated += part.updated
    total.skipped += part.skipped
    total.removed += part.removed
    total.errors.extend(part.errors)
    total.warnings.extend(part.warnings)
    total.outcomes.update(part.outcomes)


def resolve_reranker(reranker: Any) -> Reranker:
    """A reranker object, or one made from a spec string ('tei:http://...', 'cross-encoder:...')."""
    made = create_reranker(reranker) if isinstance(reranker, str) else reranker
    if made is None:
        raise ValueError("HanragReranker needs a reranker, not 'none'")
    return made
