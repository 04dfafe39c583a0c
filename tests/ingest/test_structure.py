"""Korean document structure: headings, articles, paragraphs, items, tables of contents."""

import pytest

from hanrag.ingest.structure import Level, Role, classify, contents_runs, front_matter, is_contents_entry, is_title_list


@pytest.mark.parametrize(
    ("line", "role", "level", "label"),
    [
        ("제4장 근로시간과 휴식", Role.HEADING, Level.CHAPTER, "제4장 근로시간과 휴식"),
        ("제6장의2 직장 내 괴롭힘의 금지 <신설 2019. 1. 15.>", Role.HEADING, Level.CHAPTER, "제6장의2 직장 내 괴롭힘의 금지"),
        ("제1편 총칙", Role.HEADING, Level.PART, "제1편 총칙"),
        ("제2절 임금", Role.HEADING, Level.SECTION, "제2절 임금"),
        ("부칙 <제20520호,2024. 10. 22.>", Role.HEADING, Level.PART, "부칙 <제20520호,2024. 10. 22.>"),
        ("[별표 1] 연소자 사용 금지 직종", Role.HEADING, Level.PART, "[별표 1] 연소자 사용 금지 직종"),
        ("## 복리후생", Role.HEADING, 2, "복리후생"),
        ("제60조(연차 유급휴가) ① 사용자는 15일의 유급휴가를 주어야 한다.", Role.ARTICLE, Level.ARTICLE, "제60조(연차 유급휴가)"),
        ("제43조의2(체불사업주 명단 공개) ① 고용노동부장관은", Role.ARTICLE, Level.ARTICLE, "제43조의2(체불사업주 명단 공개)"),
        ("제 5 조 (채용) 회사는 공개 모집을 원칙으로 한다.", Role.ARTICLE, Level.ARTICLE, "제5조(채용)"),
        ("제35조 삭제 <2019. 1. 15.>", Role.ARTICLE, Level.ARTICLE, "제35조"),
        ("② 사용자는 계속하여 근로한 기간이", Role.CLAUSE, 0, ""),
        ("1. 임금", Role.ITEM, 0, ""),
        ("가. 본인의 결혼", Role.ITEM, 0, ""),
        ("제23조제1항에 따른 정당한 이유", Role.TEXT, 0, ""),  # a reference, not an article
        ("2024년 매출은 늘었다.", Role.TEXT, 0, ""),
    ],
)
def test_classify(line: str, role: Role, level: int, label: str) -> None:
    assert classify(line) == (role, level, label)


def test_contents_are_runs_of_titles_or_page_numbers() -> None:
    statute = ["근로기준법", "제1장 총칙", "제1조(목적)", "제2조(정의)", "제3조(근로조건의 기준)", "제4조(근로조건의 결정)",
               "제2장 근로계약", "제15조(이 법을 위반한 근로계약) ① 이 법에서 정하는 기준에 미치지 못하는 근로조건은 무효로 한다."]
    assert contents_runs(statute) == [(1, 7)]
    leaders = ["목차", "제1장 총칙 .............. 1", "1. 목적 ........ 1", "2. 적용 범위 ..... 2", "3. 정의 3", "제2장 인사 ....... 4"]
    assert contents_runs(leaders) == [(0, 6)]
    body = ["제3장 근무", "제7조(근무시간)", "① 근무시간은 1일 8시간으로 한다.", "제8조(휴게)", "휴게시간은 1시간으로 한다."]
    assert contents_runs(body) == []  # a heading and a title line in a row are not a table of contents
    assert not is_contents_entry("제35조 삭제 <2019. 1. 15.>") and not is_contents_entry("2019년 매출 3")


def test_title_lists_are_not_sentences() -> None:
    assert is_title_list("제1조(목적) 제2조(정의) 제3조(근로조건의 기준)")
    assert is_title_list("제4장 근로시간과 휴식 제50조(근로시간) 제51조(3개월 이내의 탄력적 근로시간제)")
    assert not is_title_list("제55조와 제60조를 적용하지 아니한다.")
    assert not is_title_list("제60조(연차 유급휴가) ① 사용자는 1년간 80퍼센트 이상 출근한 근로자에게 15일의 유급휴가를 주어야 한다.")


def test_a_laws_title_block_is_front_matter() -> None:
    lines = ["근로기준법", "[시행 2025. 2. 23.] [법률 제20520호, 2024. 10. 22., 일부개정]",
             "고용노동부 (근로기준정책과 - 해고, 취업규칙, 기타) 044-202-7534", "제1장 총칙",
             "제1조(목적) 이 법은 …", "문의: 고객센터) 02-123-4567"]
    assert front_matter(lines) == {0, 1, 2}  # a telephone line away from the block is the body's
    assert front_matter(["제1조(목적) 이 법은 …", "[시행일] 이 규칙은 공포한 날부터 시행한다."]) == set()
