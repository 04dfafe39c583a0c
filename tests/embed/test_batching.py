"""Length-sorted batching and the in-memory query cache."""

from __future__ import annotations

import threading

import numpy as np

from hanrag.embed.batching import length_batches, pad
from hanrag.embed.query_cache import QueryLRU


def test_batches_group_similar_lengths_under_the_token_budget() -> None:
    lengths = [5, 300, 7, 290, 6, 310, 8, 1000]
    batches = length_batches(lengths, max_tokens=700)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert batches[0] == [7]  # longer than the budget: alone
    for batch in batches:
        assert len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= 700
    # short texts are never padded to a long one's length
    assert all(max(lengths[i] for i in b) < 20 for b in batches if any(lengths[i] < 20 for i in b))


def test_pad_masks_the_padding() -> None:
    ids, mask = pad([(0, 5, 2), (0, 2)], pad_id=1)
    assert ids.tolist() == [[0, 5, 2], [0, 2, 1]]
    assert mask.tolist() == [[1, 1, 1], [1, 1, 0]]


def test_query_lru_computes_only_unseen_texts_and_evicts() -> None:
    calls: list[list[str]] = []

    def compute(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return np.array([[float(len(t)), 1.0] for t in texts], dtype=np.float32)

    cache = QueryLRU(size=2)
    assert cache.get_or_compute(["a", "bb", "a"], compute).tolist() == [[1, 1], [2, 1], [1, 1]]
    assert calls == [["a", "bb"]]
    cache.get_or_compute(["bb"], compute)
    cache.get_or_compute(["ccc"], compute)  # evicts "a", the least recently used
    cache.get_or_compute(["a", "bb"], compute)
    assert calls[1:] == [["ccc"], ["a"]]


def test_query_lru_is_thread_safe() -> None:
    cache = QueryLRU(size=8)
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for i in range(200):
                text = f"q{(i + k) % 20}"
                row = cache.get_or_compute([text], lambda ts: np.array([[float(t[1:])] for t in ts]))
                assert row[0, 0] == float(text[1:])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
