import numpy as np

from hanrag.config import RetrievalSettings
from hanrag.retrieve.hybrid import apply_rerank, fuse, select

A = np.array


def test_fuse_reports_every_component_rank_and_score() -> None:
    rankings = {"bm25": (A([0, 1]), A([10.0, 5.0])), "dense": (A([2, 0]), A([0.8, 0.6]))}
    rows = fuse(rankings, RetrievalSettings(weights={"bm25": 0.5, "dense": 0.5}))
    by_row = {r.chunk_id: r for r in rows}
    assert by_row[0].scores.bm25.rank == 1 and by_row[0].scores.dense.rank == 2
    assert by_row[1].scores.dense is None and by_row[2].scores.bm25 is None
    assert by_row[0].score == by_row[0].scores.fused == 0.5  # 0.5*1 + 0.5*0


def test_single_mode_gets_full_weight() -> None:
    rankings = {"bm25": (A([3, 4]), A([2.0, 1.0])), "dense": (A([4]), A([0.9]))}
    rows = fuse(rankings, RetrievalSettings(mode="bm25", weights={"bm25": 0.0, "dense": 1.0}))
    assert [r.chunk_id for r in rows] == [3, 4] and rows[0].score == 1.0
    assert all(r.scores.dense is None for r in rows)


def test_rerank_reorders_and_threshold_filters() -> None:
    rankings = {"bm25": (A([0, 1, 2]), A([3.0, 2.0, 1.0]))}
    candidates = fuse(rankings, RetrievalSettings(mode="bm25"))
    reranked = apply_rerank(candidates, np.array([0.1, 0.9, 0.5], dtype=np.float32))
    assert [c.chunk_id for c in reranked] == [1, 2, 0]
    assert reranked[0].scores.rerank == reranked[0].score
    assert [c.chunk_id for c in select(reranked, top_k=2, threshold=0.3)] == [1, 2]
    assert [c.chunk_id for c in select(reranked, top_k=5, threshold=0.6)] == [1]
