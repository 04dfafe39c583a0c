"""Refusing zip archives (DOCX, HWPX) that would expand to something huge: zip bombs."""

from __future__ import annotations

import zipfile
from pathlib import Path

from hanrag.errors import IngestError

MAX_UNCOMPRESSED = 512 * 1024 * 1024  # bytes, whole archive
MAX_RATIO = 200  # uncompressed / compressed, per member
MAX_MEMBERS = 10_000


def open_zip(path: Path) -> zipfile.ZipFile:
    """Open an Office-style zip container after checking its declared sizes."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError(f"{path}: not a valid {path.suffix.lstrip('.').upper()} file (broken zip container)") from exc
    members = archive.infolist()
    total = sum(m.file_size for m in members)
    worst = max((m.file_size / max(m.compress_size, 1) for m in members), default=0)
    if len(members) > MAX_MEMBERS or total > MAX_UNCOMPRESSED or worst > MAX_RATIO:
        archive.close()
        raise IngestError(
            f"{path}: refused, the archive would expand to {total / 1e6:.0f} MB "
            f"(compression ratio up to {worst:.0f}:1), which looks like a zip bomb"
        )
    return archive
