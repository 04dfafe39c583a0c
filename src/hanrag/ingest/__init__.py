"""Loading files into pages and splitting pages into chunks."""

from hanrag.ingest.chunker import chunk_pages
from hanrag.ingest.loaders import SUPPORTED_SUFFIXES, load_file

__all__ = ["SUPPORTED_SUFFIXES", "chunk_pages", "load_file"]
