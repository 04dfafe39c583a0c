"""The index on read-only and full devices, and write failures injected at each step: one clear
line, nothing lost (issue: hostile and broken input, items 4, 6, 7)."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from hanrag import Index
from hanrag.errors import StoreError
from hanrag.store import segment
from tests.test_cli import hanrag


def _mount(*args: str) -> None:
    result = subprocess.run(["mount", *args], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount here ({result.stderr.strip() or 'mount failed'}): needs root with CAP_SYS_ADMIN")


@contextmanager
def read_only_view(source: Path, target: Path) -> Iterator[Path]:
    """``source`` seen through a read-only bind mount at ``target`` (root cannot be stopped by chmod)."""
    target.mkdir()
    _mount("--bind", str(source), str(target))
    try:
        _mount("-o", "remount,bind,ro", str(target))
        yield target
    finally:
        subprocess.run(["umount", "--lazy", str(target)], check=False)  # memory maps may still hold files


@contextmanager
def small_disk(target: Path, size_kb: int) -> Iterator[Path]:
    target.mkdir()
    _mount("-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(target))
    try:
        yield target
    finally:
        subprocess.run(["umount", "--lazy", str(target)], check=False)  # memory maps may still hold files


def fill(disk: Path, leave: int = 0) -> Path:
    """Fill the device, then give back ``leave`` bytes."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    if leave:
        os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler


def test_read_only_index_can_be_searched_and_asked(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder])
    with read_only_view(tmp_path / "ix", tmp_path / "ro") as ro:
        with Index.open(ro) as index:
            assert index.search("누리호 발사", top_k=1)[0].chunk.source.endswith("space.txt")
            assert "2022년" in index.ask("누리호는 언제 발사에 성공했나?").answer
            with pytest.raises(StoreError, match="read-only here: searching and asking work"):
                index.remove([str(korean_folder / "food.txt")])
        result = hanrag("search", "김치", "--index", str(ro), cwd=tmp_path)
        assert result.returncode == 0 and "food.txt" in result.stdout, result.stderr


def test_disk_full_while_indexing_is_one_line_and_loses_nothing(tmp_path: Path, korean_folder: Path) -> None:
    with small_disk(tmp_path / "disk", 2048) as disk:
        with Index.open(disk / "ix") as index:
            index.add([korean_folder / "food.txt"])
        filler = fill(disk, leave=6 * 1024)
        more = tmp_path / "more.txt"
        more.write_text("누리호는 한국이 독자 개발한 우주 발사체이다. " * 40, encoding="utf-8")
        result = hanrag("index", str(more), "--index", str(disk / "ix"), cwd=tmp_path)
        assert result.returncode != 0 and "Traceback" not in result.stderr
        (line,) = result.stderr.strip().splitlines()
        assert "no space left on the device" in line and "nothing was lost" in line and "MB more are needed" in line
        # Reads still work on the full device, and the earlier commit is intact.
        with Index.open(disk / "ix") as index:
            assert [h.chunk.source for h in index.search("김치", top_k=1)] == [str((korean_folder / "food.txt").resolve())]
        filler.unlink()
        with Index.open(disk / "ix") as index:
            assert index.add([more]).added == 1 and len(index.documents()) == 2


@pytest.mark.parametrize("code, message", [(errno.ENOSPC, "no space left on the device"), (errno.EIO, "Input/output error")])
def test_write_failures_injected_at_each_step(
    tmp_path: Path, korean_folder: Path, monkeypatch: pytest.MonkeyPatch, code: int, message: str
) -> None:
    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder / "food.txt"])
    steps = {
        "rows": ("hanrag.store.writer.LocalWriter._register", sqlite3.OperationalError("database or disk is full")
                 if code == errno.ENOSPC else OSError(code, "Input/output error")),
        "segment files": ("hanrag.store.segment.write", OSError(code, "Input/output error")),
        "fsync": ("hanrag.store.segment.fsync_tree", OSError(code, "Input/output error")),
    }
    for step, (target, error) in steps.items():
        def fail(*args: object, _error: BaseException = error, **kwargs: object) -> None:
            raise _error

        with monkeypatch.context() as patch:
            patch.setattr(target, fail)
            with Index.open(tmp_path / "ix") as index:
                with pytest.raises(StoreError) as raised:
                    index.add([korean_folder / "space.txt"])
                if code == errno.ENOSPC:
                    assert message in str(raised.value) and "nothing was lost" in str(raised.value), step
                else:
                    assert "cannot write the index" in str(raised.value), step
        with Index.open(tmp_path / "ix") as index:  # after each failure: the last commit, searchable
            assert [d.source for d in index.documents()] == [str((korean_folder / "food.txt").resolve())], step
            assert index.search("김치", top_k=1)[0].chunk.source.endswith("food.txt")
    assert segment.write  # the module patched above is the one the store uses
