import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from hanrag.retrieve.sparse import BM25Index

CORPUS = [
    ["한국은행", "기준", "금리", "동결"],
    ["금리", "인상", "금리", "물가"],
    ["김치", "발효", "음식"],
    ["연차", "유급", "휴가", "근로자", "휴가"],
    [],
]


def reference_bm25(corpus: list[list[str]], query: list[str], k1: float, b: float) -> list[float]:
    """Lucene BM25, written out from the formula."""
    n = len(corpus)
    avgdl = sum(len(d) for d in corpus) / n
    df = Counter(t for d in corpus for t in set(d))
    out = []
    for doc in corpus:
        tf = Counter(doc)
        score = 0.0
        for term in query:
            if tf[term] == 0:
                continue
            idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
            score += idf * tf[term] / (tf[term] + k1 * (1 - b + b * len(doc) / avgdl))
        out.append(score)
    return out


@pytest.mark.parametrize(("k1", "b"), [(1.5, 0.75), (1.2, 0.75), (0.9, 0.4)])
def test_scores_match_the_formula(k1: float, b: float) -> None:
    index = BM25Index.build(CORPUS, k1=k1, b=b)
    for query in (["금리"], ["휴가", "근로자"], ["금리", "김치", "없는말"]):
        assert index.scores(query) == pytest.approx(reference_bm25(CORPUS, query, k1, b), rel=1e-5)


def test_top_skips_documents_without_query_terms() -> None:
    rows, scores = BM25Index.build(CORPUS).top(["금리"], 10)
    assert list(rows) == [1, 0]
    assert scores[0] > scores[1] > 0


def test_unknown_terms_and_empty_query_give_nothing() -> None:
    index = BM25Index.build(CORPUS)
    assert index.top(["우주"], 5)[0].size == 0
    assert index.top([], 5)[0].size == 0


def test_save_load_memory_mapped(tmp_path: Path) -> None:
    index = BM25Index.build(CORPUS, k1=1.2, b=0.5)
    index.save(tmp_path)
    loaded = BM25Index.load(tmp_path)
    assert (loaded.k1, loaded.b, loaded.size) == (1.2, 0.5, 5)
    np.testing.assert_allclose(loaded.scores(["휴가"]), index.scores(["휴가"]))


def test_empty_index(tmp_path: Path) -> None:
    index = BM25Index.build([])
    index.save(tmp_path)
    assert BM25Index.load(tmp_path).top(["금리"], 3)[0].size == 0
