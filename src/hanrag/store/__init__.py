"""Persistence: the Store seam (store.base) and the embedded store (SQLite + memory-mapped segments)."""

from hanrag.store.local import LocalStore

__all__ = ["LocalStore"]
