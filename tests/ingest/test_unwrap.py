"""Hard-wrapped lines back into paragraphs: text files, HWP paragraphs, page breaks."""

import unicodedata

from hanrag.ingest.tables import TableBlock
from hanrag.ingest.unwrap import BREAK, WRAP, rejoin, unwrap_blocks, unwrap_text

ARTICLE = [
    "제60조(연차 유급휴가) ① 사용자는 1년간 80퍼센트 이상 출근한 근로자에게 15일의 유급휴가를 주어야 한다.",
    "② 사용자는 계속하여 근로한 기간이 1년 미만인 근로자 또는 1년간 80퍼센트 미만 출근한 근로자에게 "
    "1개월 개근 시 1일의 유급휴가를 주어야 한다.",
    "③ 사용자는 3년 이상 계속하여 근로한 근로자에게는 제1항에 따른 휴가에 최초 1년을 초과하는 계속 근로 연수 "
    "매 2년에 대하여 1일을 가산한 유급휴가를 주어야 한다. 이 경우 가산휴가를 포함한 총 휴가 일수는 25일을 한도로 한다.",
]


def hard_wrap(paragraphs: list[str], columns: int) -> list[str]:
    """Wrap at any character once ``columns`` display columns are full (Hangul counts two)."""
    lines = []
    for paragraph in paragraphs:
        line, width = "", 0
        for char in paragraph:
            w = 2 if unicodedata.east_asian_width(char) in "WF" else 1
            if width + w > columns:
                lines.append(line)
                line, width = "", 0
                if char == " ":
                    continue
            line, width = line + char, width + w
        lines.append(line)
    return lines


def test_a_text_wrapped_at_a_fixed_width_gets_its_paragraphs_back() -> None:
    wrapped = hard_wrap(ARTICLE, 60)
    assert len(wrapped) > 2 * len(ARTICLE)
    assert any(not line.endswith(" ") and line[-1] != "." for line in wrapped)  # words are split
    assert unwrap_text("\n".join(wrapped)) == "\n".join(ARTICLE)


def test_a_text_that_is_not_hard_wrapped_is_left_alone() -> None:
    text = "회의록\n\n참석자: 김민수, 이서연\n안건: 연차휴가 사용 촉진\n결론: 다음 주에 다시 논의한다."
    assert unwrap_text(text) == text


def test_hwp_paragraphs_that_are_wrapped_lines_are_joined() -> None:
    lines = hard_wrap(ARTICLE, 60)
    table = TableBlock("| 구분 | 일수 |\n|---|---|\n| 연차 | 15일 |")
    assert unwrap_blocks([*lines, table, "표 아래의 문단."]) == [*ARTICLE, table, "표 아래의 문단."]


def test_a_word_wrapped_across_a_page_break_stays_whole_on_the_first_page() -> None:
    pages = [["사용자는 근로자에게 15일의 유급휴가를 주어야 한다. 해고된 근로"], ["자가 원하면 그 근로자를 우선 고용한다."]]
    texts = rejoin(pages, [[], []], [WRAP])
    assert texts == ["사용자는 근로자에게 15일의 유급휴가를 주어야 한다. 해고된 근로자가", "원하면 그 근로자를 우선 고용한다."]
    assert rejoin([["제목"], ["본문"]], [[], []], [BREAK]) == ["제목", "본문"]


def test_text_files_are_unwrapped_but_markdown_is_not(tmp_path) -> None:  # noqa: ANN001
    from hanrag.ingest import load_file

    wrapped = "\n".join(hard_wrap(ARTICLE, 60))
    (tmp_path / "rules.txt").write_text(wrapped, encoding="utf-8")
    (tmp_path / "rules.md").write_text(wrapped, encoding="utf-8")
    [text] = load_file(tmp_path / "rules.txt")
    assert text.text == "\n".join(ARTICLE)
    [markdown] = load_file(tmp_path / "rules.md")
    assert markdown.text == wrapped
