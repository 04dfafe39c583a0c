"""Loader choice by file suffix."""

from __future__ import annotations

from pathlib import Path

from hanrag.errors import IngestError
from hanrag.ingest.base import Loader
from hanrag.ingest.docx import load_docx
from hanrag.ingest.html import load_html
from hanrag.ingest.hwp import load_hwp
from hanrag.ingest.hwpx import load_hwpx
from hanrag.ingest.pdf import load_pdf
from hanrag.ingest.text import load_csv, load_markdown, load_text
from hanrag.schema import Page

LOADERS: dict[str, Loader] = {
    ".txt": load_text,
    ".text": load_text,
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".pdf": load_pdf,
    ".docx": load_docx,
    ".hwp": load_hwp,
    ".hwpx": load_hwpx,
    ".html": load_html,
    ".htm": load_html,
    ".csv": load_csv,
    ".tsv": load_csv,
}
SUPPORTED_SUFFIXES = frozenset(LOADERS)


def load_file(path: Path) -> list[Page]:
    """Pages of a supported file; IngestError for anything else or for empty content."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise IngestError(f"{path}: unsupported file type '{path.suffix}' (supported: {', '.join(sorted(LOADERS))})")
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise IngestError(f"{path}: empty file")
    try:
        pages = loader(path)
    except PermissionError as exc:
        raise IngestError(f"{path}: permission denied") from exc
    if not any(page.text.strip() for page in pages):
        raise IngestError(f"{path}: no text in file")
    return pages
