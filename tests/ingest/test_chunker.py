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
