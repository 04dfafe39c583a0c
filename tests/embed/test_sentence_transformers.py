from pathlib import Path

import numpy as np
import pytest

from hanrag import Index
from hanrag.embed.base import prefixes_for
from hanrag.errors import BackendError
from hanrag.registry import create_embedder


def test_loads_a_local_model_and_returns_unit_vectors(tiny_embedder_dir: Path) -> None:
    embedder = create_embedder(f"sentence-transformers:{tiny_embedder_dir}")
    assert embedder.dim == 64
    passages = embedder.embed_passages(["한국은행 기준금리", "김치 발효"])
    queries = embedder.embed_queries(["금리"])
    assert passages.shape == (2, 64) and queries.shape == (1, 64) and passages.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(embedder.embed_passages(["한국은행 기준금리"])[0], passages[0], rtol=1e-5, atol=1e-6)


def test_index_with_sentence_transformers_embedder(tmp_path: Path, korean_folder: Path, tiny_embedder_dir: Path) -> None:
    # Two single-syllable documents outside the tiny model's vocabulary: both read as [CLS] [UNK] [SEP],
    # so the query "햏" embeds exactly like the document "뷁" while sharing no term with it. Only the
    # dense side (the sentence-transformers vectors stored in the index) can rank that document first.
    (korean_folder / "unk.txt").write_text("뷁", encoding="utf-8")
    spec = f"sentence-transformers:{tiny_embedder_dir}"
    with Index.open(tmp_path / "ix", embedder=spec) as index:
        assert index.add([korean_folder]).added == 5
        assert index.store.manifest()["dim"] == "64"
        assert index.search("햏", mode="bm25", top_k=5) == []  # BM25 cannot find it
        dense = index.search("햏", mode="dense", top_k=5)
        assert len(dense) == 5 and dense[0].chunk.source.endswith("unk.txt")
        assert dense[0].scores.dense.score == pytest.approx(1.0, abs=1e-4)
        assert dense[1].scores.dense.score < dense[0].scores.dense.score - 1e-3
        assert index.search("햏", top_k=1)[0].chunk.source.endswith("unk.txt")  # hybrid, from the dense side alone
        # random weights: dense ranking is noise, but hybrid still finds the lexical match
        assert index.search("한국은행 기준금리", top_k=1)[0].chunk.source.endswith("bok.txt")


def test_unknown_model_is_a_clear_error() -> None:
    pytest.importorskip("sentence_transformers")
    embedder = create_embedder("sentence-transformers:no-such-org/no-such-model-xyz")
    with pytest.raises(BackendError, match="cannot load sentence-transformers model 'no-such-org/no-such-model-xyz'"):
        embedder.embed_queries(["질문"])


def test_prefixes_per_model_family() -> None:
    assert prefixes_for("intfloat/multilingual-e5-large") == ("query: ", "passage: ")
    assert prefixes_for("BAAI/bge-m3") == ("", "")
    assert prefixes_for("nlpai-lab/KURE-v1") == ("", "")
