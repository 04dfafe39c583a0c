"""Packing sentences into chunks of bounded size with overlap, page by page."""

from __future__ import annotations

from collections.abc import Sequence

from hanrag.ingest.tables import split_markdown_table, table_header
from hanrag.schema import Chunk, Page
from hanrag.text.sentences import split_sentences


def chunk_pages(
    pages: Sequence[Page],
    doc_id: str,
    source: str,
    size: int = 500,
    overlap: int = 100,
    threads: int = 1,
    title: str | None = None,
) -> list[Chunk]:
    """Chunks of at most ``size`` characters that end on sentence boundaries.

    Consecutive chunks share up to ``overlap`` characters of whole sentences. Chunks never
    cross pages, so each keeps its page number; ``start``/``end`` are offsets in the page text.
    A sentence longer than ``size`` is cut at whitespace near the limit.
    """
    prose = [page for page in pages if page.kind != "table"]
    spans_per_page = iter(split_sentences([page.text for page in prose], threads=threads))
    chunks: list[Chunk] = []
    for page in pages:
        if page.kind == "table":
            chunks.extend(_table_chunks(page, doc_id, source, size, title, first=len(chunks)))
            continue
        spans = next(spans_per_page)
        for start, end in pack_spans(_bounded(spans, page.text, size), size, overlap):
            text = page.text[start:end].strip()
            if not text:
                continue
            lead = len(page.text[start:end]) - len(page.text[start:end].lstrip())
            chunks.append(
                Chunk(
                    chunk_id=f"{doc_id}#{len(chunks)}",
                    doc_id=doc_id,
                    source=source,
                    text=text,
                    page=page.number,
                    start=start + lead,
                    end=start + lead + len(text),
                    title=page.heading or title,
                )
            )
    return chunks


def _table_chunks(page: Page, doc_id: str, source: str, size: int, title: str | None, first: int) -> list[Chunk]:
    """A table stays whole when it fits; a longer one is cut between rows, each piece
    repeating the header row so its cells keep their column names."""
    pieces = split_markdown_table(page.text, size)
    header = table_header(page.text)
    chunks = []
    for i, (start, end) in enumerate(pieces):
        text = page.text[start:end] if start == 0 else f"{header}\n{page.text[start:end]}"
        chunks.append(
            Chunk(
                chunk_id=f"{doc_id}#{first + i}", doc_id=doc_id, source=source, text=text, page=page.number,
                start=start, end=end, title=page.heading or title, kind="table",
            )
        )
    return chunks


def pack_spans(spans: Sequence[tuple[int, int]], size: int, overlap: int) -> list[tuple[int, int]]:
    """Greedy packing of sentence spans into (start, end) windows."""
    windows: list[tuple[int, int]] = []
    current: list[tuple[int, int]] = []
    for span in spans:
        if current and span[1] - current[0][0] > size:
            windows.append((current[0][0], current[-1][1]))
            current = _overlap_tail(current, overlap, limit=size - (span[1] - span[0]))
        current.append(span)
    if current:
        windows.append((current[0][0], current[-1][1]))
    return windows


def _overlap_tail(spans: list[tuple[int, int]], overlap: int, limit: int) -> list[tuple[int, int]]:
    tail: list[tuple[int, int]] = []
    budget = min(overlap, limit)
    for span in reversed(spans):
        if spans[-1][1] - span[0] > budget:
            break
        tail.insert(0, span)
    return tail


def _bounded(spans: Sequence[tuple[int, int]], text: str, size: int) -> list[tuple[int, int]]:
    """Cut sentences longer than ``size`` into pieces, preferring whitespace."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        while end - start > size:
            cut = text.rfind(" ", start + size // 2, start + size)
            if cut <= start:
                cut = start + size
            out.append((start, cut))
            start = cut
        out.append((start, end))
    return out
