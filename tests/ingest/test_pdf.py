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
