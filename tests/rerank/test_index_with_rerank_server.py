"""An index reranking through a server: scores, threshold, and what happens when the server fails."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hanrag import Index
from hanrag.rerank.base import RerankWarning
from tests.conftest import KOREAN_DOCS
from tests.rerank.fake_rerank import FakeRerank, fake_rerank, probability

QUERY = "한국은행 금리"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("docs")
    for name, text in KOREAN_DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    directory = tmp_path_factory.mktemp("ix") / "index"
    with Index.open(directory) as index:
        index.add([folder])
    return directory


@pytest.fixture
def server() -> Iterator[FakeRerank]:
    with fake_rerank() as running:
        yield running


def open_index(built: Path, tmp_path: Path, spec: str) -> Index:
    copy = tmp_path / "index"
    shutil.copytree(built, copy)
    return Index.open(copy, reranker=spec)


def test_hits_carry_the_servers_calibrated_scores(built: Path, tmp_path: Path, server: FakeRerank) -> None:
    with open_index(built, tmp_path, f"opensearch:{server.url}#m1") as index:
        hits = index.search(QUERY, top_k=4)
        expected = sorted((probability(QUERY, h.chunk.text) for h in hits), reverse=True)
        assert [h.scores.rerank for h in hits] == pytest.approx(expected, rel=1e-5)
        assert [h.score for h in hits] == [h.scores.rerank for h in hits]
        middle = (expected[0] + expected[-1]) / 2
        kept = index.search(QUERY, top_k=4, threshold=middle)
        assert 0 < len(kept) < 4 and all(h.score >= middle for h in kept)


def test_failing_server_returns_the_fused_hits_with_a_warning(built: Path, tmp_path: Path, server: FakeRerank) -> None:
    server.fail_always = 400  # not retried: the test does not wait for backoff
    with open_index(built, tmp_path, f"tei:{server.url}") as index:
        plain = index.search(QUERY, top_k=3, rerank=False)
        with pytest.warns(RerankWarning, match=rf"reranking skipped.*reranker tei at {server.url}/rerank: HTTP 400"):
            hits = index.search(QUERY, top_k=3, threshold=0.99)  # a reranker threshold is not applied to fused scores
        assert [h.chunk.chunk_id for h in hits] == [h.chunk.chunk_id for h in plain]
        assert all(h.scores.rerank is None for h in hits) and len(hits) == 3

        answer = index.ask(QUERY, top_k=3)
        assert answer.hits and any("reranking skipped" in w and "HTTP 400" in w for w in answer.warnings)


def test_server_down_is_retried_then_skipped(built: Path, tmp_path: Path, server: FakeRerank) -> None:
    server.failures = [503]
    with open_index(built, tmp_path, f"infinity:{server.url}") as index:
        hits = index.search(QUERY, top_k=2)  # one 503, then the retry answers
        assert all(h.scores.rerank is not None for h in hits)
        assert len(server.requests) == 2
