"""vLLM serving a cross-encoder: ``vllm:http://host:8000[#model]`` (POST /v1/rerank) or, with a
URL ending in /score, its score API ``vllm:http://host:8000/score[#model]``."""

from __future__ import annotations

import numpy as np

from hanrag.rerank.base import RemoteReranker, field, scores_by_index, unit_interval


class VLLMReranker(RemoteReranker):
    """vLLM applies the model's own activation (a sigmoid for one-label cross-encoders), so both
    APIs answer 0-1 relevances: used as they are."""

    kind = "vllm"
    path = "/v1/rerank"

    def _score_batch(self, query: str, passages: list[str]) -> np.ndarray:
        model = {"model": self.model} if self.model else {}
        if self.url.rstrip("/").endswith("score"):
            answer = self.http.post(self.url, {**model, "text_1": query, "text_2": passages})
            results = field(answer, "data", self.http.name)
            return unit_interval(scores_by_index(results, len(passages), self.http.name, score_key="score"))
        answer = self.http.post(self.url, {**model, "query": query, "documents": passages, "top_n": len(passages)})
        return unit_interval(scores_by_index(field(answer, "results", self.http.name), len(passages), self.http.name))
