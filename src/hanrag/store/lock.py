"""Locks between processes: an exclusive flock on a file in the index directory.

The kernel drops a lock when its holder dies, so a killed writer never leaves a stale lock. The
file holds the holder's pid and, for the graph upkeep's short holds, a tag: writers wait for
such a holder instead of failing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from hanrag.errors import IndexLockedError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

# The graph upkeep holds the writer lock only to read a snapshot and to publish (well under a
# second); a writer that finds it there waits up to this long.
UPKEEP_TAG = "graph-upkeep"
_WAIT_FOR_UPKEEP_S = 60.0


class FileLock:
    """An exclusive, non-blocking flock on ``path``; the file names the holder while held."""

    def __init__(self, path: Path, tag: str = "") -> None:
        self._path = path
        self._tag = tag
        self._fd: int | None = None

    @property
    def path(self) -> Path:
        return self._path

    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it (always, where flock does not exist)."""
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {self._tag}".strip().encode())
        self._fd = fd
        return True

    def holder(self) -> str:
        """What the holder wrote ("<pid>" or "<pid> <tag>"); "unknown" when unreadable."""
        try:
            return self._path.read_text(errors="replace").strip() or "unknown"
        except OSError:
            return "unknown"

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock; the next holder overwrites the pid
            self._fd = None


def held(path: Path) -> bool:
    """Whether another open lock holds ``path`` (a probe: takes and drops it when free)."""
    probe = FileLock(path)
    if not path.exists() or probe.try_acquire():
        probe.release()
        return False
    return True


class WriterLock(FileLock):
    """The index's single-writer lock."""

    def acquire(self, wait_s: float = 0.0) -> None:
        """Take the lock, waiting up to ``wait_s`` seconds (and up to a minute while the graph
        upkeep holds it briefly); IndexLockedError otherwise."""
        start, tries = time.monotonic(), 0
        while not self.try_acquire():
            holder = self.holder()
            now = time.monotonic() - start
            upkeep = holder.endswith(UPKEEP_TAG) and now < _WAIT_FOR_UPKEEP_S
            settling = holder == "unknown" and now < 0.5  # a new holder between its flock and writing its pid
            if now >= wait_s and not (upkeep or settling):
                raise IndexLockedError(
                    f"index {self._path.parent} is locked by another writer (pid {holder.split()[0]}); "
                    "try again when it finishes"
                ) from None
            time.sleep(min(0.5, 0.01 * 2**tries))  # short holds are taken at once, long waits poll slowly
            tries = min(tries + 1, 6)

    def __enter__(self) -> "WriterLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
