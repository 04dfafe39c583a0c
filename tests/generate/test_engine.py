"""The answer engine's choice of contexts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from hanrag.generate.base import Context
from hanrag.generate.engine import stream_answer
from hanrag.schema import Answer, Chunk, ScoreBreakdown, SearchHit


class Recorder:
    def __init__(self) -> None:
        self.seen: list[Context] = []

    def stream_answer(self, question: str, contexts: Sequence[Context]) -> Iterator[str]:
        self.seen = list(contexts)
        yield "15일입니다 [2]."


def hit(rank: int, text: str, kind: str = "text") -> SearchHit:
    chunk = Chunk(f"d#{rank}", "d", "법.pdf", text, page=rank, kind=kind)
    return SearchHit(rank, chunk, 1.0 / rank, ScoreBreakdown({}, 1.0 / rank))


def test_contents_chunks_never_reach_the_answerer_and_numbers_stay() -> None:
    hits = [hit(1, "제60조(연차 유급휴가) ... 제61조(연차 유급휴가의 사용 촉진)", kind="toc"),
            hit(2, "제60조(연차 유급휴가) ① 사용자는 ... 15일의 유급휴가를 주어야 한다.")]
    recorder = Recorder()
    *_, answer = stream_answer("연차는 며칠?", hits, recorder, 6000)
    assert [c.n for c in recorder.seen] == [2]  # the contents page is left out, [2] keeps its number
    assert isinstance(answer, Answer) and [c.n for c in answer.citations] == [2]
    only_contents = [hit(1, "제1장 총칙 ... 제2조(정의)", kind="toc")]
    list(stream_answer("정의는?", only_contents, recorder, 6000))
    assert [c.n for c in recorder.seen] == [1]  # all there is: still given
