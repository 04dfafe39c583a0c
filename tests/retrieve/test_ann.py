"""HNSW approximate search against exact search, its files in a generation, and the auto policy."""

from pathlib import Path

import numpy as np
import pytest

from hanrag import Index
from hanrag.retrieve.ann import GRAPH_FILE
from hanrag.retrieve.dense import DenseIndex
from hanrag.store.local import AnnPolicy

pytest.importorskip("hnswlib")


def _unit(rows: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(rows, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_ann_recall_against_exact_and_roundtrip(tmp_path: Path) -> None:
    vectors, queries = _unit(3000), _unit(50, seed=1)
    exact = DenseIndex(vectors)
    approx = exact.with_ann()
    recalls = []
    for q in queries:
        want, want_scores = exact.top(q, 10)
        got, got_scores = approx.top(q, 10)
        recalls.append(len(set(want) & set(got)) / 10)
        common = [r for r in got if r in set(want)]
        assert np.allclose([got_scores[list(got).index(r)] for r in common], [want_scores[list(want).index(r)] for r in common], atol=1e-5)
    assert np.mean(recalls) >= 0.95
    approx.save(tmp_path)
    loaded = DenseIndex.load(tmp_path)
    assert loaded.ann is not None and list(loaded.top(queries[0], 10)[0]) == list(approx.top(queries[0], 10)[0])
    assert DenseIndex(vectors[:3]).with_ann().top(queries[0], 10)[0].size == 3  # fewer rows than asked
    assert list(DenseIndex(vectors[:3], ids=np.array([5, 9, 12])).with_ann().top(vectors[1], 1)[0]) == [1]  # labels are ids


def test_policy() -> None:
    assert not AnnPolicy("auto", threshold=100).wanted(99) and AnnPolicy("auto", threshold=100).wanted(100)
    assert AnnPolicy("on").wanted(5) and not AnnPolicy("off").wanted(10**7) and not AnnPolicy("on").wanted(0)


def test_index_builds_and_uses_the_graph_above_the_threshold(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix", retrieval={"ann": "auto", "ann_threshold": 2}) as index:
        index.add([korean_folder])
        generation_dir = tmp_path / "ix" / "generations" / str(index.generation.number)
        assert (generation_dir / GRAPH_FILE).is_file() and index.generation.dense.ann is not None
        hits = index.search("연차 유급휴가는 며칠인가요?", mode="dense", top_k=3)
        assert hits and hits[0].chunk.source.endswith("leave.md")
        filtered = index.search("연차 유급휴가", mode="dense", where="source:*.txt", top_k=3)  # exact path
        assert filtered and all(h.chunk.source.endswith(".txt") for h in filtered)
        index.remove([korean_folder / "leave.md"])
        assert index.generation.dense.ann is not None
        assert index.generation.dense.ann.live == index.generation.size
    with Index.open(tmp_path / "small") as index:  # default threshold: exact
        index.add([korean_folder])
        assert index.generation.dense.ann is None


def test_graph_is_carried_across_writes_and_rebuilt_after_many_deletions(tmp_path: Path, korean_folder: Path) -> None:
    (korean_folder / "extra.txt").write_text("국민연금은 노후 소득을 보장하는 사회보험이다.", encoding="utf-8")
    with Index.open(tmp_path / "ix", retrieval={"ann": "on"}) as index:
        index.add([korean_folder])
        first = index.generation.dense.ann
        assert first is not None and first.deleted == 0 and first.live == index.generation.size
        (korean_folder / "new.txt").write_text("고용보험은 실업 급여를 지급한다. 실업 급여는 구직 활동을 조건으로 한다.", encoding="utf-8")
        index.add([korean_folder / "new.txt"])
        index.remove([korean_folder / "extra.txt"])
        carried = index.generation.dense.ann
        assert carried.deleted == 1 and carried.live == index.generation.size  # extended, not rebuilt
        top = index.search("실업 급여를 받으려면?", mode="dense", top_k=1)[0]
        assert top.chunk.source.endswith("new.txt")
        assert all(not h.chunk.source.endswith("extra.txt") for h in index.search("국민연금 노후 소득", mode="dense", top_k=10))
        ranked = [h.chunk.chunk_id for h in index.search("연차 유급휴가", mode="dense", top_k=3)]
    with Index.open(tmp_path / "ix", retrieval={"ann": "on"}) as reopened:  # a new process loads the carried graph
        assert [h.chunk.chunk_id for h in reopened.search("연차 유급휴가", mode="dense", top_k=3)] == ranked
        reopened.remove([korean_folder / "bok.txt", korean_folder / "leave.md"])
        rebuilt = reopened.generation.dense.ann
        assert rebuilt.deleted == 0 and rebuilt.live == reopened.generation.size  # past 25 % deleted: rebuilt
