"""PDF tables, two-column pages and scanned pages, on PDFs built here with a Korean font."""

from pathlib import Path

import pytest

from hanrag import Index
from hanrag.errors import IngestError
from hanrag.ingest import load_file
from hanrag.ingest.pdf_layout import reading_order
from tests.pdf_builder import (
    LEFT_COLUMN,
    RIGHT_COLUMN,
    build_image_only_pdf,
    build_table_pdf,
    build_two_column_pdf,
)


def test_table_becomes_its_own_markdown_page_linked_to_its_page(tmp_path: Path, korean_font: Path) -> None:
    pages = load_file(build_table_pdf(tmp_path / "report.pdf", korean_font))
    assert [(p.number, p.kind) for p in pages] == [(1, "text"), (2, "text"), (2, "table"), (3, "text")]
    table = pages[2]
    assert table.text.split("\n") == [
        "| 지표 | 2023년 | 2024년 |",
        "|---|---|---|",
        "| 기준금리 | 3.50% | 3.00% |",
        "| 소비자물가상승률 | 3.6% | 2.3% |",
        "| 경상수지 흑자 | 354억 달러 | 990억 달러 |",
    ]
    assert table.heading == "다음 표는 주요 거시경제 지표의 변화를 보여준다."  # the line above it
    prose = pages[1].text
    assert "기준금리" not in prose  # the cells are not repeated in the page text
    assert prose.startswith("다음 표는") and prose.endswith("물가 안정 목표를 설명한다.")


def test_two_column_page_is_read_column_by_column(tmp_path: Path, korean_font: Path) -> None:
    [page] = load_file(build_two_column_pdf(tmp_path / "columns.pdf", korean_font))
    # The columns' lines fill their width, so they read as one paragraph, left column first.
    assert page.text.split("\n") == ["두 단으로 조판된 경제 해설 기사의 제목입니다", " ".join(LEFT_COLUMN + RIGHT_COLUMN)]


def _word(text: str, x0: float, top: float) -> dict:
    return {"text": text, "x0": x0, "x1": x0 + 10 * len(text), "top": top, "bottom": top + 10}


def test_right_aligned_page_numbers_are_not_a_second_column() -> None:
    # A table of contents: titles on the left, page numbers flush right, a wide gap between.
    words = []
    for i in range(10):
        words += [_word(f"제{i + 1}장", 60, 100 + 14 * i), _word("총칙과", 100, 100 + 14 * i), _word(str(i + 3), 520, 100 + 14 * i)]
    assert reading_order(words, 595).split("\n")[0] == "제1장 총칙과 3"


def test_full_width_lines_split_column_runs() -> None:
    words = [_word("머리말입니다만" * 4, 40, 20)]
    for i in range(4):
        words += [_word(f"왼쪽{i}" * 5, 40, 40 + 12 * i), _word(f"오른쪽{i}" * 4, 320, 40 + 12 * i)]
    words.append(_word("가운데를가로지르는문단" * 4, 40, 100))
    for i in range(4):
        words += [_word(f"아래왼{i}" * 5, 40, 120 + 12 * i), _word(f"아래오{i}" * 4, 320, 120 + 12 * i)]
    lines = reading_order(words, 595).split("\n")
    assert [line[:4] for line in lines] == (
        ["머리말입"] + ["왼쪽0왼", "왼쪽1왼", "왼쪽2왼", "왼쪽3왼"] + ["오른쪽0", "오른쪽1", "오른쪽2", "오른쪽3"]
        + ["가운데를"] + [f"아래왼{i}" for i in range(4)] + [f"아래오{i}" for i in range(4)]
    )


def test_pdf_of_images_only_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="scan.pdf: PDF has no text layer.*OCR"):
        load_file(build_image_only_pdf(tmp_path / "scan.pdf"))


def test_scanned_pages_inside_a_text_pdf_are_reported(tmp_path: Path, korean_font: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    text_pdf = build_table_pdf(tmp_path / "a.pdf", korean_font)
    scan_pdf = build_image_only_pdf(tmp_path / "b.pdf")
    writer = PdfWriter()
    for source in (text_pdf, scan_pdf):
        for page in PdfReader(source).pages:
            writer.add_page(page)
    mixed = tmp_path / "docs" / "mixed.pdf"
    mixed.parent.mkdir()
    with mixed.open("wb") as handle:
        writer.write(handle)
    with Index.open(tmp_path / "ix") as index:
        report = index.add([mixed.parent])
        assert report.added == 1 and report.errors == []
        assert report.warnings == [(str(mixed.resolve()), f"{mixed.resolve()}: page(s) 4 have no text layer (scanned?) and were not indexed")]


def test_question_about_a_table_cell_retrieves_the_table_chunk_with_its_page(tmp_path: Path, korean_font: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    build_table_pdf(docs / "report.pdf", korean_font)
    build_two_column_pdf(docs / "columns.pdf", korean_font)
    with Index.open(tmp_path / "ix") as index:
        assert index.add([docs]).added == 2
        top = index.search("2024년 경상수지 흑자 규모는?", top_k=1)[0]
        assert top.chunk.kind == "table" and top.chunk.page == 2 and top.chunk.source.endswith("report.pdf")
        assert "| 경상수지 흑자 | 354억 달러 | 990억 달러 |" in top.chunk.text
        assert top.to_dict()["kind"] == "table" and top.to_dict()["modified"] is not None
        hits = index.search("기준금리", where=["kind:text", "source:report.pdf"])
        assert hits and all(h.chunk.kind == "text" for h in hits)
