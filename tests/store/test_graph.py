"""The index's one vector graph (store.graph, store.graph_upkeep): after adds, deletes, replacements
and merges it finds what exact search finds; small commits leave it alone, a batch of new rows
extends it, a half-deleted one is built again; a crash while publishing one keeps the last commit."""

from __future__ import annotations

import signal
import sqlite3
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest

from hanrag.retrieve.filters import parse_where
from hanrag.store import graph_upkeep
from hanrag.store.local import AnnPolicy, LocalStore, StoreOptions
from tests.store.test_local import _paused
from tests.store.test_segments import DIM, _doc, _write

pytest.importorskip("hnswlib")
# A graph from the first commit, extended once 150 rows are not in it; merges on the way.
GRAPH = StoreOptions(ann=AnnPolicy("on", batch=150), merge_factor=3, merge_floor=4)
EXACT = StoreOptions(ann=AnnPolicy("off"), merge_factor=3, merge_floor=4)


def _queries(count: int = 25, seed: int = 4) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(count, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _same_as_exact(graph: LocalStore, exact: LocalStore, where: str | None = None) -> None:
    conditions = parse_where(where) if where else None
    for query in _queries():
        want = exact.retrieve(None, query, conditions, ["dense"], 10)["dense"]
        got = graph.retrieve(None, query, conditions, ["dense"], 10)["dense"]
        assert got.ids.tolist() == want.ids.tolist()
        np.testing.assert_allclose(got.scores, want.scores, rtol=1e-5, atol=1e-6)


def _state(store: LocalStore) -> dict[str, int]:
    return graph_upkeep.state(store._db)


def _folders(path: Path) -> list[str]:
    return sorted(p.name for p in (path / "graphs").iterdir()) if (path / "graphs").is_dir() else []


def test_plan() -> None:
    auto = AnnPolicy("auto", threshold=100, batch=10)
    assert graph_upkeep.plan(auto, live=99, uncovered=99, rows=None, dead=0) is None  # below the threshold
    assert graph_upkeep.plan(auto, live=100, uncovered=100, rows=None, dead=0) == "build"
    assert graph_upkeep.plan(auto, live=150, uncovered=9, rows=150, dead=0) is None  # searched exactly meanwhile
    assert graph_upkeep.plan(auto, live=150, uncovered=10, rows=150, dead=0) == "extend"
    assert graph_upkeep.plan(auto, live=150, uncovered=0, rows=150, dead=76) == "build"  # more than half deleted
    assert graph_upkeep.plan(AnnPolicy("off"), live=10**6, uncovered=10**6, rows=None, dead=0) is None
    assert graph_upkeep.plan(AnnPolicy("on", scope="segment"), live=10, uncovered=10, rows=None, dead=0) is None


def test_the_graph_after_adds_deletes_and_merges_finds_what_exact_search_finds(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    graph, exact = LocalStore(tmp_path / "graph", GRAPH), LocalStore(tmp_path / "exact", EXACT)
    docs = {f"d{i}": _doc(rng, f"d{i}", int(rng.integers(20, 60))) for i in range(1, 31)}
    steps: list[tuple[list, list[str]]] = [
        ([docs["d1"], docs["d2"], docs["d3"]], []),                 # the graph is built
        ([docs["d4"]], []), ([docs["d5"]], []),                     # rows searched exactly beside it
        ([], ["d2"]),                                               # deleted inside the graph
        ([docs[f"d{i}"] for i in range(6, 12)], []),                # a batch: the graph is extended
        ([_doc(rng, "d1", 30)], ["d4"]),                            # a replacement and a delete
        *[([docs[f"d{i}"]], []) for i in range(12, 31)],            # merges on the way
    ]
    extended = False
    for upserts, deletes in steps:
        for store in (graph, exact):
            _write(store, upserts, deletes)
        state = _state(graph)
        assert _folders(tmp_path / "graph") == [str(state["graph"])]  # the one named, no other
        extended |= state["graph"] > 1
        _same_as_exact(graph, exact)
    assert extended
    assert int(graph._db.execute("SELECT COUNT(*) FROM segments").fetchone()[0]) < len(steps)  # merged
    covered = graph._db.execute("SELECT COUNT(*) FROM chunks WHERE id <= ?", (_state(graph)["graph_key"],)).fetchone()[0]
    assert 0 < covered < graph.count()  # some rows above the graph, searched exactly
    _same_as_exact(graph, exact, where="source:*.txt")  # a filter keeping most rows: the graph with a filter
    _same_as_exact(graph, exact, where="source:*.pdf")


def test_a_graph_more_than_half_deleted_is_built_again(tmp_path: Path) -> None:
    rng = np.random.default_rng(8)
    graph, exact = LocalStore(tmp_path / "graph", GRAPH), LocalStore(tmp_path / "exact", EXACT)
    for store in (graph, exact):
        _write(store, [_doc(np.random.default_rng(i), f"d{i}", 40) for i in range(1, 5)])
    first = _state(graph)
    assert first["graph_rows"] == 160 and first["graph_dead"] == 0
    for store in (graph, exact):
        _write(store, deletes=["d1"])
    assert _state(graph)["graph_dead"] == 40 and _state(graph)["graph"] == first["graph"]
    _same_as_exact(graph, exact)
    small = _doc(rng, "d5", 5)
    for store in (graph, exact):
        _write(store, [small], deletes=["d2", "d3"])
    rebuilt = _state(graph)
    assert rebuilt["graph"] != first["graph"] and rebuilt["graph_dead"] == 0 and rebuilt["graph_rows"] == 45
    assert graph._db.execute("SELECT COUNT(*) FROM graph_dead").fetchone()[0] == 0
    _same_as_exact(graph, exact)


def test_deletion_marks_in_the_graph_are_those_of_each_snapshot(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "graph", GRAPH)
    _write(store, [_doc(np.random.default_rng(i), f"d{i}", 40) for i in range(1, 4)])
    vector = store._segment(1).vectors[0].copy()  # d1's first chunk
    pinned, marked = threading.Event(), threading.Event()
    seen: dict[str, list[str]] = {}

    def old_reader() -> None:  # holds a snapshot from before the delete
        with store.snapshot():
            store.retrieve(None, vector, None, ["dense"], 5)
            pinned.set()
            marked.wait(30)
            seen["old"] = store.retrieve(None, vector, None, ["dense"], 5)["dense"].ids.tolist()

    reader = threading.Thread(target=old_reader)
    reader.start()
    pinned.wait(30)
    _write(store, deletes=["d1"])
    seen["new"] = store.retrieve(None, vector, None, ["dense"], 5)["dense"].ids.tolist()  # marks d1 deleted
    marked.set()
    reader.join(30)
    assert not any(i.startswith("d1#") for i in seen["new"])
    assert seen["old"][0] == "d1#0"  # the shared graph hides d1 now: this snapshot was searched exactly


def test_rebuild_builds_the_graph_anew(tmp_path: Path) -> None:
    graph, exact = LocalStore(tmp_path / "graph", GRAPH), LocalStore(tmp_path / "exact", EXACT)
    for store in (graph, exact):
        _write(store, [_doc(np.random.default_rng(i), f"d{i}", 30) for i in range(1, 4)])
        _write(store, deletes=["d2"])
    before = _state(graph)
    with graph.writer() as writer:
        writer.rebuild()
    after = _state(graph)
    assert after["graph"] != before["graph"] and after["graph_dead"] == 0 and after["graph_rows"] == 60
    assert _folders(tmp_path / "graph") == [str(after["graph"])]
    _same_as_exact(graph, exact)


CHILD = """
    import numpy as np
    from hanrag.store.local import AnnPolicy, LocalStore, StoreOptions
    from tests.store.test_segments import _doc, _write
    store = LocalStore({path!r}, StoreOptions(ann=AnnPolicy("on", batch=50), merge_factor=3, merge_floor=4))
    _write(store, [_doc(np.random.default_rng(9), "d9", 60)])
"""


@pytest.mark.parametrize("step", ["graph", "graph_written", "graph_committed"])
def test_killed_while_publishing_a_graph_keeps_the_last_commit(tmp_path: Path, isolated_cache: Path, step: str) -> None:
    options = StoreOptions(ann=AnnPolicy("on", batch=50), merge_factor=3, merge_floor=4)
    path = tmp_path / "graph"
    store, exact = LocalStore(path, options), LocalStore(tmp_path / "exact", EXACT)
    for each in (store, exact):
        _write(each, [_doc(np.random.default_rng(i), f"d{i}", 40) for i in range(1, 4)])
    before = _state(store)
    proc = _paused(["-c", textwrap.dedent(CHILD.format(path=str(path)))], isolated_cache, step, tmp_path / "paused")
    assert (path / "graphs" / str(before["graph"] + 1)).is_dir()  # the new graph's folder
    proc.kill()
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    _write(exact, [_doc(np.random.default_rng(9), "d9", 60)])
    reader = LocalStore(path, options)
    assert reader.count() == 180  # the segment of d9 was committed before the graph work began
    if step == "graph_committed":  # the new graph is named, the old folder not removed yet
        assert _state(reader)["graph"] == before["graph"] + 1 and _state(reader)["graph_rows"] == 180
        assert _folders(path) == [str(before["graph"]), str(before["graph"] + 1)]
    else:  # the graph is the last one published; d9 is searched exactly beside it
        assert _state(reader) == before
    _same_as_exact(reader, exact)
    _write(reader, [_doc(np.random.default_rng(10), "d10", 1)])  # the next writer removes the orphan
    _write(exact, [_doc(np.random.default_rng(10), "d10", 1)])
    after = _state(reader)
    assert after["graph"] > before["graph"] and after["graph_rows"] in (180, 181)
    assert _folders(path) == [str(after["graph"])]
    _same_as_exact(reader, exact)


def test_an_index_of_the_old_layout_is_searched_with_its_segment_graphs_until_it_gets_one(tmp_path: Path) -> None:
    old = StoreOptions(ann=AnnPolicy("on", scope="segment"), merge_factor=100, merge_floor=1)
    path = tmp_path / "ix"
    exact = LocalStore(tmp_path / "exact", EXACT)
    for store in (LocalStore(path, old), exact):
        _write(store, [_doc(np.random.default_rng(i), f"d{i}", 40) for i in range(1, 4)])
    assert list((path / "segments").glob("*/hnsw.bin")) and _folders(path) == []
    store = LocalStore(path, GRAPH)
    with store.writer() as writer:
        assert writer.upkeep_graph() == "build"
        assert writer.upkeep_graph() is None
    assert _folders(path) == ["1"]
    _same_as_exact(store, exact)
    db = sqlite3.connect(path / "hanrag.sqlite")
    assert db.execute("SELECT value FROM manifest WHERE key = 'graph_rows'").fetchone()[0] == "120"
    db.close()
