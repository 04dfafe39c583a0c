"""Crash safety and the single-writer lock, with real processes."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from hanrag import Index
from hanrag.errors import IndexLockedError
from hanrag.store.local import LocalStore


def _run(code: str, env_cache: Path) -> subprocess.Popen:
    env = {**os.environ, "HANRAG_CACHE_DIR": str(env_cache)}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _sources(index_dir: Path) -> list[str]:
    with Index.open(index_dir) as index:
        return sorted(Path(d.source).name for d in index.documents())


def _segments_match_the_database(index_dir: Path) -> None:
    with Index.open(index_dir) as index:
        listed = sorted(str(r[0]) for r in index.store._db.execute("SELECT id FROM segments"))
    assert sorted(p.name for p in (index_dir / "segments").iterdir()) == listed


def test_killed_after_writing_files_before_commit_keeps_the_last_commit(
    tmp_path: Path, korean_folder: Path, isolated_cache: Path
) -> None:
    index_dir = tmp_path / "ix"
    with Index.open(index_dir) as index:
        index.add([korean_folder / "bok.txt", korean_folder / "food.txt"])
        before = [h.to_dict() for h in index.search("한국은행 금리")]
    # Die the hard way at the worst moment: new segment files on disk, SQLite not committed.
    proc = _run(f"""
        import os, signal
        from hanrag import Index
        from hanrag.store import segment
        original = segment.write
        def write_then_die(*args, **kwargs):
            original(*args, **kwargs)
            os.kill(os.getpid(), signal.SIGKILL)
        segment.write = write_then_die
        with Index.open({str(index_dir)!r}) as index:
            index.add([{str(korean_folder)!r}])
    """, isolated_cache)
    proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    assert _sources(index_dir) == ["bok.txt", "food.txt"]
    with Index.open(index_dir) as index:
        assert [h.to_dict() for h in index.search("한국은행 금리")] == before
        # The next writer cleans the orphaned segment and completes normally.
        assert index.add([korean_folder]).added == 2
    _segments_match_the_database(index_dir)


# The writer's steps (hanrag.store.testhook): a child process stops at one through
# HANRAG_TEST_PAUSE_AT and writes a marker there, so it is killed at that step and not after a guessed
# delay (a slow machine would otherwise kill it while still importing, and test nothing).
BEFORE_COMMIT = ["staged", "rows", "segment", "written"]
STEPS = [*BEFORE_COMMIT, "committed"]


def _paused(args: list[str], env_cache: Path, step: str, marker: Path) -> subprocess.Popen:
    env = {**os.environ, "HANRAG_CACHE_DIR": str(env_cache), "HANRAG_TEST_PAUSE_AT": step,
           "HANRAG_TEST_PAUSE_FILE": str(marker)}
    # A runner started in the background (`pytest &`) ignores SIGINT, and an ignored signal stays ignored across
    # exec: the child would never see the Ctrl-C these tests send. Let it start with the default disposition.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        proc = subprocess.Popen([sys.executable, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
    finally:
        signal.signal(signal.SIGINT, previous)
    deadline = time.monotonic() + 300
    while not marker.exists():
        if proc.poll() is not None:
            pytest.fail(f"the writer ended (rc {proc.returncode}) before step {step!r}: {proc.stderr.read()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the writer never reached step {step!r}")
        time.sleep(0.02)
    assert marker.read_text() == str(proc.pid)
    return proc


@pytest.mark.parametrize("step", STEPS)
def test_killed_at_each_step_of_indexing(tmp_path: Path, korean_folder: Path, isolated_cache: Path, step: str) -> None:
    index_dir = tmp_path / "ix"
    with Index.open(index_dir) as index:
        index.add([korean_folder / "bok.txt"])
    code = f"from hanrag import Index\nwith Index.open({str(index_dir)!r}) as index:\n    index.add([{str(korean_folder)!r}])"
    proc = _paused(["-c", code], isolated_cache, step, tmp_path / "paused")
    if step in ("segment", "written"):
        assert (index_dir / "segments" / "2").is_dir()  # new files on disk, not yet named in SQLite
    proc.kill()
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    committed = step == "committed"
    everything = ["bok.txt", "food.txt", "leave.md", "space.txt"]
    assert _sources(index_dir) == (everything if committed else ["bok.txt"])
    with Index.open(index_dir) as index:
        assert index.search("가계부실위험지수", top_k=1)[0].chunk.source.endswith("bok.txt")
        space = index.search("누리호 발사", mode="bm25", top_k=1)
        assert (space[0].chunk.source.endswith("space.txt") if committed else space == [])
        # The next writer cleans any orphaned segment and completes normally.
        assert index.add([korean_folder]).added == (0 if committed else 3)
        assert index.search("누리호 발사", top_k=1)[0].chunk.source.endswith("space.txt")
    _segments_match_the_database(index_dir)


def test_second_writer_is_refused_with_a_clear_message(tmp_path: Path, korean_folder: Path) -> None:
    store = LocalStore(tmp_path / "ix")
    with store.writer():
        with Index.open(tmp_path / "ix") as index:
            with pytest.raises(IndexLockedError, match=f"locked by another writer \\(pid {os.getpid()}\\)"):
                index.add([korean_folder])
    with Index.open(tmp_path / "ix") as index:  # released
        assert index.add([korean_folder]).added == 4
    store.close()


def test_reader_sees_commits_of_another_writer(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix") as writer, Index.open(tmp_path / "ix") as reader:
        writer.add([korean_folder / "food.txt"])
        assert reader.search("누리호", mode="bm25") == []
        writer.add([korean_folder / "space.txt"])
        assert reader.search("누리호", mode="bm25")[0].chunk.source.endswith("space.txt")


@pytest.mark.parametrize("step", ["staged", "rows", "written", "committed"])
def test_ctrl_c_during_cli_index_exits_130_and_keeps_the_index(
    tmp_path: Path, korean_folder: Path, isolated_cache: Path, step: str
) -> None:
    index_dir = tmp_path / "ix"
    with Index.open(index_dir) as index:
        index.add([korean_folder / "food.txt"])
    proc = _paused(["-m", "hanrag", "index", str(korean_folder), "--index", str(index_dir)], isolated_cache, step,
                   tmp_path / "paused")
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1].endswith("interrupted; the index keeps its last committed state")
    everything = ["bok.txt", "food.txt", "leave.md", "space.txt"]
    assert _sources(index_dir) == (everything if step == "committed" else ["food.txt"])
    folders = sorted(p.name for p in (index_dir / "segments").iterdir())
    # Before the commit the new segment's files are removed; after it the new one is live and kept.
    assert folders == (["1", "2"] if step == "committed" else ["1"])
    with Index.open(index_dir) as index:
        assert index.search("된장찌개", top_k=1)[0].chunk.source.endswith("food.txt")
