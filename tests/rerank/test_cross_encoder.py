from pathlib import Path

import numpy as np
import pytest

from hanrag import Index
from hanrag.registry import create_reranker
from hanrag.rerank.base import sigmoid


def test_scores_are_sigmoid_of_raw_logits(tiny_cross_encoder_dir: Path) -> None:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    reranker = create_reranker(f"cross-encoder:{tiny_cross_encoder_dir}")
    passages = ["한국은행은 기준금리를 동결했다.", "김치는 발효 음식이다.", "누리호 발사"]
    scores = reranker.score("기준금리", passages)
    assert scores.shape == (3,) and ((scores > 0) & (scores < 1)).all()

    tokenizer = AutoTokenizer.from_pretrained(tiny_cross_encoder_dir)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_cross_encoder_dir).eval()
    with torch.no_grad():
        batch = tokenizer(["기준금리"] * 3, passages, padding=True, truncation=True, return_tensors="pt")
        logits = model(**batch).logits[:, 0].numpy()
    np.testing.assert_allclose(scores, sigmoid(logits), rtol=1e-4, atol=1e-5)


def test_none_reranker() -> None:
    assert create_reranker("none") is None


def test_index_reranks_candidates_and_applies_threshold(
    tmp_path: Path, korean_folder: Path, tiny_cross_encoder_dir: Path
) -> None:
    spec = f"cross-encoder:{tiny_cross_encoder_dir}"
    with Index.open(tmp_path / "ix", reranker=spec) as index:
        index.add([korean_folder])
        hits = index.search("한국은행 금리", top_k=4)
        scores = [h.scores.rerank for h in hits]
        assert all(s is not None for s in scores) and scores == sorted(scores, reverse=True)
        assert [h.score for h in hits] == scores
        middle = float(np.median(scores))
        kept = index.search("한국은행 금리", top_k=4, threshold=middle)
        assert 0 < len(kept) < 4 and all(h.score >= middle for h in kept)
        plain = index.search("한국은행 금리", top_k=4, rerank=False)
        assert all(h.scores.rerank is None for h in plain)


def test_unknown_reranker_kind() -> None:
    from hanrag.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown reranker 'colbert'"):
        create_reranker("colbert:x")
