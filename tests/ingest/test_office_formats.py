"""DOCX, HWPX, HTML and CSV loaders on fixtures built here, and zip-bomb refusal."""

import zipfile
from pathlib import Path

import pytest

from hanrag import Index
from hanrag.errors import IngestError
from hanrag.ingest import load_file

HWPX_SECTION = """<?xml version="1.0" encoding="UTF-8"?>
<hs:sec xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph">
  <hp:p><hp:run><hp:t>제1조(목적) 이 규정은 </hp:t><hp:t>연차휴가 사용을 정한다.</hp:t></hp:run></hp:p>
  <hp:p><hp:run><hp:tbl>
    <hp:tr><hp:tc><hp:subList><hp:p><hp:run><hp:t>구분</hp:t></hp:run></hp:p></hp:subList></hp:tc>
           <hp:tc><hp:subList><hp:p><hp:run><hp:t>일수</hp:t></hp:run></hp:p></hp:subList></hp:tc></hp:tr>
    <hp:tr><hp:tc><hp:subList><hp:p><hp:run><hp:t>신입</hp:t></hp:run></hp:p></hp:subList></hp:tc>
           <hp:tc><hp:subList><hp:p><hp:run><hp:t>11일</hp:t></hp:run></hp:p></hp:subList></hp:tc></hp:tr>
  </hp:tbl></hp:run></hp:p>
  <hp:p><hp:run><hp:t>제2조(신청) 휴가는 3일 전에 신청한다.</hp:t></hp:run></hp:p>
</hs:sec>"""


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_heading("복리후생 안내", level=1)
    document.add_paragraph("우리 회사의 복지 제도를 설명합니다.")
    table = document.add_table(rows=3, cols=2)
    for r, (a, b) in enumerate([("항목", "지원 금액"), ("경조사비", "50만원"), ("자기계발비", "연 120만원")]):
        table.cell(r, 0).text, table.cell(r, 1).text = a, b
    document.add_paragraph("문의는 인사팀으로 하세요.")
    document.save(str(path))
    return path


def make_hwpx(path: Path, section: str = HWPX_SECTION) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/hwp+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr("Contents/section0.xml", section)
    return path


def test_docx_keeps_heading_paragraphs_and_table_apart(tmp_path: Path) -> None:
    page, table = load_file(make_docx(tmp_path / "welfare.docx"))
    assert page.kind == "text" and page.text.startswith("# 복리후생 안내")
    assert page.text.index("복지 제도") < page.text.index("인사팀") and "|" not in page.text
    assert table.kind == "table" and table.heading == "우리 회사의 복지 제도를 설명합니다."
    assert table.text == "| 항목 | 지원 금액 |\n|---|---|\n| 경조사비 | 50만원 |\n| 자기계발비 | 연 120만원 |"


def test_hwpx_paragraphs_and_table(tmp_path: Path) -> None:
    page, table = load_file(make_hwpx(tmp_path / "rules.hwpx"))
    assert page.text.splitlines()[0] == "제1조(목적) 이 규정은 연차휴가 사용을 정한다."
    assert page.text.rstrip().endswith("제2조(신청) 휴가는 3일 전에 신청한다.")
    assert table.kind == "table" and table.text == "| 구분 | 일수 |\n|---|---|\n| 신입 | 11일 |"


def test_html_main_text_without_scripts_and_with_tables(tmp_path: Path) -> None:
    html = """<html><head><title>금리 안내</title><script>var x = "광고";</script></head>
    <body><nav>메뉴 홈 로그인</nav><main><h2>기준금리</h2><p>한국은행은 기준금리를 동결했다.</p>
    <table><tr><th>연도</th><th>금리</th></tr><tr><td>2024</td><td>3.50%</td></tr></table></main>
    <footer>저작권 표시</footer></body></html>"""
    path = tmp_path / "page.html"
    path.write_bytes(html.encode("cp949"))
    page, table = load_file(path)
    assert "## 기준금리" in page.text and "한국은행은 기준금리를 동결했다." in page.text
    assert table.kind == "table" and table.heading == "기준금리"
    assert table.text == "| 연도 | 금리 |\n|---|---|\n| 2024 | 3.50% |"
    assert "광고" not in page.text and "메뉴" not in page.text and "저작권" not in page.text


def test_csv_in_cp949_becomes_a_table(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_bytes("지역,인구\n서울,940만\n부산,330만\n".encode("cp949"))
    [page] = load_file(path)
    assert page.text.splitlines()[:3] == ["| 지역 | 인구 |", "|---|---|", "| 서울 | 940만 |"]


def test_zip_bomb_disguised_as_docx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (30 * 1024 * 1024))
    with pytest.raises(IngestError, match="bomb.docx: refused.*zip bomb"):
        load_file(path)


def test_broken_containers(tmp_path: Path) -> None:
    broken = tmp_path / "broken.docx"
    broken.write_bytes(make_docx(tmp_path / "ok.docx").read_bytes()[:300])
    with pytest.raises(IngestError, match="broken.docx: not a valid DOCX"):
        load_file(broken)
    not_hwpx = tmp_path / "x.hwpx"
    with zipfile.ZipFile(not_hwpx, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(IngestError, match="no Contents/section"):
        load_file(not_hwpx)
    bad_xml = make_hwpx(tmp_path / "bad.hwpx", section="<hs:sec><unclosed>")
    with pytest.raises(IngestError, match="damaged HWPX section"):
        load_file(bad_xml)


def test_question_about_a_table_cell_finds_the_table(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    make_docx(folder / "welfare.docx")
    make_hwpx(folder / "rules.hwpx")
    (folder / "other.txt").write_text("회사 식당은 12시에 문을 연다. 주차장은 지하에 있다.", encoding="utf-8")
    with Index.open(tmp_path / "ix") as index:
        assert index.add([folder]).added == 3
        top = index.search("자기계발비 지원 금액은 얼마인가요?", top_k=1)[0]
        assert top.chunk.source.endswith("welfare.docx") and "| 자기계발비 | 연 120만원 |" in top.chunk.text
        assert top.chunk.kind == "table"
        top = index.search("신입 연차휴가 일수", top_k=1)[0]
        assert top.chunk.source.endswith("rules.hwpx") and "| 신입 | 11일 |" in top.chunk.text
        assert top.chunk.kind == "table"
        assert {h.chunk.kind for h in index.search("연차휴가", top_k=10, where="kind:table")} == {"table"}


def test_docx_headings_become_the_section_path_of_chunks(tmp_path: Path) -> None:
    import docx

    from hanrag.ingest import chunk_pages

    document = docx.Document()
    document.add_heading("인사 규정", level=1)
    document.add_heading("휴가", level=2)
    document.add_paragraph("직원은 매년 15일의 연차휴가를 쓸 수 있다.")
    document.add_heading("급여", level=2)
    document.add_paragraph("급여는 매월 25일에 지급한다.")
    path = tmp_path / "hr.docx"
    document.save(str(path))
    chunks = chunk_pages(load_file(path), "d", str(path))
    assert [(c.title, c.text) for c in chunks] == [
        ("인사 규정 > 휴가", "직원은 매년 15일의 연차휴가를 쓸 수 있다."),
        ("인사 규정 > 급여", "급여는 매월 25일에 지급한다."),
    ]


def test_hwpx_outline_styles_become_the_section_path(tmp_path: Path) -> None:
    from hanrag.ingest import chunk_pages

    header = """<?xml version="1.0" encoding="UTF-8"?>
<hh:head xmlns:hh="http://www.hancom.co.kr/hwpml/2011/head"><hh:refList><hh:styles>
  <hh:style id="0" type="PARA" name="바탕글" engName="Normal"/>
  <hh:style id="2" type="PARA" name="개요 1" engName="Outline 1"/>
</hh:styles></hh:refList></hh:head>"""
    section = """<?xml version="1.0" encoding="UTF-8"?>
<hs:sec xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph">
  <hp:p styleIDRef="2"><hp:run><hp:t>복무 규정</hp:t></hp:run></hp:p>
  <hp:p styleIDRef="0"><hp:run><hp:t>직원은 오전 9시까지 출근한다.</hp:t></hp:run></hp:p>
</hs:sec>"""
    path = tmp_path / "rules.hwpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/hwp+zip")
        archive.writestr("Contents/header.xml", header)
        archive.writestr("Contents/section0.xml", section)
    [page] = load_file(path)
    assert page.text.startswith("# 복무 규정")
    [chunk] = chunk_pages([page], "d", str(path))
    assert (chunk.title, chunk.text) == ("복무 규정", "직원은 오전 9시까지 출근한다.")
