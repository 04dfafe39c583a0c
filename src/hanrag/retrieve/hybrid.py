"""The query path after the store's retrieval: fusion of the retrievers' rankings, rerank, threshold.

Pure steps, so evaluation can retrieve once and fuse many ways. Rankings are keyed by chunk id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from hanrag.config import RetrievalSettings
from hanrag.retrieve.fusion import convex_combination, weighted_rrf
from hanrag.schema import ComponentScore, ScoreBreakdown

# (ids, scores) best first, per retriever name; a store's Ranking unpacks the same way.
Rankings = Mapping[str, tuple[np.ndarray, np.ndarray]]

MODE_RETRIEVERS: dict[str, tuple[str, ...]] = {"hybrid": ("bm25", "dense"), "bm25": ("bm25",), "dense": ("dense",)}


@dataclass(frozen=True)
class Candidate:
    """A chunk id with its score breakdown, before the chunk itself is read."""

    chunk_id: str
    score: float
    scores: ScoreBreakdown


def fuse(rankings: Rankings, settings: RetrievalSettings, limit: int | None = None) -> list[Candidate]:
    """Fused candidates, best first, each with every component's raw score and rank.

    ``limit`` keeps only the best ones (those a caller can still return or rerank): the
    breakdown objects are the costly part of a query on small indexes.
    """
    active = {name: tuple(ranking) for name, ranking in rankings.items() if name in MODE_RETRIEVERS[settings.mode]}
    # A single retriever gets full weight, so mode=bm25/dense works whatever the weights say.
    weights = settings.weights if len(active) > 1 else {name: 1.0 for name in active}
    if settings.fusion == "rrf":
        rows, fused = weighted_rrf(active, weights, k=settings.rrf_k)
    else:
        rows, fused = convex_combination(active, weights, settings.normalization)
    if limit is not None:
        rows, fused = rows[:limit], fused[:limit]
    wanted = set(rows.tolist())
    components = {name: _component_scores(ranking, wanted) for name, ranking in active.items()}
    return [
        Candidate(row, score, ScoreBreakdown(
            {name: found[row] for name, found in components.items() if row in found}, fused=score))
        for row, score in zip(rows.tolist(), fused.tolist())
    ]


def _component_scores(ranking: tuple[np.ndarray, np.ndarray], wanted: set) -> dict:
    rows, scores = ranking
    return {
        row: ComponentScore(score=score, rank=rank)
        for rank, (row, score) in enumerate(zip(rows.tolist(), scores.tolist()), 1)
        if row in wanted
    }


def apply_rerank(candidates: list[Candidate], rerank_scores: np.ndarray) -> list[Candidate]:
    """Reorder candidates by reranker score (ties keep fused order)."""
    rescored = [
        Candidate(c.chunk_id, float(s), ScoreBreakdown(c.scores.components, c.scores.fused, float(s)))
        for c, s in zip(candidates, rerank_scores)
    ]
    order = sorted(range(len(rescored)), key=lambda i: (-rescored[i].score, i))
    return [rescored[i] for i in order]


def select(candidates: list[Candidate], top_k: int, threshold: float) -> list[Candidate]:
    """Keep the first ``top_k`` candidates whose final score reaches the threshold (0 = no threshold)."""
    if threshold > 0:
        candidates = [c for c in candidates if c.score >= threshold]
    return candidates[:top_k]
