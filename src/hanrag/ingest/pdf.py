"""PDF text with page numbers (pypdf)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from hanrag.errors import IngestError
from hanrag.schema import Page


def load_pdf(path: Path) -> list[Page]:
    """One Page per PDF page that has text, numbered from 1."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(f"{path}: PDF is password-protected")
        pages = [Page(text=_clean(page.extract_text() or ""), number=i) for i, page in enumerate(reader.pages, 1)]
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError) as exc:
        raise IngestError(f"{path}: corrupt or unreadable PDF ({type(exc).__name__}: {exc})") from exc
    if not pages:
        raise IngestError(f"{path}: PDF has no pages")
    texted = [p for p in pages if p.text.strip()]
    if not texted:
        raise IngestError(f"{path}: PDF has no text layer (scanned images?); OCR it first")
    return texted


_SPACES = re.compile(r"[ \t\u00a0]+")


def _clean(text: str) -> str:
    """Drop NULs and the layout padding pypdf emits (runs of spaces, indented lines)."""
    text = text.replace("\x00", "").replace("\r\n", "\n")
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
