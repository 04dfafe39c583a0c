"""Dense search over several segment graphs: side by side it returns what one after the other does,
the narrower beam per graph keeps recall against exact search, and tombstones hidden in the graphs
stay those of each reader's snapshot."""

from __future__ import annotations

import os
import select
import signal
import threading
from pathlib import Path

import numpy as np
import pytest

from hanrag.store import nearest
from hanrag.store.local import AnnPolicy, LocalStore, StoreOptions
from tests.store.test_segments import _doc, _write

pytest.importorskip("hnswlib")
# Every commit is a segment with a graph of its own (no merges: a tier holds up to 100 segments), as
# indexes were built before the index's one graph (store.graph); such indexes are still read so.
GRAPHS = StoreOptions(ann=AnnPolicy("on", scope="segment"), merge_factor=100, merge_floor=1)
EXACT = StoreOptions(ann=AnnPolicy("off"), merge_factor=100, merge_floor=1)


def _pair(tmp_path: Path, sizes: tuple[int | tuple[int, ...], ...] = (300, 300, 300, 300),
          options: StoreOptions = GRAPHS) -> tuple[LocalStore, LocalStore]:
    """The same documents, one commit per segment (a size per document; a tuple of sizes makes a
    segment of several documents), in a store with graphs and in one without."""
    rng = np.random.default_rng(11)
    groups = [size if isinstance(size, tuple) else (size,) for size in sizes]
    names = iter(range(1, 1000))
    commits = [[_doc(rng, f"d{next(names)}", chunks) for chunks in group] for group in groups]
    graph, exact = LocalStore(tmp_path / "graph", options), LocalStore(tmp_path / "exact", EXACT)
    for store in (graph, exact):
        for docs in commits:
            _write(store, docs)
    wanted = sum(options.ann.wanted(sum(group)) for group in groups)
    assert len(list((tmp_path / "graph" / "segments").glob("*/hnsw.bin"))) == wanted
    return graph, exact


def _queries(count: int = 30, seed: int = 3) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(count, 16)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_the_beam_narrows_with_the_number_of_graphs() -> None:
    assert nearest.beam_per_graph(256, 1) == 256
    assert nearest.beam_per_graph(256, 4) == 128
    assert nearest.beam_per_graph(256, 5) == 115
    assert nearest.beam_per_graph(1, 9) == 1


def test_graphs_side_by_side_return_what_one_after_the_other_does(tmp_path: Path, monkeypatch) -> None:
    graph, _ = _pair(tmp_path)
    serial = []
    monkeypatch.setattr(nearest, "_WORKERS", 1)
    for query in _queries():
        serial.append(graph.retrieve(None, query, None, ["dense"], 50)["dense"])
    monkeypatch.setattr(nearest, "_WORKERS", 2)
    for query, want in zip(_queries(), serial):
        got = graph.retrieve(None, query, None, ["dense"], 50)["dense"]
        assert got.ids.tolist() == want.ids.tolist()
        assert np.array_equal(got.scores, want.scores)


def test_several_graphs_with_narrower_beams_find_the_exact_top_10(tmp_path: Path) -> None:
    graph, exact = _pair(tmp_path)
    recalls = []
    for query in _queries():
        want = exact.retrieve(None, query, None, ["dense"], 10)["dense"]
        got = graph.retrieve(None, query, None, ["dense"], 10)["dense"]
        recalls.append(len(set(want.ids.tolist()) & set(got.ids.tolist())) / 10)
        assert got.scores.tolist() == sorted(got.scores.tolist(), reverse=True)
    assert np.mean(recalls) >= 0.97


def test_tombstones_hidden_in_a_graph_are_those_of_each_snapshot(tmp_path: Path) -> None:
    graph, exact = _pair(tmp_path, sizes=((200, 300), 300))  # d1 stays in its segment once deleted
    target = graph.chunks_by_key([1])[1]  # d1's first chunk
    vector = graph._segment(1).vectors[0].copy()
    assert graph.retrieve(None, vector, None, ["dense"], 5)["dense"].ids[0] == target.chunk_id
    pinned, deleted, checked = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, list[str]] = {}

    def old_reader() -> None:  # holds a snapshot from before the delete
        with graph.snapshot():
            graph.retrieve(None, vector, None, ["dense"], 5)
            pinned.set()
            checked.wait(30)
            seen["old"] = graph.retrieve(None, vector, None, ["dense"], 300)["dense"].ids.tolist()

    reader = threading.Thread(target=old_reader)
    reader.start()
    pinned.wait(30)
    for store in (graph, exact):
        _write(store, deletes=["d1"])
    deleted.set()
    seen["new"] = graph.retrieve(None, vector, None, ["dense"], 300)["dense"].ids.tolist()  # marks d1 deleted
    checked.set()
    reader.join(30)
    assert not any(i.startswith("d1#") for i in seen["new"])
    assert seen["old"][0] == target.chunk_id  # still live in the old snapshot: found exactly
    assert sum(i.startswith("d1#") for i in seen["old"]) > 50
    want = exact.retrieve(None, vector, None, ["dense"], 50)["dense"].ids.tolist()
    got = graph.retrieve(None, vector, None, ["dense"], 50)["dense"].ids.tolist()
    assert len(set(want) & set(got)) >= 48


def test_hybrid_overlapping_bm25_with_the_graphs_ranks_as_each_alone(tmp_path: Path) -> None:
    some = StoreOptions(ann=AnnPolicy("auto", threshold=100, scope="segment"), merge_factor=100, merge_floor=1)
    graph, _ = _pair(tmp_path, sizes=(300, 300, 40), options=some)  # two graphs and a small exact segment
    for query in _queries(10):
        terms = ["금리", "휴가", "로켓"]
        both = graph.retrieve(terms, query, None, ["bm25", "dense"], 50)
        for name in ("bm25", "dense"):
            alone = graph.retrieve(terms, query, None, [name], 50)[name]
            assert both[name].ids.tolist() == alone.ids.tolist()
            assert np.array_equal(both[name].scores, alone.scores)


@pytest.mark.skipif(not hasattr(os, "fork") or nearest._WORKERS < 2, reason="needs fork and a pool")
def test_a_forked_child_searches_with_a_pool_of_its_own(tmp_path: Path) -> None:
    graph, _ = _pair(tmp_path, sizes=(300, 300))
    query = _queries(1)[0]
    want = graph.retrieve(None, query, None, ["dense"], 10)["dense"].ids.tolist()
    busy = threading.Barrier(nearest._WORKERS + 1)  # every thread of the parent's pool started
    started = [nearest._executor().submit(busy.wait, 10) for _ in range(nearest._WORKERS)]
    busy.wait(10)
    for future in started:
        future.result()
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        ok = graph.retrieve(None, query, None, ["dense"], 10)["dense"].ids.tolist() == want
        os.write(write, b"1" if ok else b"0")
        os._exit(0)
    os.close(write)
    ready, _, _ = select.select([read], [], [], 60)  # a child waiting on the parent's (absent) pool threads hangs
    if not ready:
        os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    assert ready and os.read(read, 1) == b"1"
