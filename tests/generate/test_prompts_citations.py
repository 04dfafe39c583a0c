from hanrag.generate.base import REFUSAL, Context
from hanrag.generate.citations import cited_numbers, is_refusal
from hanrag.generate.prompts import build_messages, pack_contexts, reorder_for_long_context
from hanrag.schema import Chunk, ScoreBreakdown, SearchHit


def ctx(n: int, text: str = "본문", page: int | None = 3) -> Context:
    chunk = Chunk(f"d#{n}", "d", f"/docs/file{n}.pdf", text, page)
    return Context(n, SearchHit(n, chunk, 1.0, ScoreBreakdown({}, 1.0)))


def test_cited_numbers() -> None:
    assert cited_numbers("가 [2]. 나 [1, 3] 다 [2][4] 라 [9]", 4) == [2, 1, 3, 4]
    assert cited_numbers("인용 없음", 3) == []


def test_refusal_detection() -> None:
    assert is_refusal(REFUSAL, [])
    assert is_refusal("죄송하지만 문서에 해당 정보가 없습니다. 알 수 없습니다.", [])
    assert not is_refusal("15일입니다 [1].", [1])
    assert not is_refusal("문서 [1]에는 이유가 나와 있지 않지만 기간은 15일입니다 [1].", [1])
    assert is_refusal("  ", [])


def test_pack_to_budget_keeps_order_and_at_least_one() -> None:
    contexts = [ctx(1, "가" * 100), ctx(2, "나" * 100), ctx(3, "다" * 100)]
    assert [c.n for c in pack_contexts(contexts, 250)] == [1, 2]
    assert [c.n for c in pack_contexts(contexts, 10)] == [1]


def test_lost_in_the_middle_order() -> None:
    assert [c.n for c in reorder_for_long_context([ctx(i) for i in range(1, 7)])] == [1, 3, 5, 6, 4, 2]


def test_messages_label_source_and_page() -> None:
    messages = build_messages("질문?", [ctx(1, "첫 문서", page=18), ctx(2, "둘째", page=None)], 1000)
    user = messages[1]["content"]
    assert "[1] (출처: file1.pdf, 18쪽)\n첫 문서" in user and "[2] (출처: file2.pdf)\n둘째" in user
    reordered = build_messages("질문?", [ctx(i) for i in range(1, 4)], 1000, reorder=True)[1]["content"]
    assert reordered.index("[3]") < reordered.index("[2]")
