"""Chunks from pages: by document structure where there is one, else sentences packed to a size.

A document with Korean structure (편/장/절/관, 제N조, 부칙, 별표) or headings is cut at it: a
chunk never straddles two articles, a long article is split at its ① paragraphs (then items,
then lines, then sentences), and every chunk carries its section path in ``title``
("제4장 근로시간과 휴식 > 제60조(연차 유급휴가)"). Headings are in the path, not in the text.
Tables of contents become ``kind="toc"`` chunks, a law's title block (its name, "[시행 …] [법률 제…호]", the
ministry's desks) ``kind="front"``. A document without structure is cut as before:
sentences packed into chunks of bounded size with overlap, page by page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from hanrag.ingest.structure import Paragraph, Role, classify, contents_runs, front_matter
from hanrag.ingest.tables import split_markdown_table, table_header
from hanrag.schema import Chunk, Page
from hanrag.text.sentences import split_sentences

CONTENTS = "목차"
Span = tuple[int, int]


@dataclass
class _Unit:
    """Consecutive paragraphs of one page under one section path: an article, the text between
    two headings, or a table of contents."""

    path: str | None
    kind: str
    paragraphs: list[Paragraph] = field(default_factory=list)

    @property
    def span(self) -> Span:
        return self.paragraphs[0].start, self.paragraphs[-1].end


def chunk_pages(
    pages: Sequence[Page],
    doc_id: str,
    source: str,
    size: int = 500,
    overlap: int = 100,
    threads: int = 1,
    title: str | None = None,
) -> list[Chunk]:
    """Chunks of at most ``size`` characters (a sentence longer than that is cut at whitespace).

    Chunks never cross pages, so each keeps its page number; ``start``/``end`` are offsets in
    the page text. Structured documents are cut at their structure (see the module docstring);
    others at sentence ends, consecutive chunks sharing up to ``overlap`` characters.
    """
    prose = [page for page in pages if page.kind != "table"]
    spans_per_page = iter(split_sentences([page.text for page in prose], threads=threads))
    outlines = _outline(prose, title)
    chunks: list[Chunk] = []

    def add(page: Page, start: int, end: int, path: str | None, kind: str) -> None:
        text = page.text[start:end]
        stripped = text.strip()
        if not stripped:
            return
        start += len(text) - len(text.lstrip())
        chunks.append(
            Chunk(
                chunk_id=f"{doc_id}#{len(chunks)}", doc_id=doc_id, source=source, text=stripped, page=page.number,
                start=start, end=start + len(stripped), title=path, kind=kind,
            )
        )

    prose_index = 0
    for page in pages:
        if page.kind == "table":
            chunks.extend(_table_chunks(page, doc_id, source, size, title, first=len(chunks)))
            continue
        sentences = next(spans_per_page)
        units = outlines[prose_index]
        prose_index += 1
        if units is None:  # no structure in the document: sentences packed with overlap
            for start, end in pack_spans(_bounded(sentences, page.text, size), size, overlap):
                add(page, start, end, page.heading or title, "text")
            continue
        for unit in units:
            for start, end in _split_unit(unit.paragraphs, Role.CLAUSE, size, overlap, sentences, page.text):
                add(page, start, end, unit.path, unit.kind)
    return chunks


def _outline(pages: Sequence[Page], title: str | None) -> list[list[_Unit] | None]:
    """Each page's units with their section paths (None for every page when the document has no
    structure). The heading path carries over from page to page."""
    classified = []
    structured = False
    for page in pages:
        paragraphs = _paragraphs(page)
        lines = [page.text[p.start : p.end] for p in paragraphs]
        contents = {i for first, last in contents_runs(lines) for i in range(first, last)}
        structured = structured or bool(contents) or any(p.role <= Role.ARTICLE for p in paragraphs)
        classified.append((page, paragraphs, contents, front_matter(lines)))
    if not structured:
        return [None] * len(pages)
    out: list[list[_Unit] | None] = []
    trail: list[tuple[int, str]] = []
    base: str | None = None
    for page, paragraphs, contents, front in classified:
        if page.heading != base:  # a Markdown section: its heading path is the base of the trail
            base, trail = page.heading, []
        root = [base or title] if (base or title) else []
        units: list[_Unit] = []
        current: _Unit | None = None
        for i, paragraph in enumerate(paragraphs):
            kind = "toc" if i in contents else "front" if i in front else "text"
            if kind == "text" and paragraph.role in (Role.HEADING, Role.ARTICLE):
                trail = [(level, label) for level, label in trail if level < paragraph.level]
                trail.append((paragraph.level, paragraph.label))
                current = None
                if paragraph.role == Role.HEADING:
                    continue
            if current is None or current.kind != kind:
                labels = [CONTENTS] if kind == "toc" else [label for _, label in trail]
                current = _Unit(" > ".join(root + labels) or None, kind)
                units.append(current)
            current.paragraphs.append(paragraph)
        out.append(units)
    return out


def _paragraphs(page: Page) -> list[Paragraph]:
    """The page's non-empty lines (one paragraph each), classified."""
    out = []
    offset = 0
    for line in page.text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        if not line.strip():
            continue
        role, level, label = classify(line, markdown=page.heading is None)
        out.append(Paragraph(start, end, role, level, label))
    return out


def _split_unit(
    paragraphs: Sequence[Paragraph], cut_at: Role, size: int, overlap: int, sentences: Sequence[Span], text: str
) -> list[Span]:
    """Spans covering the paragraphs, each within ``size`` if possible: cut before paragraphs of
    role ``cut_at`` or stronger, pieces packed greedily; a piece still too long is cut at the next
    weaker role, and at last at sentences."""
    start, end = paragraphs[0].start, paragraphs[-1].end
    if end - start <= size:
        return [(start, end)]
    if cut_at > Role.TEXT:
        inside = [s for s in ((max(a, start), min(b, end)) for a, b in sentences) if s[0] < s[1]]
        return pack_spans(_bounded(inside or [(start, end)], text, size), size, overlap)
    groups: list[list[Paragraph]] = []
    for paragraph in paragraphs:
        if not groups or paragraph.role <= cut_at:
            groups.append([])
        groups[-1].append(paragraph)
    pieces: list[list[Paragraph]] = []
    for group in groups:
        if pieces and group[-1].end - pieces[-1][0].start <= size:
            pieces[-1].extend(group)
        else:
            pieces.append(list(group))
    out: list[Span] = []
    for piece in pieces:
        out.extend(_split_unit(piece, Role(cut_at + 1), size, overlap, sentences, text))
    return out


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


def pack_spans(spans: Sequence[Span], size: int, overlap: int) -> list[Span]:
    """Greedy packing of sentence spans into (start, end) windows."""
    windows: list[Span] = []
    current: list[Span] = []
    for span in spans:
        if current and span[1] - current[0][0] > size:
            windows.append((current[0][0], current[-1][1]))
            current = _overlap_tail(current, overlap, limit=size - (span[1] - span[0]))
        current.append(span)
    if current:
        windows.append((current[0][0], current[-1][1]))
    return windows


def _overlap_tail(spans: list[Span], overlap: int, limit: int) -> list[Span]:
    tail: list[Span] = []
    budget = min(overlap, limit)
    for span in reversed(spans):
        if spans[-1][1] - span[0] > budget:
            break
        tail.insert(0, span)
    return tail


def _bounded(spans: Sequence[Span], text: str, size: int) -> list[Span]:
    """Cut sentences longer than ``size`` into pieces, preferring whitespace."""
    out: list[Span] = []
    for start, end in spans:
        while end - start > size:
            cut = text.rfind(" ", start + size // 2, start + size)
            if cut <= start:
                cut = start + size
            out.append((start, cut))
            start = cut
        out.append((start, end))
    return out
