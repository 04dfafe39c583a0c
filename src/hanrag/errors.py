"""Exceptions with messages meant to be shown to users as one line.

Each type says whose fault it is, and carries the HTTP status a server answers with:
``InputError`` (the caller: 4xx), ``StoreError`` (the index: 5xx), ``BackendError`` (an LLM,
embedder or other service hanrag calls: 502, or 504 on a time-out). The CLI prints the
message; the HTTP API sends ``{"error": message}`` with ``status``.
"""

from __future__ import annotations


class HanragError(Exception):
    """Base class: every error hanrag raises on bad input or environment."""

    status = 500


# --- the caller's mistake (4xx) ---------------------------------------------------------
class InputError(HanragError):
    """The request itself is wrong: an empty or too long query, a bad option or filter."""

    status = 422


class ConfigError(InputError):
    """A setting or spec string is invalid."""


class IngestError(InputError):
    """A file could not be loaded; the message names the file and the cause."""


class NotFoundError(InputError):
    """No such document, chunk or job."""

    status = 404


class ConflictError(InputError):
    """The request conflicts with the state it addresses (e.g. forgetting a running job)."""

    status = 409


class EmptyIndexError(ConflictError):
    """The index holds no documents yet."""


class IndexMismatchError(ConflictError):
    """The index was built with other components than the ones requested."""


class PayloadTooLargeError(InputError):
    """An upload is larger than the configured limit."""

    status = 413


class UnsupportedTypeError(InputError):
    """An upload's content is not a format hanrag reads."""

    status = 415


# --- the index (5xx) -------------------------------------------------------------------
class StoreError(HanragError):
    """The index directory is damaged, unreadable or not an index."""

    status = 500


class IndexLockedError(StoreError):
    """Another process is writing to the index."""

    status = 503


# --- a backend hanrag calls (502 / 504) --------------------------------------------------
class BackendError(HanragError):
    """An optional backend is missing or a remote service failed."""

    status = 502


class BackendTimeoutError(BackendError):
    """A remote service did not answer in time."""

    status = 504


class IngestWarning(UserWarning):
    """A file was indexed, but part of it could not be read (e.g. scanned pages without text)."""


def status_of(exc: BaseException) -> int:
    """The HTTP status for an exception (500 for anything that is not a HanragError)."""
    return getattr(exc, "status", 500) if isinstance(exc, HanragError) else 500
