"""Exceptions with messages meant to be shown to users as one line."""

from __future__ import annotations


class HanragError(Exception):
    """Base class: every error hanrag raises on bad input or environment."""


class ConfigError(HanragError):
    """A setting or spec string is invalid."""


class IngestError(HanragError):
    """A file could not be loaded; the message names the file and the cause."""


class IndexLockedError(HanragError):
    """Another process is writing to the index."""


class IndexMismatchError(HanragError):
    """The index was built with other components than the ones requested."""


class BackendError(HanragError):
    """An optional backend is missing or a remote service failed."""


class IngestWarning(UserWarning):
    """A file was indexed, but part of it could not be read (e.g. scanned pages without text)."""
