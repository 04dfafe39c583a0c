from hanrag.ingest.chunker import chunk_pages, pack_spans
from hanrag.schema import Page


def test_pack_respects_size_and_overlaps_whole_sentences() -> None:
    spans = [(0, 40), (41, 80), (81, 120), (121, 160)]
    windows = pack_spans(spans, size=90, overlap=40)
    assert windows == [(0, 80), (41, 120), (81, 160)]
    assert all(b - a <= 90 for a, b in windows)


def test_no_overlap() -> None:
    assert pack_spans([(0, 40), (41, 80), (81, 120)], size=85, overlap=0) == [(0, 80), (81, 120)]


def test_chunks_keep_pages_offsets_and_sentence_ends() -> None:
    sentence = "근로자는 연차 유급휴가를 청구할 수 있다. "
    pages = [Page(sentence * 30, number=3), Page("짧은 페이지입니다.", number=4)]
    chunks = chunk_pages(pages, "doc", "doc.pdf", size=120, overlap=30)
    assert {c.page for c in chunks} == {3, 4}
    for c in chunks:
        assert len(c.text) <= 120
        page = pages[0] if c.page == 3 else pages[1]
        assert page.text[c.start : c.end] == c.text
        assert c.text.endswith(".")
    assert [c.chunk_id for c in chunks] == [f"doc#{i}" for i in range(len(chunks))]
    # overlap: consecutive chunks on page 3 share a sentence
    first, second = chunks[0], chunks[1]
    assert second.start < first.end


def test_overlong_sentence_is_cut() -> None:
    text = "가" * 50 + " " + "나" * 300
    chunks = chunk_pages([Page(text)], "d", "d.txt", size=100, overlap=0)
    assert all(len(c.text) <= 100 for c in chunks)
    assert "".join(c.text for c in chunks).replace(" ", "") == text.replace(" ", "")


def test_table_rows_as_sentences() -> None:
    from hanrag.ingest.tables import row_sentences, rows_to_markdown

    table = rows_to_markdown([["지표", "2023년", "2024년"], ["기준금리", "3.50%", "3.00%"], ["A|B", "", "1"]])
    assert row_sentences(table) == ["지표: 기준금리, 2023년: 3.50%, 2024년: 3.00%", "지표: A|B, 2024년: 1"]
    assert row_sentences("| 혼자 |") == ["혼자"]


def test_long_tables_are_cut_between_rows_with_the_header_repeated() -> None:
    from hanrag.ingest.chunker import chunk_pages
    from hanrag.ingest.tables import rows_to_markdown
    from hanrag.schema import Page

    table = rows_to_markdown([["지역", "인구"]] + [[f"지역{i}", f"{i}만"] for i in range(60)])
    chunks = chunk_pages([Page(table, number=3, heading="인구 표", kind="table")], "d", "s.pdf", size=200, overlap=50)
    assert len(chunks) > 3 and all(c.kind == "table" and c.page == 3 and c.title == "인구 표" for c in chunks)
    assert all(c.text.startswith("| 지역 | 인구 |\n|---|---|\n") and len(c.text) <= 200 + 30 for c in chunks)
    rows = [line for c in chunks for line in c.text.split("\n")[2:]]
    assert rows == table.split("\n")[2:]  # every row once, in order


RULES_PAGES = [
    Page("회사 규정집\n목차\n제1장 총칙\n제1조(목적)\n제2조(정의)\n제2장 근무\n제3조(근무시간)\n제4조(연차휴가)", number=1),
    Page(
        "제1장 총칙\n제1조(목적) 이 규정은 직원의 근무 조건을 정한다.\n"
        "제2조(정의) 이 규정에서 “직원”이란 회사와 근로계약을 맺은 사람을 말한다.\n"
        "제2장 근무\n제3조(근무시간) 근무시간은 1일 8시간으로 한다.\n"
        "제4조(연차휴가) ① 회사는 1년간 80퍼센트 이상 출근한 직원에게 15일의 유급휴가를 준다.\n"
        + "\n".join(f"{'②③④⑤⑥'[i]} 연차휴가의 사용에 관하여 {i + 2}번째로 정하는 사항은 다음과 같으며, 부서장은 이를 지켜야 한다." for i in range(5)),
        number=2,
    ),
    Page("1. 휴가는 하루 단위로 쓴다.\n2. 반차는 오전과 오후로 나눈다.\n제5조(병가) 병가는 연 60일까지 쓸 수 있다.", number=3),
]


def test_structured_documents_are_cut_at_articles_with_their_section_path() -> None:
    chunks = chunk_pages(RULES_PAGES, "d", "rules.pdf", size=160, overlap=40)
    contents = [c for c in chunks if c.kind == "toc"]
    assert [c.page for c in contents] == [1] and contents[0].title == "목차"
    assert contents[0].text.startswith("목차\n제1장 총칙\n제1조(목적)")
    body = [c for c in chunks if c.kind == "text" and c.page != 1]
    titles = [c.title for c in body]
    assert titles[:3] == ["제1장 총칙 > 제1조(목적)", "제1장 총칙 > 제2조(정의)", "제2장 근무 > 제3조(근무시간)"]
    assert body[0].text == "제1조(목적) 이 규정은 직원의 근무 조건을 정한다."  # the heading is in the path, not the text
    # The long article is split at its ① paragraphs; every piece carries the article's title,
    # also on the next page, where its items continue.
    article = [c for c in body if c.title == "제2장 근무 > 제4조(연차휴가)"]
    assert len(article) >= 3 and article[0].text.startswith("제4조(연차휴가) ①")
    assert all(c.text[0] in "②③④⑤⑥" for c in article[1:] if c.page == 2)
    assert article[-1].page == 3 and article[-1].text.startswith("1. 휴가는")
    assert body[-1].title == "제2장 근무 > 제5조(병가)" and body[-1].text.startswith("제5조(병가)")
    for c in chunks:  # no chunk straddles two articles, offsets stay right
        page = next(p for p in RULES_PAGES if p.number == c.page)
        assert page.text[c.start : c.end] == c.text and len(c.text) <= 160
        assert sum(line.startswith("제") and "조(" in line[:8] for line in c.text.split("\n")) <= 1 or c.kind == "toc"


def test_unstructured_pages_keep_sentence_packing_with_their_title() -> None:
    text = "근로자는 연차 유급휴가를 청구할 수 있다. " * 12
    [first, *_] = chunk_pages([Page(text, heading="휴가")], "d", "d.md", size=120, overlap=30)
    assert first.title == "휴가" and first.kind == "text" and first.text.endswith(".")
