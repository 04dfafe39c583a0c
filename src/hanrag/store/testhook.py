"""A test hook for crash tests: stop the index writer at a named step of a commit. Off by default.

With ``HANRAG_TEST_PAUSE_AT=<step>`` and ``HANRAG_TEST_PAUSE_FILE=<path>`` in the environment, the
writer, on reaching <step>, writes its pid to <path> and sleeps (up to 10 minutes) there, so a test
can kill or interrupt it at exactly that point instead of after a guessed delay, or let it go on by
removing <path>. Steps, in order:

- ``staged``: a document is chunked, tokenized and embedded and staged; nothing written yet
- ``rows``: inside the SQLite transaction, the first chunk row written, not committed
- ``segment``: the new segment's files partly written (keys.npy only)
- ``written``: the new segment's files complete and synced; SQLite not committed
- ``committed``: SQLite committed (the new segment is live); merges and orphan cleanup not yet run
- ``graph``: after the commit's merges, a new vector graph's folder created, its files not written yet
- ``graph_written``: the new graph's files complete and synced; SQLite does not name it yet
- ``graph_committed``: SQLite names the new graph; the one it replaces not removed yet

Nothing happens when HANRAG_TEST_PAUSE_AT is unset or names another step (one dict lookup).
"""

from __future__ import annotations

import os
import time

STEPS = ("staged", "rows", "segment", "written", "committed", "graph", "graph_written", "graph_committed")


def pause_at(step: str) -> None:
    if os.environ.get("HANRAG_TEST_PAUSE_AT") != step:
        return
    marker = os.environ.get("HANRAG_TEST_PAUSE_FILE")
    if marker:
        with open(marker + ".tmp", "w", encoding="utf-8") as handle:
            handle.write(str(os.getpid()))
        os.replace(marker + ".tmp", marker)  # appears whole
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and (not marker or os.path.exists(marker)):
        time.sleep(0.05)
