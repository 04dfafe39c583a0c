"""한글 HWP 5 documents: the text of the BodyText sections, tables as Markdown.

HWP 5 is an OLE compound file (read with olefile, BSD-licensed) whose ``BodyText/Section<n>``
streams are raw-deflate compressed sequences of tagged records (Hancom's published format
specification, "한글 문서 파일 형식 5.0"). The readers on PyPI are AGPL (pyhwp) or unmaintained,
so the record walk is implemented here: paragraphs come from PARA_TEXT records, tables from the
CTRL_HEADER 'tbl ' subtree (TABLE gives the grid, each LIST_HEADER starts a cell), and headers
and footers are skipped as running text.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from hanrag.errors import IngestError
from hanrag.ingest.tables import TableBlock, pages_from_blocks, rows_to_markdown
from hanrag.ingest.unwrap import unwrap_blocks
from hanrag.schema import Page

SIGNATURE = b"HWP Document File"
_COMPRESSED, _PASSWORD, _DISTRIBUTION = 0x1, 0x2, 0x4
MAX_SECTION_BYTES = 256 * 1024 * 1024  # decompressed; larger is treated as a decompression bomb

HWPTAG_BEGIN = 0x10
PARA_TEXT = HWPTAG_BEGIN + 51
CTRL_HEADER = HWPTAG_BEGIN + 55
LIST_HEADER = HWPTAG_BEGIN + 56
TABLE = HWPTAG_BEGIN + 61

# Control characters (code < 32) that occupy 8 code units: inline and extended controls.
_WIDE_CONTROLS = frozenset({1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23})
_SKIPPED_CONTROLS = frozenset({"head", "foot"})  # running headers/footers
_SECTION = re.compile(r"^Section(\d+)$")


class Record(NamedTuple):
    tag: int
    level: int
    payload: bytes


def load_hwp(path: Path) -> list[Page]:
    """One page of prose (HWP keeps no fixed page numbers), then one table page per table."""
    import olefile

    if not olefile.isOleFile(str(path)):
        raise IngestError(f"{path}: not an HWP 5 document (HWP 3 and older are not supported; save as HWPX)")
    try:
        with olefile.OleFileIO(str(path)) as ole:
            if not ole.exists("FileHeader"):
                raise IngestError(f"{path}: not an HWP document (no FileHeader stream)")
            header = ole.openstream("FileHeader").read()
            if not header.startswith(SIGNATURE) or len(header) < 40:
                raise IngestError(f"{path}: not an HWP document (bad signature)")
            flags = struct.unpack_from("<I", header, 36)[0]
            if flags & _PASSWORD:
                raise IngestError(f"{path}: HWP document is password-protected")
            if flags & _DISTRIBUTION:
                raise IngestError(
                    f"{path}: HWP distribution document (배포용 문서): its text is encrypted; save it as HWPX or PDF in 한글"
                )
            sections = sorted(
                (int(m.group(1)), entry)
                for entry in ole.listdir(streams=True, storages=False)
                if len(entry) == 2 and entry[0] == "BodyText" and (m := _SECTION.match(entry[1]))
            )
            if not sections:
                raise IngestError(f"{path}: HWP document without BodyText sections")
            blocks: list[str | TableBlock] = []
            for _, entry in sections:
                data = ole.openstream(entry).read()
                if len(data) < ole.get_size(entry):
                    raise IngestError(f"{path}: corrupt or unreadable HWP (section {'/'.join(entry)} is truncated)")
                if flags & _COMPRESSED:
                    data = _inflate(data, path, "/".join(entry))
                blocks.extend(section_blocks(list(iter_records(data))))
    except IngestError:
        raise
    except (OSError, struct.error, ValueError, IndexError) as exc:
        raise IngestError(f"{path}: corrupt or unreadable HWP ({type(exc).__name__}: {exc})") from exc
    return pages_from_blocks(unwrap_blocks(blocks))


def _inflate(data: bytes, path: Path, name: str) -> bytes:
    inflater = zlib.decompressobj(-15)  # raw deflate, no zlib header
    try:
        out = inflater.decompress(data, MAX_SECTION_BYTES)
    except zlib.error as exc:
        raise IngestError(f"{path}: damaged HWP section {name} ({exc})") from exc
    if inflater.unconsumed_tail:
        raise IngestError(f"{path}: refused: section {name} inflates beyond {MAX_SECTION_BYTES >> 20} MB")
    return out


def iter_records(data: bytes) -> Iterator[Record]:
    """The tagged records of a section stream: a 32-bit header (tag 10 bits, level 10, size 12;
    size 0xFFF means a 32-bit size follows), then the payload."""
    offset = 0
    while offset + 4 <= len(data):
        (header,) = struct.unpack_from("<I", data, offset)
        offset += 4
        tag, level, size = header & 0x3FF, (header >> 10) & 0x3FF, header >> 20
        if size == 0xFFF:
            (size,) = struct.unpack_from("<I", data, offset)
            offset += 4
        if offset + size > len(data):
            raise ValueError(f"record {tag} at byte {offset} runs past the end of the section")
        yield Record(tag, level, data[offset : offset + size])
        offset += size


def section_blocks(records: Sequence[Record]) -> list[str | TableBlock]:
    """Paragraph texts and tables in document order."""
    blocks: list[str | TableBlock] = []
    i = 0
    while i < len(records):
        record = records[i]
        if record.tag == PARA_TEXT:
            text = paragraph_text(record.payload)
            if text:
                blocks.append(text)
        elif record.tag == CTRL_HEADER:
            end = _subtree_end(records, i)
            control = record.payload[:4][::-1].decode("latin-1")
            if control == "tbl ":
                blocks.append(TableBlock(_table(records[i + 1 : end], record.level)))
            elif control not in _SKIPPED_CONTROLS:
                blocks.extend(section_blocks(records[i + 1 : end]))  # footnotes, text boxes...
            i = end
            continue
        i += 1
    return blocks


def _subtree_end(records: Sequence[Record], start: int) -> int:
    end = start + 1
    while end < len(records) and records[end].level > records[start].level:
        end += 1
    return end


def paragraph_text(payload: bytes) -> str:
    """A paragraph's text without its control characters (tabs and line breaks kept as such)."""
    units = struct.unpack(f"<{len(payload) // 2}H", payload[: len(payload) // 2 * 2])
    kept: list[int] = []
    i = 0
    while i < len(units):
        unit = units[i]
        if unit >= 32:
            kept.append(unit)
            i += 1
            continue
        if unit == 9:
            kept.append(0x09)
        elif unit == 10:
            kept.append(0x0A)
        elif unit in (30, 31):  # bound space, fixed-width space
            kept.append(0x20)
        i += 8 if unit in _WIDE_CONTROLS else 1
    raw = struct.pack(f"<{len(kept)}H", *kept)
    text = raw.decode("utf-16-le", errors="replace")
    return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()


def _table(records: Sequence[Record], level: int) -> str:
    """A Markdown table from a 'tbl ' control's records (cells placed by their row/column address)."""
    n_rows = n_cols = 0
    cells: list[tuple[tuple[int, int] | None, list[str]]] = []
    for record in records:
        if record.tag == TABLE and record.level == level + 1 and len(record.payload) >= 8:
            n_rows, n_cols = struct.unpack_from("<HH", record.payload, 4)
        elif record.tag == LIST_HEADER and record.level == level + 1:
            cells.append((_cell_address(record.payload, n_rows, n_cols), []))
        elif record.tag == PARA_TEXT and cells:
            text = paragraph_text(record.payload)
            if text:
                cells[-1][1].append(text)
    if not cells:
        return ""
    n_cols = n_cols or 1
    n_rows = max(n_rows, (len(cells) + n_cols - 1) // n_cols)
    grid = [[""] * n_cols for _ in range(n_rows)]
    for k, (address, texts) in enumerate(cells):
        row, col = address if address is not None else divmod(k, n_cols)
        if row < n_rows and col < n_cols:
            grid[row][col] = " ".join(texts)
    return rows_to_markdown(grid)


def _cell_address(payload: bytes, n_rows: int, n_cols: int) -> tuple[int, int] | None:
    """(row, column) of a cell. The cell properties follow the list header, which is 8 bytes in
    files seen in the wild (the specification says 6); either is accepted when it fits the grid."""
    for offset in (8, 6):
        if len(payload) >= offset + 4:
            col, row = struct.unpack_from("<HH", payload, offset)
            if row < n_rows and col < n_cols:
                return row, col
    return None
