"""Plain data records passed between components and returned to callers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import PurePath
from collections.abc import Mapping
from typing import Any, Union

from hanrag.text.highlight import Match


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
    title: str | None = None  # the section path: headings, then the article ("제4장 ... > 제60조(...)")
    # "text", "table", "toc" for a table of contents (ranked last, never quoted), or "front" for a law's title
    # block (name, 시행일, 법률 번호, ministry desks: ranked last unless a question asks for such a fact)
    kind: str = "text"
    summary: str | None = None  # an LLM's short summary of a table, indexed with it
    modified: float | None = None  # the source file's modification time (Unix seconds)

    @property
    def name(self) -> str:
        """The file name shown to people (the source without its folders)."""
        return PurePath(self.source).name or self.source

    @property
    def section(self) -> str | None:
        """Where in the document the chunk sits: its heading path, e.g. "제4장 > 제60조(연차 유급휴가)"."""
        return self.title


@dataclass(frozen=True)
class ComponentScore:
    """What one retriever said about a chunk: raw score and 1-based rank."""

    score: float
    rank: int


@dataclass(frozen=True)
class ScoreBreakdown:
    """Every component's contribution to a hit: per retriever (by name, only those that retrieved
    it) its raw score and rank, then the fused and the reranker's score."""

    components: Mapping[str, ComponentScore]
    fused: float
    rerank: float | None = None

    @property
    def bm25(self) -> ComponentScore | None:
        return self.components.get("bm25")

    @property
    def dense(self) -> ComponentScore | None:
        return self.components.get("dense")

    def to_dict(self) -> dict[str, Any]:
        """bm25 and dense always (None when absent), any other retriever by its name."""
        named = {"bm25": None, "dense": None, **{k: asdict(v) for k, v in self.components.items()}}
        return {**named, "fused": self.fused, "rerank": self.rerank}


@dataclass(frozen=True)
class SearchHit:
    """One ranked result."""

    rank: int
    chunk: Chunk
    score: float
    scores: ScoreBreakdown
    matched: tuple[Match, ...] = ()  # the query's terms in chunk.text, for highlighting

    def to_dict(self) -> dict[str, Any]:
        """The `search --json` form of DESIGN §3."""
        return {
            "rank": self.rank,
            "chunk_id": self.chunk.chunk_id,
            "doc_id": self.chunk.doc_id,
            "source": self.chunk.source,
            "name": self.chunk.name,
            "page": self.chunk.page,
            "section": self.chunk.section,
            "title": self.chunk.title,
            "kind": self.chunk.kind,
            "modified": iso_time(self.chunk.modified),
            "text": self.chunk.text,
            "summary": self.chunk.summary,
            "score": self.score,
            "scores": self.scores.to_dict(),
            "matched": [m.to_dict() for m in self.matched],
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
        return {**asdict(self), "name": PurePath(self.source).name or self.source,
                "type": PurePath(self.source).suffix.lstrip(".").lower(), "modified": iso_time(self.modified)}


@dataclass
class IndexReport:
    """What one `add` or `remove` call changed."""

    added: int = 0
    updated: int = 0
    skipped: int = 0
    removed: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # indexed, but not completely
    outcomes: dict[str, str] = field(default_factory=dict)  # source -> added | updated | skipped | failed

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
        return {"n": self.n, "chunk_id": c.chunk_id, "doc_id": c.doc_id, "source": c.source, "name": c.name,
                "page": c.page, "section": c.section, "text": c.text}


@dataclass
class Answer:
    """A grounded answer: text with [n] markers, the sources it cites, and every retrieved hit."""

    answer: str
    refused: bool
    citations: list[Citation]
    hits: list[SearchHit]
    warnings: list[str] = field(default_factory=list)
    question: str | None = None  # what was searched: a follow-up's standalone rewrite, or the question

    def to_dict(self) -> dict[str, Any]:
        """The `ask --json` form of DESIGN §3 (plus ``question`` and ``warnings``)."""
        return {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "citations": [c.to_dict() for c in self.citations],
            "hits": [h.to_dict() for h in self.hits],
            "warnings": self.warnings,
        }


def failed_answer(hits: list[SearchHit], error: str, question: str | None = None) -> dict[str, Any]:
    """The `ask --json` object when answering failed (e.g. the LLM is unreachable): the hits are still given."""
    return {"question": question, "answer": None, "refused": False, "citations": [],
            "hits": [h.to_dict() for h in hits], "warnings": [], "error": error}


# --- what ``Index.ask_stream`` yields, in this order (the HTTP API sends each as an SSE event) ---
@dataclass(frozen=True)
class Rewritten:
    """A follow-up question was rewritten into this standalone question before searching."""

    question: str
    event = "rewrite"

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question}


@dataclass(frozen=True)
class Retrieved:
    """The hits the answer will be grounded in."""

    hits: list[SearchHit]
    event = "hits"

    def to_dict(self) -> dict[str, Any]:
        return {"hits": [h.to_dict() for h in self.hits]}


@dataclass(frozen=True)
class Token:
    """A piece of the answer text as it arrives."""

    text: str
    event = "token"

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text}


@dataclass(frozen=True)
class Done:
    """The complete answer with its citations; always the last event."""

    answer: Answer
    event = "done"

    def to_dict(self) -> dict[str, Any]:
        return self.answer.to_dict()


AnswerEvent = Union[Rewritten, Retrieved, Token, Done]


@dataclass(frozen=True)
class Turn:
    """An earlier question and its answer in a conversation (for follow-up questions)."""

    question: str
    answer: str


def iso_time(timestamp: float | None) -> str | None:
    """Unix seconds as local ISO 8601 time (seconds precision), for JSON output."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp).astimezone().isoformat(timespec="seconds")
