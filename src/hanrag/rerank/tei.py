"""Hugging Face Text Embeddings Inference: ``tei:http://host:8080`` (POST /rerank)."""

from __future__ import annotations

import numpy as np

from hanrag.rerank.base import RemoteReranker, scores_by_index, sigmoid


class TEIReranker(RemoteReranker):
    """Asks for raw logits (``raw_scores``) and applies the same sigmoid as a local cross-encoder,
    so a TEI-served model and the same model run locally give the same 0-1 scores."""

    kind = "tei"
    path = "/rerank"

    def _score_batch(self, query: str, passages: list[str]) -> np.ndarray:
        answer = self.http.post(self.url, {"query": query, "texts": passages, "raw_scores": True, "truncate": True})
        return sigmoid(scores_by_index(answer, len(passages), self.http.name, score_key="score"))
