"""PDF text in reading order with page numbers, and ruled tables as Markdown (pdfplumber).

Each page's text holds one paragraph per line: lines wrapped by the layout are joined back,
with a space or, where a word was broken across the line, without one
(``hanrag.ingest.pdf_paragraphs``, ``hanrag.ingest.unwrap``).

pdfplumber was chosen over PyMuPDF after measuring both (bench/pdf_tables.py,
docs/benchmarks.md): it found the same tables, ran faster with table detection on, and is
MIT-licensed where PyMuPDF is AGPL.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from hanrag.errors import IngestError
from hanrag.ingest.base import warn
from hanrag.ingest.pdf_layout import LaidLine, group_lines, laid_lines
from hanrag.ingest.pdf_paragraphs import line_gaps
from hanrag.ingest.tables import rows_to_markdown
from hanrag.ingest.unwrap import rejoin
from hanrag.schema import Page

# pdfminer logs a warning per odd object in damaged files; without a handler of the
# application's own, Python would print them all to stderr. A NullHandler (added once, no
# level changed) stops that fallback and leaves an application's logging untouched.
for _name in ("pdfminer", "pdfplumber"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

_CAPTION_GAP = 30.0  # points above a table where a caption line ("<표 1> ...") may sit


def load_pdf(path: Path) -> list[Page]:
    """Text pages (numbered from 1, running headers/footers removed, columns in order, one
    paragraph per line with wrapped lines joined) and one ``kind="table"`` page per table,
    carrying the number of the page it sits on."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    text_pages: list[tuple[int, list[LaidLine]]] = []
    table_pages: list[Page] = []
    blank: list[int] = []
    try:
        with pdfplumber.open(path) as pdf:
            if not pdf.pages:
                raise IngestError(f"{path}: PDF has no pages")
            for number, page in enumerate(pdf.pages, 1):
                lines, tables, has_graphics = _read_page(page, number)
                if lines:
                    text_pages.append((number, lines))
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
    pages = _paragraphs(text_pages) + table_pages
    return sorted(pages, key=lambda p: (p.number or 0, p.kind != "text"))


def _paragraphs(text_pages: list[tuple[int, list[LaidLine]]]) -> list[Page]:
    """Running headers and footers dropped, then the lines of each page joined into paragraphs
    (a word wrapped across pages is kept whole on the earlier page)."""
    running = running_lines([[line.text for line in lines] for _, lines in text_pages],
                            [[line.top for line in lines] for _, lines in text_pages])
    kept = [[line for i, line in enumerate(lines) if i not in drop] for (_, lines), drop in zip(text_pages, running)]
    numbered = [(number, lines) for (number, _), lines in zip(text_pages, kept) if lines]
    gaps, page_gaps = line_gaps([lines for _, lines in numbered])
    texts = rejoin([[line.text for line in lines] for _, lines in numbered], gaps, page_gaps)
    return [Page(text=text, number=number) for (number, _), text in zip(numbered, texts) if text.strip()]


def _read_page(page: Any, number: int) -> tuple[list[LaidLine], list[Page], bool]:
    """(body lines outside tables, table pages, whether the page has images or drawings)."""
    tables = [t for t in page.find_tables() if _is_real_table(t)]
    body = page
    if tables:
        boxes = [t.bbox for t in tables]
        body = page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes))
    words = body.extract_words(keep_blank_chars=False, use_text_flow=False)
    lines = [replace(line, text=text) for line in laid_lines(words, float(page.width)) if (text := _clean(line.text))]
    table_pages = []
    for table in tables:
        markdown = rows_to_markdown(table.extract())
        if markdown:
            table_pages.append(Page(text=markdown, number=number, heading=_caption(words, table.bbox), kind="table"))
    has_graphics = bool(page.images or page.rects or page.curves)
    return lines, table_pages, has_graphics


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
_RUNNING_DRIFT = 6.0  # points a running line may move from page to page


def strip_running_lines(pages: list[Page]) -> list[Page]:
    """Remove running headers and footers from page texts (see ``running_lines``)."""
    page_lines = [page.text.split("\n") for page in pages]
    drops = running_lines(page_lines)
    if not any(drops):
        return pages
    out = []
    for page, lines, drop in zip(pages, page_lines, drops):
        kept = [line for i, line in enumerate(lines) if i not in drop]
        out.append(Page(text="\n".join(kept).strip("\n"), number=page.number, heading=page.heading, kind=page.kind))
    return [p for p in out if p.text.strip()]


def running_lines(pages: list[list[str]], tops: list[list[float]] | None = None) -> list[set[int]]:
    """Per page, the indices of its running header and footer lines: lines in the top or bottom
    zone of a page that recur, page numbers aside, on at least 60% of the pages (and on 3 or more).
    With ``tops`` (each line's position), a line away from where its text usually recurs (the
    title on a first page without a running header) is not one of them."""
    if len(pages) < 3:
        return [set() for _ in pages]
    counts: dict[str, int] = {}
    zones = []
    for lines in pages:
        content = [i for i, line in enumerate(lines) if line.strip()]
        # A page must keep a body: short pages only offer their first and last line.
        width = _ZONE if len(content) > 2 * _ZONE else 1
        zone = set(content[:width] + content[-width:])
        zones.append(zone)
        for key in {_DIGITS.sub("#", lines[i].strip()) for i in zone}:
            counts[key] = counts.get(key, 0) + 1
    needed = max(3, int(0.6 * len(pages) + 0.999))
    running = {key for key, n in counts.items() if n >= needed}
    usual = _usual_tops(pages, zones, tops, running) if tops is not None else {}
    out = []
    for p, (lines, zone) in enumerate(zip(pages, zones)):
        # Each running line is dropped once per page: a body title may repeat the running header.
        dropped: set[str] = set()
        drop: set[int] = set()
        for i in sorted(zone):
            key = _DIGITS.sub("#", lines[i].strip())
            if key in usual and tops is not None and abs(tops[p][i] - usual[key]) > _RUNNING_DRIFT:
                continue
            if key in running and key not in dropped:
                dropped.add(key)
                drop.add(i)
        out.append(drop)
    return out


def _usual_tops(
    pages: list[list[str]], zones: list[set[int]], tops: list[list[float]], running: set[str]
) -> dict[str, float]:
    """Where each running line usually sits on the page (the median of its positions)."""
    seen: dict[str, list[float]] = {}
    for lines, zone, page_tops in zip(pages, zones, tops):
        for i in zone:
            key = _DIGITS.sub("#", lines[i].strip())
            if key in running:
                seen.setdefault(key, []).append(page_tops[i])
    return {key: sorted(values)[len(values) // 2] for key, values in seen.items()}


_SPACES = re.compile(r"[ \t\u00a0]+")


def _clean(text: str) -> str:
    """Drop NULs and layout padding (runs of spaces)."""
    return _SPACES.sub(" ", text.replace("\x00", "")).strip()
