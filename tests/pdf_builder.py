"""PDF fixtures with Korean text, built at test (or benchmark) time with fpdf2 and a Nanum font.

The font comes from Debian's fonts-nanum (``scripts/test`` installs it where it can); callers
skip or fail with a clear reason when it is missing (``korean_font()`` returns None).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

FONT_DIRS = ("/usr/share/fonts/truetype/nanum", "/usr/share/fonts/nanum", "/usr/local/share/fonts")

TABLE_ROWS = [
    ["지표", "2023년", "2024년"],
    ["기준금리", "3.50%", "3.00%"],
    ["소비자물가상승률", "3.6%", "2.3%"],
    ["경상수지 흑자", "354억 달러", "990억 달러"],
]
LEFT_COLUMN = [f"왼쪽 단의 {i}번째 문장은 가계부채와 금리에 관한 설명입니다." for i in range(1, 13)]
RIGHT_COLUMN = [f"오른쪽 단의 {i}번째 문장은 환율과 무역수지에 관한 설명입니다." for i in range(1, 13)]


def korean_font() -> Path | None:
    """A TrueType font with Hangul glyphs (NanumGothic), or None."""
    override = os.environ.get("HANRAG_TEST_FONT")
    candidates = [Path(override)] if override else [Path(d) / "NanumGothic.ttf" for d in FONT_DIRS]
    return next((p for p in candidates if p.is_file()), None)


def _document(font: Path):
    import logging

    from fpdf import FPDF

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # subsetting chatter about hinting tables

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("Nanum", "", str(font))
    bold = font.with_name(font.stem + "Bold" + font.suffix)
    pdf.add_font("Nanum", "B", str(bold if bold.is_file() else font))
    pdf.set_font("Nanum", size=11)
    return pdf


def build_table_pdf(path: Path, font: Path) -> Path:
    """Three pages: prose; prose then a ruled table of economic indicators; prose."""
    pdf = _document(font)
    pdf.add_page()
    pdf.multi_cell(0, 7, "경제 전망 보고서\n\n이 보고서는 국내 경제의 주요 지표를 정리한다. 성장률은 완만하게 회복될 것으로 보인다.")
    pdf.add_page()
    pdf.multi_cell(0, 7, "다음 표는 주요 거시경제 지표의 변화를 보여준다.")
    pdf.ln(4)
    with pdf.table(col_widths=(60, 50, 50), text_align="LEFT") as table:
        for cells in TABLE_ROWS:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.ln(4)
    pdf.multi_cell(0, 7, "표 아래의 본문은 물가 안정 목표를 설명한다.")
    pdf.add_page()
    pdf.multi_cell(0, 7, "마지막 장은 결론이다. 통화정책은 물가와 성장의 균형을 고려한다.")
    pdf.output(str(path))
    return path


def build_two_column_pdf(path: Path, font: Path) -> Path:
    """A full-width title over two columns whose lines are written interleaved (left, right,
    left, ...) in the content stream, so only a layout-aware reader gets the order right."""
    pdf = _document(font)
    pdf.add_page()
    pdf.set_font("Nanum", size=14)
    pdf.text(20, 20, "두 단으로 조판된 경제 해설 기사의 제목입니다")
    pdf.set_font("Nanum", size=8)
    for i, (left, right) in enumerate(zip(LEFT_COLUMN, RIGHT_COLUMN)):
        y = 35 + i * 6
        pdf.text(12, y, left)
        pdf.text(110, y, right)
    pdf.output(str(path))
    return path


def build_image_only_pdf(path: Path) -> Path:
    """A page with drawings and no text layer (what a scan looks like to a text extractor)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_fill_color(40, 40, 40)
    for i in range(20):
        pdf.rect(20, 20 + i * 12, 170, 6, style="F")
    pdf.output(str(path))
    return path


def build_long_pdf(path: Path, font: Path, pages: int, paragraphs: Sequence[str]) -> Path:
    """``pages`` pages of prose cycled from ``paragraphs``, a small table every 10th page."""
    pdf = _document(font)
    pdf.set_auto_page_break(auto=False)
    k = 0
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.set_xy(15, 15)
        limit = 185 if number % 10 == 0 else 230  # prose stays clear of the table at 240 mm
        while pdf.get_y() < limit:
            pdf.multi_cell(180, 6, paragraphs[k % len(paragraphs)])
            pdf.ln(2)
            k += 1
        if number % 10 == 0:
            pdf.set_xy(15, 240)
            with pdf.table(col_widths=(60, 50, 50), text_align="LEFT", width=160) as table:
                for cells in TABLE_ROWS[:3]:
                    row = table.row()
                    for cell in cells:
                        row.cell(cell)
    pdf.output(str(path))
    return path
