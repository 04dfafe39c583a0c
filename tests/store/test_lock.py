"""Locks between processes (store.lock): a writer fails at once on another writer's lock and waits
for the graph upkeep's short holds."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from hanrag.errors import IndexLockedError
from hanrag.store.lock import UPKEEP_TAG, FileLock, WriterLock, held


def _held_for(lock: FileLock, seconds: float) -> threading.Thread:
    assert lock.try_acquire()
    thread = threading.Thread(target=lambda: (time.sleep(seconds), lock.release()))
    thread.start()
    return thread


def test_a_writer_fails_at_once_on_another_writers_lock(tmp_path: Path) -> None:
    other = _held_for(FileLock(tmp_path / "write.lock"), 1.0)
    start = time.monotonic()
    with pytest.raises(IndexLockedError, match="locked by another writer"):
        WriterLock(tmp_path / "write.lock").acquire()
    assert time.monotonic() - start < 0.5
    other.join()


def test_a_writer_waits_for_the_graph_upkeeps_short_hold(tmp_path: Path) -> None:
    upkeep = _held_for(FileLock(tmp_path / "write.lock", UPKEEP_TAG), 0.5)
    lock = WriterLock(tmp_path / "write.lock")
    lock.acquire()  # no error: it waited
    assert (tmp_path / "write.lock").read_text() == str(os.getpid())
    lock.release()
    upkeep.join()


def test_held_probes_without_taking(tmp_path: Path) -> None:
    path = tmp_path / "graph.lock"
    assert not held(path)
    lock = FileLock(path, UPKEEP_TAG)
    assert lock.try_acquire()
    assert held(path)
    lock.release()
    assert not held(path)
