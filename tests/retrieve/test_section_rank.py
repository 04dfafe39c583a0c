from hanrag.retrieve.section_rank import body_first, is_supplementary
from hanrag.schema import Chunk, ScoreBreakdown, SearchHit


def hit(rank: int, score: float, title: str, kind: str = "text", text: str | None = None) -> SearchHit:
    chunk = Chunk(chunk_id=str(rank), doc_id="d", source="law.pdf", text=text or title, title=title, kind=kind)
    return SearchHit(rank=rank, chunk=chunk, score=score, scores=ScoreBreakdown(None, None, score))


def test_a_supplementary_provision_goes_after_a_close_body_article() -> None:
    hits = [hit(1, 0.93, "부칙 <제20520호,2024. 10. 22.> > 제7조(출산전후휴가에 관한 적용례)"),
            hit(2, 0.80, "제5장 여성과 소년 > 제74조(임산부의 보호)"), hit(3, 0.3, "목차", kind="toc")]
    ordered = body_first(hits)
    assert [h.chunk.title.split(" > ")[-1] for h in ordered][:2] == ["제74조(임산부의 보호)", "제7조(출산전후휴가에 관한 적용례)"]
    assert [h.rank for h in ordered] == [1, 2, 3] and ordered[-1].chunk.kind == "toc"


def test_a_supplementary_provision_far_ahead_stays_first() -> None:
    hits = [hit(1, 1.0, "부칙 > 제1조(시행일)"), hit(2, 0.5, "제1장 총칙 > 제1조(목적)")]
    assert body_first(hits)[0].chunk.title == "부칙 > 제1조(시행일)"
    assert is_supplementary("부 칙 > 제2조") and not is_supplementary("제1장 총칙 > 제1조(목적)") and not is_supplementary(None)


def test_the_defining_article_comes_first_for_a_what_is_question() -> None:
    from hanrag.retrieve.section_rank import defined_term, definition_first

    measures = hit(1, 0.98, "제76조의3(직장 내 괴롭힘 발생 시 조치)")
    rule = "사용자는 … 근무환경을 악화시키는 행위(이하 “직장 내 괴롭힘 ”이라 한다)를 하여서는 아니 된다."
    defining = hit(2, 0.97, "제76조의2(직장 내 괴롭힘의 금지)", text=rule)
    assert defined_term("직장 내 괴롭힘이란 무엇인가요?") == "직장 내 괴롭힘"
    ordered = definition_first("직장 내 괴롭힘이란 무엇인가요?", [measures, defining])
    assert ordered[0] is not measures and ordered[0].chunk.title == defining.chunk.title and ordered[0].rank == 1
    assert definition_first("직장 내 괴롭힘은 언제 신고하나요?", [measures, defining])[0] is measures
    far = hit(2, 0.5, defining.chunk.title, text=rule)
    assert definition_first("직장 내 괴롭힘이란 무엇인가요?", [measures, far])[0] is measures


def test_an_article_the_question_names_joins_the_hits() -> None:
    from hanrag.retrieve.section_rank import named_article_in, names_article

    question = "1주 근로시간의 한도는 몇 시간인가요?"
    assert names_article(question, "제4장 근로시간과 휴식 > 제50조(근로시간)")
    assert not names_article(question, "제4장 근로시간과 휴식 > 제53조(연장 근로의 제한)")
    assert not names_article("소멸시효는 몇 년인가요?", "제92조(시효)")  # too short a title to tell
    ranked = ["제69조(근로시간)", "제53조(연장 근로의 제한)", "제2조(정의)", "제51조(탄력적 근로시간제)",
              "제50조(근로시간)", "제52조(선택적 근로시간제)"]
    # the 5th of top 3 is named: it takes the last place held by an article the question does not name
    assert named_article_in(question, ranked, lambda s: s, 3) == [
        "제69조(근로시간)", "제53조(연장 근로의 제한)", "제50조(근로시간)", "제2조(정의)",
        "제51조(탄력적 근로시간제)", "제52조(선택적 근로시간제)"]
    assert named_article_in("휴일은 며칠인가요?", ranked, lambda s: s, 3) == ranked


def test_a_sanction_question_reaches_the_sanction_article_through_the_rule_it_cites() -> None:
    from hanrag.retrieve.section_rank import article_label, cited_articles, sanction_in

    assert cited_articles("제7조, 제8조, 제23조제2항 또는 제40조를 위반한 자") == {"제7조", "제8조", "제23조", "제40조"}
    assert cited_articles("제76조의3제6항, 제78조부터 제80조까지") == {"제76조의3", "제78조", "제79조", "제80조"}
    assert "제76조" not in cited_articles("제76조의3제6항을 위반한 자")
    assert article_label("제1장 총칙 > 제8조(폭행의 금지)") == "제8조"
    texts = {"제12장 벌칙 > 제107조(벌칙)": "제107조(벌칙) 제7조, 제8조를 위반한 자는 5년 이하의 징역",
             "제12장 벌칙 > 제113조(벌칙)": "제113조(벌칙) 제45조를 위반한 자는 1천만원 이하의 벌금에 처한다."}

    def citing(rule: str, label: str) -> list[str]:
        return [s for s, t in texts.items() if label in cited_articles(t)]

    ranked = ["제1장 총칙 > 제8조(폭행의 금지)", "제1장 총칙 > 제7조(강제 근로의 금지)", "제4장 > 제76조의2(괴롭힘)"]
    question = "직원을 때린 사장은 어떤 처벌을 받나요?"
    # the sanction citing the best rule takes the last place held by neither
    assert sanction_in(question, ranked, lambda s: s, citing, 3) == [
        ranked[0], ranked[1], "제12장 벌칙 > 제107조(벌칙)", ranked[2]]
    # not asked, or already there: unchanged
    assert sanction_in("직원을 때려도 되나요?", ranked, lambda s: s, citing, 3) == ranked
    there = [ranked[0], "제12장 벌칙 > 제107조(벌칙)", ranked[1]]
    assert sanction_in(question, there, lambda s: s, citing, 3) == there
    # a rule no sanction cites: nothing to follow
    assert sanction_in(question, ["제3장 > 제44조(도급 사업)"], lambda s: s, citing, 3) == ["제3장 > 제44조(도급 사업)"]
    # one article's paragraphs punished by two articles, one of them among the hits: the other comes in, in the place
    # of the rule's later hit (its first stays)
    texts = {"제12장 벌칙 > 제116조(과태료)": "제116조(과태료) 제76조의3제2항을 위반한 자에게는 500만원 이하의 과태료",
             "제12장 벌칙 > 제109조(벌칙)": "제109조(벌칙) 제76조의3제6항을 위반한 자는 3년 이하의 징역"}
    ranked = ["제6장의2 > 제76조의3(조치)", "제6장의2 > 제76조의3(조치) ⑥", "제6장의2 > 제76조의3(조치) ⑦",
              "제12장 벌칙 > 제116조(과태료)"]
    assert sanction_in("괴롭힘을 신고한 직원을 자른 사장은 어떤 처벌을 받나요?", ranked, lambda s: s.removesuffix(" ⑥").removesuffix(" ⑦"),
                       citing, 4) == [ranked[0], ranked[1], "제12장 벌칙 > 제109조(벌칙)", ranked[3], ranked[2]]


def test_cited_provisions_name_the_paragraph_where_the_citation_does() -> None:
    from hanrag.retrieve.section_rank import cited_provisions, punishes

    item = ("1. 제10조, 제22조제1항, 제53조제1항ㆍ제2항, 같은 조 제4항 본문ㆍ제7항, 제54조, 제74조제1항부터 제3항까지, "
            "제78조부터 제80조까지 및 제104조 제2항을 위반한 자")
    found = cited_provisions(item)
    assert found == {("제10조", None), ("제22조", 1), ("제53조", 1), ("제53조", 2), ("제53조", 4), ("제53조", 7),
                     ("제54조", None), ("제74조", 1), ("제74조", 2), ("제74조", 3), ("제78조", None), ("제79조", None),
                     ("제80조", None), ("제104조", 2)}
    assert cited_provisions("② 제1항에 따른 통보") == set()  # its own article's paragraph: nothing cited
    assert punishes(found, "제54조", 2) and punishes(found, "제53조", 4) and not punishes(found, "제53조", 5)
    assert not punishes(found, "제22조", None)  # a sentence outside ①, ② … is not ①
