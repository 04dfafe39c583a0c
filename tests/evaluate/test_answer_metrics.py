import pytest

from hanrag.evaluate.answer_metrics import answer_scores, exact_match, f1, normalize_answer


def test_normalization_follows_korquad() -> None:
    assert normalize_answer("《반지의 제왕》 (2001년)") == "반지의 제왕 2001년"
    assert normalize_answer("  ‘BTS’, 방탄소년단! ") == "bts 방탄소년단"


def test_exact_match_and_character_f1_by_hand() -> None:
    assert exact_match("《한국은행》", "한국은행") == 1.0
    assert exact_match("한국은행은", "한국은행") == 0.0
    # prediction 한국은행은 (5 chars) vs gold 한국은행 (4): 4 shared; P = 4/5, R = 1
    assert f1("한국은행은", "한국은행") == pytest.approx(2 * 0.8 * 1.0 / 1.8)
    assert f1("전혀 다름", "한국은행") == 0.0


def test_best_over_gold_answers_and_coverage() -> None:
    scores = answer_scores("1945년 8월 15일에 광복했다.", ["1945년 8월 15일", "8월 15일"])
    assert scores["answer_em"] == 0.0 and scores["answer_coverage"] == 1.0
    assert scores["answer_f1"] == pytest.approx(f1("1945년 8월 15일에 광복했다.", "1945년 8월 15일"))
    assert answer_scores("무엇이든", [])["answer_f1"] == 0.0
