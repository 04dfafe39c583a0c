"""PDF text in reading order with page numbers, and ruled tables as Markdown (pdfplumber).

pdfplumber was chosen over PyMuPDF after measuring both (bench/pdf_tables.py,
docs/benchmarks.md): it found the same tables, ran faster with table detection on, and is
MIT-licensed where PyMuPDF is AGPL.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hanrag.errors import IngestError
from hanrag.ingest.base import warn
from hanrag.ingest.pdf_layout import group_lines, reading_order
from hanrag.ingest.tables import rows_to_markdown
from hanrag.schema import Page

# pdfminer logs a warning per odd object in damaged files; without a handler of the
# application's own, Python would print them all to stderr. A NullHandler (added once, no
# level changed) stops that fallback and leaves an application's logging untouched.
for _name in ("pdfminer", "pdfplumber"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

_CAPTION_GAP = 30.0  # points above a table where a caption line ("<표 1> ...") may sit


def load_pdf(path: Path) -> list[Page]:
    """Text pages (numbered from 1, running headers/footers removed, columns in order) and one
    ``kind="table"`` page per table, carrying the number of the page it sits on."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    text_pages: list[Page] = []
    table_pages: list[Page] = []
    blank: list[int] = []
    try:
        with pdfplumber.open(path) as pdf:
            if not pdf.pages:
                raise IngestError(f"{path}: PDF has no pages")
            for number, page in enumerate(pdf.pages, 1):
                text, tables, has_graphics = _read_page(page, number)
                if text.strip():
                    text_pages.append(Page(text=text, number=number))
                elif not tables and has_graphics:
                    blank.append(number)
                table_pages.extend(tables)
                page.flush_cache()  # keeps memory flat on long documents
    except IngestError:
        raise
    except PDFPasswordIncorrect as exc:
        raise IngestError(f"{path}: PDF is password-protected") from exc
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many types on damaged files
        # pdfplumber wraps pdfminer's errors in PdfminerException(original).
        cause = next((a for a in exc.args if isinstance(a, BaseException)), None) or exc.__cause__ or exc
        if isinstance(cause, PDFPasswordIncorrect):
            raise IngestError(f"{path}: PDF is password-protected") from exc
        raise IngestError(f"{path}: corrupt or unreadable PDF ({type(cause).__name__}: {cause})") from exc
    if not text_pages and not table_pages:
        raise IngestError(f"{path}: PDF has no text layer (scanned images?); OCR it first, e.g. with ocrmypdf")
    if blank:
        warn(f"{path}: page(s) {_ranges(blank)} have no text layer (scanned?) and were not indexed")
    pages = strip_running_lines(text_pages) + table_pages
    return sorted(pages, key=lambda p: (p.number or 0, p.kind != "text"))


def _read_page(page: Any, number: int) -> tuple[str, list[Page], bool]:
    """(body text outside tables, table pages, whether the page has images or drawings)."""
    tables = [t for t in page.find_tables() if _is_real_table(t)]
    body = page
    if tables:
        boxes = [t.bbox for t in tables]
        body = page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes))
    words = body.extract_words(keep_blank_chars=False, use_text_flow=False)
    text = _clean(reading_order(words, float(page.width)))
    table_pages = []
    for table in tables:
        markdown = rows_to_markdown(table.extract())
        if markdown:
            table_pages.append(Page(text=markdown, number=number, heading=_caption(words, table.bbox), kind="table"))
    has_graphics = bool(page.images or page.rects or page.curves)
    return text, table_pages, has_graphics


def _is_real_table(table: Any) -> bool:
    """Two or more rows and columns with some text: ruled boxes around a paragraph are not tables."""
    rows = table.extract()
    filled = [row for row in rows if sum(1 for cell in row if cell and cell.strip()) >= 1]
    return len(filled) >= 2 and max((len(row) for row in rows), default=0) >= 2


def _inside(obj: dict[str, Any], boxes: Sequence[tuple[float, float, float, float]]) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _caption(words: Sequence[dict[str, Any]], bbox: tuple[float, float, float, float]) -> str | None:
    """The text line right above a table (its caption, as a rule), if close enough."""
    above = [w for w in words if bbox[1] - _CAPTION_GAP <= w["bottom"] <= bbox[1] + 1]
    lines = group_lines(above)
    if not lines:
        return None
    caption = lines[-1].text().strip()
    return caption[:120] or None


def _ranges(numbers: list[int]) -> str:
    parts: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)


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
        # Each running line is dropped once per page: a body title may repeat the running header.
        dropped: set[str] = set()
        kept = []
        for i, line in enumerate(lines):
            key = _DIGITS.sub("#", line.strip())
            if i in zone and key in running and key not in dropped:
                dropped.add(key)
                continue
            kept.append(line)
        out.append(Page(text="\n".join(kept).strip("\n"), number=page.number, heading=page.heading, kind=page.kind))
    return [p for p in out if p.text.strip()]


_SPACES = re.compile(r"[ \t\u00a0]+")


def _clean(text: str) -> str:
    """Drop NULs and layout padding (runs of spaces, indented lines)."""
    text = text.replace("\x00", "").replace("\r\n", "\n")
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
