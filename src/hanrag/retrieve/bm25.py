"""Okapi BM25, Lucene's variant, as pure functions over postings.

    idf(t)    = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))
    w(t, d)   = idf(t) * tf / (tf + k1 * (1 - b + b * |d| / avgdl))
    score(d)  = sum of w(t, d) over the query's terms (a repeated query term counts again)

Robertson & Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond" (2009); the
idf is Lucene's (always positive). N, df and avgdl are the whole index's live statistics, so a
score is the same whichever segment holds the document and whatever was deleted before: the
store computes them at query time instead of baking them into precomputed weights (which is
what bm25s does, and why it must rebuild everything on every write).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Bm25Params:
    k1: float = 1.5
    b: float = 0.75


def idf(n_docs: int, df: np.ndarray) -> np.ndarray:
    """Lucene's idf for document frequencies ``df`` among ``n_docs`` documents."""
    df = np.asarray(df, dtype=np.float64)
    return np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))


def length_norms(lengths: np.ndarray, avgdl: float, params: Bm25Params) -> np.ndarray:
    """k1 * (1 - b + b * |d| / avgdl) for each document length."""
    avgdl = avgdl if avgdl > 0 else 1.0
    return params.k1 * (1.0 - params.b + params.b * np.asarray(lengths, dtype=np.float64) / avgdl)


def term_weights(term_idf: float, tf: np.ndarray, norms: np.ndarray) -> np.ndarray:
    """w(t, d) for one term's postings: ``tf`` per posting, ``norms`` of the same documents."""
    tf = np.asarray(tf, dtype=np.float64)
    return term_idf * tf / (tf + norms)
