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


# A company's work rules (취업규칙) laid out like a statute: chapters, articles with ① paragraphs
# and items, one long article. Written for these tests.
WORK_RULES = [
    "제1장 총칙",
    "제1조(목적) 이 규칙은 주식회사 한빛소프트의 직원이 지켜야 할 근무 조건과 복무 질서를 정함으로써 회사와 직원이 서로 신뢰하며 함께 성장하는 것을 목적으로 한다.",
    "제2조(적용 범위) ① 이 규칙은 회사와 근로계약을 체결한 모든 직원에게 적용한다.",
    "② 단시간근로자와 기간제근로자에 대하여는 개별 근로계약서에서 따로 정한 사항을 제외하고 이 규칙을 적용한다.",
    "제3조(용어의 정의) 이 규칙에서 사용하는 용어의 뜻은 다음과 같다.",
    "1. “직원”이란 회사와 근로계약을 체결하고 회사의 지휘와 감독을 받으며 근로를 제공하는 사람을 말한다.",
    "2. “부서장”이란 부서의 업무를 총괄하고 소속 직원의 근태를 관리하는 사람을 말한다.",
    "제2장 채용과 근로계약",
    "제4조(채용) ① 회사는 공개 모집을 원칙으로 하며 서류전형과 면접전형을 거쳐 직원을 채용한다.",
    "② 채용이 확정된 사람은 입사일까지 주민등록초본, 최종학력증명서, 경력증명서를 인사팀에 제출하여야 한다.",
    "제5조(수습기간) 신규로 채용된 직원은 입사일부터 3개월간 수습기간을 두며, 수습기간 중의 급여는 정상 급여의 100분의 90으로 한다.",
    "제6조(근로조건의 명시) 회사는 근로계약을 체결할 때에 임금, 소정근로시간, 휴일, 연차휴가와 그 밖의 근로조건을 서면으로 명시하여 교부한다.",
    "제3장 근무시간과 휴가",
    "제7조(근무시간) ① 근무시간은 휴게시간을 제외하고 1일 8시간, 1주 40시간으로 하며 시업 시각은 오전 9시, 종업 시각은 오후 6시로 한다.",
    "② 업무상 필요한 경우 부서장은 직원과 합의하여 시업 시각과 종업 시각을 1시간 범위에서 조정할 수 있다.",
    "제8조(휴게시간) 휴게시간은 낮 12시부터 오후 1시까지 1시간으로 하며, 직원은 휴게시간을 자유롭게 이용할 수 있다.",
    "제9조(연장근로) ① 연장근로는 직원의 동의를 받아 1주 12시간을 한도로 실시한다.",
    "② 연장근로, 야간근로와 휴일근로에 대하여는 통상임금의 100분의 50 이상을 가산하여 지급한다.",
    "제10조(연차휴가) ① 회사는 1년간 80퍼센트 이상 출근한 직원에게 15일의 유급 연차휴가를 준다.",
    "② 계속 근무한 기간이 1년 미만인 직원에게는 1개월 개근할 때마다 1일의 유급휴가를 준다.",
    "③ 3년 이상 계속 근무한 직원에게는 최초 1년을 초과하는 계속 근무 연수 매 2년에 대하여 1일을 가산하되, 가산휴가를 포함한 총 휴가 일수는 25일을 한도로 한다.",
    "④ 직원은 연차휴가를 사용하려는 날의 3일 전까지 전자결재로 신청하여야 한다. 다만, 질병이나 사고처럼 미리 신청할 수 없는 사정이 있으면 사후에 신청할 수 있다.",
    "⑤ 부서장은 신청된 시기에 휴가를 주는 것이 사업 운영에 막대한 지장이 있는 경우에 한하여 그 시기를 변경할 수 있으며, 변경 사유를 직원에게 서면으로 알려야 한다.",
    "⑥ 사용하지 아니한 연차휴가는 회계연도 말일에 소멸하며, 회사는 소멸하는 휴가에 대하여 통상임금을 기준으로 연차휴가 미사용수당을 지급한다.",
    "제11조(경조휴가) 회사는 직원의 경조사에 대하여 다음 각 호의 유급휴가를 준다.",
    "1. 본인의 결혼: 5일",
    "2. 자녀의 결혼: 1일",
    "3. 배우자, 본인 및 배우자의 부모의 사망: 5일",
    "제12조(병가) 업무 외의 질병이나 부상으로 근무할 수 없는 직원은 의사의 진단서를 제출하고 연간 60일의 범위에서 무급 병가를 받을 수 있다.",
    "제4장 임금과 퇴직",
    "제13조(임금의 지급) ① 임금은 매월 1일부터 말일까지를 산정 기간으로 하여 매월 25일에 직원 명의의 예금 계좌로 지급한다.",
    "② 지급일이 휴일이면 그 전날에 지급한다.",
    "제14조(퇴직) ① 직원이 퇴직하려면 퇴직 예정일의 30일 전까지 사직서를 제출하여야 한다.",
    "② 회사는 직원이 퇴직한 날부터 14일 이내에 임금, 퇴직금과 그 밖의 모든 금품을 지급한다.",
    "제15조(정년) 직원의 정년은 만 60세로 하며, 정년에 이른 날이 속하는 달의 말일에 퇴직한다.",
]


def build_statute_pdf(path: Path, font: Path, paragraphs: Sequence[str], title: str, contents: str = "titles") -> str:
    """A statute-style PDF: a title page with a table of contents (``contents="titles"``: bare
    chapter and article titles, as on law.go.kr; ``"leaders"``: dot leaders and page numbers),
    then the body, justified and wrapped at any character (words break across lines, as in
    Korean statutes), with a running header and page-numbered footer. Returns the text drawn,
    headers and footers aside: what an extractor should give back."""
    from hanrag.ingest.structure import Role, classify

    article_pages: dict[str, int] = {}
    for _ in range(2):  # the second pass knows each article's page for the contents
        pdf, drawn = _statute_pass(font, paragraphs, title, contents, article_pages, classify, Role)
    pdf.output(str(path))
    return "\n".join(drawn)


def _statute_pass(font, paragraphs, title, contents, article_pages, classify, role_enum):  # noqa: ANN001, ANN202
    from fpdf import FPDF
    from fpdf.enums import WrapMode

    class Statute(FPDF):
        def header(self) -> None:
            if self.page_no() > 1:
                self.set_font("Nanum", size=8)
                self.set_xy(self.l_margin, 8)
                self.cell(0, 5, title, align="R")
                self.set_xy(self.l_margin, self.t_margin)

        def footer(self) -> None:
            self.set_font("Nanum", size=8)
            self.set_y(-12)
            self.cell(0, 5, f"- {self.page_no()} -", align="C")

    import logging

    logging.getLogger("fontTools").setLevel(logging.ERROR)
    pdf = Statute(format=(148, 210))  # A5: more pages and more line breaks than A4
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font("Nanum", "", str(font))
    bold = font.with_name(font.stem + "Bold" + font.suffix)
    pdf.add_font("Nanum", "B", str(bold if bold.is_file() else font))
    drawn: list[str] = [title, "목차"]
    pdf.add_page()
    pdf.set_font("Nanum", "B", 16)
    pdf.cell(0, 12, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Nanum", "B", 12)
    pdf.cell(0, 9, "목차", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Nanum", size=10)
    for paragraph in paragraphs:
        role, _, label = classify(paragraph)
        if role not in (role_enum.HEADING, role_enum.ARTICLE):
            continue
        entry = label
        if contents == "leaders":
            number = str(article_pages.get(label, 0))
            room = pdf.epw - pdf.get_string_width(f"{label}  {number}")
            entry = f"{label} {'.' * max(3, int(room / pdf.get_string_width('.')) - 1)} {number}"
        pdf.cell(0, 6, entry, new_x="LMARGIN", new_y="NEXT")
        drawn.append(f"{label} {number}" if contents == "leaders" else label)
    pdf.add_page()
    for paragraph in paragraphs:
        role, _, label = classify(paragraph)
        if role == role_enum.HEADING:
            pdf.ln(3)
            pdf.set_font("Nanum", "B", 11)
            pdf.multi_cell(0, 7, paragraph, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Nanum", size=10)
        else:
            if role == role_enum.ARTICLE:
                pdf.ln(2)
                article_pages[label] = pdf.page_no()
            indent = 4 if role == role_enum.ITEM else 0
            pdf.set_x(pdf.l_margin + indent)
            pdf.multi_cell(pdf.epw - indent, 6, paragraph, align="J", wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")
        drawn.append(paragraph)
    return pdf, drawn
