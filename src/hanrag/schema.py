"""Plain data records passed between components and returned to callers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Page:
    """Text of one page (PDF), one section (Markdown, with its heading path) or a whole file."""

    text: str
    number: int | None = None
    heading: str | None = None
    kind: str = "text"  # "text", or "table" for a Markdown table kept as its own chunk


@dataclass(frozen=True)
class Chunk:
    """A retrievable piece of a document."""

    chunk_id: str
    doc_id: str
    source: str
    text: str
    page: int | None = None
    start: int = 0
    end: int = 0
    title: str | None = None
    kind: str = "text"  # "text" or "table"
    summary: str | None = None  # an LLM's short summary of a table, indexed with it
    modified: float | None = None  # the source file's modification time (Unix seconds)


@dataclass(frozen=True)
class ComponentScore:
    """What one retriever said about a chunk: raw score and 1-based rank."""

    score: float
    rank: int


@dataclass(frozen=True)
class ScoreBreakdown:
    """Every component's contribution to a hit; None where a component did not retrieve it."""

    bm25: ComponentScore | None
    dense: ComponentScore | None
    fused: float
    rerank: float | None = None


@dataclass(frozen=True)
class SearchHit:
    """One ranked result."""

    rank: int
    chunk: Chunk
    score: float
    scores: ScoreBreakdown

    def to_dict(self) -> dict[str, Any]:
        """The `search --json` form of DESIGN §3."""
        return {
            "rank": self.rank,
            "chunk_id": self.chunk.chunk_id,
            "doc_id": self.chunk.doc_id,
            "source": self.chunk.source,
            "page": self.chunk.page,
            "title": self.chunk.title,
            "kind": self.chunk.kind,
            "modified": _iso(self.chunk.modified),
            "text": self.chunk.text,
            "summary": self.chunk.summary,
            "score": self.score,
            "scores": {
                "bm25": asdict(self.scores.bm25) if self.scores.bm25 else None,
                "dense": asdict(self.scores.dense) if self.scores.dense else None,
                "fused": self.scores.fused,
                "rerank": self.scores.rerank,
            },
        }


@dataclass(frozen=True)
class DocumentInfo:
    """A document held by the index."""

    doc_id: str
    source: str
    pages: int
    chunks: int
    modified: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "modified": _iso(self.modified)}


@dataclass
class IndexReport:
    """What one `add` or `remove` call changed."""

    added: int = 0
    updated: int = 0
    skipped: int = 0
    removed: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # indexed, but not completely

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "skipped": self.skipped,
            "removed": self.removed,
            "errors": [{"source": s, "error": e} for s, e in self.errors],
            "warnings": [{"source": s, "warning": w} for s, w in self.warnings],
        }


@dataclass(frozen=True)
class Citation:
    """A source the answer cites as [n]."""

    n: int
    chunk: Chunk

    def to_dict(self) -> dict[str, Any]:
        c = self.chunk
        return {"n": self.n, "chunk_id": c.chunk_id, "doc_id": c.doc_id, "source": c.source, "page": c.page, "text": c.text}


@dataclass
class Answer:
    """A grounded answer: text with [n] markers, the sources it cites, and every retrieved hit."""

    answer: str
    refused: bool
    citations: list[Citation]
    hits: list[SearchHit]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The `ask --json` form of DESIGN §3 (plus ``warnings``)."""
        return {
            "answer": self.answer,
            "refused": self.refused,
            "citations": [c.to_dict() for c in self.citations],
            "hits": [h.to_dict() for h in self.hits],
            "warnings": self.warnings,
        }


def _iso(timestamp: float | None) -> str | None:
    """Unix seconds as local ISO 8601 time (seconds precision), for JSON output."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp).astimezone().isoformat(timespec="seconds")
