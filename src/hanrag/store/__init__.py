"""Persistence: the embedded store (SQLite + memory-mapped generation files)."""

from hanrag.store.local import LocalStore

__all__ = ["LocalStore"]
