"""Line breaks inside paragraphs: a space or nothing, decided one break at a time."""

from hanrag.text.joins import NOTHING, SPACE, Spelling, decide_joins


def test_punctuation_decides_without_the_analyser() -> None:
    pairs = [
        ("원직복직(原職復職", ")을 원하지"),  # before a closing bracket
        ("서면(", "「전자문서"),  # after an opening bracket
        ("지급하여야 한다.", "다만, 본문에"),  # after a full stop
        ("044-202-", "7534"),  # after a hyphen
        ("reading the", "manual"),  # Latin text wraps at spaces
    ]
    assert decide_joins(pairs) == [NOTHING, NOTHING, SPACE, NOTHING, SPACE]


def test_words_wrapped_in_the_middle_come_back_whole() -> None:
    # Breaks from the bundled statute: the first three split a word, the last three sit between words.
    pairs = [
        ("3년 이내에 해고된 근로", "자가 해고 당시 담당하였던"),
        ("적어도 30일 전에 예고를 하", "여야 하고, 30일 전에"),
        ("해고된 근로자가 원", "하면 그 근로자를"),
        ("향상시키며 균형 있는", "국민경제의 발전을"),
        ("행위하는 자를", "말한다."),
        ("합리적이고 공정한 해고의 기준을 정하고", "이에 따라 그 대상자를"),
    ]
    assert decide_joins(pairs) == [NOTHING, NOTHING, NOTHING, SPACE, SPACE, SPACE]


def test_the_documents_own_spelling_settles_compounds() -> None:
    lines = ["관할 지방고용노동관서의 장에게 신고한다.", "지방고용노동관서의 장은 이를 확인한다.",
             "사용자는 연차 유급휴가를 주어야 한다.", "연차 유급휴가의 사용을 촉진한다."]
    spelling = Spelling(lines)
    pairs = [("관할 지방고용노동", "관서의 장이"), ("15일의 연차", "유급휴가를 준다.")]
    assert decide_joins(pairs, spelling) == [NOTHING, SPACE]
    assert spelling.evidence("관할 지방고용노동", "관서의 장이") == NOTHING
    assert spelling.evidence("아무", "말도") is None  # the document never writes either form


def test_spelling_around_digits_and_brackets() -> None:
    spelling = Spelling(["제1항제2호에 따른다. <개정 2010. 6. 4.>", "「민법」 제3조와 <개정 2012. 2. 1.>", "제1항에 따라"])
    assert spelling.evidence("<개정", "2021. 1. 5.>") == SPACE
    assert spelling.evidence("제50조제1", "항의 근로시간") == NOTHING
