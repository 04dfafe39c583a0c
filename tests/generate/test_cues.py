from hanrag.generate import cues

LEAVE_LIST = (
    "3. 「남녀고용평등과 일ㆍ가정 양립 지원에 관한 법률」 제19조제1항에 따른 육아휴직으로 휴업한 기간 "
    "4. 「남녀고용평등과 일ㆍ가정 양립 지원에 관한 법률」 제19조의2제1항에 따른 육아기 근로시간 단축을 사용하여 단축된 근로시간"
)
RULES_LIST = "4. 퇴직에 관한 사항 5. 상여 및 최저임금에 관한 사항 6. 근로자의 식비, 작업 용품 등의 부담에 관한 사항"


def test_a_cited_law_and_its_term_are_mentions() -> None:
    stated = cues.outside_mentions(LEAVE_LIST)
    assert len(stated) == len(LEAVE_LIST)
    assert "육아휴직" not in stated and "남녀고용평등" not in stated and "휴업한 기간" in stated


def test_coverage_stated_mentioned_absent() -> None:
    texts = [LEAVE_LIST, RULES_LIST, "제60조(연차 유급휴가) ① 사용자는 15일의 유급휴가를 주어야 한다."]
    assert cues.coverage(("육아", "휴직"), texts) == "mentioned"  # only as the other law's term
    assert cues.coverage(("최저", "임금"), texts) == "mentioned"  # only in a list of topics
    assert cues.coverage(("국민연금",), texts) == "absent"
    assert cues.coverage(("연차", "휴가"), texts) == "stated"  # 연차 … 휴가, not written together


def test_split_items_keeps_the_lead_in_and_each_item() -> None:
    text = "취업규칙에는 다음 각 호의 사항을 적어야 한다. 1. 업무의 시작과 종료 시각에 관한 사항 2. 임금의 결정에 관한 사항"
    assert cues.split_items(text) == [
        "취업규칙에는 다음 각 호의 사항을 적어야 한다.",
        "1. 업무의 시작과 종료 시각에 관한 사항",
        "2. 임금의 결정에 관한 사항",
    ]
    assert cues.split_items("제2조 1. 만 있는 문장") == ["제2조 1. 만 있는 문장"]
    # an item the sentence splitter ran on into the next paragraph, a deleted paragraph and the next one
    assert cues.split_items("1. 대상 업무 2. 대상 근로자의 범위 ④ 사용자는 연장할 수 있다.") == [
        "1. 대상 업무", "2. 대상 근로자의 범위", "④ 사용자는 연장할 수 있다."]
    assert cues.split_items("③ 삭제<2017. 11. 28.> ④ 사용자는 휴가를 주어야 한다.") == [
        "③ 삭제<2017. 11. 28.>", "④ 사용자는 휴가를 주어야 한다."]
    assert cues.split_paragraphs("근로시간(제2항 ③ 참조) 외에") == ["근로시간(제2항 ③ 참조) 외에"]
    # the date of an amendment note after the last item numbers no item ("[전문개정 2019. 1. 15.]": no "1.")
    assert cues.split_items("1. 기숙사의 구조와 설비\n2. 기숙사의 면적\n[전문개정 2019. 1. 15.]") == [
        "1. 기숙사의 구조와 설비", "2. 기숙사의 면적\n[전문개정 2019. 1. 15.]"]
    assert cues.split_items("1. 임금 <개정 2020. 1. 15.> 2. 소정근로시간") == ["1. 임금 <개정 2020. 1. 15.>", "2. 소정근로시간"]


def test_a_cited_law_name_is_blanked_in_place() -> None:
    text = "「근로자퇴직급여 보장법」에 따른 퇴직급여"
    blank = cues.without_law_names(text)
    assert len(blank) == len(text) and "근로자" not in blank and blank.endswith("에 따른 퇴직급여")


def test_a_supplementary_provision_of_application_only_names_its_cases() -> None:
    text = ("제6조(연차 유급휴가에 관한 적용례) 제60조제6항제4호 및 제5호의 개정규정은 부칙 제1조제1호에 따른 시행일 이후\n"
            "육아기 근로시간 단축 또는 임신기 근로시간 단축을 시작하는 경우부터 적용한다.")
    assert cues.coverage(("육아기", "근로시간", "단축"), [text]) == "mentioned"
    assert cues.coverage(("연차",), ["사용자는 연차 유급휴가를 주어야 한다."]) == "stated"


def test_paragraphs_provisos_and_rules() -> None:
    assert cues.paragraph_number("제50조(근로시간) ① 1주 간의 근로시간은") == 1
    assert cues.paragraph_number("③ 사용자는") == 3 and cues.paragraph_number("사용자는") is None
    assert cues.is_exception("다만, 평균임금의 100분의 70에 해당하는 금액이") and not cues.is_exception("① 사용자는")
    assert cues.states_rule("정당한 이유 없이 해고를 하지 못한다.", "permission")
    assert not cues.states_rule("50일 전까지 통보하고 성실하게 협의하여야 한다.", "permission")
    assert cues.states_rule("50일 전까지 통보하고 성실하게 협의하여야 한다.", "obligation")
    # a paragraph setting its rule aside for a case is an exception too, though no proviso
    assert cues.sets_aside("② 제1항은 사용자가 천재ㆍ사변 … 사유가 존속하는 기간에 대하여는 적용하지 아니한다.")
    assert not cues.sets_aside("① 사용자는 지연이자를 지급하여야 한다.")


def test_a_statute_names_itself_this_law() -> None:
    assert cues.names_itself("제15조(이 법을 위반한 근로계약) ① 이 법에서 정하는 기준에 미치지 못하는")
    assert cues.names_itself("이 법률에 따른 보상")
    assert not cues.names_itself("이 법인은 1990년에 설립되었다.")
    assert cues.cites("「근로자퇴직급여 보장법」 제8조에 따른 퇴직금", "근로자퇴직급여 보장법")
    assert not cues.cites("이 법에서 정하는 기준", "근로기준법")


def test_a_sentence_states_the_condition_with_its_polarity() -> None:
    text = "근로자가 원직복직(原職復職)을 원하지 아니하면 원직복직을 명하는 대신 금품을 지급하도록 명할 수 있다."
    assert cues.states_case(text, ["복직"], "원하", True)
    assert not cues.states_case(text, ["복직"], "원하", False)
    assert not cues.states_case("근로자가 복직을 원하면 복직시켜야 한다.", ["복직"], "원하", True)
    assert cues.states_case("노동위원회는 제28조에 따른 구제신청을 받으면 지체 없이 조사를 하여야 한다.", ["구제신청"], "받", False)


def test_a_reference_brings_the_title_of_the_article_whose_thing_it_names() -> None:
    titles = cues.article_titles(["제28조(부당해고등의 구제신청)", "제56조(연장ㆍ야간 및 휴일 근로)", "제52조(선택적 근로시간제)", ""])
    assert titles["제28조"] == "부당해고등의 구제신청"
    assert cues.cited_titles("노동위원회는 제28조에 따른 구제신청을 받으면", titles) == ["부당해고등의 구제신청"]
    # a reference to another article's rule for a thing its title does not name says nothing of that title
    assert cues.cited_titles("제56조제1항에 따른 가산임금 지급 등의 방법으로", titles) == []
    assert cues.cited_titles("제52조제1항제2호의 정산기간을 평균하여", titles) == []


def test_a_ceiling_as_statutes_state_it() -> None:
    assert cues.states_ceiling("1주 간의 근로시간은 휴게시간을 제외하고 40시간을 초과할 수 없다.")
    assert cues.states_ceiling("1주 간에 12시간을 한도로 근로시간을 연장할 수 있다.")
    assert cues.states_ceiling("그 기간은 1년을 초과하지 못한다.")
    assert not cues.states_ceiling("사용자는 15일의 유급휴가를 주어야 한다.")


def test_subjects_are_the_nouns_a_rule_opens_with() -> None:
    assert cues.subjects("② 사용자는 제1항에 따른 신고를 접수하면 조사하여야 한다.") == ("사용자",)
    assert cues.subjects("제76조의2(직장 내 괴롭힘의 금지) 사용자 또는 근로자는 … 하여서는 아니 된다.") == ("사용자", "근로자")
    assert cues.subjects("③ 이 경우 사용자는 피해근로자의 의사에 반하는 조치를 하여서는 아니 된다.") == ("사용자",)
    assert cues.subjects("제76조의3(조치) ① 누구든지 그 사실을 사용자에게 신고할 수 있다.") == ()


def test_each_article_of_a_reference_list_brings_its_title() -> None:
    # 보상금 is headed by 보상, as 장해보상 and 유족보상 are: "제80조, 제82조 … 에 따른 보상금" refers to both
    titles = cues.article_titles(["제80조(장해보상)", "제82조(유족보상)", "제56조(연장ㆍ야간 및 휴일 근로)"])
    text = "사용자는 제80조, 제82조 또는 제84조에 따른 보상금을 1년에 걸쳐 분할보상을 할 수 있다."
    assert cues.cited_titles(text, titles) == ["장해보상", "유족보상"]
    assert cues.cited_titles("제56조제1항에 따른 가산임금", titles) == []


def test_defined_terms() -> None:
    from hanrag.generate.cues import defined_terms

    assert defined_terms("6. “평균임금”이란 이를 산정하여야 할 사유가 발생한 날 이전 3개월 동안에 …") == ("평균임금",)
    assert defined_terms("… 행위(이하 “직장 내 괴롭힘 ”이라 한다)를 하여서는 아니 된다.") == ("직장내괴롭힘",)
    assert defined_terms("8. “소정(所定)근로시간”이란 …") == ("소정근로시간",)
    assert defined_terms("평균임금의 100분의 70 이상의 수당을 지급하여야 한다.") == ()


def test_references_to_a_paragraph_of_the_same_article() -> None:
    from hanrag.generate.cues import paragraph_references

    assert paragraph_references("② 사용자는 제1항의 통보를 이유로 근로자에게 해고나 그 밖에 불리한 처우를 하지 못한다.") == [1]
    assert paragraph_references("④ 사용자는 제2항에 따른 조사 결과 …") == [2]
    # another article's paragraph is not this article's
    assert paragraph_references("제60조제2항에 따른 유급휴가") == []
    # several, each, however written: the 기간 of ③ is ①'s 10일 and ②'s 15일
    assert paragraph_references("③ 제1항과 제2항에 따른 기간 이내에 재심을 신청하지 아니하거나 …") == [1, 2]
    assert paragraph_references("⑦ 제1항ㆍ제2항 및 제4항에 따른 휴가는 1년간 행사하지 아니하면 소멸된다.") == [1, 2, 4]
    assert paragraph_references("② 제1항은 사용자가 천재ㆍ사변 … 적용하지 아니한다.") == [1]
    # a range is the whole article, not what one paragraph states
    assert paragraph_references("⑤ 사용자는 제1항부터 제4항까지의 규정에 따른 휴가를 …") == []


def test_a_clause_modifying_a_noun_is_stated_by_the_verb_modifying_it() -> None:
    from hanrag.generate.cues import states_case

    text = "⑥ 사용자는 직장 내 괴롭힘 발생 사실을 신고한 근로자 및 피해근로자등에게 불리한 처우를 하여서는 아니 된다."
    assert states_case(text, ["괴롭힘"], "신고하", False, ["직원", "근로자"])
    assert not states_case(text, ["괴롭힘"], "신고하", False)  # the verb's own noun is not next to it
    assert not states_case("사용자에게 신고한 사실", ["괴롭힘"], "신고하", False, ["근로자"])


def test_a_rule_for_a_group_is_told_from_a_question_about_it() -> None:
    from hanrag.generate.cues import asked_groups, special_groups

    assert special_groups("제69조(근로시간) 15세 이상 18세 미만인 사람의 근로시간은 1일에 7시간 …") == {"youth"}
    assert special_groups("사용자는 산후 1년이 지나지 아니한 여성에 대하여는 …") == {"women"}
    assert special_groups("1. 계속하여 근로한 기간이 1년 미만인 근로자의 유급휴가 …") == {"new"}
    # a group excepted in parentheses is no restriction to it
    assert special_groups("① 사용자가 제60조제1항에 따른 유급휴가(계속하여 근로한 기간이 1년 미만인 근로자의 유급휴가는 제외한다)의 …") == set()
    assert special_groups("② 1일의 근로시간은 휴게시간을 제외하고 8시간을 초과할 수 없다.") == set()
    # one alternative of a case: the rule holds for the other too
    assert special_groups("② 사용자는 근로자가 업무상 부상 또는 질병의 요양을 위하여 휴업한 기간과 그 후 30일 동안 또는 "
                          "산전(産前)ㆍ산후(産後)의 여성이 이 법에 따라 휴업한 기간과 그 후 30일 동안은 해고하지 못한다.") == set()
    assert asked_groups("고등학생 알바는 하루에 몇 시간 일할 수 있나요?") == {"youth"}
    assert asked_groups("임신한 직원도 야간에 일할 수 있나요?") == {"women"}
    assert asked_groups("하루에 몇 시간 넘게 일하면 법정 근로시간을 넘는 건가요?") == set()
    assert asked_groups("경력증명서를 떼 달라고 하면 …") == set()  # 달라고: no 달 of a count


def test_an_obligation_is_any_ending_in_ya_hada() -> None:
    from hanrag.generate.cues import states_rule

    for text in ("사용자는 다음 각 호의 사항을 지켜야 한다.", "증명서를 즉시 내줘야 한다.", "임금을 지급하여야 하며"):
        assert states_rule(text, "obligation"), text
    assert not states_rule("사용자는 근로자를 해고하지 못한다.", "obligation")
