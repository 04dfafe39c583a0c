"""Property-based tests (hypothesis): loaders, chunker and analyser on random bytes and random
Unicode (surrogates, RTL marks, zero-width characters, NUL, huge single lines). Any input ends
in pages or a clean one-line IngestError, in bounded time; nothing indexed before is lost."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hanrag import Index
from hanrag.errors import IngestError
from hanrag.ingest import chunk_pages, load_file
from hanrag.schema import Page
from hanrag.text.highlight import matched_spans
from hanrag.text.kiwi import KiwiTokenizer

SUFFIXES = [".txt", ".md", ".csv", ".html", ".pdf", ".hwp", ".hwpx", ".docx"]
# Hangul, Latin, digits, punctuation, and the characters that break naive code.
TRICKY = st.sampled_from(list("가나다라마 한국어 문장입니다. ①②제1조(목적)\n\t\r") + [
    "\x00", "\u200b", "\u200d", "\u202e", "\u2067", "\ufeff", "\ud800", "\udfff", "\U0001f600", "\x1b[2J", "[/]",
])
TEXT = st.lists(st.one_of(TRICKY, st.characters()), max_size=400).map("".join)
MAGIC = [b"%PDF-1.7\n", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"PK\x03\x04", b"<html>", b"\xef\xbb\xbf", b""]
PER_FILE = settings(max_examples=60, deadline=timedelta(seconds=10), suppress_health_check=[HealthCheck.too_slow])


@PER_FILE
@given(suffix=st.sampled_from(SUFFIXES), head=st.sampled_from(MAGIC), body=st.binary(max_size=3000))
def test_loaders_give_pages_or_a_clean_error(suffix: str, head: bytes, body: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"random{suffix}"
        path.write_bytes(head + body)
        try:
            pages = load_file(path)
        except IngestError as exc:
            message = str(exc)
            assert message.startswith(str(path)) and "\n" not in message.strip()
        else:
            assert all(isinstance(p.text, str) for p in pages)


@PER_FILE
@given(text=TEXT)
@example(text="가\ud800나. 다\u202e라.\x00 마\u200b바.")
def test_chunks_are_exact_slices_of_the_page(text: str) -> None:
    page = Page(text, number=1)
    for chunk in chunk_pages([page], "d", "s", size=120, overlap=30):
        assert chunk.text == text[chunk.start : chunk.end] and chunk.text.strip() == chunk.text
        assert chunk.text


@PER_FILE
@given(text=TEXT)
@example(text="\ud800")  # a lone surrogate crashed Kiwi (found by this test)
@example(text="다\x08다")  # Kiwi restores a 하 that is not written: a term with an empty span (found by this test)
def test_analyser_spans_stay_inside_the_text(text: str) -> None:
    tokenizer = KiwiTokenizer()
    (terms,) = tokenizer.tokenize([text])
    (spans,) = tokenizer.spans([text])
    assert [t for t, _, _ in spans] == terms
    assert all(0 <= start <= end <= len(text) for _, start, end in spans)
    # highlighting marks only characters that are there
    everything = matched_spans(tokenizer, terms, [text])[0]
    assert all(0 <= m.start < m.end <= len(text) for m in everything)


def test_huge_single_line_is_chunked_in_bounded_time() -> None:
    line = "근로자는 휴가를 받는다 " * 20_000  # 260,000 characters, no line break, no full stop
    chunks = chunk_pages([Page(line, number=1)], "d", "s", size=500, overlap=100)
    assert chunks and all(len(c.text) <= 500 for c in chunks)
    assert chunks[-1].end >= len(line.rstrip()) - 1


@pytest.fixture(scope="module")
def shared_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import KOREAN_DOCS

    folder = tmp_path_factory.mktemp("docs")
    for name, text in KOREAN_DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    directory = tmp_path_factory.mktemp("ix") / "index"
    with Index.open(directory) as index:
        assert index.add([folder]).added == 4
    return directory


@settings(max_examples=8, deadline=timedelta(seconds=60), suppress_health_check=[HealthCheck.too_slow,
                                                                                  HealthCheck.function_scoped_fixture])
@given(suffix=st.sampled_from(SUFFIXES), head=st.sampled_from(MAGIC), body=st.binary(max_size=2000), text=TEXT)
def test_random_files_never_cost_what_is_indexed(shared_index: Path, suffix: str, head: bytes, body: bytes,
                                                 text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        junk = Path(folder) / f"junk{suffix}"
        junk.write_bytes(head + body)
        note = Path(folder) / "note.txt"
        note.write_text(text, encoding="utf-8", errors="surrogatepass")
        with Index.open(shared_index) as index:
            report = index.add([junk, note])
            assert all("\n" not in message.strip() for _, message in report.errors)
            assert index.search("누리호 발사", top_k=1)[0].chunk.source.endswith("space.txt")
            index.remove([str(junk), str(note)])
            assert len(index.documents()) == 4


def test_long_text_is_split_in_windows_with_exact_offsets() -> None:
    """Kiwi's own split is quadratic in one input's length: long texts go in as windows."""
    from hanrag.text.sentences import WINDOW, split_sentences

    sentence = "근로자는 1년간 80퍼센트 이상 출근하면 15일의 유급휴가를 받는다. "
    text = sentence * (3 * WINDOW // len(sentence))
    (spans,) = split_sentences([text])
    assert len(spans) == text.count(". ")  # every sentence found once, none cut at a window edge
    assert all(text[a:b].startswith("근로자는") and text[a:b].endswith("받는다.") for a, b in spans)
