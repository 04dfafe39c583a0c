from types import SimpleNamespace

import pytest

from hanrag.evaluate.plot import recall_curves


def test_recall_curves_from_per_query_results() -> None:
    result = SimpleNamespace(
        config={"name": "default", "mode": "hybrid"},
        per_query=[
            {"ranked": ["a", "b", "c"], "relevant": ["a"]},  # found at 1
            {"ranked": ["x", "y", "b"], "relevant": ["b"]},  # found at 3
        ],
    )
    curves = recall_curves([result], ks=[1, 2, 3, 10])
    assert curves == {"default / hybrid": pytest.approx([0.5, 0.5, 1.0, 1.0])}
