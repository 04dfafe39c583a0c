from pathlib import Path

import pytest

from hanrag.errors import IngestError
from hanrag.ingest import load_file
from tests.conftest import STATUTE_PDF


def test_statute_pages_are_numbered_and_hold_article_60() -> None:
    pages = load_file(STATUTE_PDF)
    assert [p.number for p in pages] == list(range(1, 29))
    page = next(p for p in pages if "제60조(연차 유급휴가)" in p.text and "15일의 유급휴가" in p.text)
    assert page.number == 18
    assert "  " not in page.text  # layout padding collapsed


def test_truncated_pdf_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(STATUTE_PDF.read_bytes()[:5000])
    with pytest.raises(IngestError, match="broken.pdf"):
        load_file(broken)


def test_garbage_named_pdf(tmp_path: Path) -> None:
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"this is not a pdf at all")
    with pytest.raises(IngestError, match="fake.pdf: corrupt or unreadable PDF"):
        load_file(fake)


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(IngestError, match="no text layer"):
        load_file(path)


def test_running_headers_are_removed_from_the_statute() -> None:
    pages = load_file(STATUTE_PDF)
    assert not any("국가법령정보센터" in p.text for p in pages)
    assert pages[2].text.split("\n")[0] == "제70조(야간근로와 휴일근로의 제한)"  # header and title line gone
    assert pages[4].text.startswith("근로기준법\n[시행 2025. 2. 23.]")  # the real title of the body is kept
    assert sum("제60조(연차 유급휴가)" in p.text for p in pages) >= 2  # body and table of contents kept


def test_running_lines_need_to_recur_in_the_page_margins() -> None:
    from hanrag.ingest.pdf import strip_running_lines
    from hanrag.schema import Page

    bodies = ["매출이 늘었다.", "비용이 줄었다.", "인원이 그대로다.", "재고가 쌓였다.", "신제품을 냈다."]
    pages = [
        Page(f"주간 보고서 {n}쪽\n{body}\n결론은 다음 주에.\n{body[:2]} 세부 내용\n\n\n대외비", number=n)
        for n, body in enumerate(bodies, 1)
    ]
    cleaned = strip_running_lines(pages)
    assert [p.number for p in cleaned] == [1, 2, 3, 4, 5]
    for page, body in zip(cleaned, bodies):
        assert page.text.split("\n") == [body, "결론은 다음 주에.", f"{body[:2]} 세부 내용"]
    assert strip_running_lines(pages[:2]) == pages[:2]  # too few pages to tell


def test_password_protected_pdf(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="secret", owner_password="owner")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(IngestError, match="locked.pdf: PDF is password-protected"):
        load_file(path)
