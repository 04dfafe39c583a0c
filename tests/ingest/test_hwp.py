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


NOORI = Path(__file__).resolve().parents[3] / "shared" / "data" / "hwp" / "noori.hwp"


def test_real_hancom_file_noori() -> None:
    """A press release saved by Hancom's own editor (../shared/data/README.md), not by our fixture writer.

    The oracle for the text is the file's PrvText stream: the preview Hancom itself writes (UTF-16,
    tables as <cell><cell> lines, cut off after about 1 KB), so a misreading shared by our reader and
    our fixture writer cannot pass. The comparison table lies beyond the preview and is spelled out."""
    if not NOORI.is_file():
        pytest.skip("../shared/data is not beside this checkout")
    import olefile

    with olefile.OleFileIO(str(NOORI)) as ole:
        preview = ole.openstream("PrvText").read().decode("utf-16-le")
    pages = load_file(NOORI)
    prose = [p for p in pages if p.kind == "text"]
    tables = [p.text for p in pages if p.kind == "table"]
    assert len(prose) == 1
    paragraphs = prose[0].text.split("\n\n")
    # Every complete body line of the preview is one paragraph, in order (the last line is cut off).
    lines = [line.strip() for line in preview.splitlines() if line.strip() and not line.startswith("<")]
    expected, cut = lines[:-1], lines[-1]
    assert len(expected) == 7
    assert paragraphs[: len(expected)] == expected
    assert paragraphs[len(expected)].startswith(cut)
    assert len(paragraphs) == 11 and paragraphs[-1].startswith("□ 과기정통부 거대공공연구정책관은")
    assert paragraphs[-1].endswith("최선을 다할 것” 이라고 밝혔다.")
    # The preview's table rows: every cell of the header table is a cell of a Markdown row.
    header = next(t for t in tables if t.startswith("| 보도일시 |"))
    for row in [line for line in preview.splitlines() if line.startswith("<") and "><" in line][:3]:
        cells = [c.strip() for c in row.strip()[1:-1].split("><")]
        assert any(all(f"| {c} |" in line for c in cells) for line in header.splitlines()), cells
    headline = "우리가 독자 개발하여 최초 발사하는 한국형발사체, 국민이 정한 그 이름은 ｢누리｣"
    assert sum(headline in t for t in tables) == 1
    comparison = next(t for t in tables if t.startswith("| 구 분 |"))
    assert comparison.splitlines() == [
        "| 구 분 | 한국형발사체(누리호) | 시험발사체 |",
        "|---|---|---|",
        "| 형 상 |  |  |",
        "| 목 적 | 1.5톤급 실용위성을 지구저궤도(600~800km)에 투입 | 한국형발사체 75톤급 엔진의 비행성능 검증 |",
        "| 총 길이 | 47.2 m | 25.8 m |",
        "| 최대 직경 | 3.5 m | 2.6 m |",
        "| 이륙 중량 | 200 톤 | 52.1 톤 |",
        "| 탑재체 중량 | 1.5 톤 | - |",
        "| 단 수 | 3단 | 1단 |",
    ]
    # Nothing read twice: no paragraph repeats, and no table text leaks into the prose.
    everything = "\n".join(p.text for p in pages)
    assert len(set(paragraphs)) == len(paragraphs)
    for paragraph_ in paragraphs:
        assert everything.count(paragraph_) == 1, paragraph_
    for needle in ("47.2 m", "장인숙(02-2110-2430)", "한국형발사체 75톤급 엔진의 비행성능 검증"):
        assert everything.count(needle) == 1, needle
