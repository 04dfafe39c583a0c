"""Remote embedders: requests of at most the provider's batch size, several in flight at once (bounded)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

Row = TypeVar("Row")


def embed_in_batches(
    texts: Sequence[str], batch_size: int, concurrency: int, request: Callable[[list[str]], list[Row]]
) -> list[Row]:
    """``request`` over consecutive batches, up to ``concurrency`` at a time; rows come back in input order.
    The first failure is raised (after the requests already in flight finish)."""
    batches = [list(texts[i : i + batch_size]) for i in range(0, len(texts), max(1, batch_size))]
    if len(batches) <= 1 or concurrency <= 1:
        return [row for batch in batches for row in request(batch)]
    with ThreadPoolExecutor(min(concurrency, len(batches))) as pool:
        return [row for rows in pool.map(request, batches) for row in rows]
