from dataclasses import replace
from pathlib import Path

import pytest

from hanrag import Index
from hanrag.errors import EmptyIndexError
from hanrag.generate.base import REFUSAL
from hanrag.schema import Done, Retrieved, Token


def test_quotes_the_answering_sentence_with_its_citation(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder])
        answer = index.ask("연차 유급휴가는 며칠을 받나요?")
    assert not answer.refused
    first_line = answer.answer.splitlines()[0]
    assert "15일의 연차 유급휴가" in first_line
    n = int(first_line.rsplit("[", 1)[1].rstrip("]"))
    assert answer.citations[0].n == n and answer.citations[0].chunk.source.endswith("leave.md")
    assert len(answer.answer.splitlines()) <= 3


def test_refuses_when_the_documents_lack_the_fact(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder])
        answer = index.ask("비트코인 시세 전망을 알려줘")
    assert answer.refused and answer.answer.startswith(REFUSAL) and answer.hits
    # What it is about appears nowhere: the refusal says so and names the closest source, cited.
    assert "'비트코인 시세 전망'에 대해서는 정하지 않습니다" in answer.answer
    assert [f"[{c.n}]" in answer.answer for c in answer.citations] == [True] * len(answer.citations)


def test_a_far_off_question_with_nothing_named_gets_the_plain_refusal(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder])
        answer = index.ask("요즘 어떻게 지내세요?")
    assert answer.refused and answer.answer == REFUSAL and answer.citations == []


def test_stream_yields_sentences_then_answer(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder])
        events = list(index.ask_stream("누리호는 언제 발사에 성공했나?"))
    retrieved, *tokens, done = events
    assert isinstance(retrieved, Retrieved) and retrieved.hits[0].chunk.source.endswith("space.txt")
    assert tokens and all(isinstance(t, Token) for t in tokens) and isinstance(done, Done)
    final = done.answer
    assert "".join(t.text for t in tokens) == final.answer and final.hits == retrieved.hits
    assert "2022년" in final.answer.splitlines()[0] and final.question == "누리호는 언제 발사에 성공했나?"


def test_empty_index_is_a_clear_error(tmp_path: Path) -> None:
    with Index.open(tmp_path / "ix") as index, pytest.raises(EmptyIndexError, match="is empty; add documents"):
        index.ask("아무 질문")


def test_no_hit_refuses_without_answering(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder])
        answer = index.ask("김치", threshold=5.0)
    assert answer.refused and answer.hits == [] and answer.answer == REFUSAL


def test_a_table_is_quoted_by_the_row_that_answers(tmp_path: Path) -> None:
    from tests.ingest.test_office_formats import make_docx

    docs = tmp_path / "docs"
    docs.mkdir()
    make_docx(docs / "welfare.docx")
    with Index.open(tmp_path / "ix") as index:
        index.add([docs])
        answer = index.ask("자기계발비 지원 금액은 얼마인가요?")
    first = answer.answer.split("\n")[0]
    assert first == "항목: 자기계발비, 지원 금액: 연 120만원 [1]"
    assert answer.citations[0].chunk.kind == "table" and not answer.refused


@pytest.mark.parametrize(
    ("question", "phrase"),
    [  # questions of bench/data/statute_answerable.jsonl the answerer used to open with the wrong sentence
        ("연장근로에 대한 가산임금은 통상임금의 몇 퍼센트 이상인가요?", "100분의 50 이상을 가산하여"),
        ("사용자는 어떤 경우에 근로자를 해고할 수 없나요?", "정당한 이유 없이 해고"),
        ("15세 미만인 사람을 근로자로 쓸 수 있나요?", "근로자로 사용하지 못한다"),
        ("휴업수당은 평균임금의 몇 퍼센트인가요?", "100분의 70 이상"),
        ("임금은 어떻게 지급해야 하나요?", "직접 근로자에게 그 전액을"),
        # everyday words answered by the statutory term: 집안일 (가사), 치료비 (요양비), 못 미치는 (미달하는)
        ("기능을 배우는 수습생에게 집안일을 시킬 수 있나요?", "기능 습득과 관계없는 업무에 종사시키지 못한다"),
        ("업무상 다친 근로자의 치료비는 누가 부담하나요?", "필요한 요양비를 부담하여야 한다"),
        ("취업규칙 기준에 못 미치는 근로계약은 어떻게 되나요?", "그 부분에 관하여는 무효로"),
        # 휴게시간은 얼마: a duration; 1일의 근로시간 … 8시간 gives none but the question's own
        ("8시간 일하면 휴게시간은 얼마인가요?", "1시간 이상"),
        # the proviso of the 2-week rule (its rule gives 2주), not the same proviso under the 3-month one
        ("2주 단위 탄력적 근로시간제에서 특정한 주의 근로시간은 최대 몇 시간인가요?", "48시간을 초과할 수 없다"),
        # the statute calls itself "이 법": 제15조 answers for 근로기준법, not 제97조 (취업규칙)
        ("근로기준법 기준에 못 미치는 근로조건을 정한 근로계약은 효력이 있나요?", "그 부분에 한정하여 무효로 한다"),
        # the condition given in words: 원직복직을 원하지 아니하면 (③), not ④'s second sentence
        ("부당해고된 근로자가 복직을 원하지 않으면 어떻게 되나요?", "원직복직을 명하는 대신"),
        # "제28조에 따른 구제신청" is a 부당해고 구제신청 (제28조's title): 제29조, not 제30조
        ("부당해고 구제신청을 받은 노동위원회는 무엇을 해야 하나요?", "지체 없이 필요한 조사를 하여야 하며"),
        # 제50조(근로시간) is named by the question (7th by score, pulled into the hits), and its
        # "40시간을 초과할 수 없다" states the asked 한도
        ("1주 근로시간의 한도는 몇 시간인가요?", "40시간을 초과할 수 없다"),
        # 명단을 돌리다 is 명부 (제40조), 취직 is 취업; 「근로자퇴직급여 보장법」 covers no 퇴직 of 제43조의2
        ("그만둔 직원이 다른 데 취직 못 하게 명단을 돌려도 되나요?", "비밀 기호 또는 명부"),
        # 공휴일 is a 휴일, paid rest is 유급 (제55조 ②)
        ("빨간 날 공휴일에도 돈을 받으면서 쉴 수 있나요?", "휴일을 유급으로 보장하여야 한다"),
        # the item, cut from the paragraph it ran on into, is no contents line for ending on a number
        ("8시간을 넘는 휴일근로의 가산임금은 통상임금의 얼마인가요?", "100분의 100"),
        # a sanction cites the rules it punishes by number: reached through the rule (제8조, 제45조), read with
        # it, and for 제110조 through item 1 of its list (제54조 among 30 others), the lead-in carrying the sanction
        ("직원을 때린 사장은 어떤 처벌을 받나요?", "5년 이하의 징역 또는 5천만원 이하의 벌금"),
        ("휴게시간을 안 준 사장은 어떤 처벌을 받나요?", "2년 이하의 징역 또는 2천만원 이하의 벌금"),
        ("아이를 낳아서 월급날 전에 일한 만큼 달라고 했는데 안 준 사장은 어떤 처벌을 받나요?", "1천만원 이하의 벌금"),
        # 제107조 cites 제23조제2항: dismissal during 요양 is punished (②), and 제109조 ① punishes 제56조's 가산임금,
        # though 제110조 (for 제53조, retrieved first) joined the hits too
        ("요양 중인 직원을 해고한 사장은 어떤 처벌을 받나요?", "5년 이하의 징역"),
        ("연장근로 수당을 안 준 사장은 처벌받나요?", "3년 이하의 징역"),
        # the purpose is stated as "…을 목적으로 한다" (제1조); the title block naming 근로기준법 is not a source
        ("근로기준법은 무엇을 위해 만든 법인가요?", "목적으로 한다"),
        # 같이 사는 가족 is the table's 동거하는 친족, which only 제11조's proviso states: it goes first
        ("같이 사는 가족끼리만 일하는 가게에도 근로기준법이 적용되나요?", "동거하는 친족만을 사용하는"),
        # two months fall within "3개월 미만", item 1 of 제26조's proviso: the exception answers, not the rule
        ("입사한 지 두 달밖에 안 된 직원도 해고 예고를 받아야 하나요?", "계속 근로한 기간이 3개월 미만인 경우"),
        # ④ of 제24조(경영상 이유에 의한 해고의 제한) reads with its article's title, as ① is written with it
        ("한꺼번에 많은 직원을 정리해고하면 노동부에 신고해야 하나요?", "고용노동부장관에게 신고하여야"),
        # the proviso holds the count the question gives (7 hours within "8시간 미만"), its rule does not
        ("하루 7시간만 일하는 임신한 직원이 근무시간을 줄여 달라고 하면 몇 시간까지 줄여 주나요?", "8시간 미만인 근로자에 대하여는"),
        # … or the condition it gives (인가를 받을 틈도 없이: 인가를 받을 시간이 없는 경우)
        ("공장에 갑자기 사고가 나서 노동부 인가를 받을 틈도 없이 직원들한테 연장근무를 시켰는데 그다음에 어떻게 해야 하나요?",
         "사후에 지체 없이 승인을 받아야 한다"),
        # a situation in several words (일부러 월급을 안 줬으면) weighs as its statutory phrase (명백한 고의), though the
        # analysis keeps no term of its adverb
        ("사장이 돈이 있으면서 일부러 월급을 안 줬으면 한 달만 밀렸어도 밀린 돈의 3배까지 청구할 수 있나요?", "명백한 고의로"),
        # whether something is an X the statute defines: the definition answers, however few words it shares
        ("사무실에서 컴퓨터로 기획 일만 하는데, 몸 쓰는 일이 아니어도 법에서 말하는 근로에 들어가나요?", "정신노동과 육체노동"),
        # the item naming the matter asked that its lead-in does not (면적), quoted with its lead-in, before a rule on
        # 기숙사 sharing the question's verb (③ … 기숙사규칙을 지켜야 한다)
        ("회사 기숙사 방 면적에도 지켜야 할 기준이 있나요?", "4. 기숙사의 면적"),
        # where a matter is set: the body fixing it (중앙노동위원회가 정하는 바에 따른다), before the rules of the procedure
        ("부당해고 구제신청을 하면 노동위원회가 조사하고 심문하는 자세한 절차는 어디에서 정하나요?", "세부절차는"),
        # what a thing counts as: the item its lead-in deems so ("… 기간은 출근한 것으로 본다. 4. … 육아기 근로시간 단축을")
        ("아이 때문에 육아기 근로시간 단축을 써서 하루 4시간만 일했는데, 연차를 계산할 때 줄어든 시간은 결근한 걸로 치나요?",
         "육아기 근로시간 단축을 사용하여"),
        # an item a chunk opens on, its lead-in held by another hit of the article (제99조 ①), is quoted with it
        ("회사 기숙사 규칙을 만들 때 식사에 관한 내용도 넣어야 하나요?", "식사에 관한 사항"),
        # … also when what is asked about is a word the statute never uses (계약직): the definition says what it takes in
        ("정규직이 아니라 학생 알바나 계약직도 근로기준법에서 말하는 근로자에 들어가나요?", "직업의 종류와 관계없이"),
        # 80% given under a bound: ① states 80퍼센트 이상, the other case; ② states 80퍼센트 미만 (올해 is no focus)
        ("작년에 병가를 오래 써서 출근한 날이 80%가 안 되는데, 그럼 올해 연차는 며칠이 생기나요?", "80퍼센트 미만 출근한"),
        # the best sentence is itself the sanction asked for, though the best rule is 제76조의3's, not its 제76조의2
        ("사장님 아들이 같은 회사 직원으로 일하면서 다른 직원을 괴롭히면 사장이 괴롭힌 것처럼 과태료를 받나요?", "「민법」 제767조에 따른 친족"),
    ],
)
def test_statute_the_sentence_that_answers_comes_first(statute_index: Path, question: str, phrase: str) -> None:
    with Index.open(statute_index) as index:
        answer = index.ask(question)
    first = answer.answer.splitlines()[0]
    assert not answer.refused and phrase in first, answer.answer
    assert not first.lstrip().startswith("1.")  # never a bare list


@pytest.mark.parametrize(
    ("question", "missing"),
    [  # what a neighbouring law sets: absent from the statute, or only named in it
        ("2025년 최저임금은 시간당 얼마인가요?", "최저임금"),  # only in a list of topics of 제93조
        ("육아휴직은 최대 몇 년까지 쓸 수 있나요?", "육아휴직"),  # only as 「남녀고용평등…」에 따른 육아휴직
        ("국민연금 보험료율은 몇 퍼센트인가요?", "국민연금 보험료율"),  # nowhere
        # what restricts the question, named only in a list of topics
        ("최저임금을 지급하지 않으면 벌금은 얼마인가요?", "최저임금"),
        # ... or named there though the hits lack it: no rule says how it changes the answer (제97조 is on 취업규칙)
        ("최저임금보다 적게 주기로 한 근로계약은 효력이 있나요?", "최저임금"),
        # the clause saying which 업무 is asked about: 파견 is nowhere in the statute
        ("근로자 파견이 금지되는 업무는 무엇인가요?", "근로자 파견"),
        # no main argument: the conditional clause is what the question is about
        ("파견근로자를 2년 넘게 쓰면 직접 고용해야 하나요?", "파견근로자"),
        # each word is in the statute, but no source gives hours of 육아기 근로시간 단축
        ("육아기 근로시간 단축은 주 몇 시간까지 할 수 있나요?", "육아기 근로시간 단축"),
        # 알바 -> 근로자 says whom the rule binds: it does not lift the support over the exemption of 퇴직금
        ("주 15시간 미만으로 일하는 알바도 퇴직금을 받을 수 있나요?", "퇴직금"),
        # a count asked (몇 배) that no source gives: 기간제법's damages, not a rule of the statute
        ("노동위원회는 차별받은 계약직 직원에게 손해의 몇 배까지 배상을 명령할 수 있나요?", "몇 배"),
    ],
)
def test_statute_near_miss_is_refused_saying_what_is_covered(statute_index: Path, question: str, missing: str) -> None:
    with Index.open(statute_index) as index:
        answer = index.ask(question)
    assert answer.refused and answer.answer.startswith(REFUSAL), answer.answer
    assert f"'{missing}'" in answer.answer and "에 대해서는 정하지 않습니다" in answer.answer and "가까운 내용으로 제" in answer.answer
    assert answer.citations and all(f"[{c.n}]" in answer.answer for c in answer.citations)
    assert answer.hits


@pytest.mark.parametrize(
    "question",
    [  # restrictions worded differently, or a cited law's term used in the statute's own rule
        "근로자가 질병으로 급하게 돈이 필요하면 월급날 전에 임금을 받을 수 있나요?",
        "임신한 근로자가 정기건강진단 시간을 청구하면 허용해야 하나요?",
        # 초기 (never used) describes the party the rule binds (직원 -> 근로자), it is not what is asked
        "임신 초기 직원은 하루에 몇 시간 근무시간을 줄여 달라고 할 수 있나요?",
    ],
)
def test_statute_restrictions_do_not_refuse_what_the_statute_answers(statute_index: Path, question: str) -> None:
    with Index.open(statute_index) as index:
        answer = index.ask(question)
    assert not answer.refused, answer.answer


def test_a_fact_source_lacking_an_attribute_word_still_answers() -> None:
    """KorQuAD-style: 날짜 is in no answer; only a phrase another source writes out whole, of which the
    fact's source holds a part, makes the fact 'apart' (육아기 근로시간 단축 vs 임신기 근로시간 단축)."""
    from hanrag.generate.extractive import Piece, fact_apart
    from hanrag.text.question import analyse

    asked = analyse("반기문이 사무총장 선거 출마 선언을 한 날짜는 언제인가?")
    pieces = [Piece(1, "반기문은 2006년 2월 14일 사무총장 선거 출마를 선언하였다.", ""),
              Piece(2, "유엔 사무총장 선거는 안전보장이사회가 추천한다.", "")]
    assert fact_apart(asked, pieces) == []

    asked = analyse("육아기 근로시간 단축은 주 몇 시간까지 할 수 있나요?")
    pieces = [Piece(1, "임신 중인 여성 근로자가 1일 2시간의 근로시간 단축을 신청하면 허용하여야 한다.", "임산부의 보호"),
              Piece(2, "육아기 근로시간 단축을 사용하여 단축된 근로시간은 출근한 것으로 본다.", "적용례")]
    assert fact_apart(asked, pieces) == ["육아기 근로시간 단축"]


def test_a_focus_noun_stated_by_its_statutory_term_is_not_a_near_miss() -> None:
    from hanrag.generate.extractive import unstated_focus
    from hanrag.text.question import analyse

    asked = analyse("기능을 배우는 수습생에게 집안일을 시킬 수 있나요?")
    # the statute never uses 집안일; it does use 수습 (a restriction the corpus never used, with the focus
    # stated only through the table, would make the question about it: see the 실업급여 test below)
    def never(words):
        return {w for w in words if w == "집안일"}

    texts = ["사용자는 기능의 습득을 목적으로 하는 근로자를 혹사하거나 가사, 그 밖의 업무에 종사시키지 못한다."]
    assert unstated_focus(asked, texts, never) == ([], [])
    texts = ["사용자는 기능의 습득을 목적으로 하는 근로자를 혹사하지 못한다."]
    assert unstated_focus(asked, texts, never) == ([], ["집안일"])


def test_the_proviso_giving_the_number_follows_its_rule_first() -> None:
    from hanrag.generate.extractive import ScoredSentence, fact_first
    from hanrag.text.question import analyse

    asked = analyse("2주 단위 탄력적 근로시간제에서 특정한 주의 근로시간은 최대 몇 시간인가요?")
    rule = "사용자는 2주 이내의 단위기간을 평균하여 특정한 주에 근로하게 할 수 있다."
    ranked = [ScoredSentence(1, rule, 0.7, 0.9, 1.2),
              ScoredSentence(2, "3개월 단위의 규칙이다.", 0.7, 0.9, 1.1),
              ScoredSentence(1, "다만, 특정한 주의 근로시간은 48시간을 초과할 수 없다.", 0.4, 0.9, 0.8, rule)]
    assert fact_first(asked, ranked)[0].text.endswith("48시간을 초과할 수 없다.")
    far = [*ranked[:2], ScoredSentence(1, "다만, 특정한 주의 근로시간은 48시간을 초과할 수 없다.", 0.4, 0.9, 0.8)]
    assert fact_first(asked, far)[0].text == rule  # beyond FACT_FIRST_WITHIN, not its rule's proviso


def test_a_sentence_giving_the_asked_time_goes_before_the_rule_it_dates() -> None:
    from hanrag.generate.extractive import _COUNTED, ScoredSentence, fact_first
    from hanrag.text.question import analyse

    asked = analyse("직원 12명인 가게에는 유급휴일 규정이 언제부터 적용됐나요?")
    rule = "① 사용자는 근로자에게 1주에 평균 1회 이상의 유급휴일을 보장하여야 한다."
    dated = "3. 상시 5인 이상 30명 미만의 근로자를 사용하는 사업 또는 사업장: 2022년 1월 1일"
    ranked = [ScoredSentence(1, rule, 0.46, 0.86, 0.91), ScoredSentence(4, dated, 0.45, 0.84, 0.88)]
    assert fact_first(asked, ranked)[0].text == dated
    # a time is no count: a question of when with no source giving one is not refused for it
    assert "when" not in _COUNTED


def test_items_a_chunk_opens_on_take_the_one_lead_in_another_hit_of_their_article_holds() -> None:
    from hanrag.generate.extractive import Piece, with_lead_ins

    lead = "① 사용자는 다음 각 호의 사항에 관하여 기숙사규칙을 작성하여야 한다."
    pieces = [Piece(1, "3. 식사에 관한 사항", "제99조(규칙의 작성과 변경)"),
              Piece(2, lead, "제99조(규칙의 작성과 변경)"),
              Piece(2, "1. 기상에 관한 사항", "제99조(규칙의 작성과 변경)", lead=lead, matters=True, lead_in=lead),
              Piece(3, "2. 기숙사의 면적", "제100조(부속 기숙사의 설치ㆍ운영 기준)")]
    led = with_lead_ins(pieces)
    assert (led[0].lead, led[0].lead_in, led[0].matters) == (lead, lead, True)
    assert led[3].lead == ""  # no lead-in of its own article among the hits
    # two lead-ins in the article: which list the item continues is not known
    other = Piece(4, "② 다만, 다음 각 호의 경우에는 그러하지 아니하다.", "제99조(규칙의 작성과 변경)")
    assert with_lead_ins([*pieces, other])[0].lead == ""


def test_a_rule_binding_the_asked_actor_scores_above_one_naming_them_otherwise() -> None:
    """신고를 받은 사용자는 무엇을 해야 하나요?: ② 사용자는 … before ① 누구든지 … 사용자에게 신고할 수 있다."""
    from hanrag.generate.extractive import Piece, cue_score
    from hanrag.text.question import analyse

    asked = analyse("직장 내 괴롭힘 신고를 받은 사용자는 무엇을 해야 하나요?")
    binds = Piece(1, "사용자는 지체 없이 객관적으로 조사를 실시하여야 한다.", "")
    names = Piece(1, "누구든지 지체 없이 사용자에게 조사를 실시하여야 한다.", "")
    assert cue_score(asked, binds) > cue_score(asked, names)
    # the statutory term of an everyday actor binds too (사장 -> 사용자)
    asked = analyse("사장이 근로자에게 강제로 저축을 시킬 수 있나요?")
    assert cue_score(asked, Piece(1, "사용자는 강제 저축을 시키지 못한다.", "")) > cue_score(
        asked, Piece(1, "누구든지 강제 저축을 시키지 못한다.", ""))


def test_a_focus_noun_glossed_in_the_statute_is_not_a_near_miss() -> None:
    from hanrag.generate.extractive import unstated_focus
    from hanrag.text.question import analyse

    asked = analyse("남녀 성별을 이유로 근로자를 차별할 수 있나요?")
    texts = ["사용자는 근로자에 대하여 남녀의 성(性)을 이유로 차별적 대우를 하지 못한다."]
    assert unstated_focus(asked, texts, lambda words: set(words)) == ([], [])


def test_search_also_looks_for_the_statutory_term_of_an_everyday_word(tmp_path: Path) -> None:
    with Index.open(tmp_path / "idx") as index:
        terms = index.query_terms(["사용자가 근로자를 때려도 되나요?", "임금은 언제 주나요?"])
        assert terms[0][-1] == "폭행" and "폭행" not in terms[1]


def test_a_group_of_everyday_words_is_stated_part_by_part_by_their_statutory_terms() -> None:
    """고등학생 알바: each part stated as written or by its term (18세 미만, 근로자); 회사 by 사용자."""
    from hanrag.generate.extractive import unstated_focus
    from hanrag.text.question import analyse

    asked = analyse("고등학생 알바는 합의하면 하루에 몇 시간 더 일할 수 있나요?")

    def never(words):  # the statute uses 합의, never 고등학생 or 알바
        return {w for w in words if w in ("고등학생", "알바")}

    texts = ["15세 이상 18세 미만인 근로자의 근로시간은 1일에 7시간을 초과하지 못한다."]
    assert unstated_focus(asked, texts, never) == ([], [])
    texts = ["근로자의 근로시간은 1일에 8시간을 초과하지 못한다."]
    assert unstated_focus(asked, texts, never) == ([], ["고등학생 알바"])
    asked = analyse("월급을 계속 떼먹는 사장은 이름이 공개되나요?")
    texts = ["고용노동부장관은 체불사업주의 인적사항 등을 공개할 수 있다."]
    assert unstated_focus(asked, texts, lambda words: {w for w in words if w == "사장"}) == ([], [])


def test_a_party_named_by_its_everyday_word_is_no_topic_the_documents_lack() -> None:
    """A rule often names no party (누구든지, …를 위반한 자): the asker's 사장 is who it binds, not what it is about."""
    from hanrag.generate.extractive import unstated_focus
    from hanrag.text.question import analyse

    asked = analyse("그만둔 직원이 다른 데 취직 못 하게 업계에 블랙리스트를 돌린 사장은 어떤 처벌을 받나요?")
    assert asked.focus == (("사장",),)
    texts = ["제40조를 위반한 자는 5년 이하의 징역 또는 5천만원 이하의 벌금에 처한다.",
             "누구든지 근로자의 취업을 방해할 목적으로 비밀 기호 또는 명부를 작성ㆍ사용하여서는 아니 된다."]
    assert unstated_focus(asked, texts, lambda words: {w for w in words if w == "사장"}) == ([], [])
    asked = analyse("그만둔 직원이 다른 데 취직 못 하게 업계에 블랙리스트를 돌린 교장은 어떤 처벌을 받나요?")
    assert unstated_focus(asked, texts, lambda words: {w for w in words if w == "교장"}) == ([], ["교장"])


def test_a_definition_of_the_asked_term_is_no_mere_list_item() -> None:
    from hanrag.generate.extractive import Piece, cue_score
    from hanrag.text.question import analyse

    asked = analyse("평균임금은 어느 기간 동안 받은 임금으로 계산하나요?")
    defining = Piece(1, "6. “평균임금”이란 이를 산정하여야 할 사유가 발생한 날 이전 3개월 동안에 지급된 임금의 총액을 …", "제2조(정의)")
    using = Piece(2, "사용자는 휴업기간 동안 그 근로자에게 평균임금의 100분의 70 이상의 수당을 지급하여야 한다.", "제46조(휴업수당)")
    assert cue_score(asked, defining) > cue_score(asked, using)
    other = Piece(1, "5. “임금”이란 사용자가 근로의 대가로 지급하는 모든 금품을 말한다.", "제2조(정의)")
    assert cue_score(asked, other) < cue_score(asked, using)


def test_a_paragraph_reads_with_the_paragraph_of_its_article_it_refers_to() -> None:
    from hanrag.generate.extractive import Piece, referred_paragraphs

    first = Piece(1, "제104조(감독 기관에 대한 신고) ① 위반한 사실이 있으면 근로자는 그 사실을 근로감독관에게 통보할 수 있다.", "제104조(감독 기관에 대한 신고)")
    second = Piece(1, "② 사용자는 제1항의 통보를 이유로 근로자에게 해고나 그 밖에 불리한 처우를 하지 못한다.", "제104조(감독 기관에 대한 신고)")
    elsewhere = Piece(2, "① 근로감독관은 사업장을 현장조사할 수 있다.", "제102조(근로감독관의 권한)")
    assert referred_paragraphs(second, [elsewhere, first, second]) == [first.text]
    assert referred_paragraphs(second, [elsewhere, second]) == []  # ① of its article not among the hits
    assert referred_paragraphs(first, [first, second]) == []
    # what it refers to need not be written there: ③'s 기간 is ①'s "10일 이내" and ②'s "15일 이내"
    review = Piece(1, "제31조(구제명령 등의 확정) ① 구제명령서를 통지받은 날부터 10일 이내에 중앙노동위원회에 재심을 신청할 수 있다.", "제31조(구제명령 등의 확정)")
    suit = Piece(1, "② 재심판정서를 송달받은 날부터 15일 이내에 소(訴)를 제기할 수 있다.", "제31조(구제명령 등의 확정)")
    final = Piece(1, "③ 제1항과 제2항에 따른 기간 이내에 재심을 신청하지 아니하면 그 구제명령은 확정된다.", "제31조(구제명령 등의 확정)")
    assert referred_paragraphs(final, [review, suit, final]) == [review.text, suit.text]


def test_every_sentence_reads_with_its_articles_title() -> None:
    """The first sentence of an article is written with its title; the others read with it too."""
    from hanrag.generate.extractive import Piece, read_with
    from hanrag.text.question import analyse

    heading = "제24조(경영상 이유에 의한 해고의 제한)"
    first = Piece(1, f"{heading} ① 사용자가 경영상 이유에 의하여 근로자를 해고하려면 긴박한 경영상의 필요가 있어야 한다.", heading)
    fourth = Piece(1, "④ 사용자는 제1항에 따라 일정한 규모 이상의 인원을 해고하려면 고용노동부장관에게 신고하여야 한다.", heading)
    untitled = Piece(2, "사용자는 근로자에게 알려야 한다.", "")
    asked = analyse("정리해고를 하면 노동부에 신고해야 하나요?")
    read = read_with(asked, [first, fourth, untitled])
    assert "경영상 이유에 의한 해고의 제한" in read[1]
    assert read[2].strip() == ""


def test_a_proviso_reads_with_the_rule_it_qualifies() -> None:
    from hanrag.generate.extractive import Piece, read_with
    from hanrag.text.question import analyse

    heading = "제36조(금품 청산)"
    rule = f"{heading} 사용자는 근로자가 퇴직한 경우에는 14일 이내에 임금을 지급하여야 한다."
    proviso = Piece(1, "다만, 특별한 사정이 있을 경우에는 당사자 사이의 합의에 의하여 기일을 연장할 수 있다.", heading, rule)
    read = read_with(analyse("퇴사한 직원과 합의하면 밀린 돈을 주는 날짜를 미룰 수 있나요?"), [Piece(1, rule, heading), proviso])
    assert "퇴직한 경우" in read[1] and "퇴직한 경우" not in read[0].replace(heading, "")


def test_the_proviso_stating_the_questions_restriction_goes_first() -> None:
    """고등학생 알바는 합의하면 …: the condition 합의 is the proviso's, not the rule's."""
    from hanrag.generate.extractive import ScoredSentence, proviso_first
    from hanrag.text.question import analyse

    asked = analyse("고등학생 알바는 합의하면 하루에 몇 시간 더 일할 수 있나요?")
    rule = "15세 이상 18세 미만인 사람의 근로시간은 1일에 7시간, 1주에 35시간을 초과하지 못한다."
    proviso = "다만, 당사자 사이의 합의에 따라 1일에 1시간, 1주에 5시간을 한도로 연장할 수 있다."
    ranked = [ScoredSentence(1, rule, 0.3, 0.86, 0.9), ScoredSentence(2, "다른 문장이다.", 0.3, 0.86, 0.85),
              ScoredSentence(1, proviso, 0.3, 0.86, 0.7, rule)]
    assert proviso_first(asked, ranked)[0].text == proviso
    # without the condition the rule stays first
    asked = analyse("고등학생 알바는 하루에 몇 시간 일할 수 있나요?")
    assert proviso_first(asked, ranked)[0].text == rule


def test_the_proviso_stating_the_statutory_phrase_of_an_everyday_condition_goes_first() -> None:
    """문을 닫게 되면 is "사업을 계속할 수 없게 된 경우" (the table of everyday words): the proviso's case."""
    from hanrag.generate.extractive import ScoredSentence, proviso_first
    from hanrag.text.question import analyse

    rule = "② 사용자는 근로자가 업무상 부상 또는 질병의 요양을 위하여 휴업한 기간과 그 후 30일 동안은 해고하지 못한다."
    proviso = "다만, 사용자가 제84조에 따라 일시보상을 하였을 경우 또는 사업을 계속할 수 없게 된 경우에는 그러하지 아니하다."
    ranked = [ScoredSentence(1, rule, 0.8, 0.86, 0.9), ScoredSentence(1, proviso, 0.5, 0.84, 0.5, rule)]
    asked = analyse("일하다 다쳐서 쉬는 직원이라도 회사가 문을 닫게 되면 해고할 수 있나요?")
    assert proviso_first(asked, ranked)[0].text == proviso
    assert proviso_first(analyse("일하다 다쳐서 쉬는 직원을 해고할 수 있나요?"), ranked)[0].text == rule


def test_each_number_the_question_gives_counts_toward_its_case() -> None:
    from hanrag.generate.extractive import Piece, cue_score
    from hanrag.text.question import analyse

    asked = analyse("직원이 30명이 안 되는 회사는 주 12시간 말고 연장근로를 더 시킬 수 있나요?")
    some = Piece(1, "상시 30명 미만의 근로자를 사용하는 사용자는 근로시간을 연장할 수 있다.", "")
    none = Piece(1, "상시 근로자를 사용하는 사용자는 근로시간을 연장할 수 있다.", "")
    assert cue_score(asked, some) > cue_score(asked, none)


def test_a_restriction_the_corpus_never_uses_is_worded_otherwise_and_another_laws_institution_has_its_table() -> None:
    """A restriction the corpus never uses does not make a near miss, even when the focus meets the documents only
    through the everyday words (알바: 근로자): it is most often worded otherwise (영업직 for 사업장 밖에서 근로하여). The
    neighbouring law's institution such a question is about (실업급여) is caught by the other laws' table instead."""
    from hanrag.generate.extractive import other_law_terms, unstated_focus
    from hanrag.text.question import analyse

    never = lambda words: {w for w in words if w in ("실업", "급여", "실업급여", "영업직")}
    texts = ["사용자는 근로자에게 임금을 지급하여야 한다."]
    asked = analyse("실업급여 받는 중에 아르바이트를 해도 되나요?")
    assert unstated_focus(asked, texts, never) == ([], [])
    assert [o.law for o in other_law_terms(asked, texts, None)] == ["고용보험법"]
    asked = analyse("영업직으로 일하는 알바도 임금을 받을 수 있나요?")
    assert unstated_focus(asked, texts, never) == ([], [])
    assert other_law_terms(asked, texts, None) == []


def test_a_proviso_carrying_the_number_but_none_of_the_question_does_not_go_first() -> None:
    from hanrag.generate.extractive import ScoredSentence, fact_first
    from hanrag.text.question import analyse

    asked = analyse("6개월 단위 탄력근무를 하면 퇴근 후 다음 출근까지 몇 시간을 쉬어야 하나요?")
    rule = "사용자는 6개월 이내의 단위기간을 평균하여 근로하게 할 수 있다."
    proviso = "다만, 특정한 주의 근로시간은 52시간을 초과할 수 없다."
    ranked = [ScoredSentence(1, rule, 0.32, 0.88, 1.05), ScoredSentence(1, proviso, 0.03, 0.86, 0.4, rule)]
    assert fact_first(asked, ranked)[0].text == rule


def test_a_focus_noun_the_corpus_only_names_elsewhere_is_a_near_miss() -> None:
    from hanrag.generate.extractive import unstated_focus
    from hanrag.text.question import analyse

    asked = analyse("단시간 알바도 최저임금을 다 받을 수 있나요?")
    hits = ["단시간근로자의 근로조건은 통상 근로자의 근로시간을 기준으로 산정한 비율에 따라 결정되어야 한다."]
    used = lambda words: set()  # the corpus uses every word somewhere
    listed = lambda word: ["1. 임금의 결정에 관한 사항 2. 퇴직급여, 상여 및 최저임금에 관한 사항 3. 휴가에 관한 사항"]
    # … no more stated than a noun it never uses: refused unless the rest of the question is well covered ("은행" in
    # "… 은행 담보 대출이나 세금보다 먼저 받을 수 있나요?", only 「은행법」에 따른 은행 elsewhere, is a bank's secured loan)
    assert unstated_focus(asked, hits, used, listed) == ([], ["최저임금"])
    stated = lambda word: ["사용자는 최저임금 이상의 임금을 지급하여야 한다."]
    assert unstated_focus(asked, hits, used, stated) == ([], [])
    assert unstated_focus(asked, hits, used) == ([], [])  # no corpus lookup: retrieval may have missed it


def test_the_index_finds_where_the_corpus_uses_a_word(tmp_path: Path, korean_folder: Path) -> None:
    with Index.open(tmp_path / "ix") as index:
        index.add([korean_folder])
        texts = index._texts_using("유급휴가")
        assert texts and all("유급휴가" in "".join(t.split()) for t in texts)
        assert index._texts_using("비트코인") == []


def test_party_words_say_whom_a_rule_binds_not_what_is_asked() -> None:
    """회사 -> 사용자, 알바 -> 근로자 are left out of the support that exempts an unused focus noun, when that
    noun is a main argument of its own (퇴직금), not a word describing the party (임신 초기 직원) nor a
    restriction (출퇴근 in 출퇴근 시간을 바꿔 달라고 하면)."""
    from hanrag.generate.extractive import _own_focus
    from hanrag.text.question import analyse

    asked = analyse("주 15시간 미만으로 일하는 알바도 퇴직금을 받을 수 있나요?")
    assert ("알바", "근로자") in asked.plain and ("알바", "근로자") not in asked.topical
    assert _own_focus(asked, ["퇴직금"])
    asked = analyse("회사가 직원에게 집안일을 시킬 수 있나요?")
    assert asked.topical == (("집안일", "가사"),)
    asked = analyse("임신 초기 직원은 하루에 몇 시간 근무시간을 줄여 달라고 할 수 있나요?")
    assert not _own_focus(asked, ["임신 초기 직원"])
    asked = analyse("임신한 직원이 출퇴근 시간을 바꿔 달라고 하면 회사가 들어줘야 하나요?")
    assert not _own_focus(asked, ["출퇴근"])


def test_a_sentence_stating_the_focus_scores_above_its_neighbour_that_does_not() -> None:
    """"… 여비를 받을 수 있나요?": ② (귀향 여비를 지급하여야 한다) over ① of 제19조, which covers more of the case."""
    from hanrag.generate.extractive import Piece, cue_score
    from hanrag.text.question import analyse

    asked = analyse("근로조건이 약속과 달라 계약을 해제하고 고향으로 돌아가면 여비를 받을 수 있나요?")
    first = Piece(1, "① 근로자는 즉시 근로계약을 해제할 수 있다.", "")
    second = Piece(1, "① 근로자는 귀향 여비를 받을 수 있다.", "")
    assert cue_score(asked, second) - cue_score(asked, first) >= 0.1 - 1e-9
    # by the statutory term too: 회사 is stated by 사용자
    asked = analyse("회사가 집안일을 시킬 수 있나요?")
    assert cue_score(asked, Piece(1, "사용자는 가사에 종사시키지 못한다.", "")) > cue_score(
        asked, Piece(1, "누구든지 종사시키지 못한다.", ""))


def test_a_compound_the_corpus_never_writes_together_is_a_noun_it_never_uses() -> None:
    from hanrag.generate.extractive import unstated_focus
    from hanrag.text.question import analyse

    asked = analyse("회사가 안전교육을 1년에 몇 시간 해야 하나요?")
    hits = ["근로자의 안전과 보건에 관하여는 「산업안전보건법」에서 정하는 바에 따른다.", "사용자는 직업 교육을 실시한다."]
    used = lambda words: {w for w in words if w == "회사"}  # the corpus uses 안전 and 교육, never 회사
    apart = lambda word: ["근로자의 안전과 보건", "교육을 받은 기간"]
    assert unstated_focus(asked, hits, used, apart) == ([], ["안전교육"])
    together = lambda word: ["사용자는 안전교육을 실시하여야 한다."]
    assert unstated_focus(asked, hits, used, together) == ([], [])
    # the parts in different sentences of the hits do not state the compound
    from hanrag.generate import cues
    assert cues.coverage(("안전", "교육"), hits) == "absent"
    assert cues.coverage(("연차", "휴가"), ["연차 유급휴가를 주어야 한다."]) == "stated"


def test_a_compound_judged_by_its_head_is_the_statutes_compound_of_the_same_meaning() -> None:
    """근무시간 is never written together, but the statute writes 근로시간 on the same head: the embedder takes
    them for one thing, so the question is not refused as about a noun the corpus never uses."""
    from hanrag.generate.extractive import head_compounds, unstated_focus
    from hanrag.text.question import analyse

    asked = analyse("임신한 직원의 근무시간은 하루 몇 시간 줄일 수 있나요?")
    hits = ["사용자는 임신 중인 여성 근로자가 1일 2시간의 근로시간 단축을 신청하는 경우 이를 허용하여야 한다.", "근무 장소를 변경한다."]
    used = lambda words: {w for w in words if w == "회사"}  # the corpus never uses 회사
    apart = lambda word: ["1일 근로시간이 8시간 이상인 경우", "근무 장소를 변경한다."]
    assert head_compounds(("근무", "시간"), apart) == ["근로시간"]
    # … or on its modifier with a head as long: 연장근로 for 연장근무
    assert head_compounds(("연장", "근무"), lambda word: ["연장근로는 1주간에 12시간을 한도로"]) == ["연장근로"]
    _, unused = unstated_focus(asked, hits, used, apart)
    assert any("근무" in w for w in unused)  # without the embedder: a compound the corpus never uses
    same = lambda word, terms: "근로시간" if word == "근무시간" and "근로시간" in terms else None
    assert not any("근무" in w for w in unstated_focus(asked, hits, used, apart, same)[1])
    # a head the corpus writes only with other modifiers (의무교육) keeps 안전교육 unused
    asked = analyse("회사가 안전교육을 1년에 몇 시간 해야 하나요?")
    edu = lambda word: ["의무교육에 지장이 없는 경우", "근로자의 안전과 보건"]
    assert "안전교육" in unstated_focus(asked, ["근로자의 안전과 보건에 관한 사항"], used, edu, same)[1]


def test_a_word_the_corpus_never_uses_is_read_as_its_word_with_another_ending() -> None:
    """일용직 is the statute's 일용근로자, 퇴직금 its 퇴직급여 (named only in a cited law's terms); 휴게실 is no 휴게시간."""
    from hanrag.generate.extractive import stem_sibling, unstated_focus
    from hanrag.text.question import analyse

    corpus = {"일용": ["다만, 대통령령으로 정하는 일용근로자에 대해서는 근로자 명부를 작성하지 아니할 수 있다."],
              "퇴직": ["근로자가 퇴직한 경우", "퇴직급여 제도에 관하여는 「근로자퇴직급여 보장법」이 정하는 대로 따른다."],
              "퇴직급여": ["「근로자퇴직급여 보장법」에 따른 퇴직급여등은 …"],
              "휴게": ["휴게시간을 근로시간 도중에 주어야 한다."]}
    texts = lambda word: corpus.get(word, [])
    means = {"일용직": "일용근로자", "퇴직금": "퇴직급여"}
    meaning_of = lambda word, terms: means[word] if means.get(word) in terms else None
    assert stem_sibling("일용직", texts, meaning_of) == "일용근로자"
    assert stem_sibling("휴게실", texts, meaning_of) is None  # 휴게시간 means no room
    assert stem_sibling("퇴직", texts, meaning_of) is None  # too short to have a stem of two syllables
    never = lambda words: {w for w in words if w in ("일용직", "퇴직금", "회사")}
    hits = ["① 사용자는 각 사업장별로 근로자 명부를 작성하여야 한다.", *corpus["일용"]]
    asked = analyse("하루씩 쓰는 일용직도 회사가 근로자 명부에 올려야 하나요?")
    assert unstated_focus(asked, hits, never, texts, meaning_of) == ([], [])
    assert unstated_focus(asked, hits, never, texts)[1] == ["일용직"]  # without the embedder
    asked = analyse("퇴직금은 몇 년 이상 일해야 받을 수 있나요?")
    assert unstated_focus(asked, ["1년간 80퍼센트 이상 출근한 근로자에게 15일의 유급휴가를 주어야 한다."], never, texts,
                          meaning_of)[0] == ["퇴직금"]


def test_same_meaning_takes_a_passage_cosine_at_the_threshold() -> None:
    import numpy as np

    from hanrag.generate.extractive import SAME_MEANING, ExtractiveAnswerer

    vectors = {"근무시간": np.array([1.0, 0.0]), "근로시간": np.array([SAME_MEANING, (1 - SAME_MEANING**2) ** 0.5]),
               "의무교육": np.array([0.9, (1 - 0.81) ** 0.5])}
    answerer = ExtractiveAnswerer(None, idf=None, embed_passages=lambda ws: np.stack([vectors[w] for w in ws]),
                                  embed_query=None)
    assert answerer.same_meaning("근무시간", ["의무교육", "근로시간"])
    assert not answerer.same_meaning("근무시간", ["의무교육"])
    assert not answerer.same_meaning("근무시간", [])


def test_a_laws_title_block_answers_only_what_it_states(statute_index: Path) -> None:
    """The title block (근로기준법 [시행 2025. 2. 23.] [법률 제20520호 …]) names the law every question about
    it names: it stays out of the hits unless the question asks when the law takes effect or the like."""
    with Index.open(statute_index) as index:
        assert all(h.chunk.kind != "front" for h in index.search("근로기준법은 무엇을 위해 만든 법인가요?"))
        hits = index.search("근로기준법은 언제부터 시행되나요?")
        assert hits[0].chunk.kind == "front"
        answer = index.ask("근로기준법은 언제부터 시행되나요?", hits=hits)
    first = answer.answer.splitlines()[0]
    assert not answer.refused and "시행 2025. 2. 23." in first and "044-202" not in first  # line by line


def test_the_sentence_score_is_the_weights_times_the_features() -> None:
    from hanrag.generate.extractive import (
        CUES,
        FEATURES,
        HAND_WEIGHTS,
        Piece,
        cue_features,
        cue_score,
        weighted,
    )
    from hanrag.text.question import analyse

    asked = analyse("신고를 받은 사용자는 무엇을 해야 하나요?")
    piece = Piece(2, "② 사용자는 지체 없이 객관적으로 조사를 실시하여야 한다.", "", hit_score=0.4, first_of_heading=False)
    values = cue_features(asked, piece)
    assert len(values) == len(CUES) == len(FEATURES) - 2
    assert values[-3:] == [0.5, 0.4, 0.0]  # the hit: reciprocal rank, normalised score, not first of its heading
    # The hand weights leave the hit out: the cues alone, as before the weights were named.
    # states the rule (해야), binds the actor (사용자는), states the focus (사용자), paragraph ②
    assert cue_score(asked, piece) == weighted(values, HAND_WEIGHTS) == pytest.approx(0.05 + 0.05 + 0.1 - 0.015)
    assert cue_score(asked, piece, {**HAND_WEIGHTS, "hit_reciprocal_rank": 1.0}) == pytest.approx(0.185 + 0.5)


def test_weights_are_injected_per_answerer() -> None:
    import numpy as np

    from hanrag.generate.extractive import HAND_WEIGHTS, ExtractiveAnswerer

    answerer = ExtractiveAnswerer(tokenizer=None, idf=None, embed_passages=lambda t: np.ones((len(t), 2)),  # type: ignore[arg-type]
                                  embed_query=lambda q: np.ones(2), lexical_weight=0.6)
    assert answerer.weights["coverage"] == 0.6 and answerer.weights["cosine"] == pytest.approx(0.4)
    other = answerer.with_weights({"hit_score": 0.2})
    assert other.weights["hit_score"] == 0.2 and answerer.weights == {**HAND_WEIGHTS, "coverage": 0.6, "cosine": 1.0 - 0.6}


def test_a_sanction_for_another_paragraph_of_the_rule_is_no_answer(statute_index: Path) -> None:
    """제107조 punishes 제23조 ② (dismissal during 요양 or 산전ㆍ산후 leave), not ①'s dismissal without just cause, for
    which the statute sets no penalty: the rule is quoted, never a penalty it does not carry."""
    with Index.open(statute_index) as index:
        answer = index.ask("정당한 이유 없이 직원을 해고한 사장은 어떤 처벌을 받나요?")
    first = answer.answer.splitlines()[0]
    assert "정당한 이유 없이 해고" in first and "징역" not in first and "벌금" not in first, answer.answer


def test_a_sanction_list_is_quoted_with_the_item_punishing_the_rule(statute_index: Path) -> None:
    """제116조 ② punishes 제51조의2 ⑤ through its item 3: the item says which, after the lead-in stating the fine."""
    with Index.open(statute_index) as index:
        answer = index.ask("6개월 단위 탄력근무를 하면서 임금보전방안을 노동부에 신고하지 않은 사장은 어떤 제재를 받나요?")
    first = answer.answer.splitlines()[0]
    assert "500만원 이하의 과태료" in first and "임금보전방안을 신고하지 아니한 자" in first, answer.answer


def test_an_exception_asked_by_a_concessive_is_quoted_first(statute_index: Path) -> None:
    """"… 늦어져도 지연이자를 물어야 하나요?" asks whether 제37조 ① still binds in the case: its ② sets ① aside for it
    (지급이 늦어져: 지급을 지연하는, the verb by its statutory term)."""
    with Index.open(statute_index) as index:
        answer = index.ask("천재지변 때문에 퇴직금 지급이 늦어져도 지연이자를 물어야 하나요?")
    assert "적용하지 아니한다" in answer.answer.splitlines()[0], answer.answer


def test_a_word_the_corpus_writes_with_another_ending_is_covered_by_it(statute_index: Path) -> None:
    """일용직 is never written; the statute's 일용근로자 is it, so 제41조 ①'s proviso answers for day labourers."""
    with Index.open(statute_index) as index:
        answer = index.ask("하루씩 쓰는 일용직도 회사가 근로자 명부에 올려야 하나요?")
    assert "일용근로자" in answer.answer.splitlines()[0], answer.answer


def test_a_list_item_reads_with_the_sentence_it_completes() -> None:
    """An item of a proviso's list is a case of the exception: it reads with the rule and the proviso; an item of
    "다음 각 호의 조치" with its lead-in; the items of "다음 각 호의 사항을 정하면" (matters to agree) with nothing."""
    import numpy as np

    from hanrag.generate.base import Context
    from hanrag.generate.extractive import ExtractiveAnswerer
    from hanrag.schema import Chunk, ScoreBreakdown, SearchHit

    def context(n: int, text: str) -> Context:
        chunk = Chunk(f"d#{n}", "d", "법.pdf", text, page=1, title=f"법 > 제{n}조(제목)")
        return Context(n, SearchHit(n, chunk, 1.0, ScoreBreakdown({}, 1.0)))

    answerer = ExtractiveAnswerer(tokenizer=None, idf=None, embed_passages=lambda t: np.ones((len(t), 2)),  # type: ignore[arg-type]
                                  embed_query=lambda q: np.ones(2))
    rule = "② 사용자는 임산부를 오후 10시부터 오전 6시까지의 시간에 근로시키지 못한다."
    proviso = "다만, 다음 각 호의 어느 하나에 해당하는 경우로서 인가를 받으면 그러하지 아니하다."
    matters = "① 사용자는 서면 합의에 따라 다음 각 호의 사항을 정하면 근로하게 할 수 있다."
    pieces = answerer._pieces([
        context(70, f"{rule} {proviso}\n1. 18세 미만자의 동의가 있는 경우\n2. 임신 중의 여성이 명시적으로 청구하는 경우"),
        context(52, f"{matters}\n1. 대상 근로자의 범위\n2. 정산기간"),
    ])
    lead = {p.text: (p.lead, p.matters) for p in pieces}
    assert lead["2. 임신 중의 여성이 명시적으로 청구하는 경우"] == (f"{rule} {proviso}", False)
    assert lead[rule] == lead[proviso] == ("", False)
    assert lead["1. 대상 근로자의 범위"] == (matters, True)  # read with it only when a document's contents are asked
    # a proviso between the lead-in and its items (제51조 ②) leaves them matters, read with the rule and the proviso
    limit = "다만, 특정한 주의 근로시간은 52시간을 초과할 수 없다."
    pieces = answerer._pieces([context(51, f"{matters} {limit}\n1. 대상 근로자의 범위\n2. 단위기간")])
    assert {p.text: (p.lead, p.matters) for p in pieces}["2. 단위기간"] == (f"{matters} {limit}", True)


def test_a_term_the_corpus_never_yields_is_covered_inside_a_longer_word() -> None:
    """신분증 (never a term of the corpus) is written inside 신분증명서, which the tokenizer reads as 신분 + 증명서."""
    import numpy as np

    from hanrag.generate.extractive import ExtractiveAnswerer

    class Words:
        def tokenize(self, texts):  # noqa: ANN001, ANN202
            return [[w for w in t.replace("신분증명서", "신분 증명서").split()] for t in texts]

    known = {"신분": 1.0, "증명서": 1.0, "근로감독관": 1.0, "제시": 1.0}
    answerer = ExtractiveAnswerer(Words(), idf=lambda ts: np.array([known.get(t, 5.0) for t in ts]),  # type: ignore[arg-type]
                                  embed_passages=lambda t: np.ones((len(t), 2)), embed_query=lambda q: np.ones(2))
    coverage = answerer._coverage("근로감독관 신분증 제시", ["근로감독관 신분증명서 제시", "근로감독관 제시", "신분 제시"])
    assert coverage[0] == pytest.approx(1.0) and coverage[1] == pytest.approx(2 / 7)
    assert coverage[2] == pytest.approx(1 / 7)  # 신분 alone is not 신분증


def test_a_named_focus_is_not_hidden_by_an_unused_word_of_its_phrase() -> None:
    """"올해 최저임금": 올해 is a word the corpus never uses, 최저임금 one the texts only name in a list of topics;
    the phrase is named (a refusal whatever the support), not merely unused."""
    from hanrag.generate.extractive import unstated_focus
    from hanrag.text.question import analyse

    asked = analyse("올해 최저임금은 한 시간에 얼마인가요?")
    texts = ["5. 「근로자퇴직급여 보장법」 제4조에 따라 설정된 퇴직급여, 상여 및 최저임금에 관한 사항"]
    assert unstated_focus(asked, texts, lambda words: {w for w in words if w == "올해"}) == (["올해 최저임금"], [])


def test_a_law_the_question_names_that_the_texts_cite_is_stated() -> None:
    """"민법으로 손해배상을 받았으면 …": 제87조 cites 「민법」 in the rule asked about; a topic only named stays named."""
    from hanrag.generate.extractive import unstated_focus
    from hanrag.text.question import analyse

    asked = analyse("다친 직원이 민법으로 손해배상을 받았으면 회사가 재해보상을 또 해줘야 하나요?")
    texts = ["제87조(다른 손해배상과의 관계) 보상을 받게 될 사람이 동일한 사유에 대하여 「민법」이나 그 밖의 법령에 따라 "
             "이 법의 재해보상에 상당한 금품을 받으면 그 가액의 한도에서 사용자는 보상의 책임을 면한다."]
    assert unstated_focus(asked, texts, lambda words: set()) == ([], [])
    asked = analyse("최저임금을 지급하지 않으면 벌금은 얼마인가요?")
    texts = ["5. 「근로자퇴직급여 보장법」 제4조에 따라 설정된 퇴직급여, 상여 및 최저임금에 관한 사항"]
    assert unstated_focus(asked, texts, lambda words: set())[0] == ["최저임금"]


def test_a_restriction_written_only_as_a_cited_laws_term_apart_from_the_rest_of_the_question_is_named() -> None:
    from hanrag.generate.extractive import unstated_focus
    from hanrag.text.question import analyse

    attendance = "3. 「남녀고용평등과 일ㆍ가정 양립 지원에 관한 법률」 제19조제1항에 따른 육아휴직으로 휴업한 기간"
    dismissal = "① 사용자는 근로자에게 정당한 이유 없이 해고, 휴직, 정직, 전직, 감봉, 그 밖의 징벌을 하지 못한다."
    none = lambda words: set()
    for question in ("육아휴직 중인 근로자를 해고할 수 있나요?", "육아휴직을 쓰려면 며칠 전까지 회사에 신청해야 하나요?"):
        assert unstated_focus(analyse(question), [attendance, dismissal], none)[0] == ["육아휴직"], question
    # written with the rest of the question, the cited term is the rule's own
    checkup = ("① 사용자는 임신한 여성근로자가 「모자보건법」 제10조에 따른 임산부 정기건강진단을 받는데 필요한 시간을 "
               "청구하는 경우 이를 허용하여 주어야 한다.")
    assert unstated_focus(analyse("임신한 근로자가 정기건강진단 시간을 청구하면 허용해야 하나요?"), [checkup], none) == ([], [])


def test_a_list_of_matters_states_its_topics_for_a_question_asking_what_a_document_must_hold() -> None:
    """A topic item ("…에 관한 사항") only names its topic (최저임금 in 제93조 sets no 최저임금), except for a question
    asking what the document must hold: 제99조's list is what a 기숙사규칙 must state."""
    from hanrag.generate.extractive import unstated_focus
    from hanrag.text.question import analyse

    texts = ["① 사용자는 다음 각 호의 사항에 관하여 기숙사규칙을 작성하여야 한다. 1. 기상(起床), 취침, 외출과 외박에 관한 사항"]
    never = lambda words: set()  # noqa: E731
    assert unstated_focus(analyse("기숙사 규칙에 외박 같은 내용도 넣어야 하나요?"), texts, never) == ([], [])
    assert unstated_focus(analyse("외박은 한 달에 몇 번 할 수 있나요?"), texts, never)[0] == ["외박"]


def test_a_list_item_is_quoted_after_the_sentence_leading_into_its_list() -> None:
    from hanrag.generate.extractive import ScoredSentence, quoted

    lead_in = "다만, 다음 각 호의 어느 하나에 해당하는 경우에는 그러하지 아니하다. <개정 2010. 6. 4., 2019. 1. 15.>"
    item = ScoredSentence(1, "1. 근로자가 계속 근로한 기간이 3개월 미만인 경우", 1.0, 1.0, 1.0, lead_in=lead_in)
    assert quoted(item) == "다만, 다음 각 호의 어느 하나에 해당하는 경우에는 그러하지 아니하다. 1. 근로자가 계속 근로한 기간이 3개월 미만인 경우"
    proviso = ScoredSentence(1, lead_in, 1.0, 1.0, 1.0)
    assert quoted(item, [proviso]) == item.text  # its lead-in quoted already
    assert quoted(proviso) == lead_in


def test_a_rule_for_a_group_the_question_is_not_about_comes_after_the_general_rule() -> None:
    from hanrag.generate.extractive import Piece, cue_score
    from hanrag.text.question import analyse

    general = Piece(1, "② 1일의 근로시간은 휴게시간을 제외하고 8시간을 초과할 수 없다.", "제50조(근로시간)")
    youth = Piece(1, "제69조(근로시간) 15세 이상 18세 미만인 사람의 근로시간은 1일에 7시간, 1주에 35시간을 초과하지 못한다.", "제69조(근로시간)")
    assert cue_score(analyse("하루에 몇 시간 넘게 일하면 법정 근로시간을 넘는 건가요?"), youth) < \
        cue_score(analyse("하루에 몇 시간 넘게 일하면 법정 근로시간을 넘는 건가요?"), general)
    asked = analyse("고등학생 알바는 하루에 몇 시간까지 일할 수 있나요?")
    assert cue_score(asked, youth) >= cue_score(asked, general)
    # a rule for several groups is one for each: not set after the general rule for a question on one of them
    both = Piece(1, "③ 제1항과 제2항은 15세 이상 18세 미만의 근로자와 임신 중인 여성 근로자에 대하여는 적용하지 아니한다.", "제51조")
    scheme = Piece(1, "② 사용자는 근로자대표와의 서면 합의에 따라 3개월 이내의 단위기간을 평균하여 …", "제51조")
    asked = analyse("임신한 직원도 탄력근무제로 어떤 날은 길게 일하게 할 수 있나요?")
    assert cue_score(asked, both) - cue_score(asked, scheme) > -0.1


def test_a_count_stated_on_the_other_side_of_the_bound_asked_is_another_case() -> None:
    from hanrag.generate.extractive import Piece, cue_score, states_given
    from hanrag.text.question import analyse

    asked = analyse("주말 휴일에 8시간 안으로 일하면 수당은 통상임금의 몇 퍼센트를 더 받나요?")
    assert states_given(asked, "1. 8시간 이내의 휴일근로: 통상임금의 100분의 50")
    assert not states_given(asked, "2. 8시간을 초과한 휴일근로: 통상임금의 100분의 100")
    # … and counts against the sentence: "80퍼센트 이상 출근한" is the other case of "80%가 안 되는데" (% as 퍼센트)
    asked = analyse("작년에 병가를 오래 써서 출근한 날이 80%가 안 되는데, 그럼 올해 연차는 며칠이 생기나요?")
    main = Piece(1, "제60조(연차 유급휴가) ① 사용자는 1년간 80퍼센트 이상 출근한 근로자에게 15일의 유급휴가를 주어야 한다.",
                 "제60조(연차 유급휴가)")
    under = Piece(1, "② 사용자는 … 1년간 80퍼센트 미만 출근한 근로자에게 1개월 개근 시 1일의 유급휴가를 주어야 한다.",
                  "제60조(연차 유급휴가)")
    assert states_given(asked, under.text) and not states_given(asked, main.text)
    assert cue_score(asked, under) - cue_score(asked, main) > 0.15


def test_another_laws_institution_is_a_near_miss_unless_the_documents_state_it() -> None:
    """A question naming a neighbouring law's institution (실업급여: 고용보험법) is about it, however well the rest is
    covered; the documents decide: a corpus stating it (고용보험법 itself) answers, and so does a rule that writes it
    as a cited law's term together with the rest of the question."""
    from hanrag.generate.extractive import other_law_terms
    from hanrag.text.question import analyse, other_law_names, read_other_laws

    table = read_other_laws("실업\\s*급여\t고용보험법\n육아\\s*휴직\t남녀고용평등법\n")
    question = "회사를 그만두면 실업 급여를 받을 수 있나요?"
    asked = replace(analyse(question), other_laws=other_law_names(question, table))
    assert asked.other_laws == (("실업 급여", "고용보험법", "실업급여"),)
    rules = ["근로자가 퇴직한 경우에는 사용자는 그 지급 사유가 발생한 때부터 14일 이내에 임금을 지급하여야 한다."]
    assert other_law_terms(asked, rules, lambda word: []) == list(asked.other_laws)
    insurance_act = lambda word: ["이직한 피보험자는 실업급여를 받을 수 있다."]
    assert other_law_terms(asked, rules, insurance_act) == []

    question = "육아휴직 기간도 연차를 줄 때 출근한 것으로 보나요?"
    asked = replace(analyse(question), other_laws=other_law_names(question, table))
    cited = ["⑥ 다음 각 호의 어느 하나에 해당하는 기간은 출근한 것으로 본다. "
             "3. 「남녀고용평등과 일ㆍ가정 양립 지원에 관한 법률」 제19조제1항에 따른 육아휴직으로 휴업한 기간"]
    named_only = lambda word: cited
    assert other_law_terms(asked, cited, named_only) == []
    assert other_law_terms(asked, ["3. 「남녀고용평등과 일ㆍ가정 양립 지원에 관한 법률」 제19조제1항에 따른 육아휴직"],
                           named_only) == [("육아휴직", "남녀고용평등법", "육아휴직")]


def test_the_refusal_names_the_law_that_governs_another_laws_institution() -> None:
    from hanrag.generate.extractive import near_miss_refusal, topic_particle

    assert near_miss_refusal(["연말정산"], [], {"연말정산": "소득세법"}) == (
        f"{REFUSAL} 문서는 '연말정산'에 대해 정하지 않습니다. (참고: '연말정산'은 보통 「소득세법」에서 정합니다.)")
    # a term of several laws: the table names them with ", "
    assert near_miss_refusal(["4대보험"], [], {"4대보험": "국민건강보험법, 국민연금법"}).endswith(
        "(참고: '4대보험'은 보통 「국민건강보험법」, 「국민연금법」에서 정합니다.)")
    assert (topic_particle("실업급여"), topic_particle("퇴직연금"), topic_particle("4대 보험")) == ("는", "은", "은")


def test_other_law_names_takes_the_longest_term_as_written() -> None:
    from hanrag.text.question import other_law_names, read_other_laws

    table = read_other_laws("# 남녀고용평등법\n배우자\\s*출산\\s*휴가\t남녀고용평등법\n출산\\s*휴가\\s*급여\t고용보험법\n"
                            "건강\\s*보험\t국민건강보험법\n고용\\s*허가\t외국인고용법\n")
    assert other_law_names("배우자 출산휴가 급여는 얼마인가요?", table) == (("배우자 출산휴가", "남녀고용평등법", "배우자출산휴가"),)
    assert other_law_names("출산휴가는 며칠인가요?", table) == ()
    # named to the end of the word, its particle left out, never cut into the table's match (고용허가, not 고용허)
    assert other_law_names("월급에서 건강보험료를 떼나요?", table) == (("건강보험료", "국민건강보험법", "건강보험"),)
    assert other_law_names("고용허가로 온 직원", table)[0].written == "고용허가"
    # the nouns holding the match, not the verb or particle after it
    table = read_other_laws("성희롱\t남녀고용평등법\n최저\\s*임금\\s*보다\\s*적\t최저임금법\n계약직으로\\s*2년\t기간제법\n")
    assert [o.written for o in other_law_names("사장이 직원을 성희롱하면 회사는 무엇을 해야 하나요?", table)] == ["성희롱"]
    assert [o.written for o in other_law_names("최저임금보다 적게 줘도 되나요?", table)] == ["최저임금"]
    assert [o.written for o in other_law_names("계약직으로 2년 넘게 일하면?", table)] == ["계약직"]


@pytest.mark.parametrize(
    "question",
    [  # a list item reads with the sentence it completes: 제60조 ⑥ 3. 「남녀고용평등…」에 따른 육아휴직으로 휴업한 기간
        "육아휴직으로 쉰 기간도 연차 휴가 받을 때 출근한 것으로 보나요?",
    ],
)
def test_statute_a_cited_laws_term_in_an_item_answers_with_its_lead_in(statute_index: Path, question: str) -> None:
    with Index.open(statute_index) as index:
        answer = index.ask(question)
    assert not answer.refused and "육아휴직으로 휴업한 기간" in answer.answer.splitlines()[0], answer.answer


def test_statute_a_neighbouring_laws_institution_is_refused_naming_its_law(statute_index: Path) -> None:
    with Index.open(statute_index) as index:
        answer = index.ask("연말정산 서류는 언제까지 회사에 내야 하나요?")
    assert answer.refused and "'연말정산'" in answer.answer and "「소득세법」" in answer.answer, answer.answer


def test_a_list_item_states_its_rule_and_subject_with_the_sentence_it_completes() -> None:
    """"2. 근로자가 … 반환을 요구할 때에는 즉시 이에 따를 것" is 사용자's duty through its lead-in ("② 사용자가 …
    다음 각 호의 사항을 지켜야 한다"): it states the asked rule and binds the asked actor, as its lead-in does; an
    item of a list of matters does not, unless a document's contents are asked."""
    from hanrag.generate.extractive import FEATURES, Piece, cue_features
    from hanrag.text.question import analyse

    asked = analyse("회사가 맡아 둔 제 저축 통장을 돌려 달라고 하면 회사가 바로 돌려줘야 하나요?")
    lead = "② 사용자가 근로자의 위탁으로 저축을 관리하는 경우에는 다음 각 호의 사항을 지켜야 한다."
    item = "2. 근로자가 저축증서 등 관련 자료의 열람 또는 반환을 요구할 때에는 즉시 이에 따를 것"
    cue = dict(zip(FEATURES[2:], cue_features(asked, Piece(1, item, "제22조(강제 저금의 금지)", lead=lead))))
    assert cue["states_asked_rule"] == cue["binds_asked_actor"] == 1.0
    bare = dict(zip(FEATURES[2:], cue_features(asked, Piece(1, item, "제22조(강제 저금의 금지)", lead=lead, matters=True))))
    assert bare["states_asked_rule"] == bare["binds_asked_actor"] == 0.0


def test_the_object_of_a_situation_read_as_one_rules_case_is_no_topic_the_documents_lack() -> None:
    """생활비 in "생활비를 미리 빌려 썼는데": the table reads the situation as 전차금, one article's own case; the
    asker's noun for what was borrowed is no topic of its own. A common act (체불: the whole wage chapter) absorbs none."""
    from hanrag.generate.extractive import unstated_focus
    from hanrag.text.question import analyse

    asked = analyse("입사할 때 사장님한테 생활비를 미리 빌려 썼는데, 사장님이 그 돈을 제 월급에서 알아서 까고 준다고 하네요. 이래도 되나요?")
    rule = "사용자는 전차금이나 그 밖에 근로할 것을 조건으로 하는 전대채권과 임금을 상계하지 못한다."

    def never(words):  # the statute never uses 생활비
        return {w for w in words if w == "생활비"}

    assert unstated_focus(asked, [rule], never, lambda word: [rule] if "전차금" in word else []) == ([], [])
    common = [rule] * 4  # 전차금 as common in the corpus as 체불
    assert unstated_focus(asked, [rule], never, lambda word: common if "전차금" in word else [])[1] != []
