"""Receiving uploaded files: size-limited, typed by content, never stored under the sender's name."""

from __future__ import annotations

import os
import tempfile
import unicodedata
from pathlib import Path, PurePosixPath

from fastapi import UploadFile

from hanrag.errors import PayloadTooLargeError, UnsupportedTypeError
from hanrag.ingest.sniff import sniff_suffix
from hanrag.jobs import Upload

_CHUNK = 1 << 20
_MAX_NAME = 200


def display_name(raw: str | None, n: int) -> str:
    """The file's own name without any folder part or control characters (shown, never used as a path)."""
    name = unicodedata.normalize("NFC", (raw or "").replace("\\", "/"))
    name = PurePosixPath(name).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if name in ("", ".", ".."):
        name = f"upload-{n + 1}"
    return name[-_MAX_NAME:]


async def receive(files: list[UploadFile], folder: Path, max_bytes: int) -> list[Upload]:
    """Copy each upload into ``folder`` under a random name with the suffix its content shows.

    PayloadTooLargeError as soon as one file passes ``max_bytes`` (nothing is kept then);
    a file of an unsupported type comes back as an Upload with its ``error`` set.
    """
    folder.mkdir(parents=True, exist_ok=True)
    received: list[Upload] = []
    try:
        for n, file in enumerate(files):
            name = display_name(file.filename, n)
            handle, raw = tempfile.mkstemp(dir=folder)
            path = Path(raw)
            size = 0
            with os.fdopen(handle, "wb") as out:
                while chunk := await file.read(_CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        path.unlink(missing_ok=True)
                        raise PayloadTooLargeError(
                            f"{name}: larger than the upload limit of {max_bytes / 1e6:g} MB (server.max_upload_mb)"
                        )
                    out.write(chunk)
            try:
                typed = path.with_name(path.name + sniff_suffix(path, name))
                path.rename(typed)
                received.append(Upload(name, typed))
            except UnsupportedTypeError as exc:
                path.unlink(missing_ok=True)
                received.append(Upload(name, path, error=str(exc)))
    except BaseException:
        for upload in received:
            upload.path.unlink(missing_ok=True)
        raise
    return received
