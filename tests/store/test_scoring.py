"""MaxScore's best positions against scoring every posting, on postings shaped like real ones
(a few terms in most documents, many rare ones)."""

from __future__ import annotations

import numpy as np
import pytest

from hanrag.retrieve.bm25 import Bm25Params
from hanrag.store import segment
from hanrag.store import scoring
from hanrag.store.scoring import best_positions


def _segment(rng: np.random.Generator, size: int) -> segment.SegmentData:
    vocab = [f"t{i}" for i in range(400)]
    p = 1.0 / np.arange(1, len(vocab) + 1)  # Zipf: t0 is in almost every document
    p /= p.sum()
    terms = [list(rng.choice(vocab, size=int(rng.integers(3, 40)), p=p)) for _ in range(size)]
    return segment.build(np.arange(size), terms, np.zeros((size, 1), np.float32))


def _everything(data: segment.SegmentData, weights: np.ndarray, query: list[tuple[float, int, int]]) -> np.ndarray:
    scores = np.zeros(data.size)
    for term_idf, start, stop in query:
        np.add.at(scores, data.rows[start:stop], term_idf * weights[data.codes[start:stop]])
    return scores


@pytest.mark.parametrize("seed", range(4))
def test_the_best_positions_are_those_of_scoring_everything(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    shortcuts = []
    finish = scoring._finish_on_candidates
    monkeypatch.setattr(scoring, "_finish_on_candidates", lambda *args: shortcuts.append(1) or finish(*args))
    monkeypatch.setattr(scoring, "_SHORT", 100)  # lists this short take the shortcut too (segments here are small)
    rng = np.random.default_rng(seed)
    data = _segment(rng, 3000)
    weights = segment.pair_weights(data.pairs, 17.3, Bm25Params())
    ranges = {term: (start, stop) for term, start, stop in data.term_ranges()}
    names = sorted(ranges, key=lambda t: int(t[1:]))
    for _ in range(60):
        picked = [names[i] for i in rng.choice(len(names), size=int(rng.integers(1, 7)))]
        if rng.random() < 0.7:
            picked += names[:2]  # the commonest terms, as in most questions
        query = [(float(rng.uniform(0.05, 6.0)), *ranges[t]) for t in picked]
        allowed = rng.random(data.size) < 0.5 if rng.random() < 0.3 else None
        n = int(rng.choice([1, 3, 10, 50]))
        want = _everything(data, weights, query)
        if allowed is not None:
            want[~allowed] = 0.0
        positive = np.sort(want[want > 0])[::-1]
        nth = positive[min(n, positive.size) - 1] if positive.size else np.inf
        expected = np.flatnonzero((want > 0) & (want >= nth - 1e-9))
        got, scores = best_positions(data.rows, data.codes, weights, query, data.size, n, allowed)
        assert sorted(got.tolist()) == expected.tolist()
        assert np.allclose(scores, want[got], rtol=1e-12, atol=0)
    assert len(shortcuts) >= 10  # the common terms were looked up for candidates only, and agreed


def test_no_terms_or_no_room_find_nothing() -> None:
    data = _segment(np.random.default_rng(9), 50)
    weights = segment.pair_weights(data.pairs, 10.0, Bm25Params())
    assert best_positions(data.rows, data.codes, weights, [], data.size, 5, None)[0].size == 0
    assert best_positions(data.rows, data.codes, weights, [(1.0, 0, 3)], data.size, 0, None)[0].size == 0
