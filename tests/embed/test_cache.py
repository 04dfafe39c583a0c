from pathlib import Path

import numpy as np
import pytest

from hanrag.embed.cache import EmbeddingCache


def test_only_misses_are_computed_and_duplicates_once(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "e.sqlite")
    calls: list[list[str]] = []

    def compute(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return np.asarray([[len(t), 1.0] for t in texts], dtype=np.float32)

    done: list[int] = []
    first = cache.get_or_compute("m", ["a", "bb", "a"], compute, progress=done.append)
    assert calls == [["bb", "a"]] and sum(done) == 3  # longest first
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


def test_misses_are_batched_by_similar_length(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "e.sqlite")
    calls: list[list[str]] = []

    def compute(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return np.ones((len(texts), 2), dtype=np.float32)

    texts = ["가" * n for n in (3, 300, 5, 280, 4, 310)]
    vectors = cache.get_or_compute("m", texts, compute, batch_size=3)
    assert [sorted(map(len, c)) for c in calls] == [[280, 300, 310], [3, 4, 5]]
    assert vectors.shape == (6, 2)


def test_recent_questions_are_answered_from_memory(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "e.sqlite")
    calls: list[list[str]] = []

    def compute(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return np.asarray([[len(t), 1.0] for t in texts], dtype=np.float32)

    first = cache.get_or_compute("query|m", ["질문"], compute)
    cache._lookup = lambda *a: (_ for _ in ()).throw(AssertionError("went to SQLite"))  # type: ignore[method-assign]
    np.testing.assert_array_equal(cache.get_or_compute("query|m", ["질문"], compute), first)
    assert calls == [["질문"]]
    with pytest.raises(AssertionError, match="SQLite"):  # another model never reads this one's vectors
        cache.get_or_compute("query|other", ["질문"], compute)
