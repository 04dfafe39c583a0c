"""A cross-encoder deployed in OpenSearch ML Commons: ``opensearch:http://host:9200#<model_id>``
(POST /_plugins/_ml/models/<model_id>/_predict). With a secured cluster, the variable named by the
``api_key_env`` setting holds ``user:password`` (basic auth) or a bearer token."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

import numpy as np

from hanrag.errors import BackendError
from hanrag.rerank.base import RemoteReranker, field, sigmoid


class OpenSearchReranker(RemoteReranker):
    """The TEXT_SIMILARITY model's answer is one raw logit per passage: a sigmoid makes it 0-1."""

    kind = "opensearch"
    path = "/_plugins/_ml/models/{model}/_predict"
    needs_model = True

    def _credentials(self, key: str | None) -> dict[str, Any]:
        """A ``user:password`` key is basic auth (the security plugin's default); anything else a bearer token."""
        if key and ":" in key:
            user, _, password = key.partition(":")
            return {"auth": (user, password)}
        return super()._credentials(key)

    def _endpoint(self, arg: str) -> tuple[str, str]:
        if "/_plugins/_ml/models/" in arg.partition("#")[0]:  # the full _predict URL
            url = arg.partition("#")[0].strip()
            return url, urlsplit(url).path.split("/_plugins/_ml/models/")[1].split("/")[0]
        url, model = super()._endpoint(arg)
        return url.replace("{model}", quote(model, safe="")), model

    def _score_batch(self, query: str, passages: list[str]) -> np.ndarray:
        answer = self.http.post(self.url, {"query_text": query, "text_docs": passages})
        results = field(answer, "inference_results", self.http.name)
        try:
            logits = [float(result["output"][0]["data"][0]) for result in results]
        except (TypeError, KeyError, IndexError, ValueError) as exc:
            raise BackendError(f"{self.http.name}: unexpected answer ({type(exc).__name__}: {exc})") from exc
        if len(logits) != len(passages):
            raise BackendError(f"{self.http.name}: {len(logits)} scores for {len(passages)} passages")
        return sigmoid(np.asarray(logits))
