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
