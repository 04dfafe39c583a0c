"""The best BM25 positions of one segment, exactly, without scoring every posting of common terms.

MaxScore (Turtle & Flood, 1995) over numpy arrays. A term's weight in any document is at most
``idf * max_weight`` (the largest weight of the segment's (tf, length) pairs). Terms are scored
rare first into a dense accumulator; once the bounds of the terms left add up to less than the
n-th best score so far, a document that none of the scored terms matched cannot reach the top n,
and the terms left (the common ones, with the longest posting lists) are looked up only for the
documents that still can: a binary search in their sorted postings instead of a pass over them.
The positions returned and their scores are those of scoring everything.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hanrag.retrieve.topk import top_candidates

# Terms with fewer postings than this are always scored in full: one pass over them costs less
# than finding the n-th best score (a pass over the segment) would save.
_SHORT = 20_000
# Common terms are looked up for the candidates left only when that is clearly fewer steps
# (a binary search per candidate, ~log2 of the list) than a pass over their postings.
_LOOKUP_COST = 24
# Rare postings fewer than size / _SPARSE are accumulated by position (sorted) rather than densely.
_SPARSE = 32


def best_positions(
    rows: np.ndarray,
    codes: np.ndarray,
    weights: np.ndarray,
    terms: Sequence[tuple[float, int, int]],
    size: int,
    n: int,
    allowed: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """(positions, scores) of the positions among ``allowed`` (all if None) that score above 0
    and at least the ``n``-th best score (ties at the cut included), in no particular order.

    ``rows``/``codes`` are the segment's postings (positions ascending within a term), ``weights``
    the weight of each code, ``terms`` (idf, start, stop) per query term (a repeated term counts again).
    """
    merged: dict[tuple[int, int], float] = {}
    for term_idf, start, stop in terms:
        if stop > start:
            merged[(start, stop)] = merged.get((start, stop), 0.0) + term_idf
    if not merged or n <= 0 or size == 0:
        return np.zeros(0, np.int64), np.zeros(0)
    top_weight = float(weights.max())
    short = max(_SHORT, size // 4)
    items = [(term_idf * top_weight, term_idf, start, stop) for (start, stop), term_idf in merged.items()]
    common = sorted((item for item in items if item[3] - item[2] >= short), reverse=True)  # highest bound first
    rare = [item for item in items if item[3] - item[2] < short]
    if common and sum(stop - start for _, _, start, stop in rare) <= size // _SPARSE:
        # Few rare postings: their positions, sorted, instead of passes over the whole segment.
        positions, values = _sparse(rows, codes, weights, rare, allowed)
        floor = _floor(values, common, n)
        if floor is not None:
            kept = values >= floor
            return _finish_on_candidates(rows, codes, weights, common, positions[kept], values[kept], n)
        scores = _scored(rows, codes, weights, common[:1], size)
        scores[positions] += values
        common = common[1:]
    else:
        scores = _scored(rows, codes, weights, rare, size)
    if allowed is not None:
        scores[~allowed] = 0.0
    for i in range(len(common)):
        floor = _floor(scores[scores > 0.0], common[i:], n)
        if floor is not None:
            candidates = np.flatnonzero(scores >= floor)
            return _finish_on_candidates(rows, codes, weights, common[i:], candidates, scores[candidates], n)
        scores += _scored(rows, codes, weights, [common[i]], size)
        if allowed is not None:
            scores[~allowed] = 0.0
    best = top_candidates(scores, n)
    return best, scores[best]


def _floor(values: np.ndarray, left: Sequence[tuple], n: int) -> float | None:
    """The score below which a position cannot reach the top ``n`` however the terms ``left``
    add to it, given the positive ``values`` so far; None when that cannot exclude the positions
    still at 0, or when looking the terms up for the others would not clearly beat scoring them."""
    if values.size < n:
        return None
    bound = sum(item[0] for item in left) * (1 + 1e-9)  # the margin covers rounding in the sums
    nth = float(np.partition(values, values.size - n)[values.size - n])
    if bound >= nth:
        return None
    floor = nth - bound
    if np.count_nonzero(values >= floor) * _LOOKUP_COST >= sum(stop - start for _, _, start, stop in left):
        return None
    return floor


def _sparse(rows: np.ndarray, codes: np.ndarray, weights: np.ndarray, terms: Sequence[tuple],
            allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """(positions, BM25) of the allowed positions that ``terms`` match, positions ascending."""
    if not terms:
        return np.zeros(0, np.int64), np.zeros(0)
    matched, contributions = _postings(rows, codes, weights, terms)
    positions, slot = np.unique(matched, return_inverse=True)
    values = np.bincount(slot.reshape(-1), contributions, minlength=positions.size)
    if allowed is not None:
        keep = allowed[positions]
        positions, values = positions[keep], values[keep]
    return positions.astype(np.int64), values


def _scored(rows: np.ndarray, codes: np.ndarray, weights: np.ndarray, terms: Sequence[tuple], size: int) -> np.ndarray:
    """Dense BM25 of every position over ``terms`` (bound, idf, start, stop)."""
    if not terms:
        return np.zeros(size)
    positions, contributions = _postings(rows, codes, weights, terms)
    return np.bincount(positions, contributions, minlength=size)


def _postings(rows: np.ndarray, codes: np.ndarray, weights: np.ndarray,
              terms: Sequence[tuple]) -> tuple[np.ndarray, np.ndarray]:
    """The positions of ``terms``' postings and each one's idf * weight."""
    positions = np.concatenate([rows[start:stop] for _, _, start, stop in terms])
    contributions = np.empty(positions.size)
    offset = 0
    for _, term_idf, start, stop in terms:
        (term_idf * weights).take(codes[start:stop], out=contributions[offset : offset + stop - start])
        offset += stop - start
    return positions, contributions


def _finish_on_candidates(rows: np.ndarray, codes: np.ndarray, weights: np.ndarray, terms: Sequence[tuple],
                          candidates: np.ndarray, totals: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Add ``terms`` to the ``totals`` of ``candidates`` only (sorted positions) and keep the best."""
    for _, term_idf, start, stop in terms:
        postings = rows[start:stop]
        at = np.searchsorted(postings, candidates)
        hit = at < postings.size
        hit[hit] = postings[at[hit]] == candidates[hit]
        totals[hit] += term_idf * weights[codes[start + at[hit]]]
    best = top_candidates(totals, n)
    return candidates[best], totals[best]
