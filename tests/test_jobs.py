"""The job queue reports the speed and time left of a long stage while it runs."""

import threading
import time
from pathlib import Path

from hanrag.jobs import JobQueue, Upload
from hanrag.schema import IndexReport


class SlowIndex:
    """Stands in for Index.add_files: embeds 40 chunks at ~20 a second, then waits to be released."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def add_files(self, sources, progress=None):
        for done in range(0, 41, 2):
            progress("embedding", done, 40)
            time.sleep(0.1)
        self.release.wait(30)
        return IndexReport(added=len(sources), outcomes={s.source: "added" for s in sources})


def test_a_running_job_shows_its_rate_and_time_left(tmp_path: Path) -> None:
    index = SlowIndex()
    queue = JobQueue(index, tmp_path / "server")  # type: ignore[arg-type]
    try:
        upload = tmp_path / "a.txt"
        upload.write_text("연차 유급휴가", encoding="utf-8")
        job_id = queue.submit_uploads([Upload("a.txt", upload)])
        deadline = time.monotonic() + 30
        seen = None
        while time.monotonic() < deadline:
            job = queue.get(job_id)
            if job["stage"] == "embedding" and job["rate"] is not None:
                seen = job
                break
            time.sleep(0.05)
        assert seen is not None, "no rate while embedding"
        assert 5 < seen["rate"] < 40 and 0 <= seen["eta_s"] <= 8
        index.release.set()
        assert queue.wait(job_id, 30)
        done = queue.get(job_id)
        assert done["status"] == "done" and done["rate"] is None and done["eta_s"] is None
    finally:
        index.release.set()
        queue.close()
