"""Finding the files to index and identifying them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from hanrag.ingest.loaders import SUPPORTED_SUFFIXES


def collect_files(paths: Iterable[Path | str]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Supported files under the given files/folders (recursively, sorted), and errors for bad paths.

    A file named explicitly is returned whatever its suffix (its loader reports unsupported
    types); files inside folders are kept only when their suffix is supported.
    """
    files: list[Path] = []
    errors: list[tuple[str, str]] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not _hidden(p.relative_to(path))
            )
        elif path.is_file():
            found = [path]
        else:
            errors.append((str(raw), f"{raw}: no such file or folder"))
            continue
        for file in found:
            resolved = file.resolve()
            if resolved not in seen:
                seen.add(resolved)
                files.append(resolved)
    return files, errors


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def doc_id_for_path(path: Path) -> str:
    """Stable id of a file: a hash of its absolute path."""
    return hashlib.blake2b(str(path.resolve()).encode("utf-8"), digest_size=8).hexdigest()


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()
