from pathlib import Path

import numpy as np

from hanrag.embed.cache import EmbeddingCache


def test_only_misses_are_computed_and_duplicates_once(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "e.sqlite")
    calls: list[list[str]] = []

    def compute(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return np.asarray([[len(t), 1.0] for t in texts], dtype=np.float32)

    done: list[int] = []
    first = cache.get_or_compute("m", ["a", "bb", "a"], compute, progress=done.append)
    assert calls == [["a", "bb"]] and sum(done) == 3
    np.testing.assert_array_equal(first, [[1, 1], [2, 1], [1, 1]])
    second = cache.get_or_compute("m", ["bb", "ccc"], compute)
    assert calls[-1] == ["ccc"]
    np.testing.assert_array_equal(second, [[2, 1], [3, 1]])
    cache.get_or_compute("other-model", ["bb"], compute)
    assert calls[-1] == ["bb"]  # keyed by model too
    cache.close()
    reopened = EmbeddingCache(tmp_path / "e.sqlite")
    reopened.get_or_compute("m", ["a", "bb", "ccc"], compute)
    assert len(calls) == 3
