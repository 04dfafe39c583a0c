"""Finding the files to index and identifying them."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from hanrag.ingest.loaders import SUPPORTED_SUFFIXES


@dataclass
class FileScan:
    """What a scan of files and folders found: the files, and what it could not or would not read."""

    files: list[Path] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, one-line message)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # symbolic links not followed


def collect_files(paths: Iterable[Path | str], follow_links: bool = False) -> FileScan:
    """Supported files under the given files/folders (recursively, sorted).

    A file named explicitly is returned whatever its suffix (its loader reports unsupported
    types). Inside folders, only supported suffixes are kept, hidden entries are ignored, an
    unreadable sub-folder is reported, and symbolic links are not followed (they may lead out
    of the folder) unless ``follow_links``: each one skipped is reported.
    """
    scan = FileScan()
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            found = _walk(path, follow_links, scan)
        elif path.is_file():
            found = [path]
        else:
            scan.errors.append((str(raw), f"{raw}: no such file or folder"))
            continue
        for file in found:
            resolved = file.resolve()
            if resolved not in seen:
                seen.add(resolved)
                scan.files.append(resolved)
    return scan


def _walk(root: Path, follow_links: bool, scan: FileScan) -> list[Path]:
    def unreadable(exc: OSError) -> None:
        where = exc.filename or root
        scan.errors.append((str(where), f"{where}: cannot read folder ({exc.strerror or exc}); skipped"))

    found: list[Path] = []
    visited: set[Path] = set()
    for folder, dirs, names in os.walk(root, onerror=unreadable, followlinks=follow_links):
        here = Path(folder)
        real = here.resolve()
        if real in visited:  # a link loop
            dirs[:] = []
            continue
        visited.add(real)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if not follow_links:
            for d in [d for d in dirs if (here / d).is_symlink()]:
                _skip_link(here / d, scan)
                dirs.remove(d)
        for name in sorted(names):
            file = here / name
            if name.startswith(".") or file.suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            if file.is_symlink() and not follow_links:
                _skip_link(file, scan)
            elif file.is_file():
                found.append(file)
    return found


def _skip_link(link: Path, scan: FileScan) -> None:
    scan.skipped.append((str(link), f"{link}: symbolic link to {os.readlink(link)} not followed (use --follow-links)"))


def doc_id_for_path(path: Path) -> str:
    """Stable id of a file: a hash of its absolute path."""
    return hashlib.blake2b(str(path.resolve()).encode("utf-8"), digest_size=8).hexdigest()


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()
