"""The background graph upkeep (store.graph_upkeep): a commit that asks for a graph returns at once,
a detached process builds or extends it while writes go on, and publishes only what is still true."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from hanrag.store import graph_upkeep
from hanrag.store.local import AnnPolicy, LocalStore, StoreOptions
from hanrag.store.lock import UPKEEP_TAG, FileLock
from tests.store.test_graph import EXACT, _folders, _same_as_exact, _state
from tests.store.test_segments import _doc, _write

pytest.importorskip("hnswlib")
BACKGROUND = StoreOptions(ann=AnnPolicy("on", batch=150, upkeep="background"), merge_factor=3, merge_floor=4)


def _both(graph: LocalStore, exact: LocalStore, upserts=(), deletes=()) -> subprocess.Popen | None:
    _write(exact, upserts, deletes)
    return _write(graph, upserts, deletes)


def _paused_at(marker: Path, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, f"the upkeep ended (rc {proc.returncode}) before pausing"
        assert time.monotonic() < deadline, "the upkeep never paused"
        time.sleep(0.02)
    assert marker.read_text() == str(proc.pid)


def _docs(first: int, last: int, chunks: int = 40) -> list:
    return [_doc(np.random.default_rng(i), f"d{i}", chunks) for i in range(first, last + 1)]


def test_a_commit_starts_the_upkeep_and_returns_and_writes_meanwhile_are_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "graph"
    graph, exact = LocalStore(path, BACKGROUND), LocalStore(tmp_path / "exact", EXACT)
    first = _both(graph, exact, _docs(1, 3))  # 120 rows: the first graph is built in the background
    assert first is not None and first.wait(120) == 0
    assert _state(graph)["graph_rows"] == 120
    marker = tmp_path / "paused"
    monkeypatch.setenv("HANRAG_TEST_PAUSE_AT", "graph")  # inherited by the upkeep process
    monkeypatch.setenv("HANRAG_TEST_PAUSE_FILE", str(marker))
    proc = _both(graph, exact, _docs(4, 7))  # 160 rows not in the graph: an extension
    assert proc is not None
    _paused_at(marker, proc)  # the commit has returned; the upkeep has its snapshot and its folder
    before = _state(graph)
    building = path / "graphs" / str(before["graph"] + 1)
    assert building.is_dir()
    # Writes meanwhile: a delete among the rows being added, one in the graph, new rows, merges.
    for upserts, deletes in (([], ["d5"]), ([], ["d1"]), (_docs(8, 8), []), (_docs(9, 9, 5), []),
                             (_docs(10, 10, 5), [])):
        assert _both(graph, exact, upserts, deletes) is None  # one upkeep at a time
        assert building.is_dir()  # writers leave the folder being written alone
    _same_as_exact(graph, exact)  # the old graph, and the rest searched exactly
    marker.unlink()  # go on
    assert proc.wait(120) == 0
    after = _state(graph)
    assert after["graph"] == before["graph"] + 1 and after["graph_rows"] == 280
    assert after["graph_dead"] == 80  # d1 (deleted in the old graph) and d5 (deleted while it was added)
    assert _folders(path) == [str(after["graph"])]
    _same_as_exact(graph, exact)
    _same_as_exact(graph, exact, where="source:*.txt")
    assert "graph extend" in (path / graph_upkeep.LOG_NAME).read_text()


def test_an_upkeep_whose_graph_was_replaced_meanwhile_does_not_publish_and_builds_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "graph"
    graph, exact = LocalStore(path, BACKGROUND), LocalStore(tmp_path / "exact", EXACT)
    marker = tmp_path / "paused"
    monkeypatch.setenv("HANRAG_TEST_PAUSE_AT", "graph_written")
    monkeypatch.setenv("HANRAG_TEST_PAUSE_FILE", str(marker))
    proc = _both(graph, exact, _docs(1, 3))
    assert proc is not None
    _paused_at(marker, proc)
    with graph.writer() as writer:  # vectors may change: the graph being built is moot
        writer.rebuild()
    deadline = time.monotonic() + 120
    while proc.poll() is None:  # the process pauses again in its next round: let it go each time
        if marker.exists():
            marker.unlink()
        assert time.monotonic() < deadline, "the upkeep never ended"
        time.sleep(0.02)
    assert proc.returncode == 0
    log = (path / graph_upkeep.LOG_NAME).read_text()
    assert "graph dropped, build" in log  # the next round saw no graph and built one
    state = _state(graph)
    assert state["graph_rows"] == 120 and _folders(path) == [str(state["graph"])]
    _same_as_exact(graph, exact)


def test_a_killed_upkeep_leaves_the_last_commit_and_the_next_one_starts_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "graph"
    graph, exact = LocalStore(path, BACKGROUND), LocalStore(tmp_path / "exact", EXACT)
    assert _both(graph, exact, _docs(1, 3)).wait(120) == 0
    before = _state(graph)
    marker = tmp_path / "paused"
    monkeypatch.setenv("HANRAG_TEST_PAUSE_AT", "graph_written")
    monkeypatch.setenv("HANRAG_TEST_PAUSE_FILE", str(marker))
    proc = _both(graph, exact, _docs(4, 7))
    _paused_at(marker, proc)
    proc.kill()
    assert proc.wait(30) == -signal.SIGKILL
    assert _state(LocalStore(path, BACKGROUND)) == before
    _same_as_exact(graph, exact)
    monkeypatch.delenv("HANRAG_TEST_PAUSE_AT")
    again = _both(graph, exact, _docs(8, 8, 1))  # the lock died with the process: this commit starts it again
    assert again is not None and again.wait(120) == 0
    after = _state(graph)
    assert after["graph_rows"] == 281 and _folders(path) == [str(after["graph"])]  # the orphan is gone
    _same_as_exact(graph, exact)


def test_inline_upkeep_leaves_the_work_to_a_background_one_under_way(tmp_path: Path) -> None:
    path = tmp_path / "graph"
    store = LocalStore(path, StoreOptions(ann=AnnPolicy("on", batch=150)))
    _write(store, _docs(1, 3))
    lock = FileLock(path / graph_upkeep.LOCK_NAME, UPKEEP_TAG)
    assert lock.try_acquire()
    try:
        _write(store, _docs(4, 7))
        assert _state(store)["graph_rows"] == 120  # not extended: the holder of the lock will
    finally:
        lock.release()
    with store.writer() as writer:
        assert writer.upkeep_graph() == "extend"
    assert _state(store)["graph_rows"] == 280


def test_without_an_interpreter_to_start_the_commit_does_the_work_itself(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graph_upkeep.sys, "executable", str(tmp_path / "no-python"))
    graph, exact = LocalStore(tmp_path / "graph", BACKGROUND), LocalStore(tmp_path / "exact", EXACT)
    assert _both(graph, exact, _docs(1, 3)) is None
    assert _state(graph)["graph_rows"] == 120
    _same_as_exact(graph, exact)


def test_a_background_upkeep_that_cannot_write_its_graph_leaves_the_index_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from hanrag.retrieve.ann import HnswIndex

    path = tmp_path / "graph"
    store, exact = LocalStore(path, StoreOptions(ann=AnnPolicy("on", batch=150))), LocalStore(tmp_path / "exact", EXACT)
    for each in (store, exact):
        _write(each, _docs(1, 3))
    # 160 rows outside the graph, written by a writer whose policy never extends it
    for each in (exact, LocalStore(path, StoreOptions(ann=AnnPolicy("on", batch=10**9)))):
        _write(each, _docs(4, 7))
    before = _state(store)

    def full(self, directory: Path) -> None:
        (directory / "partial").write_bytes(b"x")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(HnswIndex, "save", full)
    with pytest.raises(OSError, match="No space left"):
        graph_upkeep.upkeep_background(store)  # what the detached process runs; its log gets the traceback
    assert _state(store) == before and _folders(path) == [str(before["graph"])]  # nothing half-written kept
    _same_as_exact(store, exact)
    monkeypatch.undo()
    assert graph_upkeep.upkeep_background(store) == ["extend"]  # the lock was let go: the next one works
    _same_as_exact(store, exact)
