"""Ranking metrics over doc ids (definitions as in trec_eval / ranx).

recall@k = |relevant in top k| / |relevant|; MRR@k = 1 / rank of the first relevant doc
within k (0 if none); nDCG@k with linear gains: DCG = sum rel_i / log2(i + 1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def recall_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    wanted = {d for d, r in relevant.items() if r > 0}
    if not wanted:
        return 0.0
    return len(wanted.intersection(ranked[:k])) / len(wanted)


def mrr_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    for i, doc in enumerate(ranked[:k], 1):
        if relevant.get(doc, 0) > 0:
            return 1.0 / i
    return 0.0


def ndcg_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    dcg = sum(relevant.get(doc, 0) / math.log2(i + 1) for i, doc in enumerate(ranked[:k], 1) if relevant.get(doc, 0) > 0)
    ideal = sorted((r for r in relevant.values() if r > 0), reverse=True)[:k]
    idcg = sum(r / math.log2(i + 1) for i, r in enumerate(ideal, 1))
    return dcg / idcg if idcg > 0 else 0.0


def all_metrics(ranked: Sequence[str], relevant: Mapping[str, int]) -> dict[str, float]:
    """The metrics `hanrag eval` reports, for one query."""
    return {
        "recall@1": recall_at(ranked, relevant, 1),
        "recall@5": recall_at(ranked, relevant, 5),
        "recall@10": recall_at(ranked, relevant, 10),
        "mrr@10": mrr_at(ranked, relevant, 10),
        "ndcg@10": ndcg_at(ranked, relevant, 10),
    }


def dedupe_docs(doc_ids: Sequence[str]) -> list[str]:
    """Doc-level ranking from a chunk-level one: each doc at its best chunk's rank."""
    seen: set[str] = set()
    out = []
    for doc in doc_ids:
        if doc not in seen:
            seen.add(doc)
            out.append(doc)
    return out
