import sys

import pytest

from hanrag.text.bigram import BigramTokenizer


def test_bigrams_within_words() -> None:
    [terms] = BigramTokenizer().tokenize(["한국은행은 BOK 금"])
    assert terms == ["한국", "국은", "은행", "행은", "bo", "ok", "금"]


def test_mecab_content_morphemes_and_compound_parts() -> None:
    pytest.importorskip("mecab_ko")
    from hanrag.text.mecab import MecabTokenizer

    [terms] = MecabTokenizer().tokenize(["한국은행은 가계부실위험지수를 알려주었다"])
    assert {"한국은행", "한국", "은행", "지수", "알리"} <= set(terms)
    assert "은" not in terms and "를" not in terms


def test_okt_missing_gives_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """konlpy hidden (a None entry in sys.modules makes its import fail), installed or not."""
    from hanrag.errors import BackendError
    from hanrag.text.okt import OktTokenizer

    for name in ("konlpy", "konlpy.tag"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(BackendError, match=r"tokenizer 'okt' needs konlpy and Java: pip install 'hanrag\[okt\]'"):
        OktTokenizer()


def test_okt_stems_and_drops_particles() -> None:
    pytest.importorskip("konlpy")
    from hanrag.text.okt import OktTokenizer

    [terms] = OktTokenizer().tokenize(["한국은행은 가계부실위험지수를 알려주었다"])
    assert "한국은행" in terms and "지수" in terms and "은" not in terms
