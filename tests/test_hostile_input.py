"""Hostile and broken input through the command line: nothing runs on the terminal, every
failure is one line, nothing already indexed is lost (issue: hostile input)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hanrag import Index
from hanrag.terminal import printable, shown
from tests.test_cli import hanrag

EVIL = "연차 유급휴가는 15일이다.\x1b[2J\x1b]52;c;ZXZpbA==\x07 [bold]굵게[/] [/] \x1b]8;;http://evil\x1b\\링크\x1b]8;;\x1b\\ 끝\u202e."


def test_printable_makes_controls_visible() -> None:
    assert printable("a\x1b[2Jb") == "a␛[2Jb"
    assert printable("x\x07y\rz\x00") == "x␇y␍z␀"
    assert printable("오른쪽\u202e왼쪽") == "오른쪽\\u202e왼쪽"  # a bidi override cannot reorder what follows
    assert printable("줄\n바꿈", keep_newlines=False) == "줄␊바꿈" and printable("줄\n바꿈") == "줄\n바꿈"
    assert printable("한글 그대로 zero\u200bwidth") == "한글 그대로 zero\u200bwidth"
    assert shown("[bold]x[/]") == "\\[bold]x\\[/]"


@pytest.fixture
def evil_index(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "보고서[최종].txt").write_text(EVIL, encoding="utf-8")
    (docs / "줄\n바꿈\x1b[31m.txt").write_text("누리호는 2022년에 발사에 성공했다.", encoding="utf-8")
    index = tmp_path / "ix"
    result = hanrag("index", str(docs), "--index", str(index), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return index


def test_search_ask_and_documents_print_no_escape_sequences(evil_index: Path, tmp_path: Path) -> None:
    for args in (["search", "연차 유급휴가"], ["ask", "연차 유급휴가는 며칠인가요?"], ["documents"]):
        result = hanrag(*args, "--index", str(evil_index), cwd=tmp_path)
        assert result.returncode == 0, (args, result.stderr)
        printed = result.stdout + result.stderr
        assert "\x1b" not in printed and "\x07" not in printed and "\u202e" not in printed, args
    search = hanrag("search", "연차 유급휴가", "--index", str(evil_index), cwd=tmp_path).stdout
    assert "␛[2J" in search and "[bold]굵게[/]" in search  # shown, not executed or parsed as markup
    assert "보고서[최종].txt" in search
    listing = hanrag("documents", "--index", str(evil_index), cwd=tmp_path).stdout
    assert "줄␊바꿈␛[31m.txt" in listing  # one table row: the newline in the name is shown, not printed


def test_json_output_stays_exact(evil_index: Path, tmp_path: Path) -> None:
    result = hanrag("search", "연차 유급휴가", "--index", str(evil_index), "--json", cwd=tmp_path)
    hits = json.loads(result.stdout)
    assert hits[0]["text"] == EVIL and hits[0]["name"] == "보고서[최종].txt"


def test_invalid_options_say_what_is_allowed(evil_index: Path, tmp_path: Path) -> None:
    cases = {
        ("--top-k", "-1"): "top_k: Input should be greater than or equal to 1 (got -1)",
        ("--mode", "foo"): "mode: Input should be 'hybrid', 'bm25' or 'dense' (got 'foo')",
        ("--where", "colour~red"): "invalid filter 'colour~red' (examples: 'source:*.pdf'",
    }
    for args, message in cases.items():
        result = hanrag("search", "휴가", *args, "--index", str(evil_index), cwd=tmp_path)
        assert result.returncode == 2 and message in result.stderr, result.stderr
        assert "pydantic" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_too_long_a_query_is_refused_at_once(evil_index: Path, tmp_path: Path) -> None:
    result = hanrag("ask", "가" * 30_000, "--index", str(evil_index), cwd=tmp_path)  # (one argument: <128 KB)
    assert result.returncode == 2 and "question is 30,000 characters long; the limit is 2,000" in result.stderr
    with Index.open(evil_index) as index, pytest.raises(Exception, match="the limit is 2,000"):
        index.search("나" * 5000)


def test_symbolic_links_are_not_followed_out_of_a_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("폴더 밖의 비밀 문서이다.", encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "in.txt").write_text("폴더 안의 문서이다.", encoding="utf-8")
    (docs / "link.txt").symlink_to(outside / "secret.txt")
    (docs / "linked-folder").symlink_to(outside)
    with Index.open(tmp_path / "ix") as index:
        report = index.add([docs])
        assert report.added == 1 and [d.source for d in index.documents()] == [str((docs / "in.txt").resolve())]
        skipped = " | ".join(w for _, w in report.warnings)
        assert "link.txt: symbolic link to" in skipped and "linked-folder: symbolic link to" in skipped
        assert "not followed (use --follow-links)" in skipped
        followed = index.add([docs], follow_links=True)
        assert followed.added == 1  # the secret, once (the file link and the folder link lead to one file)
    result = hanrag("index", str(docs), "--index", str(tmp_path / "ix2"), cwd=tmp_path)
    assert result.returncode == 0 and "link.txt: symbolic link to" in result.stderr


def test_unreadable_file_and_folder_are_reported_and_the_rest_indexed(
    tmp_path: Path, korean_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Permissions cannot stop root (the tests' user), so the OS errors are injected."""
    import os

    locked = korean_folder / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text("잠긴 폴더 안의 문서", encoding="utf-8")
    unreadable = korean_folder / "food.txt"
    real_read_bytes, real_scandir = Path.read_bytes, os.scandir

    def read_bytes(self: Path) -> bytes:
        if self == unreadable.resolve():
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    def scandir(path: object = ".") -> object:
        if Path(str(path)) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr(os, "scandir", scandir)
    with Index.open(tmp_path / "ix") as index:
        report = index.add([unreadable, korean_folder])
        assert report.added == 3
        errors = [e for _, e in report.errors]
        assert errors == [f"{locked}: cannot read folder (Permission denied); skipped",
                          f"{unreadable.resolve()}: cannot read (Permission denied)"]


def test_llm_dropping_the_connection_mid_answer(tmp_path: Path, korean_folder: Path) -> None:
    from hanrag.errors import BackendError
    from hanrag.schema import Retrieved
    from tests.fake_openai import fake_openai

    with fake_openai() as llm:
        llm.reply("누리호는 ", "2022년에 ", "성공했다 [1].")
        llm.drop_after = 2
        with Index.open(tmp_path / "ix", llm=f"openai-compatible:{llm.url}#m", answer={"max_retries": 0}) as index:
            index.add([korean_folder])
            events = []
            with pytest.raises(BackendError) as raised:
                for event in index.ask_stream("누리호는 언제 발사에 성공했나?"):
                    events.append(event)
            assert isinstance(events[0], Retrieved) and [e.text for e in events[1:]] == ["누리호는 ", "2022년에 "]
            assert "\n" not in str(raised.value) and "LLM at" in str(raised.value)
            assert len(index.documents()) == 4  # answering never touches the index
        result = hanrag("ask", "누리호는 언제 발사에 성공했나?", "--index", str(tmp_path / "ix"), "--json", cwd=tmp_path,
                        env={"HANRAG_LLM": f"openai-compatible:{llm.url}#m", "HANRAG_ANSWER__MAX_RETRIES": "0"})
        payload = json.loads(result.stdout)
        assert result.returncode == 1 and payload["answer"] is None and payload["hits"] and payload["error"]
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_embedder_failing_half_way_commits_nothing_and_keeps_what_it_embedded(
    tmp_path: Path, korean_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hanrag.embed.e5_onnx import OnnxE5Embedder
    from hanrag.errors import BackendError

    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder / "food.txt"])
    long_doc = tmp_path / "long.txt"
    long_doc.write_text("\n".join(f"{n}번째 조항: 근로자는 {n}일의 휴가를 받는다." for n in range(60)), encoding="utf-8")
    real = OnnxE5Embedder.embed_passages
    calls = {"n": 0}

    def flaky(self: OnnxE5Embedder, texts: list[str]) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("engine crashed")
        return real(self, texts)

    monkeypatch.setattr(OnnxE5Embedder, "embed_passages", flaky)
    with Index.open(tmp_path / "ix", chunking={"size": 60, "overlap": 0}) as index:
        with pytest.raises(BackendError, match=r"embedding failed after 16 of \d+ chunks \(RuntimeError: engine crashed\)"):
            index.add([long_doc])
        assert [d.source for d in index.documents()] == [str((korean_folder / "food.txt").resolve())]
        assert index.add([long_doc]).added == 1  # the retry re-embeds only what the failure lost
    assert calls["n"] >= 3
