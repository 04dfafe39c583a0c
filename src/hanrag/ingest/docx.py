"""Word (.docx) documents: paragraphs and tables in reading order (python-docx)."""

from __future__ import annotations

from pathlib import Path

from hanrag.errors import IngestError
from hanrag.ingest.tables import TableBlock, pages_from_blocks, rows_to_markdown
from hanrag.ingest.zipguard import open_zip
from hanrag.schema import Page


def load_docx(path: Path) -> list[Page]:
    """One page of prose (headings as Markdown headings), then one table page per table."""
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise IngestError(f"{path}: reading .docx needs python-docx") from exc
    open_zip(path).close()
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx raises KeyError, ValueError, lxml errors...
        raise IngestError(f"{path}: corrupt or unreadable DOCX ({type(exc).__name__}: {exc})") from exc
    blocks: list[str | TableBlock] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            text = item.text.strip()
            if not text:
                continue
            style = (item.style.name if item.style is not None else "") or ""
            if style.startswith("Heading") and style[-1:].isdigit():
                text = "#" * int(style[-1]) + " " + text
            blocks.append(text)
        elif isinstance(item, Table):
            rows = [[cell.text for cell in row.cells] for row in item.rows]
            blocks.append(TableBlock(rows_to_markdown(rows)))
    return pages_from_blocks(blocks)
