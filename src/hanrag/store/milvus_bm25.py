"""BM25 over Milvus with hanrag's own analysis and exactly the local store's scores.

Milvus's built-in BM25 cannot be used as is: milvus-lite keeps its statistics per segment, its
analysers are not hanrag's, and the (index-wide, live) idf that ``idf()`` reports must come from
somewhere. So each chunk carries a sparse vector: per term (hashed to 32 bits) its saturated term
frequency ``tf / (tf + k1 (1 - b + b |d| / avgdl))`` with the statistics of the moment it was
written; the query weighs its terms by today's idf. Milvus's sparse inner product then finds the
candidates (a few times ``n``), and each candidate is scored again here from its stored terms with
the live statistics: the returned scores are the local store's, and only the candidate cut can
differ (when avgdl has drifted far since a chunk was written, or two terms share a hash).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence

import numpy as np

from hanrag.retrieve.bm25 import Bm25Params, idf, length_norms, term_weights

WRITE_PARAMS = Bm25Params()  # weights stored with chunks; a query's own k1/b apply at rescoring


def term_key(term: str) -> int:
    """A term's sparse dimension: 32 bits of blake2b (never 2**32 - 1, which Milvus reserves)."""
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=4).digest(), "little") % (2**32 - 1)


def chunk_vector(terms: Sequence[str], avgdl: float) -> dict[int, float]:
    """The sparse candidate vector of one chunk (empty terms give a tiny placeholder entry)."""
    counts = Counter(terms)
    if not counts:
        return {0: 1e-9}  # Milvus rejects an empty sparse row
    norm = float(length_norms(np.asarray([len(terms)]), avgdl, WRITE_PARAMS)[0])
    vector: dict[int, float] = {}
    for term, tf in counts.items():
        key = term_key(term)
        vector[key] = vector.get(key, 0.0) + tf / (tf + norm)
    return vector


def query_vector(terms: Sequence[str], term_idf: dict[str, float]) -> dict[int, float]:
    """Each known query term's idf, counted again for a repeated term."""
    vector: dict[int, float] = {}
    for term in terms:
        if term in term_idf:
            key = term_key(term)
            vector[key] = vector.get(key, 0.0) + term_idf[term]
    return vector


def candidates(n: int) -> int:
    """How many candidates Milvus returns for an exact top ``n`` (its top-k cap is 16384)."""
    return min(16_384, max(3 * n, n + 100))


def rescore(query: Sequence[str], chunk_terms: Sequence[Sequence[str]], total: int, avgdl: float,
            df: dict[str, int], params: Bm25Params) -> np.ndarray:
    """Exact Lucene BM25 of each chunk (its terms) for ``query`` with the live statistics."""
    known = [t for t in query if t in df]
    term_idf = dict(zip(df, idf(total, np.fromiter(df.values(), np.float64, len(df))).tolist()))
    lengths = np.asarray([len(t) for t in chunk_terms], dtype=np.float64)
    norms = length_norms(lengths, avgdl, params)
    counts = [Counter(t) for t in chunk_terms]
    scores = np.zeros(len(chunk_terms), dtype=np.float64)
    for term in known:
        tf = np.asarray([c.get(term, 0) for c in counts], dtype=np.float64)
        scores += term_weights(term_idf[term], tf, norms)
    return scores
