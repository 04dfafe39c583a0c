"""HWP 5 (OLE compound file) reading, on files built here (tests/hwp_builder.py)."""

from pathlib import Path

import pytest

from hanrag import Index
from hanrag.errors import IngestError
from hanrag.ingest import load_file
from hanrag.ingest.hwp import paragraph_text
from tests.hwp_builder import control, paragraph, section, table, write_hwp

RULES = section([
    paragraph("제1조(목적) 이 규정은 출장비 지급 기준을 정한다."),
    paragraph("", controls=["head"]),
    control("head", 1),
    paragraph("사내 규정집 머리말", 2),
    paragraph("출장비는 다음 표와 같다.", controls=["tbl "]),
    table([["구분", "일비", "숙박비"], ["임원", "5만원", "15만원"], ["직원", "3만원", "10만원"]], 1),
    paragraph("제2조(정산) 출장 후 5일 안에\t정산한다."),
])
APPENDIX = section([paragraph("부칙 이 규정은 2026년 1월 1일부터 시행한다.")])


def make_hwp(path: Path, **flags: bool) -> Path:
    return write_hwp(path, [RULES, APPENDIX], **flags)


def test_paragraphs_tables_and_sections_in_order(tmp_path: Path) -> None:
    prose, grid = load_file(make_hwp(tmp_path / "rules.hwp"))
    assert prose.text.split("\n\n") == [
        "제1조(목적) 이 규정은 출장비 지급 기준을 정한다.",
        "출장비는 다음 표와 같다.",
        "제2조(정산) 출장 후 5일 안에 정산한다.",
        "부칙 이 규정은 2026년 1월 1일부터 시행한다.",
    ]  # the running header is left out; a tab becomes a space
    assert grid.kind == "table" and grid.heading == "출장비는 다음 표와 같다."
    assert grid.text == "| 구분 | 일비 | 숙박비 |\n|---|---|---|\n| 임원 | 5만원 | 15만원 |\n| 직원 | 3만원 | 10만원 |"


def test_uncompressed_hwp(tmp_path: Path) -> None:
    prose, _ = load_file(make_hwp(tmp_path / "plain.hwp", compressed=False))
    assert prose.text.startswith("제1조(목적)")


def test_control_characters_are_dropped_with_their_payload() -> None:
    # "가", an extended control (8 units: code, 6 units of data, code), "나", paragraph end.
    units = [0xAC00, 11, 0x6C74, 0x2062, 0, 0, 0, 0, 11, 0xB098, 13]
    payload = b"".join(u.to_bytes(2, "little") for u in units)
    assert paragraph_text(payload) == "가나"


@pytest.mark.parametrize(
    ("flags", "message"),
    [({"distribution": True}, "distribution document"), ({"password": True}, "password-protected")],
)
def test_protected_documents_are_clear_errors(tmp_path: Path, flags: dict, message: str) -> None:
    with pytest.raises(IngestError, match=f"locked.hwp: .*{message}"):
        load_file(make_hwp(tmp_path / "locked.hwp", **flags))


def test_broken_files(tmp_path: Path) -> None:
    text = tmp_path / "memo.hwp"
    text.write_text("HWP 3.0 문서가 아닙니다", encoding="utf-8")
    with pytest.raises(IngestError, match="memo.hwp: not an HWP 5 document"):
        load_file(text)
    truncated = tmp_path / "cut.hwp"
    truncated.write_bytes(make_hwp(tmp_path / "whole.hwp").read_bytes()[:3000])
    with pytest.raises(IngestError, match="cut.hwp: corrupt or unreadable HWP"):
        load_file(truncated)


def test_question_about_an_hwp_table_cell(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    make_hwp(docs / "rules.hwp")
    (docs / "menu.txt").write_text("구내식당 점심 메뉴는 비빔밥과 김치찌개이다.", encoding="utf-8")
    with Index.open(tmp_path / "ix") as index:
        assert index.add([docs]).added == 2
        top = index.search("직원 숙박비는 얼마인가요?", top_k=1)[0]
        assert top.chunk.source.endswith("rules.hwp") and top.chunk.kind == "table"
        assert "| 직원 | 3만원 | 10만원 |" in top.chunk.text
        assert {h.chunk.source.rsplit(".", 1)[1] for h in index.search("규정", where="type:hwp")} == {"hwp"}
