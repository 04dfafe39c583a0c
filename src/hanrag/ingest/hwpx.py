"""한글 HWPX documents (OWPML: a zip of XML sections): paragraphs and tables in order.

Read with the standard library: HWPX is plain zip + XML, so no third-party reader is needed.
Element names are matched without their namespace (hp:p, hp:t, hp:tbl, hp:tr, hp:tc), which
differ between 한글 versions.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from hanrag.errors import IngestError
from hanrag.ingest.tables import TableBlock, pages_from_blocks, rows_to_markdown
from hanrag.ingest.zipguard import open_zip
from hanrag.schema import Page

_SECTION = re.compile(r"^Contents/section(\d+)\.xml$", re.IGNORECASE)
_HEADER = "Contents/header.xml"
_HEADING_STYLE = re.compile(r"(?:개요|제목|Outline|Heading)\s?([1-6])\b", re.IGNORECASE)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def load_hwpx(path: Path) -> list[Page]:
    """One page holding every section's prose (paragraphs in an outline or heading style as
    Markdown headings), then one table page per table (HWPX keeps no fixed page numbers)."""
    with open_zip(path) as archive:
        names = sorted((int(m.group(1)), n) for n in archive.namelist() if (m := _SECTION.match(n)))
        if not names:
            raise IngestError(f"{path}: not an HWPX document (no Contents/section*.xml)")
        levels = _heading_styles(archive.read(_HEADER)) if _HEADER in archive.namelist() else {}
        blocks: list[str | TableBlock] = []
        for _, name in names:
            try:
                root = ET.fromstring(archive.read(name))
            except ET.ParseError as exc:
                raise IngestError(f"{path}: damaged HWPX section {name} ({exc})") from exc
            _walk(root, blocks, levels)
    return pages_from_blocks(blocks)


def _heading_styles(header: bytes) -> dict[str, int]:
    """Paragraph style id -> heading level, for the styles named 개요 1-6 / 제목 1-6 / Outline n / Heading n."""
    try:
        root = ET.fromstring(header)
    except ET.ParseError:
        return {}
    levels = {}
    for style in (n for n in root.iter() if _local(n.tag) == "style"):
        names = f"{style.get('name', '')} {style.get('engName', '')}"
        if match := _HEADING_STYLE.search(names):
            levels[style.get("id", "")] = int(match.group(1))
    return levels


def _walk(element: ET.Element, blocks: list[str | TableBlock], levels: dict[str, int]) -> None:
    for child in element:
        tag = _local(child.tag)
        if tag == "tbl":
            blocks.append(TableBlock(_table(child)))
        elif tag == "p":
            text = _paragraph_text(child)
            level = levels.get(child.get("styleIDRef", ""))
            if text:
                blocks.append(f"{'#' * level} {text}" if level else text)
            for nested in child.iter():  # tables anchored inside a paragraph's run
                if _local(nested.tag) == "tbl":
                    blocks.append(TableBlock(_table(nested)))
        else:
            _walk(child, blocks, levels)


def _paragraph_text(paragraph: ET.Element) -> str:
    parts: list[str] = []
    for node in paragraph.iter():
        tag = _local(node.tag)
        if tag == "tbl":
            break
        if tag == "t":
            parts.append("".join(node.itertext()))
    return " ".join("".join(parts).split())


def _table(table: ET.Element) -> str:
    rows = []
    for tr in (n for n in table.iter() if _local(n.tag) == "tr"):
        cells = []
        for tc in (n for n in tr if _local(n.tag) == "tc"):
            cells.append(" ".join(_paragraph_text(p) for p in tc.iter() if _local(p.tag) == "p"))
        rows.append(cells)
    return rows_to_markdown(rows)
