import json
import sys
from pathlib import Path

import pytest

from hanrag.config import load_settings
from hanrag.errors import HanragError
from hanrag.evaluate.tune import grid, split_queries, tune, write_retrieval
from tests.conftest import KOREAN_DOCS
from tests.evaluate.trap_dataset import write_trap_dataset

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the tomli backport (a dependency there, see pyproject.toml)
    import tomli as tomllib

QUESTIONS = {
    "bok.txt": ["한국은행 기준금리", "가계부실위험지수란", "부채 수준 지표"],
    "leave.md": ["연차 유급휴가 일수", "출근율 80퍼센트 휴가", "사용자가 주는 휴가"],
    "food.txt": ["김치 재료", "된장찌개", "발효 음식"],
    "space.txt": ["누리호 발사", "우주 발사체 개발", "2022년 발사 성공"],
}


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    root = tmp_path / "ds"
    root.mkdir()
    (root / "corpus.jsonl").write_text(
        "".join(json.dumps({"id": name, "title": "", "text": text}, ensure_ascii=False) + "\n" for name, text in KOREAN_DOCS.items()),
        encoding="utf-8",
    )
    queries, qrels = [], ["query_id\tdoc_id\trelevance"]
    for name, questions in QUESTIONS.items():
        for i, q in enumerate(questions):
            qid = f"{name}-{i}"
            queries.append(json.dumps({"id": qid, "text": q}, ensure_ascii=False))
            qrels.append(f"{qid}\t{name}\t1")
    (root / "queries.jsonl").write_text("\n".join(queries) + "\n", encoding="utf-8")
    (root / "qrels.tsv").write_text("\n".join(qrels) + "\n")
    return root


def test_grid_covers_fusions_and_weights() -> None:
    settings = grid()
    assert len(settings) == 3 * 11 * (4 + 4)
    assert {"fusion": "cc", "normalization": "minmax", "weights": {"bm25": 0.7, "dense": 0.3}, "candidates": 50} in settings


def test_split_is_deterministic_and_disjoint() -> None:
    queries = [(str(i), "q") for i in range(20)]
    tune_ids, held = split_queries(queries, 0.3)
    assert (tune_ids, held) == split_queries(queries, 0.3)
    assert len(held) == 6 and not set(tune_ids) & set(held) and len(tune_ids) + len(held) == 20
    with pytest.raises(HanragError, match="too few queries"):
        split_queries(queries[:1], 0.5)


def test_tune_reports_best_and_default_and_writes_toml(tmp_path: Path) -> None:
    """On a dataset where BM25 is led astray and dense is right (tests/evaluate/trap_dataset.py), the
    default (BM25-heavy) loses and tuning must choose a dense-heavy setting that wins on held-back queries."""
    dataset = write_trap_dataset(tmp_path / "traps")
    result = tune(dataset, load_settings(), metric="recall@1", holdout=0.5)
    assert result.n_tune == 4 and result.n_heldout == 4 and result.tried == len(grid())
    assert result.default["weights"] == {"bm25": 0.7, "dense": 0.3}
    assert result.default_tune <= 0.5 and result.default_heldout <= 0.5
    assert result.best_tune == 1.0 and result.best_heldout == 1.0  # honest: the held-back half is perfect too
    assert result.best["weights"]["dense"] > result.best["weights"]["bm25"]
    # Ties go to the first setting of the grid: dense alone, CC min-max, 20 candidates.
    assert result.best == {"fusion": "cc", "normalization": "minmax", "weights": {"bm25": 0.0, "dense": 1.0}, "candidates": 20}
    assert result.gain == 1.0 - result.default_heldout and result.top[0]["tune"] == result.best_tune
    config = tmp_path / "hanrag.toml"
    config.write_text('# my settings\ntokenizer = "kiwi"\n\n[retrieval]\ntop_k = 3\n', encoding="utf-8")
    write_retrieval(config, result.best)
    text = config.read_text(encoding="utf-8")
    assert text.startswith("# my settings")
    written = tomllib.loads(text)
    assert written["tokenizer"] == "kiwi" and written["retrieval"]["top_k"] == 3
    assert written["retrieval"] == {"top_k": 3, "fusion": "cc", "normalization": "minmax", "candidates": 20,
                                    "weights": {"bm25": 0.0, "dense": 1.0}}
    assert load_settings(config).retrieval.weights == {"bm25": 0.0, "dense": 1.0}
    # The written settings are the better ones: tuning again from them has nothing left to gain.
    again = tune(dataset, load_settings(config), metric="recall@1", holdout=0.5)
    assert again.default_tune == again.default_heldout == 1.0


def test_unknown_metric(dataset: Path) -> None:
    with pytest.raises(HanragError, match="unknown metric"):
        tune(dataset, load_settings(), metric="map")
