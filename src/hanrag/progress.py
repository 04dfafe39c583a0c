"""Speed and time left of a long stage (embedding 10,000 chunks), from its progress updates."""

from __future__ import annotations

import time
from collections.abc import Callable

# progress(stage, done, total): what Index.add and the evaluator report
Progress = Callable[[str, int, int], None]


class StageClock:
    """Feed it every (stage, done, total) update; it answers (items per second, seconds left) of
    the current stage, or (None, None) until the stage has run long enough to tell."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, settle_s: float = 1.0) -> None:
        self._clock = clock
        self._settle_s = settle_s
        self._stage: str | None = None
        self._start = 0.0
        self._done_at_start = 0

    def update(self, stage: str, done: int, total: int) -> tuple[float | None, float | None]:
        now = self._clock()
        if stage != self._stage:
            self._stage, self._start, self._done_at_start = stage, now, done
        elapsed = now - self._start
        if elapsed < self._settle_s or done <= self._done_at_start:
            return None, None
        rate = (done - self._done_at_start) / elapsed
        return rate, max(0.0, (total - done) / rate)


def describe(rate: float | None, left: float | None) -> str:
    """"12.3/s, 1:05 left" (empty until known)."""
    if rate is None or left is None:
        return ""
    minutes, seconds = divmod(int(round(left)), 60)
    hours, minutes = divmod(minutes, 60)
    clock = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
    return f"{rate:.1f}/s, {clock} left"
