"""HNSW approximate search against exact search, its files in a segment, and the auto policy."""

import time
from pathlib import Path

import numpy as np
import pytest

from hanrag import Index
from hanrag.retrieve.ann import GRAPH_FILE, HnswIndex
from hanrag.store.local import AnnPolicy

pytest.importorskip("hnswlib")


def _unit(rows: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(rows, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_ann_recall_against_exact_and_roundtrip(tmp_path: Path) -> None:
    vectors, queries = _unit(3000), _unit(50, seed=1)
    graph = HnswIndex.build(vectors, np.arange(3000))
    recalls = []
    for q in queries:
        scores = vectors @ q
        want = np.argsort(-scores)[:10]
        got, got_scores = graph.top(q, 10)
        recalls.append(len(set(want) & set(got)) / 10)
        assert np.allclose(got_scores, scores[got], atol=1e-5)
    assert np.mean(recalls) >= 0.95
    graph.save(tmp_path)
    loaded = HnswIndex.load(tmp_path, 32)
    assert loaded is not None and list(loaded.top(queries[0], 10)[0]) == list(graph.top(queries[0], 10)[0])
    assert HnswIndex.build(vectors[:3], np.arange(3)).top(queries[0], 10)[0].size == 3  # fewer rows than asked


def test_policy() -> None:
    assert not AnnPolicy("auto", threshold=100).wanted(99) and AnnPolicy("auto", threshold=100).wanted(100)
    assert AnnPolicy("on").wanted(5) and not AnnPolicy("off").wanted(10**7) and not AnnPolicy("on").wanted(0)


def test_an_index_above_the_threshold_gets_a_graph(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix", retrieval={"ann": "auto", "ann_threshold": 2, "ann_upkeep": "inline"}) as index:
        index.add([korean_folder])
        assert list((tmp_path / "ix" / "graphs").glob(f"*/{GRAPH_FILE}"))
        assert not list((tmp_path / "ix" / "segments").glob(f"*/{GRAPH_FILE}"))
        hits = index.search("연차 유급휴가는 며칠인가요?", mode="dense", top_k=3)
        assert hits and hits[0].chunk.source.endswith("leave.md")
        filtered = index.search("연차 유급휴가", mode="dense", where="source:*.txt", top_k=3)
        assert filtered and all(h.chunk.source.endswith(".txt") for h in filtered)
        index.remove([korean_folder / "leave.md"])  # deleted chunks inside the graph
        after = index.search("연차 유급휴가는 며칠인가요?", mode="dense", top_k=10)
        assert after and not any(h.chunk.source.endswith("leave.md") for h in after)
    with Index.open(tmp_path / "bg", retrieval={"ann": "auto", "ann_threshold": 2}) as index:
        index.add([korean_folder])  # returns at once; a detached process builds the graph
        log, deadline = tmp_path / "bg" / "graph-upkeep.log", time.monotonic() + 120
        while "graph build" not in log.read_text():  # written once it has published
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        assert list((tmp_path / "bg" / "graphs").glob(f"*/{GRAPH_FILE}"))
        assert index.search("연차 유급휴가는 며칠인가요?", mode="dense", top_k=3)[0].chunk.source.endswith("leave.md")
    with Index.open(tmp_path / "small") as index:  # default threshold: exact
        index.add([korean_folder])
        assert not list((tmp_path / "small").glob(f"*/*/{GRAPH_FILE}"))
