"""Tables as Markdown, the form both BM25 and LLMs read well."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hanrag.schema import Page


def rows_to_markdown(rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table; the first row is the header. Ragged rows are padded, pipes escaped."""
    cleaned = [[" ".join(str(cell or "").split()).replace("|", "\\|") for cell in row] for row in rows]
    cleaned = [row for row in cleaned if any(row)]
    if not cleaned:
        return ""
    width = max(len(row) for row in cleaned)
    padded = [row + [""] * (width - len(row)) for row in cleaned]
    lines = ["| " + " | ".join(padded[0]) + " |", "|" + "---|" * width]
    lines.extend("| " + " | ".join(row) + " |" for row in padded[1:])
    return "\n".join(lines)


def split_markdown_table(table: str, size: int) -> list[tuple[int, int]]:
    """(start, end) spans of ``table`` holding whole rows, each under ``size`` characters where
    possible. Every span after the first lacks the header, so callers prepend it
    (``table_header``) to keep each piece readable on its own."""
    lines = table.split("\n")
    if len(lines) <= 2 or len(table) <= size:
        return [(0, len(table))]
    header_len = len(lines[0]) + 1 + len(lines[1]) + 1
    spans: list[tuple[int, int]] = []
    start = 0
    offset = header_len
    end = header_len
    for line in lines[2:]:
        line_end = offset + len(line)
        if end > header_len and line_end - start + (header_len if start else 0) > size:
            spans.append((start, end))
            start = offset
        end = line_end
        offset = line_end + 1
    spans.append((start, end))
    return spans


def table_header(table: str) -> str:
    """The header row and separator line of a Markdown table."""
    return "\n".join(table.split("\n")[:2])


@dataclass(frozen=True)
class TableBlock:
    """A table met while walking a document, already in Markdown."""

    markdown: str


def pages_from_blocks(blocks: Sequence[str | TableBlock], number: int | None = None) -> list[Page]:
    """One text page of the prose blocks, then one ``kind="table"`` page per table, titled by
    the short block (a heading or caption, as a rule) just before it."""
    prose = [b for b in blocks if isinstance(b, str) and b.strip()]
    pages = [Page(text="\n\n".join(prose), number=number)] if prose else []
    before: str | None = None
    for block in blocks:
        if isinstance(block, TableBlock):
            if block.markdown:
                pages.append(Page(text=block.markdown, number=number, heading=_as_title(before), kind="table"))
        elif block.strip():
            before = block
    return pages


def _as_title(block: str | None) -> str | None:
    if block is None:
        return None
    text = block.strip().lstrip("#").strip()
    return text if 0 < len(text) <= 80 and "\n" not in text else None


def row_sentences(table: str) -> list[str]:
    """Each data row of a Markdown table as one readable line, cells named by their column:
    "지표: 기준금리, 2023년: 3.50%, 2024년: 3.00%". What a quote from a table should look like."""
    rows = [_cells(line) for line in table.split("\n") if line.startswith("|")]
    rows = [row for row in rows if not all(set(cell) <= set("-: ") for cell in row)]  # the |---| line
    if len(rows) < 2:
        return [" ".join(" ".join(row) for row in rows)] if rows else []
    header, body = rows[0], rows[1:]
    out = []
    for row in body:
        parts = [f"{name}: {cell}" if name else cell for name, cell in zip(header + [""] * len(row), row) if cell]
        if parts:
            out.append(", ".join(parts))
    return out


def _cells(line: str) -> list[str]:
    inner = line.strip()[1:-1] if line.strip().endswith("|") else line.strip()[1:]
    cells, current, escaped = [], [], False
    for char in inner:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "|":
            cells.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    cells.append("".join(current).strip())
    return cells
