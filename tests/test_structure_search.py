"""Search and answers over structured documents: section paths, tables of contents last and
never quoted, the statute's own questions."""

import re
from pathlib import Path

import pytest

from hanrag import Index

ARTICLE_QUESTIONS = [  # question, the article that answers it, the phrase that answers it
    ("연차 유급휴가는 며칠인가요?", "제60조(연차 유급휴가)", "15일"),
    ("해고 예고는 며칠 전에 해야 하나요?", "제26조(해고의 예고)", "30일 전"),
    ("휴게시간은 얼마나 주어야 하나요?", "제54조(휴게)", "30분 이상"),
    ("근로자를 사용할 수 없는 최저 연령은?", "제64조(최저 연령과 취직인허증)", "15세 미만"),
]

RULES = """목차
제1조(목적)
제2조(휴가)
제3조(임금)
제4조(퇴직)
제5조(징계)

제1조(목적) 이 규정은 회사의 근무 질서와 직원의 복무에 관한 사항을 정한다.
제2조(휴가) 직원은 매년 15일의 유급휴가를 쓸 수 있으며, 휴가는 사흘 전까지 신청한다.
제3조(임금) 임금은 매월 25일에 직원 명의의 계좌로 지급한다.
제4조(퇴직) 퇴직하려는 직원은 30일 전까지 사직서를 낸다.
제5조(징계) 징계는 견책, 감봉, 정직, 해고로 나눈다.
"""


def test_the_demo_question_finds_article_60_first_and_answers_15_days(statute_index: Path) -> None:
    with Index.open(statute_index) as index:
        hits = index.search("연차 유급휴가는 며칠인가요?", top_k=5)
        assert hits[0].chunk.section == "제4장 근로시간과 휴식 > 제60조(연차 유급휴가)"
        assert hits[0].to_dict()["section"] == hits[0].chunk.section
        answer = index.ask("연차 유급휴가는 며칠인가요?")
    first = answer.answer.splitlines()[0]
    assert "15일" in first and not answer.refused
    assert answer.citations[0].to_dict()["section"].endswith("제60조(연차 유급휴가)")


@pytest.mark.parametrize(("question", "article", "phrase"), ARTICLE_QUESTIONS)
def test_article_questions_rank_the_article_first_and_contents_never_in_the_top_3(
    statute_index: Path, question: str, article: str, phrase: str
) -> None:
    with Index.open(statute_index) as index:
        hits = index.search(question, top_k=5)
        answer = index.ask(question)
    assert hits[0].chunk.section and hits[0].chunk.section.endswith(article)
    assert all(h.chunk.kind != "toc" for h in hits[:3])
    assert phrase in answer.answer
    assert all(c.chunk.kind != "toc" for c in answer.citations)


def test_section_and_kind_filters(statute_index: Path) -> None:
    with Index.open(statute_index) as index:
        hits = index.search("유급휴가", where="section:*제60조*", top_k=10)
        assert hits and all("제60조" in (h.chunk.section or "") for h in hits)
        contents = index.search("연차 유급휴가", where="kind:toc", top_k=3)
        assert contents and all(h.chunk.kind == "toc" and h.chunk.section == "목차" for h in contents)


def test_contents_rank_after_body_text_and_are_never_quoted(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "rules.txt").write_text(RULES, encoding="utf-8")
    with Index.open(tmp_path / "ix") as index:
        index.add([docs])
        # The contents list every title, so it matches this query best of all; it still comes last.
        hits = index.search("목적 휴가 임금 퇴직 징계", top_k=6, mode="bm25")
        kinds = [h.chunk.kind for h in hits]
        assert kinds[0] == "text" and "toc" in kinds and kinds == sorted(kinds, key=lambda k: k == "toc")
        answer = index.ask("휴가는 며칠 쓸 수 있나요?")
    assert "15일" in answer.answer.splitlines()[0]
    assert all(c.chunk.kind != "toc" for c in answer.citations)
    assert all(len(re.findall(r"제\d+조\(", line)) <= 1 for line in answer.answer.splitlines())  # no list of titles


def test_a_sanction_is_followed_back_from_its_rule_within_the_rules_own_law(tmp_path: Path) -> None:
    """Two laws number their articles alike: the sanction for breaking 제8조 of one is that law's own
    제107조, never the other law's 벌칙 citing its 제8조."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "근로법.txt").write_text(
        "제8조(폭행의 금지) 사용자는 근로자에게 폭행을 하지 못한다.\n"
        "제9조(휴게) 사용자는 근로자에게 휴게시간을 주어야 한다.\n"
        "제107조(벌칙) 제8조를 위반한 자는 5년 이하의 징역 또는 5천만원 이하의 벌금에 처한다.\n", encoding="utf-8")
    (docs / "소음법.txt").write_text(
        "제8조(소음의 금지) 누구든지 밤에 이웃에게 소음을 내지 못한다.\n"
        "제9조(신고) 소음은 관청에 신고할 수 있다.\n"
        "제30조(벌칙) 제8조를 위반한 자는 10만원 이하의 벌금에 처한다.\n", encoding="utf-8")
    # BM25 alone: no word of the question is in either 벌칙 article, so only the rule's citation reaches one
    with Index.open(tmp_path / "index", embedder="none") as index:
        index.add([docs])
        plain = index.search("근로자를 폭행한 사용자는 어떻게 되나요?", top_k=2)
        assert all("벌칙" not in (h.chunk.section or "") for h in plain)  # not asked: no sanction pulled
        hits = index.search("근로자를 폭행한 사용자는 어떤 처벌을 받나요?", top_k=2)
    assert [h.chunk.section for h in hits] == ["제8조(폭행의 금지)", "제107조(벌칙)"]
    assert hits[1].score == 0.0 and not hits[1].scores.components  # reached by citation, not by the question
