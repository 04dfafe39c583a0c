"""Cohere's rerank API v2: ``cohere:rerank-v3.5`` (key: CO_API_KEY), or a compatible server
``cohere:http://host:port#<model>`` (POST /v2/rerank)."""

from __future__ import annotations

import numpy as np

from hanrag.rerank.base import RemoteReranker, field, scores_by_index, unit_interval


class CohereReranker(RemoteReranker):
    """``relevance_score`` is already a 0-1 relevance: used as it is."""

    kind = "cohere"
    path = "/v2/rerank"
    hosted_url = "https://api.cohere.com/v2/rerank"
    key_env = "CO_API_KEY"
    needs_model = True

    def _score_batch(self, query: str, passages: list[str]) -> np.ndarray:
        answer = self.http.post(self.url, {"model": self.model, "query": query, "documents": passages,
                                           "top_n": len(passages)})
        return unit_interval(scores_by_index(field(answer, "results", self.http.name), len(passages), self.http.name))
