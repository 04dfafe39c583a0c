import math

import pytest

from hanrag.evaluate.metrics import all_metrics, dedupe_docs, mrr_at, ndcg_at, recall_at


def test_metrics_by_hand() -> None:
    ranked = ["d3", "d1", "d7", "d2"]
    qrels = {"d1": 1, "d2": 1, "d9": 0}
    assert recall_at(ranked, qrels, 1) == 0.0
    assert recall_at(ranked, qrels, 2) == 0.5
    assert recall_at(ranked, qrels, 10) == 1.0
    assert mrr_at(ranked, qrels, 10) == 0.5
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    idcg = 1 / math.log2(2) + 1 / math.log2(3)
    assert ndcg_at(ranked, qrels, 10) == pytest.approx(dcg / idcg)


def test_graded_ndcg_and_misses() -> None:
    assert ndcg_at(["a", "b"], {"a": 1, "b": 2}, 10) == pytest.approx((1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3)))
    assert all_metrics([], {"a": 1}) == {"recall@1": 0, "recall@5": 0, "recall@10": 0, "mrr@10": 0, "ndcg@10": 0}
    assert mrr_at(["x"] * 10 + ["a"], {"a": 1}, 10) == 0.0


def test_dedupe_keeps_best_rank() -> None:
    assert dedupe_docs(["a", "b", "a", "c", "b"]) == ["a", "b", "c"]
