"""Which segments to merge: a tiered policy (after Lucene's TieredMergePolicy, McCandless 2011).

Segments are grouped by size into tiers a ``factor`` apart (live rows below ``floor`` form tier 0);
once a tier holds ``factor`` segments, they are merged into one of the next tier. So a write
costs what it adds, a chunk is rewritten about log_factor(N / floor) times over its life, and at
most (factor - 1) segments stay in each tier. A segment more than half deleted is rewritten on its
own to give back the space and the scoring work of its dead rows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence


def pick_merge(segments: Sequence[tuple[int, int, int]], factor: int = 10, floor: int = 1000) -> list[int] | None:
    """Segment ids to merge next, from (id, rows, deleted) of every segment; None when none should."""
    tiers: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for number, rows, deleted in segments:
        live = rows - deleted
        tier = 0 if live < floor else int(math.log(live / floor, factor)) + 1
        tiers[tier].append((live, number))
    for tier in sorted(tiers):
        members = sorted(tiers[tier])
        if len(members) >= factor:
            return [number for _, number in members[:factor]]
    for number, rows, deleted in segments:
        if rows and deleted * 2 > rows:
            return [number]
    return None
