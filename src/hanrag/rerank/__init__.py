"""Rerankers: score (query, passage) pairs on a calibrated 0-1 scale."""

from hanrag.rerank.base import Reranker

__all__ = ["Reranker"]
