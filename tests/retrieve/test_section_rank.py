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
