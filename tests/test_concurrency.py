"""One Index shared by many threads, as a server shares it: reads stay consistent while a writer commits."""

from __future__ import annotations

import threading
from pathlib import Path

from hanrag import Index
from hanrag.schema import Done

EXTRA = "우주 정거장 도킹 절차는 접근, 정렬, 결합의 세 단계로 이루어진다."


def test_threads_search_and_ask_while_a_writer_commits(tmp_path: Path, korean_folder: Path) -> None:
    extra = tmp_path / "extra" / "dock.txt"
    extra.parent.mkdir()
    extra.write_text(EXTRA, encoding="utf-8")
    errors: list[BaseException] = []
    seen: list[frozenset[str]] = []
    stop = threading.Event()
    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder])
        base = {d.doc_id for d in index.documents()}

        def reader(n: int) -> None:
            try:
                while not stop.is_set():
                    # Dense search returns every chunk: the whole committed state in one result.
                    hits = index.search("우주 발사체", mode="dense", top_k=10)
                    seen.append(frozenset(h.chunk.doc_id for h in hits))
                    if n % 2:
                        events = list(index.ask_stream("누리호는 언제 발사에 성공했나?"))
                        assert isinstance(events[-1], Done) and "2022년" in events[-1].answer.answer
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                errors.append(exc)

        readers = [threading.Thread(target=reader, args=(n,)) for n in range(4)]
        for thread in readers:
            thread.start()
        try:
            for _ in range(4):
                assert index.add([extra]).added == 1
                assert index.remove([extra]).removed == 1
        finally:
            stop.set()
            for thread in readers:
                thread.join(60)
    assert not errors, errors[0]
    extra_ids = {d for state in seen for d in state} - base
    assert len(extra_ids) == 1, "the readers never saw the added document"
    states = {frozenset(base), frozenset(base | extra_ids)}
    assert set(seen) == states  # both committed states were seen, and never a mix of two commits


READER = """
import json, sys
from pathlib import Path
from hanrag import Index
index_dir, out, stop = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
with Index.open(index_dir) as index, out.open("w", encoding="utf-8") as log:
    while not stop.exists():
        # Dense search returns every chunk (one per document): a whole committed state in one result.
        hits = index.search("우주 발사체", mode="dense", top_k=10)
        docked = index.search("우주 정거장 도킹 절차", top_k=1)[0]
        log.write(json.dumps({"docs": sorted(h.chunk.doc_id for h in hits),
                              "texts_ok": all(h.chunk.text.strip() for h in hits),
                              "top": docked.chunk.doc_id}) + "\\n")
        log.flush()
"""


def test_reader_processes_search_while_another_process_commits(tmp_path: Path, korean_folder: Path) -> None:
    """Readers in other processes (each its own SQLite connection and generation files) search in a
    loop while this process adds and removes a document again and again. The writer waits, after each
    commit, until every reader has searched twice more, so every reader sees every state."""
    import json
    import os
    import subprocess
    import sys
    import time

    extra = tmp_path / "extra" / "dock.txt"
    extra.parent.mkdir()
    extra.write_text(EXTRA, encoding="utf-8")
    index_dir, stop = tmp_path / "ix", tmp_path / "stop"
    with Index.open(index_dir) as index:
        index.add([korean_folder])
        base = sorted(d.doc_id for d in index.documents())
    logs = [tmp_path / f"reader{n}.jsonl" for n in range(3)]
    readers = [subprocess.Popen([sys.executable, "-c", READER, str(index_dir), str(log), str(stop)],
                                env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for log in logs]

    def lines(log: Path) -> int:
        return log.read_text(encoding="utf-8").count("\n") if log.exists() else 0

    def wait_for_searches(more: int) -> None:
        targets = [lines(log) + more for log in logs]
        deadline = time.monotonic() + 300
        while any(lines(log) < t for log, t in zip(logs, targets)):
            for proc in readers:
                assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "readers stopped searching"
            time.sleep(0.05)

    try:
        wait_for_searches(1)  # all readers up
        with Index.open(index_dir) as index:
            for _ in range(4):
                assert index.add([extra]).added == 1
                wait_for_searches(2)
                assert index.remove([extra]).removed == 1
                wait_for_searches(2)
            extra_id = next(iter(set(index.store.document_hashes()) ^ set(base)), None)
    finally:
        stop.touch()
        outcomes = [proc.communicate(timeout=120) for proc in readers]
    for proc, (_, stderr) in zip(readers, outcomes):
        assert proc.returncode == 0, stderr
    assert extra_id is None  # removed at the end
    for log in logs:
        records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
        states = {tuple(r["docs"]) for r in records}
        with_extra = [s for s in states if tuple(base) != s]
        assert len(with_extra) == 1 and states == {tuple(base), with_extra[0]}, states
        assert set(with_extra[0]) - set(base) and set(base) <= set(with_extra[0]) and len(with_extra[0]) == len(base) + 1
        assert all(r["texts_ok"] for r in records)
        # The hybrid search's top hit for the added document's words is the document exactly when present.
        added = (set(with_extra[0]) - set(base)).pop()
        assert any(r["top"] == added for r in records) and all(r["top"] == added or r["top"] in base for r in records)
