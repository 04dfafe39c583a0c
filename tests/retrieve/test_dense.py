from pathlib import Path

import numpy as np

from hanrag.retrieve.dense import DenseIndex
from hanrag.retrieve.topk import top_n


def test_exact_search_and_mmap_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(200, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = DenseIndex(vectors)
    query = vectors[42]
    rows, scores = index.top(query, 5)
    assert rows[0] == 42 and abs(scores[0] - 1) < 1e-5
    assert list(rows) == list(np.argsort(-(vectors @ query))[:5])
    index.save(tmp_path)
    loaded = DenseIndex.load(tmp_path)
    assert isinstance(loaded.vectors, np.memmap)
    assert list(loaded.top(query, 5)[0]) == list(rows)


def test_top_n_orders_and_breaks_ties_by_row() -> None:
    rows, scores = top_n(np.array([0.5, 0.9, 0.5, 0.1]), 3)
    assert list(rows) == [1, 0, 2]
    rows, _ = top_n(np.array([0.0, 2.0, 0.0]), 5, min_score=0.0)
    assert list(rows) == [1]
