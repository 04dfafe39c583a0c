"""Length-sorted batches: texts of similar length are padded together, so padding costs next to nothing."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def length_batches(
    lengths: Sequence[int], max_tokens: int, max_items: int = 256, min_fill: float = 0.75
) -> list[list[int]]:
    """Indices grouped by similar length, longest first; a batch's padded size (count x longest) stays under
    ``max_tokens`` (one over-long item still gets its own batch), and no item is padded by more than
    ``1 - min_fill`` of the batch's longest."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        longest = lengths[current[0]] if current else lengths[i]
        full = (len(current) + 1) * longest > max_tokens or len(current) >= max_items
        if current and (full or lengths[i] < min_fill * longest):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def pad(sequences: Sequence[Sequence[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Right-padded ids [B, T] int64 and mask [B, T] int32."""
    width = max(len(s) for s in sequences)
    ids = np.full((len(sequences), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(sequences), width), dtype=np.int32)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = seq
        mask[row, : len(seq)] = 1
    return ids, mask
