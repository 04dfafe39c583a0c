from pathlib import Path

import pytest

from hanrag.errors import IngestError
from hanrag.ingest import load_file

KOREAN = "근로기준법은 근로조건의 기준을 정한다. 한글 인코딩 시험."


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949", "euc-kr", "utf-16"])
def test_detects_korean_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(KOREAN.encode(encoding))
    [page] = load_file(path)
    assert page.text == KOREAN and page.number is None


# Syllables only CP949's extension has: outside the 2,350 of KS X 1001, so EUC-KR has no code for
# them (Python's euc-kr writes an 8-byte jamo make-up sequence instead; CP949 two bytes with a lead
# byte below 0xA1, which a reader guessing EUC-KR rejects).
CP949_ONLY = "똠방각하 햏자의 뷁 소리. " + KOREAN


def test_cp949_only_syllables(tmp_path: Path) -> None:
    for syllable in "똠햏뷁":
        encoded = syllable.encode("cp949")
        assert len(encoded) == 2 and (encoded[0] < 0xA1 or encoded[1] < 0xA1)
        assert syllable.encode("euc-kr").startswith(b"\xa4\xd4")  # make-up sequence, not a code
    data = CP949_ONLY.encode("cp949")
    with pytest.raises(UnicodeDecodeError):
        data.decode("euc-kr")
    path = tmp_path / "doc.txt"
    path.write_bytes(data)
    [page] = load_file(path)
    assert page.text == CP949_ONLY


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(IngestError, match="empty.txt: empty file"):
        load_file(path)


def test_whitespace_only_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "blank.md"
    path.write_text("  \n\n ")
    with pytest.raises(IngestError, match="no text"):
        load_file(path)


def test_binary_disguised_as_text(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(b"\x00\x01\x02\xff" * 100)
    with pytest.raises(IngestError, match="binary"):
        load_file(path)


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(IngestError, match="unsupported file type"):
        load_file(path)


def test_markdown_is_split_by_heading_with_heading_paths(tmp_path: Path) -> None:
    path = tmp_path / "guide.md"
    path.write_text(
        "머리말 문단.\n\n# 휴가\n휴가 개요.\n\n## 연차\n15일을 준다.\n\n```\n# 코드 속 주석은 제목이 아니다\n```\n\n## 병가\n"
        "진단서가 필요하다.\n\n# 급여\n매월 25일 지급.\n",
        encoding="utf-8",
    )
    pages = load_file(path)
    assert [p.heading for p in pages] == [None, "휴가", "휴가 > 연차", "휴가 > 병가", "급여"]
    assert "# 코드 속 주석은 제목이 아니다" in pages[2].text
    assert pages[4].text == "# 급여\n매월 25일 지급."


def test_markdown_chunks_carry_their_heading_as_title(tmp_path: Path) -> None:
    from hanrag.ingest import chunk_pages

    path = tmp_path / "guide.md"
    path.write_text("# 휴가\n## 연차\n15일을 준다.\n## 병가\n진단서가 필요하다.\n", encoding="utf-8")
    chunks = chunk_pages(load_file(path), "d", str(path))
    assert [c.title for c in chunks] == ["휴가", "휴가 > 연차", "휴가 > 병가"]
