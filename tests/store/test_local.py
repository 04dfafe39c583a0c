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


def test_killed_after_writing_files_before_commit_keeps_previous_generation(
    tmp_path: Path, korean_folder: Path, isolated_cache: Path
) -> None:
    index_dir = tmp_path / "ix"
    with Index.open(index_dir) as index:
        index.add([korean_folder / "bok.txt", korean_folder / "food.txt"])
        before = [h.to_dict() for h in index.search("한국은행 금리")]
    # Die the hard way at the worst moment: new generation files on disk, SQLite not committed.
    proc = _run(f"""
        import os, signal
        from hanrag import Index
        from hanrag.store import generation
        original = generation.Generation.save
        def save_then_die(self, directory):
            original(self, directory)
            os.kill(os.getpid(), signal.SIGKILL)
        generation.Generation.save = save_then_die
        with Index.open({str(index_dir)!r}) as index:
            index.add([{str(korean_folder)!r}])
    """, isolated_cache)
    proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    assert _sources(index_dir) == ["bok.txt", "food.txt"]
    with Index.open(index_dir) as index:
        assert [h.to_dict() for h in index.search("한국은행 금리")] == before
        # The next writer cleans the orphaned generation and completes normally.
        assert index.add([korean_folder]).added == 2
    assert len(list((index_dir / "generations").iterdir())) == 1


def test_interrupted_indexing_leaves_index_readable(tmp_path: Path, korean_folder: Path, isolated_cache: Path) -> None:
    index_dir = tmp_path / "ix"
    with Index.open(index_dir) as index:
        index.add([korean_folder / "bok.txt"])
    many = tmp_path / "many"
    many.mkdir()
    for i in range(150):
        (many / f"doc{i}.txt").write_text(f"문서 {i}번: 서울 날씨는 맑고 기온은 {i}도이다. " * 20, encoding="utf-8")
    proc = _run(f"""
        from hanrag import Index
        with Index.open({str(index_dir)!r}) as index:
            index.add([{str(many)!r}])
    """, isolated_cache)
    time.sleep(4)  # inside chunking/tokenizing/embedding
    proc.kill()
    proc.wait(timeout=30)
    assert _sources(index_dir) == ["bok.txt"]
    with Index.open(index_dir) as index:
        assert index.search("가계부실위험지수", top_k=1)[0].chunk.source.endswith("bok.txt")


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


def test_ctrl_c_during_cli_index_exits_130_and_keeps_the_index(tmp_path: Path, korean_folder: Path, isolated_cache: Path) -> None:
    index_dir = tmp_path / "ix"
    with Index.open(index_dir) as index:
        index.add([korean_folder / "food.txt"])
    many = tmp_path / "many"
    many.mkdir()
    for i in range(100):
        (many / f"doc{i}.txt").write_text(f"문서 {i}번: 부산 날씨는 흐리고 기온은 {i}도이다. " * 20, encoding="utf-8")
    env = {**os.environ, "HANRAG_CACHE_DIR": str(isolated_cache)}
    proc = subprocess.Popen([sys.executable, "-m", "hanrag", "index", str(many), "--index", str(index_dir)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(5)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted; the index keeps its last committed state" in stderr
    assert _sources(index_dir) == ["food.txt"]
