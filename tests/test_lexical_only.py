"""``embedder = "none"``: a BM25-only index, searched and answered without vectors."""

from pathlib import Path

import pytest

from hanrag import Index
from hanrag.errors import InputError


def test_an_index_without_vectors_searches_and_answers_lexically(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix", embedder="none") as index:
        report = index.add([korean_folder])
        assert report.added == 4 and not report.errors
        hits = index.search("한국은행 기준금리")
        assert hits and hits[0].chunk.source.endswith("bok.txt")
        assert all(h.scores.dense is None and h.scores.bm25 is not None for h in hits)
        for mode in ("hybrid", "dense"):
            with pytest.raises(InputError, match="needs vectors.*mode bm25"):
                index.search("금리", mode=mode)
        answer = index.ask("연차 유급휴가는 며칠인가요?")
        assert "15일" in answer.answer and answer.citations
        assert index._cache is None  # nothing was embedded: the embedding cache was never opened
    with Index.open(tmp_path / "ix") as reopened:  # the index remembers it has no embedder
        assert reopened.settings.embedder == "none"
        assert reopened.search("누리호", top_k=1)[0].chunk.source.endswith("space.txt")
