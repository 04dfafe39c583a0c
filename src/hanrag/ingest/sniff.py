"""What a file is, from its content: uploads are typed by their bytes, not by their names.

Hand-rolled because the format sniffers on PyPI (filetype, puremagic) know neither HWP nor
HWPX and cannot tell a DOCX from any other zip; the checks are a few magic numbers.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePath

from hanrag.errors import UnsupportedTypeError

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: HWP 5 (and old .doc/.xls, refused by the HWP reader)
_TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".csv", ".tsv", ".html", ".htm"}


def sniff_suffix(path: Path, name: str) -> str:
    """The loader suffix for the file at ``path``, judged by its content.

    ``name`` (what the user called it) only chooses among text formats (.md, .csv...), where
    the bytes cannot tell. UnsupportedTypeError for content hanrag does not read.
    """
    claimed = PurePath(name).suffix.lower()
    with path.open("rb") as handle:
        data = handle.read(65536)
    if not data:
        raise UnsupportedTypeError(f"{name}: empty file")
    if data.startswith(b"%PDF-"):
        return ".pdf"
    if data.startswith(_OLE):
        return ".hwp"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(path, name)
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return ".html"
    # Text is taken as text only when the name says so (or says nothing): "report.pdf" or
    # "setup.exe" holding text is not what its sender thinks it is.
    if _looks_like_text(data[:65536]) and (claimed in _TEXT_SUFFIXES or not claimed):
        return claimed or ".txt"
    raise UnsupportedTypeError(
        f"{name}: not a supported document (PDF, HWP, HWPX, DOCX, HTML, Markdown, text, CSV)"
    )


def _zip_kind(path: Path, name: str) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype")[:64].strip().startswith(b"application/hwp+zip"):
                return ".hwpx"
            if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
                return ".docx"
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        pass
    raise UnsupportedTypeError(f"{name}: a zip archive that is neither DOCX nor HWPX")


def _looks_like_text(sample: bytes) -> bool:
    """UTF-8/16 or CP949 text without binary control bytes."""
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in sample:
        return False
    for encoding in ("utf-8", "cp949"):
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if encoding == "utf-8" and exc.start >= len(sample) - 3:  # a character cut at the sample's end
                return True
    return False
