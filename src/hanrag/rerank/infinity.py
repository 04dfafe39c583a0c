"""Infinity (michaelfeil/infinity): ``infinity:http://host:7997[#model]`` (POST /rerank)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from hanrag.rerank.base import RemoteReranker, field, scores_by_index, unit_interval


class InfinityReranker(RemoteReranker):
    """Infinity applies a sigmoid unless asked for raw scores; its 0-1 ``relevance_score`` is used
    as it is (not asking for raw scores keeps servers older than that option correct)."""

    kind = "infinity"
    path = "/rerank"

    def _score_batch(self, query: str, passages: list[str]) -> np.ndarray:
        payload = {"query": query, "documents": passages, "return_documents": False}
        if self.model:
            payload["model"] = self.model
        answer = self.http.post(self.url, payload)
        # Infinity answered {"data": [...]} before it adopted Cohere's {"results": [...]}.
        key = "data" if isinstance(answer, Mapping) and "results" not in answer and "data" in answer else "results"
        return unit_interval(scores_by_index(field(answer, key, self.http.name), len(passages), self.http.name))
