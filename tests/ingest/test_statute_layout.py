"""Statute-style PDFs: justified text wrapped in the middle of words, a table of contents,
chapters, articles with ① paragraphs; built here (company work rules) and the bundled statute."""

import re
from collections import Counter
from pathlib import Path

import pytest

from hanrag.ingest import chunk_pages, load_file
from tests.conftest import STATUTE_PDF
from tests.pdf_builder import WORK_RULES, build_statute_pdf

TITLE = "한빛소프트 취업규칙"


def words_intact(source: str, extracted: str) -> float:
    """Share of the source's words found whole in the extracted text (dot leaders aside)."""
    wanted = Counter(w for w in source.split() if not re.fullmatch(r"\.+", w))
    found = Counter(extracted.split())
    return sum(min(n, found[w]) for w, n in wanted.items()) / sum(wanted.values())


@pytest.fixture(scope="module", params=["titles", "leaders"])
def rules_pdf(request: pytest.FixtureRequest, korean_font: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("rules") / f"rules-{request.param}.pdf"
    return path, build_statute_pdf(path, korean_font, WORK_RULES, TITLE, contents=request.param)


def test_words_wrapped_mid_word_come_back_whole(rules_pdf: tuple[Path, str]) -> None:
    path, source = rules_pdf
    pages = load_file(path)
    text = "\n".join(p.text for p in pages)
    assert len(pages) >= 4
    assert words_intact(source, text) >= 0.995
    assert text.count(TITLE) == 1  # the running header is gone, the title page keeps its title
    assert not re.search(r"- \d+ -", text)  # so are the page-number footers
    for paragraph in WORK_RULES:  # one paragraph per line, as written
        assert paragraph in text.split("\n") or words_intact(paragraph, text) >= 0.9


def test_chunks_follow_articles_and_the_contents_page_is_flagged(rules_pdf: tuple[Path, str]) -> None:
    path, _ = rules_pdf
    pages = load_file(path)
    chunks = chunk_pages(pages, "d", str(path), size=300, overlap=60)
    contents = [c for c in chunks if c.kind == "toc"]
    assert contents and all(c.page == 1 and c.title == "목차" for c in contents)
    assert "제10조(연차휴가)" in "\n".join(c.text for c in contents)
    body = [c for c in chunks if c.kind == "text" and c.page != 1]
    articles = [re.match(r"제\d+조\([^)]*\)", p).group() for p in WORK_RULES if re.match(r"제\d+조\(", p)]
    starts = [c for c in body if re.match(r"제\d+조\(", c.text)]
    assert [re.match(r"제\d+조\([^)]*\)", c.text).group() for c in starts] == articles  # each article starts a chunk
    for chunk in body:
        assert chunk.title and " > 제" in chunk.title  # chapter > article
        assert len(re.findall(r"(?:^|\n)제\d+조\(", chunk.text)) <= 1  # never two articles in one chunk
    leave = [c for c in body if c.title == "제3장 근무시간과 휴가 > 제10조(연차휴가)"]
    assert len(leave) >= 2 and leave[0].text.startswith("제10조(연차휴가) ①")
    assert all(c.text[0] in "②③④⑤⑥" for c in leave[1:])  # split at its paragraphs


def test_the_bundled_statute_reads_whole_words_and_one_paragraph_per_line() -> None:
    text = "\n".join(p.text for p in load_file(STATUTE_PDF))
    for whole in ("근로자가 해고 당시", "예고를 하여야 하고", "근로자가 원하면", "사회적 신분", "중간인으로서 이익을", "산전(産前)ㆍ산후(産後)"):
        assert whole in text
    for broken in ("근로 자가", "하 여야", "원 하면", "사 회적", "이 익을"):
        assert broken not in text
    lines = text.split("\n")
    assert "제60조(연차 유급휴가) ① 사용자는 1년간 80퍼센트 이상 출근한 근로자에게 15일의 유급휴가를 주어야 한다. <개정 2012. 2. 1.>" in lines
    assert "7. “1주”란 휴일을 포함한 7일을 말한다." in lines


def test_statute_chunks_start_at_articles_with_their_titles() -> None:
    pages = load_file(STATUTE_PDF)
    chunks = chunk_pages(pages, "d", "statute.pdf")
    contents = [c for c in chunks if c.kind == "toc"]
    assert {c.page for c in contents} == {1, 2, 3, 4}
    sixty = [c for c in chunks if c.title == "제4장 근로시간과 휴식 > 제60조(연차 유급휴가)"]
    assert len(sixty) >= 2 and sixty[0].text.startswith("제60조(연차 유급휴가) ① 사용자는")
    assert all(not c.text.startswith("제61조") for c in sixty)
    assert any(c.title and c.title.startswith("부칙") for c in chunks)
    # the title block (name, promulgation line, the ministry's desks) is front matter, the articles are not
    front = [c for c in chunks if c.kind == "front"]
    assert {c.page for c in front} == {1, 5}
    assert all(c.text.startswith("근로기준법\n[시행 2025. 2. 23.]") for c in front)
    assert any("044-202-7534" in c.text for c in front)
    assert not any("제1조(목적)" in c.text for c in front)
