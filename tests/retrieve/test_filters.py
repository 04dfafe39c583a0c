from pathlib import Path

import pytest

from hanrag import Index
from hanrag.errors import HanragError
from hanrag.retrieve.filters import Condition, matches_all, parse_where


def test_parse_forms() -> None:
    assert parse_where("source:*.pdf") == [Condition("source", "glob", "*.pdf")]
    assert parse_where(["page<10", "page >= 3"]) == [Condition("page", "<", 10), Condition("page", ">=", 3)]
    assert parse_where('{"type": "hwpx", "page": {"<": 5}}') == [Condition("type", "glob", "hwpx"), Condition("page", "<", 5)]
    assert parse_where({"page": 18}) == [Condition("page", "=", 18)]
    assert parse_where(None) == []


@pytest.mark.parametrize(
    ("expression", "message"),
    [("color:red", "unknown filter field 'color'"), ("page:3", "takes a comparison"), ("page~3", "invalid filter"),
     ('{"page": {"~": 3}}', "unknown operator"), ("{bad json", "invalid --where JSON")],
)
def test_bad_filters(expression: str, message: str) -> None:
    with pytest.raises(HanragError, match=message):
        parse_where(expression)


def test_matching() -> None:
    meta = {"source": "/docs/보고서/rules.HWPX", "type": "hwpx", "page": None, "title": "휴가 > 연차", "doc_id": "d1"}
    assert matches_all(parse_where("source:*.hwpx"), meta)  # file name, case-insensitive
    assert matches_all(parse_where("source:/docs/보고서/*"), meta)
    assert not matches_all(parse_where("source:*.pdf"), meta)
    assert matches_all(parse_where("title:휴가*"), meta)
    assert not matches_all(parse_where("page<10"), meta)  # no page: never matches a page condition


def test_search_filters_before_the_candidate_cut(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder])
        hits = index.search("한국은행 기준금리", where="type:md", top_k=5)
        assert hits and all(h.chunk.source.endswith(".md") for h in hits)
        assert [Path(h.chunk.source).name for h in index.search("김치", where=["source:food.*"])] == ["food.txt"]
        assert index.search("김치", where="page<10") == []
        assert index.search("김치", where="source:*.pdf", mode="dense") == []


def test_page_filter_on_the_statute(statute_index: Path) -> None:
    with Index.open(statute_index) as index:
        hits = index.search("연차 유급휴가", where="page>=18", top_k=5)
        assert hits and all(h.chunk.page >= 18 for h in hits) and 18 in [h.chunk.page for h in hits]
        early = index.search("연차 유급휴가", where={"page": {"<": 10}}, top_k=5)
        assert early and all(h.chunk.page < 10 for h in early)
        # ask under a filter: a real answer (not a refusal, not contents-page lines) whose every
        # citation comes from the allowed pages and holds the fact asked.
        late = index.ask("연차 유급휴가는 며칠인가요?", where="page>=18")
        assert not late.refused and "15일" in late.answer.splitlines()[0]
        assert late.citations and all(c.chunk.page >= 18 for c in late.citations)
        assert any("15일의 유급휴가" in c.chunk.text for c in late.citations)
        cited = [c for c in late.citations if f"[{c.n}]" in late.answer.splitlines()[0]]
        assert cited and all("15일의 유급휴가" in c.chunk.text for c in cited)
        notice = index.ask("해고 예고는 며칠 전에 해야 하나요?", where="page<10")
        assert not notice.refused and "30일 전에 예고" in notice.answer.splitlines()[0]
        assert notice.citations and all(c.chunk.page < 10 for c in notice.citations)
        cited = [c for c in notice.citations if f"[{c.n}]" in notice.answer.splitlines()[0]]
        assert cited and all("30일 전에 예고" in c.chunk.text for c in cited)
        # The article asked about lies outside the window: refused, or no citation outside it.
        outside = index.ask("연차 유급휴가는 며칠인가요?", where="page<10")
        assert all(c.chunk.page < 10 for c in outside.citations)
        assert outside.refused or "15일의 유급휴가" not in outside.answer


def test_modified_time_filter_with_dates(tmp_path: Path, korean_folder: Path) -> None:
    import os
    from datetime import datetime

    old = korean_folder / "food.txt"
    stamp = datetime(2020, 5, 1, 12, 0).timestamp()
    os.utime(old, (stamp, stamp))
    assert parse_where("modified>=2021-01-01") == [Condition("modified", ">=", datetime(2021, 1, 1).timestamp())]
    with pytest.raises(HanragError, match="compares with a number or a date"):
        parse_where({"modified": {"<": "어제"}})
    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder])
        before = index.search("김치", where="modified<2021-01-01", top_k=10)
        assert [Path(h.chunk.source).name for h in before] == ["food.txt"]
        assert before[0].chunk.modified == stamp and before[0].to_dict()["modified"].startswith("2020-05-01T12:00:00")
        after = index.search("김치", where="modified>=2021-01-01T00:00", top_k=10)
        assert all(Path(h.chunk.source).name != "food.txt" for h in after)
        [food] = [d for d in index.documents() if d.source.endswith("food.txt")]
        assert food.modified == stamp
