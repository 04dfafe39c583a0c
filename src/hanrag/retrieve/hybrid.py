"""The query path after tokenizing and embedding: candidates from each retriever, fusion, threshold.

Split into pure steps so evaluation can compute candidates once and fuse them many ways.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hanrag.config import RetrievalSettings
from hanrag.retrieve.fusion import convex_combination, weighted_rrf
from hanrag.retrieve.topk import top_n
from hanrag.schema import ComponentScore, ScoreBreakdown
from hanrag.store.generation import Generation

Rankings = dict[str, tuple[np.ndarray, np.ndarray]]

MODE_RETRIEVERS: dict[str, tuple[str, ...]] = {"hybrid": ("bm25", "dense"), "bm25": ("bm25",), "dense": ("dense",)}


@dataclass(frozen=True)
class ScoredRow:
    """A generation row with its score breakdown, before chunk text is attached."""

    row: int
    score: float
    scores: ScoreBreakdown


def retrieve(
    generation: Generation,
    mode: str,
    candidates: int,
    query_terms: Sequence[str] | None,
    query_vector: np.ndarray | None,
    mask: np.ndarray | None = None,
) -> Rankings:
    """Top ``candidates`` (rows, raw scores) from each retriever the mode uses.

    ``mask`` (bool per row) restricts both retrievers to the rows a metadata filter allows,
    before the top-n cut, so a filter never empties the candidate lists.
    """
    rankings: Rankings = {}
    for name in MODE_RETRIEVERS[mode]:
        if name == "bm25":
            if mask is None:
                rankings[name] = generation.bm25.top(query_terms or [], candidates)
            else:
                scores = np.where(mask, generation.bm25.scores(query_terms or []), 0.0)
                rankings[name] = top_n(scores, candidates, min_score=0.0)
        elif query_vector is not None:
            if mask is None:
                rankings[name] = generation.dense.top(query_vector, candidates)
            else:
                scores = np.where(mask, generation.dense.scores(query_vector), -np.inf)
                rankings[name] = top_n(scores, candidates, min_score=-np.inf)
    return rankings


def fuse(rankings: Rankings, settings: RetrievalSettings, limit: int | None = None) -> list[ScoredRow]:
    """Fused candidates, best first, each with every component's raw score and rank.

    ``limit`` keeps only the best rows (those a caller can still return or rerank): the
    breakdown objects are the costly part of a query on small indexes.
    """
    active = {name: ranking for name, ranking in rankings.items() if name in MODE_RETRIEVERS[settings.mode]}
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
    bm25, dense = components.get("bm25", {}), components.get("dense", {})
    return [
        ScoredRow(row=row, score=score, scores=ScoreBreakdown(bm25=bm25.get(row), dense=dense.get(row), fused=score))
        for row, score in zip(rows.tolist(), fused.tolist())
    ]


def _component_scores(ranking: tuple[np.ndarray, np.ndarray], wanted: set[int]) -> dict[int, ComponentScore]:
    rows, scores = ranking
    return {
        row: ComponentScore(score=score, rank=rank)
        for rank, (row, score) in enumerate(zip(rows.tolist(), scores.tolist()), 1)
        if row in wanted
    }


def apply_rerank(candidates: list[ScoredRow], rerank_scores: np.ndarray) -> list[ScoredRow]:
    """Reorder candidates by reranker score (ties keep fused order)."""
    rescored = [
        ScoredRow(row=c.row, score=float(s), scores=ScoreBreakdown(c.scores.bm25, c.scores.dense, c.scores.fused, float(s)))
        for c, s in zip(candidates, rerank_scores)
    ]
    order = sorted(range(len(rescored)), key=lambda i: (-rescored[i].score, i))
    return [rescored[i] for i in order]


def select(candidates: list[ScoredRow], top_k: int, threshold: float) -> list[ScoredRow]:
    """Keep the first ``top_k`` candidates whose final score reaches the threshold (0 = no threshold)."""
    if threshold > 0:
        candidates = [c for c in candidates if c.score >= threshold]
    return candidates[:top_k]
