import numpy as np
import pytest

from hanrag.retrieve.fusion import convex_combination, normalize, weighted_rrf

A = np.array


def test_minmax_by_hand() -> None:
    assert normalize(A([10.0, 6.0, 2.0]), "minmax") == pytest.approx([1.0, 0.5, 0.0])
    assert normalize(A([3.3]), "minmax") == pytest.approx([1.0])  # single hit
    assert normalize(A([2.0, 2.0]), "minmax") == pytest.approx([1.0, 1.0])


def test_zscore_dbsf_l2_by_hand() -> None:
    s = A([4.0, 2.0, 0.0])  # mean 2, population std sqrt(8/3)
    std = np.sqrt(8 / 3)
    assert normalize(s, "zscore") == pytest.approx([2 / std, 0.0, -2 / std])
    low = 2 - 3 * std
    assert normalize(s, "dbsf") == pytest.approx([(4 - low) / (6 * std), (2 - low) / (6 * std), (0 - low) / (6 * std)])
    assert normalize(s, "l2") == pytest.approx([4 / np.sqrt(20), 2 / np.sqrt(20), 0.0])
    assert normalize(s, "none") == pytest.approx([4.0, 2.0, 0.0])


def test_dbsf_clips_outliers() -> None:
    s = A([100.0] + [0.0] * 50)
    assert normalize(s, "dbsf").max() == 1.0 and normalize(s, "dbsf").min() >= 0.0


def test_unknown_normalization() -> None:
    with pytest.raises(ValueError, match="unknown normalization"):
        normalize(A([1.0]), "softmax")


def test_convex_combination_by_hand() -> None:
    rankings = {
        "bm25": (A([7, 3, 5]), A([12.0, 8.0, 4.0])),  # minmax -> 1, .5, 0
        "dense": (A([3, 9]), A([0.9, 0.7])),  # minmax -> 1, 0
    }
    rows, scores = convex_combination(rankings, {"bm25": 0.7, "dense": 0.3}, "minmax")
    # 3: .7*.5 + .3*1 = .65 ; 7: .7 ; 5: 0 ; 9: 0
    assert list(rows) == [7, 3, 5, 9]
    assert scores == pytest.approx([0.7, 0.65, 0.0, 0.0])


def test_raw_sum_baseline_is_dominated_by_bm25_scale() -> None:
    rankings = {"bm25": (A([1, 2]), A([15.0, 14.0])), "dense": (A([2, 1]), A([0.95, 0.10]))}
    rows, scores = convex_combination(rankings, {"bm25": 0.5, "dense": 0.5}, "none")
    assert list(rows) == [1, 2]  # the dense opinion barely matters on raw scales
    assert scores == pytest.approx([7.55, 7.475])


def test_weighted_rrf_by_hand() -> None:
    rankings = {"bm25": (A([1, 2, 3]), A([9.0, 8.0, 7.0])), "dense": (A([3, 1]), A([0.9, 0.8]))}
    rows, scores = weighted_rrf(rankings, {"bm25": 0.7, "dense": 0.3}, k=60)
    expected = {1: 0.7 / 61 + 0.3 / 62, 2: 0.7 / 62, 3: 0.7 / 63 + 0.3 / 61}
    assert list(rows) == sorted(expected, key=lambda r: -expected[r])
    assert scores == pytest.approx([expected[int(r)] for r in rows])


def test_ties_are_broken_by_row_and_empty_lists_work() -> None:
    rows, scores = weighted_rrf({"bm25": (A([5]), A([1.0])), "dense": (A([4]), A([1.0]))}, {"bm25": 1, "dense": 1})
    assert list(rows) == [4, 5]
    rows, scores = convex_combination({"bm25": (A([], dtype=int), A([]))}, {"bm25": 1.0})
    assert rows.size == 0 and scores.size == 0
