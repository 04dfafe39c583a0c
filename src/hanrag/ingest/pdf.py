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
    return strip_running_lines(texted)


_DIGITS = re.compile(r"\d+")
_ZONE = 2  # lines at the top and at the bottom of a page where running headers/footers sit


def strip_running_lines(pages: list[Page]) -> list[Page]:
    """Remove running headers and footers: lines in the top or bottom zone of a page that recur,
    page numbers aside, on at least 60% of the pages (and on 3 or more)."""
    if len(pages) < 3:
        return pages
    counts: dict[str, int] = {}
    zones = []
    for page in pages:
        lines = page.text.split("\n")
        content = [i for i, line in enumerate(lines) if line.strip()]
        # A page must keep a body: short pages only offer their first and last line.
        width = _ZONE if len(content) > 2 * _ZONE else 1
        zone = set(content[:width] + content[-width:])
        zones.append((lines, zone))
        for key in {_DIGITS.sub("#", lines[i].strip()) for i in zone}:
            counts[key] = counts.get(key, 0) + 1
    needed = max(3, int(0.6 * len(pages) + 0.999))
    running = {key for key, n in counts.items() if n >= needed}
    if not running:
        return pages
    out = []
    for page, (lines, zone) in zip(pages, zones):
        kept = [line for i, line in enumerate(lines) if not (i in zone and _DIGITS.sub("#", line.strip()) in running)]
        out.append(Page(text="\n".join(kept).strip("\n"), number=page.number, heading=page.heading))
    return [p for p in out if p.text.strip()]


_SPACES = re.compile(r"[ \t\u00a0]+")


def _clean(text: str) -> str:
    """Drop NULs and the layout padding pypdf emits (runs of spaces, indented lines)."""
    text = text.replace("\x00", "").replace("\r\n", "\n")
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
