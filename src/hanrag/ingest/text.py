"""Plain text and Markdown, with encoding detection (UTF-8/16, CP949/EUC-KR, others)."""

from __future__ import annotations

import re
from pathlib import Path

from hanrag.errors import IngestError
from hanrag.ingest.unwrap import unwrap_text
from hanrag.schema import Page

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode text of unknown encoding; returns (text, encoding).

    Order: BOM, strict UTF-8, strict CP949 (a superset of EUC-KR and by far the most
    common legacy encoding of Korean files), then charset-normalizer's best guess.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding
    for encoding in ("utf-8", "cp949"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise UnicodeDecodeError("unknown", data[:1], 0, 1, "no text encoding fits")
    return str(best), best.encoding


def load_text(path: Path) -> list[Page]:
    """The whole file as one page; paragraphs hard-wrapped at a fixed width are joined back."""
    [page] = read_text(path)
    return [Page(text=unwrap_text(page.text))]


def read_text(path: Path) -> list[Page]:
    """The whole file as one page, as it is."""
    data = path.read_bytes()
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(f"{path}: looks like a binary file, not text")
    try:
        text, _ = decode_bytes(data)
    except UnicodeDecodeError as exc:
        raise IngestError(f"{path}: cannot detect the text encoding") from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [Page(text=text)]


def load_csv(path: Path) -> list[Page]:
    """A CSV/TSV file as a Markdown table (first row as header), encoding detected."""
    import csv
    import io

    from hanrag.ingest.tables import rows_to_markdown

    [page] = read_text(path)
    try:
        dialect = csv.Sniffer().sniff(page.text[:4096], delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    rows = list(csv.reader(io.StringIO(page.text), dialect))
    return [Page(text=rows_to_markdown(rows))]


_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def load_markdown(path: Path) -> list[Page]:
    """Markdown split at headings ("by title"): one page per section, carrying its heading
    path (상위 제목 > 하위 제목) so every chunk knows where it sits."""
    [page] = read_text(path)
    sections: list[Page] = []
    trail: list[tuple[int, str]] = []
    lines: list[str] = []
    in_code = False

    def close() -> None:
        text = "\n".join(lines).strip()
        if text:
            sections.append(Page(text=text, heading=" > ".join(t for _, t in trail) or None))

    for line in page.text.split("\n"):
        if line.lstrip().startswith("```"):
            in_code = not in_code
        match = None if in_code else _HEADING.match(line)
        if match:
            close()
            lines = []
            level = len(match.group(1))
            trail = [(lvl, t) for lvl, t in trail if lvl < level] + [(level, match.group(2))]
        lines.append(line)
    close()
    return sections or [page]
