"""Jina AI's rerank API: ``jina:jina-reranker-v2-base-multilingual`` (key: JINA_API_KEY), or a
compatible server ``jina:http://host:port#<model>`` (POST /v1/rerank)."""

from __future__ import annotations

import numpy as np

from hanrag.rerank.base import RemoteReranker, field, scores_by_index, unit_interval


class JinaReranker(RemoteReranker):
    """``relevance_score`` comes back as a 0-1 relevance: used as it is."""

    kind = "jina"
    path = "/v1/rerank"
    hosted_url = "https://api.jina.ai/v1/rerank"
    key_env = "JINA_API_KEY"
    needs_model = True

    def _score_batch(self, query: str, passages: list[str]) -> np.ndarray:
        answer = self.http.post(self.url, {"model": self.model, "query": query, "documents": passages,
                                           "top_n": len(passages), "return_documents": False})
        return unit_interval(scores_by_index(field(answer, "results", self.http.name), len(passages), self.http.name))
