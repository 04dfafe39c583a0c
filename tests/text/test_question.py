import pytest

from hanrag.text.question import (
    analyse,
    answer_type,
    asking_words,
    asks_contents,
    carries,
    given_numbers,
    given_points,
    law_names,
    read_everyday_words,
    repeats,
    within,
    statutory_terms,
)


@pytest.mark.parametrize(
    ("question", "focus"),
    [
        # The asked attribute (보험료율, whose value is asked) is not focus; what it belongs to is.
        ("국민연금 보험료율은 몇 퍼센트인가요?", [("국민연금",)]),
        ("1930년 회현동에 세워진 공동주택의 층수는 얼마인가?", [("공동", "주택")]),
        ("임금채권의 소멸시효는 몇 년인가요?", [("임금", "채권")]),
        ("실업급여는 몇 개월 동안 받을 수 있나요?", [("실업", "급여")]),  # one noun: it is the focus
        ("연차 유급휴가는 며칠인가요?", [("연차",), ("유급", "휴가")]),
        # A conditional clause restricts the question; its nouns are not what is asked about.
        ("퇴직한 근로자가 경력증명서를 달라고 하면 사용자는 어떻게 해야 하나요?", [("사용자",)]),
        # A clause modifying a noun likewise (입사 1년이 안 된 …).
        ("입사 1년이 안 된 근로자의 연차휴가는 어떻게 되나요?", [("근로자",), ("연차", "휴가")]),
        # 에는 marks a topic too; 과/와 joins two arguments.
        ("근로자 파견 계약서에는 무엇을 적어야 하나요?", [("근로자",), ("파견",), ("계약서",)]),
        ("퇴직연금 확정기여형과 확정급여형은 어떻게 다른가요?", [("확정", "급여"), ("퇴직", "연금"), ("확정", "기여")]),
    ],
)
def test_focus_is_the_main_clause_nouns_grouped_as_written(question: str, focus: list) -> None:
    assert list(analyse(question).focus) == focus


def test_a_sentence_telling_the_story_gives_no_focus() -> None:
    asked = analyse("팀장님이 저만 회의에서 빼고 자리도 창고 옆으로 옮겨 버렸어요. 이런 것도 직장 내 괴롭힘이 될 수 있나요?")
    assert asked.focus == (("직장",), ("괴롭힘",)) and ("자리",) in asked.restricting
    # the story told after the question is no story before it
    assert ("자리",) in analyse("자리도 옮겨도 되나요? 팀장님이 그랬어요.").focus


def test_restricting_nouns_are_kept_apart_from_focus() -> None:
    asked = analyse("퇴직금을 주지 않으면 지연이자는 얼마인가요?")
    assert asked.focus == (("지연", "이자"),)
    assert ("퇴직금",) in asked.restricting and ("지연", "이자") not in asked.restricting
    # the sanction asked for is the kind of answer, not a focus: the question is about its restriction
    asked = analyse("최저임금을 지급하지 않으면 벌금은 얼마인가요?")
    assert asked.answer_type == "sanction" and asked.focus == ()
    assert ("최저", "임금") in asked.restricting
    # a clause closed by …는데 / …면서 tells the case, as one closed by …면 does: its nouns restrict
    asked = analyse("사장이 단체협약에 정해져 있다면서 월급에서 조합비를 떼고 주는데 이래도 되나요?")
    assert ("조합비",) in asked.restricting and ("조합비",) not in asked.focus
    asked = analyse("사장님이 근로계약서를 휴대폰으로 보내 줬는데 이렇게 받아도 되는 건가요?")
    assert ("근로", "계약서") not in asked.focus


def test_the_clause_defining_an_asked_topic_is_focus() -> None:
    # "X가 금지되는 업무는 무엇인가요?": which 업무 is what the clause says.
    assert analyse("근로자 파견이 금지되는 업무는 무엇인가요?").focus == (("근로자",), ("파견",), ("업무",))
    # Not when the topic's value is not asked: the clause only restricts.
    assert analyse("입사 1년이 안 된 근로자의 연차휴가는 어떻게 되나요?").focus == (("근로자",), ("연차", "휴가"))


def test_generic_and_asking_words_are_not_focus() -> None:
    asked = analyse("사용자는 어떤 경우에 근로자를 해고할 수 없나요?")
    assert asked.focus == (("사용자",), ("근로자",))
    assert set(asked.asking) == {"경우", "수", "없"} and asked.modality == "permission"
    # 시간 is asked (몇 시간) but also named (근로시간): it stays a term the answer should share.
    assert "시간" not in analyse("1주 근로시간의 한도는 몇 시간인가요?").asking


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("휴업수당은 평균임금의 몇 퍼센트인가요?", "percent"),
        ("근로소득세 세율은 얼마인가요?", "percent"),
        ("해고 예고는 며칠 전에 해야 하나요?", "days"),
        ("연장 근로는 1주에 최대 몇 시간까지 할 수 있나요?", "hours"),
        ("임금채권의 소멸시효는 몇 년인가요?", "years"),
        # The asked noun names the unit of its value: a duration, a period.
        ("4시간 일하면 휴게시간은 얼마나 주어야 하나요?", "duration"),
        ("선택적 근로시간제의 정산기간은 얼마인가요?", "period"),
        ("감급 제재는 1회에 얼마까지 할 수 있나요?", "amount"),
        ("연차휴가는 언제 주어야 하나요?", "when"),
        # a deadline is no time a rule applies in (… 사유가 발생한 때에는)
        ("바뀐 근무시간은 언제까지 알려 줘야 하나요?", "deadline"),
        # the statute's 제재 disciplines a worker; asked of the employer it is a sanction
        ("임금보전방안을 신고하지 않은 사장은 어떤 제재를 받나요?", "sanction"),
        ("지각하면 직원은 어떤 제재를 받나요?", None),
        ("부당해고를 당하면 어디에 구제를 신청하나요?", "where"),
        ("임금은 어떻게 지급해야 하나요?", None),
        # A question word inside an embedded question is not asked when the main clause asks a rule or another
        # thing; it is when the main clause asks to be told.
        ("합의서에 어느 날 몇 시간 일할지도 적어야 하나요?", None),
        # … here the main clause asks who decides, not the amount (얼마) it embeds
        ("적금을 어느 은행에 얼마 동안 넣을지는 누가 정하나요?", "decider"),
        ("연차를 며칠 줘야 하는지 알려 주세요", "days"),
    ],
)
def test_answer_type(question: str, kind: str | None) -> None:
    assert answer_type(question) == kind


def test_carries_the_asked_unit() -> None:
    assert carries("평균임금의 100분의 70 이상의 수당을 지급하여야 한다.", "percent")
    assert not carries("휴업기간 동안 그 근로자에게 수당을 지급하여야 한다.", "percent")
    assert carries("1주 간의 근로시간은 40시간을 초과할 수 없다.", "hours")
    assert not carries("1주 간의 근로시간은 40시간을 초과할 수 없다.", "days")
    assert carries("아무 문장", None)


def test_a_number_the_question_gives_is_not_the_answer() -> None:
    question = "8시간 일하면 휴게시간은 얼마인가요?"
    assert not carries("1일의 근로시간은 휴게시간을 제외하고 8시간을 초과할 수 없다.", "hours", question)
    assert carries("8시간인 경우에는 1시간 이상의 휴게시간을 주어야 한다.", "hours", question)
    assert carries("18시간", "hours", question)
    # Words without a number are never "given": 에게 in 어디에 게시 is not 근로자에게.
    assert carries("근로자에게 널리 알려야 한다.", "where", "사용자는 취업규칙을 어디에 게시해야 하나요?")


def test_a_duration_is_hours_or_minutes_not_the_day_it_is_counted_in() -> None:
    question = "8시간 일하면 휴게시간은 얼마인가요?"
    assert not carries("1일의 근로시간은 휴게시간을 제외하고 8시간을 초과할 수 없다.", "duration", question)
    assert carries("8시간인 경우에는 1시간 이상의 휴게시간을 주어야 한다.", "duration", question)
    assert carries("4시간인 경우에는 30분 이상", "duration", question)


def test_a_count_of_days_or_years_is_not_a_time() -> None:
    assert not carries("1년간 80퍼센트 이상 출근한 근로자에게 15일의 유급휴가를 주어야 한다.", "when")
    assert not carries("평균임금 1,000일분의 유족보상", "when")
    assert not carries("사용자는 3년 이상 계속하여 근로한 근로자에게는", "when")
    assert not carries("1일의 근로시간은 8시간을 초과할 수 없다.", "when")
    assert carries("밤 10시부터 다음 날 오전 6시까지", "when")
    assert carries("근로자가 청구한 시기에 주어야 한다.", "when")
    assert carries("적어도 30일 전에 예고를 하여야 한다.", "when")
    assert carries("한국 전쟁은 1950년에 일어났다.", "when")  # a year is a time
    assert not carries("1년간 근로한 근로자", "when")
    assert carries("1950년 6월 25일 전쟁이 일어났다.", "when")
    assert not carries("불가피한 사유가 발생한 때에는 변경할 수 있다.", "deadline")
    assert carries("변경된 근로일이 개시되기 전에 통보하여야 한다.", "deadline")


def test_everyday_words_get_their_statutory_term() -> None:
    asked = analyse("기능을 배우는 수습생에게 집안일을 시킬 수 있나요?")
    assert asked.statutory("집안일") == "가사"
    assert dict(statutory_terms("취업규칙 기준에 못 미치는 근로계약은?")) == {"못 미치": "미달"}
    assert dict(statutory_terms("이 법 기준에 미치지 못하는 근로계약은?")) == {"미치지 못": "미달"}
    # a neighbouring law's own term is not a paraphrase: 배우자 출산휴가 stays a near miss
    assert statutory_terms("배우자 출산휴가는 며칠인가요?") == ()
    # 넘기다 is 양도 only when handed to someone; 40시간을 넘기면 exceeds
    assert [t for _, t in statutory_terms("보상받을 권리를 다른 사람에게 넘길 수 있나요?")] == ["양도"]
    assert statutory_terms("1주 40시간을 넘기면 어떻게 되나요?") == ()
    assert analyse("연차 유급휴가는 며칠인가요?").plain == ()


def test_the_statutes_vocabulary_gets_its_everyday_words() -> None:
    terms = lambda q: {t for _, t in statutory_terms(q)}  # noqa: E731
    assert {"사업장", "식비"} <= terms("가게 직원 밥값은 누가 내나요?")
    assert "선거권" in terms("투표하러 갈 시간을 달라고 해도 되나요?")
    assert "조세" in terms("밀린 월급을 세금보다 먼저 받을 수 있나요?")
    assert "신분증명서" in terms("근로감독관이 신분증을 보여줘야 하나요?")
    assert "해제" in terms("출국금지는 언제 풀리나요?")
    assert "해고" in terms("내일부터 나오지 말라고 짤렸어요")
    assert "경영상 이유" in terms("정리해고를 하려면 며칠 전에 알려야 하나요?")
    assert "사용증명서" in terms("경력증명서를 떼어 달라고 하면 줘야 하나요?")
    assert "유급휴일" in terms("주휴수당은 누가 받을 수 있나요?")
    # a term is never mapped to itself, nor a neighbouring law's institution to one of the statute's
    assert "근로자대표" not in terms("근로자대표와 서면 합의를 해야 하나요?")
    assert "고용노동부" not in terms("고용노동부장관의 인가를 받아야 하나요?")
    assert statutory_terms("육아휴직은 며칠 전에 신청하나요?") == ()
    assert "국적" not in terms("외국인 직원은 회사를 몇 번까지 옮길 수 있나요?")
    assert "공(公)의 직무" in terms("예비군 훈련 가는 날도 월급을 줘야 하나요?")
    assert {"작업 용품", "부담"} <= terms("작업복 비용은 누가 내나요?")
    assert "18세 미만" in terms("16살 학생을 알바로 써도 되나요?")
    assert "행위자" in terms("괴롭힌 사람은 어떻게 되나요?")
    # a word is not read inside another: 무시 (ignoring an order) is no part of 근무시간
    assert "이행하지 아니" in terms("구제명령을 무시한 사장은 어떤 처벌을 받나요?")
    assert "이행하지 아니" not in terms("외근이 오래 걸리면 근무시간을 어떻게 쳐주나요?")


def test_everyday_words_file_is_read_with_its_comments_and_rejects_bad_lines() -> None:
    pairs = read_everyday_words("# a comment\n\n잘리|잘린\t해고\t# why\n월급날\t지급기일\n")
    assert [(p.pattern, t) for p, t in pairs] == [("잘리|잘린", "해고"), ("월급날", "지급기일")]
    with pytest.raises(ValueError, match="line 1: expected"):
        read_everyday_words("월급날 지급기일\n")  # spaces, not a tab
    with pytest.raises(ValueError, match="line 2: bad pattern"):
        read_everyday_words("# ok\n(월급\t임금\n")
    with pytest.raises(ValueError, match="line 1: expected"):
        read_everyday_words("월급\t임금\tnot a comment\n")


def test_a_noun_group_without_its_suffix_gets_the_terms_of_the_whole_word() -> None:
    asked = analyse("16살 중학생을 알바로 써도 되나요?")
    assert ("중학",) in asked.focus and "중학교" in asked.terms_of("중학")  # 생 (XSN) left out of the group
    assert asked.terms_of("중") == ()  # one syllable is no word


def test_asking_what_a_document_must_hold() -> None:
    assert asks_contents("기숙사 규칙에 외박 같은 내용도 넣어야 하나요?")
    assert asks_contents("근로계약서에 휴일이 적혀 있어야 하나요?")
    assert not asks_contents("외박은 한 달에 몇 번 할 수 있나요?")


def test_problem_is_no_focus() -> None:
    # 문제 says how a question asks (보건 문제 = 보건), as 관련 or 사항 do
    assert set(analyse("일터의 안전이나 보건 문제는 어느 법을 따르나요?").focus) == {("보건",), ("일터",), ("안전",)}


def test_another_domains_table_replaces_the_bundled_one(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    table = tmp_path / "words.tsv"
    table.write_text("# 의료\n입원비\t입원 진료비\n", encoding="utf-8")
    monkeypatch.setenv("HANRAG_EVERYDAY_WORDS", str(table))
    assert [(p.pattern, t) for p, t in read_everyday_words()] == [("입원비", "입원 진료비")]
    monkeypatch.setenv("HANRAG_EVERYDAY_WORDS", str(tmp_path / "missing.tsv"))
    with pytest.raises(ValueError, match="HANRAG_EVERYDAY_WORDS=.*missing.tsv: cannot read it"):
        read_everyday_words()
    monkeypatch.delenv("HANRAG_EVERYDAY_WORDS")
    assert len(read_everyday_words()) > 200  # the bundled labour-law table


def test_the_words_asking_the_answer_type() -> None:
    assert asking_words("노동위원회가 몇 배까지 배상 명령을 할 수 있나요?") == "몇 배"
    assert asking_words("퇴직하면 어떻게 되나요?") is None
    # 금액 is asked only as the value asked for; as a condition it is not (누구에게 asks a body)
    assert answer_type("업무상 재해 보상금액이 납득되지 않으면 누구에게 심사를 청구하나요?") == "where"
    assert answer_type("휴업보상 금액은 얼마인가요?") == "money"


def test_numbers_the_question_gives_name_the_case() -> None:
    assert given_numbers("2주 단위 탄력적 근로시간제에서 특정한 주의 근로시간은 최대 몇 시간인가요?") == ("2주",)
    assert given_numbers("18세 미만인 사람은 하루에 몇 시간까지 일할 수 있나요?") == ("18세",)
    assert repeats("2주 이내의 일정한 단위기간을 평균하여", "2주")
    assert not repeats("12주 이내", "2주")
    assert repeats("평균임금 1,000 일분", "1,000일")


def test_one_reading_of_the_numbers_a_question_gives() -> None:
    # carries and given_numbers read the same numbers: 8시 (an hour) is not 8시간 (a count)
    assert given_numbers("밤 10시 이후 8시간 일하면?") == ("10시", "8시간")
    assert carries("8시간 이내", "hours", "8시에 시작하면 몇 시간 일하나요?")
    assert not carries("8 시간 이내", "hours", "8시간 일하면 몇 시간 쉬나요?")


def test_only_the_gap_between_number_and_unit_may_be_spaced() -> None:
    assert repeats("만 18 세 미만", "18세")
    assert not repeats("1 8세", "18세")
    assert not repeats("1,0 00일분", "1,000일")


def test_laws_the_question_names() -> None:
    assert analyse("근로기준법 기준에 못 미치는 근로계약은 효력이 있나요?").laws == ("근로기준법",)
    assert law_names("최저임금법상 최저임금은 얼마인가요?") == ("최저임금법",)
    assert law_names("「최저임금법」에 따른 최저임금은?") == ()  # cited, not named as asked
    assert law_names("가장 좋은 해결방법은 무엇인가?") == ()


def test_conditions_the_question_gives_in_words() -> None:
    from hanrag.text.question import Case

    assert analyse("부당해고된 근로자가 복직을 원하지 않으면 어떻게 되나요?").cases == (Case("복직", "원하", True),)
    assert analyse("부당해고 구제신청을 받은 노동위원회는 무엇을 해야 하나요?").cases == (Case("구제신청", "받", False, "노동위원회"),)
    # a verb without its own noun argument restricts too little to match by
    assert analyse("경영상 이유로 해고하려면 어떤 요건이 필요한가요?").cases == ()
    assert analyse("입사 1년이 안 된 근로자의 연차휴가는 어떻게 되나요?").cases == ()


def test_words_asking_a_ceiling() -> None:
    assert analyse("1주 근로시간의 한도는 몇 시간인가요?").limits == ("한도",)
    assert analyse("연장 근로는 1주에 최대 몇 시간까지 할 수 있나요?").limits == ("최대",)
    assert analyse("연차 유급휴가는 며칠인가요?").limits == ()


def test_any_verb_before_ya_hanayo_asks_a_duty() -> None:
    for question in ("일용직도 회사가 근로자 명부에 올려야 하나요?", "연차를 써야 하나요?", "회사가 알려야 하나요?"):
        assert analyse(question).modality == "obligation", question
    assert analyse("해고해도 되나요?").modality == "permission"
    assert analyse("연차는 며칠인가요?").modality is None


def test_a_question_asking_leave_with_eodo_is_permission_and_keeps_its_arguments() -> None:
    # "-어도 되나요" asks may: its arguments are the main clause's, not a concessive clause's.
    asked = analyse("사용자가 근로자를 때려도 되나요?")
    assert asked.modality == "permission"
    assert asked.focus == (("사용자",), ("근로자",)) and asked.cases == ()
    # a concessive clause before another predicate is still set aside
    assert ("사용자",) not in analyse("사용자가 반대해도 연차휴가는 며칠인가요?").focus


def test_the_actor_of_a_question_of_rule_is_its_topic_or_subject() -> None:
    assert analyse("직장 내 괴롭힘 신고를 받은 사용자는 무엇을 해야 하나요?").actor == "사용자"
    assert analyse("사용자가 근로자에게 강제로 저축을 시킬 수 있나요?").actor == "사용자"
    assert analyse("휴업수당은 평균임금의 몇 퍼센트인가요?").actor is None  # not a question of rule


def test_everyday_words_of_rules_have_their_statutory_term() -> None:
    # 때리다 (폭행), 나누다 (분할), 성별 (the statute's glossed 성(性))
    assert ("때려", "폭행") in statutory_terms("사용자가 근로자를 때려도 되나요?")
    assert ("나눠", "분할") in statutory_terms("장해보상은 나눠서 지급할 수 있나요?")
    assert ("성별", "성(性)") in statutory_terms("남녀 성별을 이유로 차별할 수 있나요?")


def test_everyday_acts_and_days_have_their_statutory_term() -> None:
    # a list passed round is a 명부; 명단 alone stays the statute's own (체불사업주 명단)
    assert ("명단", "명부") in statutory_terms("그만둔 직원이 다른 데 취직 못 하게 명단을 돌려도 되나요?")
    assert all(t != "명부" for _, t in statutory_terms("명단이 공개된 사장은 어떻게 되나요?"))
    assert [t for _, t in statutory_terms("체불 사장은 해외에 못 나가나요?")] == ["사용자", "사업주", "출국금지"]
    assert {t for _, t in statutory_terms("빨간 날 공휴일에도 돈을 받으면서 쉴 수 있나요?")} == {"휴일", "유급"}
    assert ("일이 갑자기 몰리", "특별한 사정") in statutory_terms("일이 갑자기 몰리면 더 시켜도 되나요?")
    assert {t for _, t in statutory_terms("퇴사한 사람의 취직을 미룰 수 있나요?")} == {"퇴직", "취업", "연장"}


def test_party_words_are_told_from_topical_ones() -> None:
    asked = analyse("회사가 그만둔 알바에게 돈을 받으면서 쉬게 해야 하나요?")
    assert {t for _, t in asked.topical} == {"퇴직", "유급"}
    assert {t for _, t in asked.plain} == {"사용자", "퇴직", "근로자", "유급"}


def test_everyday_names_of_the_parties_have_their_statutory_term() -> None:
    asked = analyse("일하다 다쳐서 쉬고 있는 직원을 회사가 해고할 수 있나요?")
    assert asked.statutory("회사") == "사용자" and asked.statutory("직원") == "근로자"
    # 사장 is the employer (사용자) and, where the statute names the owner, the 사업주 (체불사업주)
    assert analyse("월급을 떼먹는 사장은 이름이 공개되나요?").terms_of("사장") == ("사용자", "사업주")
    assert dict(statutory_terms("하청업체가 원청 잘못으로 월급을 못 주면?")) == {
        "하청업체": "하수급인", "원청": "수급인", "월급": "임금"}
    assert ("고등학생", "18세 미만") in statutory_terms("고등학생 알바는 하루에 몇 시간 일할 수 있나요?")
    assert ("알바", "근로자") in statutory_terms("고등학생 알바는 하루에 몇 시간 일할 수 있나요?")
    assert ("없어지", "소멸") in statutory_terms("쓰지 않은 연차는 언제 없어지나요?")
    assert analyse("연차 유급휴가는 며칠인가요?").terms_of("연차") == ()


def test_terms_whose_meaning_is_asked() -> None:
    assert analyse("어떤 행동이 직장 내 괴롭힘에 해당하나요?").defines[0] == "직장내괴롭힘"
    assert "단시간근로자" in analyse("단시간근로자란 무엇인가요?").defines
    assert "근로" in analyse("몸 쓰는 일이 아니어도 법에서 말하는 근로에 들어가나요?").defines
    # what a question not of rule is about: its definition answers it
    assert analyse("평균임금은 어느 기간 동안 받은 임금으로 계산하나요?").defines == ("평균임금",)
    # a question of rule asks what binds someone, not what a word means
    assert analyse("임금은 어떻게 지급해야 하나요?").defines == ()
    # a term quoted whose meaning is asked
    assert "소정근로시간" in analyse("계약서에 '소정근로시간'이라고 적혀 있던데, 무슨 뜻이에요?").defines
    assert analyse("계약서에 '소정근로시간'이라고 적혀 있던데, 지켜야 하나요?").defines == ()


def test_a_clause_modifying_a_noun_gives_that_noun_as_the_case_too() -> None:
    from hanrag.text.question import Case

    assert analyse("직장 내 괴롭힘을 신고한 직원에게 불이익을 줘도 되나요?").cases == (
        Case("괴롭힘", "신고하", False, "직원"),)
    # a conditional clause modifies no noun
    assert analyse("부당해고된 근로자가 복직을 원하지 않으면 어떻게 되나요?").cases == (Case("복직", "원하", True),)


def test_everyday_words_for_the_events_of_a_leave() -> None:
    plain = statutory_terms("출산휴가를 마치고 돌아오면 원래 하던 일로 돌아갈 수 있나요?")
    assert ("마치", "종료") in plain and ("돌아오", "복귀") in plain and ("돌아갈", "복귀") in plain
    # 야근 is night work or overtime: both terms
    assert analyse("임신한 직원에게 야근을 시켜도 되나요?").terms_of("야근") == ("야간근로", "시간외근로")


def test_question_blind_everyday_words() -> None:
    """Round 4 pairs, written from the statute's own vocabulary, not from any benchmark question."""
    terms = lambda q: {t for _, t in statutory_terms(q)}  # noqa: E731
    assert "30일분 이상의 통상임금" in terms("해고예고수당은 얼마나 받을 수 있나요?")
    assert "천재ㆍ사변" in terms("지진으로 가게가 무너지면 해고 예고를 안 해도 되나요?")
    assert "귀향 여비" in terms("계약과 다르게 일해서 그만두면 고향 가는 차비도 받을 수 있나요?")
    assert "직접 근로자에게" in terms("월급을 부모님 통장으로 보내도 되나요?")
    assert "100분의 50" in terms("야근하면 1.5배를 받나요?")
    assert "중대한 과실" in terms("제 실수로 다쳤는데도 보상받을 수 있나요?")
    assert "둘 이상 자녀" in terms("쌍둥이를 임신하면 휴가가 더 긴가요?")
    assert "생후 1년 미만" in terms("돌 안 된 아기가 있으면 수유 시간을 주나요?")
    assert "취직인허증" in terms("14살도 취업 허가증이 있으면 일할 수 있나요?")
    assert "사생활의 자유" in terms("기숙사 통금을 정해도 되나요?")
    assert "제재" in terms("시말서를 쓰라고 할 수 있나요?")
    assert "선택적 근로시간제" in terms("유연근무제는 어떻게 하나요?")
    # words with another common reading ask for context
    assert "서면" not in terms("서면으로 계약서를 받았어요")
    assert "원직복직(原職復職)을 원하지 아니" in terms("복직 대신 돈으로 받을 수 있나요?")
    # neighbouring laws' institutions stay unmapped
    assert statutory_terms("육아휴직 중 단축근무는 되나요?") == ()


def test_counts_in_words_are_given_in_the_statutes_units() -> None:
    assert given_numbers("입사한 지 두 달밖에 안 된 직원도 해고 예고를 받아야 하나요?") == ("2개월",)
    assert given_numbers("석 달 일했는데 연차가 있나요?") == ("3개월",)
    assert given_numbers("17살 알바는 하루에 몇 시간 일할 수 있나요?") == ("17세",)  # 하루에: a rate, no case
    assert given_numbers("지각을 세 번 하면 해고되나요?") == ("3회",)
    assert given_numbers("이틀 동안 무단결근하면 어떻게 되나요?") == ("2일",)
    assert given_numbers("두 번째 경고를 받았어요") == ()  # an ordinal


def test_a_count_given_as_a_point_falls_within_a_bound_the_statute_states() -> None:
    assert given_points("입사한 지 두 달밖에 안 된 직원도 해고 예고를 받아야 하나요?") == ("2개월",)
    assert given_points("30명이 안 되는 회사는 주 12시간 말고 더 시킬 수 있나요?") == ("12시간",)  # 30명: a bound
    assert given_points("주 52시간을 넘겨서 일을 시켜도 되나요?") == ()
    assert within("1. 근로자가 계속 근로한 기간이 3개월 미만인 경우", "2개월")
    assert not within("계속 근로한 기간이 3개월 이상인 근로자", "2개월")
    assert within("2주 이내의 일정한 단위기간", "10일") and not within("2주 이내", "15일")
    assert within("1년 미만인 근로자", "11개월") and not within("1년 미만인 근로자", "12개월")
    assert not within("18세 미만인 사람", "3개월")  # another kind of count


def test_a_count_falls_within_a_range_only_inside_both_its_bounds() -> None:
    assert within("3. 상시 5인 이상 30명 미만의 근로자를 사용하는 사업 또는 사업장: 2022년 1월 1일", "12명")
    assert not within("2. 상시 30명 이상 300명 미만의 근로자를 사용하는 사업 또는 사업장: 2021년 1월 1일", "12명")
    assert within("15세 이상 18세 미만인 사람", "17세") and not within("15세 이상 18세 미만인 사람", "14세")
    # two bounds apart are two cases, each its own: 17세 is within the first
    assert within("18세 미만인 사람과 임신 중인 여성, 그리고 3개월 이상 근로한 사람", "17세")


def test_a_count_given_as_a_bound_asks_one_side_of_it() -> None:
    from hanrag.text.question import given_sides, stated_side

    assert given_sides("주말 휴일에 8시간 안으로 일하면 수당은 몇 퍼센트를 더 받나요?") == (("8시간", "at_most"),)
    assert given_sides("주 52시간을 넘겨서 일을 시켜도 되나요?") == (("52시간", "more"),)
    assert given_sides("입사한 지 두 달밖에 안 된 직원도 해고 예고를 받아야 하나요?") == ()  # a point
    assert stated_side("1. 8시간 이내의 휴일근로: 통상임금의 100분의 50", "8시간") == "at_most"
    assert stated_side("2. 8시간을 초과한 휴일근로: 통상임금의 100분의 100", "8시간") == "more"
    assert stated_side("1일 8시간의 근로", "8시간") is None
    assert stated_side("18시간을 초과한", "8시간") is None


def test_a_phrase_of_the_table_gives_its_term_to_the_noun_it_ends_on() -> None:
    asked = analyse("같이 사는 가족끼리만 일하는 가게에도 근로기준법이 적용되나요?")
    assert "동거하는 친족" in asked.terms_of("가족")
    assert "동거하는 친족" not in asked.terms_of("가게")


def test_a_concessive_question_asks_the_exception() -> None:
    """"…하는데 그래도 되나요?", "…인데도", "…더라도": whether the rule still holds in the question's case."""
    assert analyse("사장이 다른 시간에 가라고 하는데 그래도 되나요?").asks_exception
    assert analyse("가게에 불이 났는데도 해고 예고를 해야 하나요?").asks_exception
    assert analyse("다만 예외가 있나요?").asks_exception
    assert analyse("유산인데도 휴가가 안 나오는 경우가 있나요?").asks_exception
    # a concessive clause before a duty asked; a permission asked by 어도 is no exception
    assert analyse("천재지변 때문에 지급이 늦어져도 지연이자를 물어야 하나요?").asks_exception
    assert not analyse("사장이 직원을 때려도 되나요?").asks_exception
    assert not analyse("투표하러 갈 시간을 달라고 할 수 있나요?").asks_exception


def test_a_part_timer_asked_beyond_the_contract_is_another_laws() -> None:
    """Consent, the cap and the premium for a part-timer's extra hours are 기간제법 제6조; 근로기준법 counts overtime
    beyond 40 and 8 hours only."""
    law = "기간제 및 단시간근로자 보호 등에 관한 법률"
    assert law in {o.law for o in analyse("하루 4시간으로 계약한 알바가 6시간 일하면 가산수당을 받나요?").other_laws}
    assert law not in {o.law for o in analyse("하루 8시간으로 계약했는데 더 일하면 연장근로 수당 받나요?").other_laws}
    assert law not in {o.law for o in analyse("하루 4시간으로 계약한 알바도 주휴수당 받나요?").other_laws}


def test_matters_a_document_must_hold_are_no_minimum_wage_question() -> None:
    """제93조 lists "상여 및 최저임금에 관한 사항" among a 취업규칙's matters; what counts toward the minimum is 최저임금법's."""
    assert not analyse("취업규칙 만들 때 상여금이나 최저임금에 관한 내용도 넣어야 하나요?").other_laws
    assert {o.law for o in analyse("상여금도 최저임금에 들어가나요?").other_laws} == {"최저임금법"}


def test_the_other_laws_table_is_read_like_the_everyday_words(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    from hanrag.text.question import read_other_laws

    assert [(p.pattern, law) for p, law in read_other_laws("# 고용보험법\n실업\\s*급여\t고용보험법\t# 구직급여\n")] == [
        ("실업\\s*급여", "고용보험법")]
    with pytest.raises(ValueError, match=r"other_laws.tsv line 2: expected 'pattern<TAB>law"):
        read_other_laws("# x\n실업급여 고용보험법\n")
    with pytest.raises(ValueError, match="other_laws.tsv line 1: bad pattern"):
        read_other_laws("실업(급여\t고용보험법\n")
    table = tmp_path / "laws.tsv"
    table.write_text("", encoding="utf-8")
    monkeypatch.setenv("HANRAG_OTHER_LAWS", str(table))
    assert read_other_laws() == ()  # another domain may have none
    monkeypatch.delenv("HANRAG_OTHER_LAWS")


def test_where_within_a_whole_is_no_focus() -> None:
    asked = analyse("출산휴가 90일 가운데 아이를 낳은 뒤로 최소 며칠은 쉬어야 하나요?")
    assert ("가운데",) not in asked.focus + asked.restricting


def test_where_a_matter_is_set_is_answered_by_the_decree_it_is_left_to() -> None:
    question = "가족 중에 누가 먼저 유족보상을 받는지는 어디에 정해져 있나요?"
    assert answer_type(question) == "regulation"
    assert carries("② 유족의 범위, 유족보상의 순위 … 는 대통령령으로 정한다.", "regulation", question)
    assert not carries("① 사용자는 … 그 유족에게 평균임금 1,000일분의 유족보상을 하여야 한다.", "regulation", question)
    assert carries("④ … 세부절차는 「노동위원회법」에 따른 중앙노동위원회(이하 “중앙노동위원회”라 한다)가 정하는 바에 따른다.",
                   "regulation", question)
    assert answer_type("해고 예고는 어디에 신고하나요?") == "where"


def test_who_decides_is_answered_by_the_party_a_rule_leaves_the_decision_to() -> None:
    question = "회사가 직원들 적금을 대신 관리해 준다는데 어느 은행에 얼마 동안 넣을지는 누가 정하나요?"
    assert answer_type(question) == "decider" and answer_type("근로조건은 누가 어떻게 정하는 건가요?") == "decider"
    assert carries("1. 저축의 종류ㆍ기간 및 금융기관을 근로자가 결정하고, 근로자 본인의 이름으로 저축할 것", "decider", question)
    assert not carries("② 사용자는 근로자의 위탁으로 저축을 관리하는 경우에는 다음 각 호의 사항을 지켜야 한다.", "decider", question)


def test_what_a_thing_counts_as_is_answered_by_what_the_statute_deems_it() -> None:
    for question in ("출산휴가로 쉰 기간도 연차를 계산할 때 출근한 걸로 쳐주나요?",
                     "손님 올 때까지 가게에서 기다리는 시간도 일한 시간으로 쳐주나요?",
                     "외근 일이 오래 걸리면 근무시간을 어떻게 쳐주나요?"):
        assert answer_type(question) == "deemed", question
    question = "육아기 근로시간 단축으로 줄어든 시간은 결근한 걸로 치나요?"
    assert carries("⑥ … 다음 각 호의 어느 하나에 해당하는 기간은 출근한 것으로 본다.", "deemed", question)
    assert carries("… 대기시간 등은 근로시간으로 본다.", "deemed", question)
    assert not carries("① 사용자는 1년간 80퍼센트 이상 출근한 근로자에게 15일의 유급휴가를 주어야 한다.", "deemed", question)


def test_the_act_asked_about_is_the_main_clauses_verbal_noun() -> None:
    assert analyse("치료 중인 직원에게 회사가 일시보상을 해 줬으면 그 직원을 해고할 수 있나요?").act == "해고"
    assert analyse("해고 예고는 어디에 신고하나요?").act == "신고"
    assert analyse("해고를 통보받으면 복직을 청구할 수 있나요?").act == "청구"  # not 통보, set aside
    assert analyse("회사가 부도나면 보상금도 먼저 받을 수 있나요?").act is None


def test_the_askers_own_time_is_no_focus() -> None:
    asked = analyse("작년에 병가를 오래 써서 출근한 날이 80%가 안 되는데, 그럼 올해 연차는 며칠이 생기나요?")
    assert asked.focus == (("연차",),)
    assert ("작년",) not in asked.restricting
    asked = analyse("이번 달엔 물량이 거의 없어서 하루 종일 대기만 했는데 회사가 최소한이라도 보장해 줘야 하나요?")
    assert not {("이번",), ("종일",)} & set(asked.focus + asked.restricting)
