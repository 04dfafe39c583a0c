"""What a Korean question asks: the nouns it is about, the kind of fact it wants, its modality.

Used by the extractive answerer to pick the sentence that answers and to refuse near misses.
The analysis is Kiwi's (part-of-speech tags), whatever tokenizer the index uses: only the
surface forms of nouns leave this module, and they are matched against sentence text.

Focus nouns are the nouns of the main clause's arguments, the phrases marked as topic
(은/는/도), subject (이/가) or object (을/를), with their 의-modifiers. Arguments of a
conditional or concessive clause (…하면, …하려면, …해도) and of a clause modifying a noun
(입사 1년이 안 된 근로자) are set aside: they restrict the question and are often worded
differently from the documents (월급날 for 지급기일), while the main arguments name what is asked.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import NamedTuple

from hanrag.recent import Recent
from hanrag.text.base import analysable, base_tag
from hanrag.text.kiwi import load_kiwi

# Nouns that say how a question asks, not what it is about.
GENERIC_NOUNS = frozenset(
    "경우 방법 사람 것 수 때 등 최대 최소 이상 이하 미만 초과 얼마 무엇 누구 언제 어디 몇 며칠 종류 기준 사항 내용 "
    "대상 기간 요건 조건 절차 이유 정도 차이 의미 뜻 관련 해당 어떤 무슨 일 하루 매년 매월 문제 "
    # where within a whole the asked part lies (90일 가운데 출산 후에): a selection, not a topic
    "가운데 사이 동안 "
    # the asker's own time (올해 연차는 며칠, 작년에 …): when the question is told, not what it is about
    "올해 작년 내년 지난해 요즘 요새 지금 오늘 어제 내일 이번 저번 지난번 최근 평소 종일 "
    # The sanction asked for (어떤 처벌을 받나요?, 벌금이 얼마인가요?) is the kind of answer, not what the
    # question is about: that is the rule broken (직원을 때린 사장).
    "처벌 벌금 과태료 징역 벌칙".split()
)
# The topic's value asked with a copula: "…은 얼마인가요?", "…는 누구인가?", "…은 몇 퍼센트인가요?".
_WH_COPULA = re.compile(r"[은는]\s*(?:얼마|누구|무엇|언제|어디|몇\s*\S+?)\s*(?:인가|입니까|이에요|예요|일까|이야|이지|였|이었)")
_ASKING_WORDS = {"어떤", "무슨", "어느", "몇", "어떠한"}
_ARGUMENT_PARTICLES = {"JKS", "JKO", "JKC"}
_TOPIC_FORMS = {"은", "는", "도", "ᆫ"}
# Connective endings that close a conditional, concessive or background clause (…면, …어도, …는데, …면서).
_SUBORDINATE_ENDINGS = re.compile(r"^(으?면|으?려면|려고|아도|어도|여도|라도|라고|다고|어서|아서|고서|자|는데|은데|ᆫ데|던데|으?면서|다면서)$")
_NOUN_RUN_TAGS = {"NNG", "NNP", "XSN", "SN", "NNB", "SL", "SH", "XPN"}

# Asked quantity -> a pattern its answer must carry.
_NUMBER = r"\d[\d,]*(?:\.\d+)?"
ANSWER_TYPES: dict[str, re.Pattern[str]] = {
    "percent": re.compile(rf"(?:100분의\s*{_NUMBER}|{_NUMBER}\s*(?:퍼센트|%|할)|\d+분의\s*\d+)"),
    "days": re.compile(rf"{_NUMBER}\s*일"),
    "hours": re.compile(rf"{_NUMBER}\s*시간"),
    "minutes": re.compile(rf"{_NUMBER}\s*분(?!의)"),
    "years": re.compile(rf"{_NUMBER}\s*년"),
    "months": re.compile(rf"{_NUMBER}\s*(?:개월|달)"),
    "weeks": re.compile(rf"{_NUMBER}\s*주"),
    "times": re.compile(rf"{_NUMBER}\s*(?:회|번)"),
    "people": re.compile(rf"{_NUMBER}\s*(?:명|인)"),
    "age": re.compile(rf"{_NUMBER}\s*(?:세|살)"),
    "multiple": re.compile(rf"{_NUMBER}\s*배"),
    "money": re.compile(rf"{_NUMBER}\s*(?:원|만원|억)"),
    "duration": re.compile(rf"{_NUMBER}\s*(?:시간|분(?!의))"),
    "period": re.compile(rf"{_NUMBER}\s*(?:일|주|개월|달|년)"),
    "amount": re.compile(rf"{_NUMBER}\s*(?:일분|분의|퍼센트|%|원|만원|억|시간|분|일|년|개월|배|회|번|명|세)|100분의"),
    # A date or an hour (1950년, 6월 25일, 10시), not a count (15일의 휴가, 3년 이상, 1년간).
    "when": re.compile(r"(?:이내|전에|전까지|후에|까지|즉시|지체\s*없이|시기|기일|날|때|기한|\d{3,4}\s*년(?!간)|\d+\s*월(?:\s*\d+\s*일)?|\d+\s*(?:시|세기)(?![간분]))"),
    # A deadline (언제까지): a bound in time, not the case a rule applies in (… 사유가 발생한 때에는).
    "deadline": re.compile(r"(?:이내|전에|전까지|까지|즉시|지체\s*없이|기한|기일)"),
    "sanction": re.compile(r"징역|벌금|과태료|자격정지"),
    "purpose": re.compile(r"목적으로\s*(?:한다|하며|하고)"),
    "where": re.compile(r"(?:위원회|장관|법원|기관|관청|지청|공단|센터|사무소|에게|장소|곳에)"),
    # where a matter is set: a statute leaves it to a decree ("… 방법은 대통령령으로 정한다")
    # … or a body fixing it ("… 세부절차는 … 중앙노동위원회가 정하는 바에 따른다")
    "regulation": re.compile(r"(?:대통령령|[가-힣]*부령|총리령|조례)(?:으)?로\s*정|정하는\s*바에\s*따른다"),
    # who decides: the party a rule leaves the decision to ("… 금융기관을 근로자가 결정하고", "근로자와 사용자가 …
    # 결정하여야 한다")
    "decider": re.compile(r"[가-힣][이가]\s+(?:[^.]{0,60}?\s)?결정"),
    # what a thing counts as: a statute deems it so ("… 기간은 출근한 것으로 본다", "대기시간 등은 근로시간으로 본다")
    "deemed": re.compile(r"[가-힣]\s*으?로\s*(?:본다|보아|보며|보고|보지|보는)"),
}
# A question asking the sanction for breaking a rule: 어떤 처벌을 받나요?, 벌금은 얼마인가요?
_ASKS_SANCTION = re.compile(r"처벌|벌금|과태료|징역|벌칙|벌을\s*받"
                            # the statute's 제재 is a worker's discipline (제95조); asked of the employer it is a sanction
                            r"|(?:사장|회사|사용자|사업주)님?(?:은|는|이|가|도)\s*(?:[가-힣]+\s+)?(?:어떤|무슨)\s*제재")
_ASKED = [  # question wording -> answer type; first match wins
    (_ASKS_SANCTION, "sanction"),
    # A law states its purpose in its first article: "이 법은 … 함을 목적으로 한다".
    (re.compile(r"(?:무엇|뭘|무얼|뭐)을?\s*위해|목적은|취지는|왜\s*만들"), "purpose"),
    (re.compile(r"몇\s*(?:퍼센트|%|프로)|비율|(?:율|률)은\s*얼마"), "percent"),
    (re.compile(r"며칠|몇\s*일(?!까지)"), "days"),
    (re.compile(r"몇\s*시간"), "hours"),
    (re.compile(r"몇\s*분"), "minutes"),
    (re.compile(r"몇\s*(?:년|해)"), "years"),
    (re.compile(r"몇\s*(?:개월|달)"), "months"),
    (re.compile(r"몇\s*주"), "weeks"),
    (re.compile(r"몇\s*(?:번|회|차례)"), "times"),
    (re.compile(r"몇\s*(?:명|사람)"), "people"),
    (re.compile(r"몇\s*(?:세|살)"), "age"),
    (re.compile(r"몇\s*배"), "multiple"),
    # 금액 asks money only as what is asked ("보상 금액은 얼마"), not as a condition ("보상금액이 납득되지 않으면")
    (re.compile(r"몇\s*원|금액[은는이가]?\s*(?:얼마|몇)"), "money"),
    # 휴게시간은 얼마, 정산기간은 얼마: the asked noun names the unit of its value.
    (re.compile(r"시간[은는이가]?\s*얼마"), "duration"),
    (re.compile(r"기간[은는이가]?\s*얼마"), "period"),
    (re.compile(r"얼마"), "amount"),
    (re.compile(r"언제\s*까지"), "deadline"),
    (re.compile(r"언제"), "when"),
    (re.compile(r"어디(?:에|에서|서)\s*(?:정해|정하|정한|나와|규정)"), "regulation"),
    (re.compile(r"누가\s*(?:어떻게\s*)?(?:정하|정해|정할|결정)"), "decider"),
    (re.compile(r"어디(?:에|로|서)|누구에게"), "where"),
    # 출근한 걸로 쳐주나요, 일한 시간으로 치나요, 급한 사정으로 보나요, 그 시간대로 인정되나요
    (re.compile(r"(?:걸|것으|[가-힣]으|[가-힣])로\s*(?:쳐\s*주|쳐\s*줘|치나|치는|칠\s*수|봐\s*주|보나|보는지|인정되|인정해|인정받)"
                r"|어떻게\s*(?:쳐\s*주|쳐\s*줘|치나|인정)"), "deemed"),
]
# Everyday words and the term Korean statutes write for them (the plain-language pairs of 법제처's
# 알기 쉬운 법령 work, read the way users ask): a sentence stating the statutory term covers the everyday
# word. Never a term of a neighbouring law's own (출산휴가 is not 출산전후휴가 when 배우자 출산휴가 is
# asked): a near miss must stay a near miss. A word with another reading costs little (only a sentence
# that also states the statutory term gains); where the other reading is common, the pattern asks for context
# (넘기다 is 양도 only after 에게).
# The pairs live in data/everyday_words.tsv (one per line: pattern, term, an optional "# why").


def _table_text(variable: str, bundled: str, path: str | None) -> str:
    """A term table's text: the file at ``path`` (default ``$variable``), else the bundled data/``bundled``."""
    path = path if path is not None else os.environ.get(variable)
    if path:
        try:
            return Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"{variable}={path}: cannot read it ({exc.__class__.__name__})") from exc
    return files("hanrag").joinpath(f"data/{bundled}").read_text(encoding="utf-8")


def read_term_table(text: str, name: str, second: str = "term") -> tuple[tuple[re.Pattern[str], str], ...]:
    """The (pattern, value) pairs of a term table's ``text``: tab-separated ``pattern<TAB>value[<TAB># why]``
    lines, ``#`` lines and blank lines skipped; a malformed line raises ValueError naming ``name`` and the line."""
    pairs = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 2 or not fields[0] or not fields[1] or (len(fields) > 2 and not fields[2].startswith("#")):
            raise ValueError(f"{name} line {number}: expected 'pattern<TAB>{second}[<TAB># why]': {line!r}")
        try:
            pairs.append((re.compile(fields[0]), fields[1]))
        except re.error as exc:
            raise ValueError(f"{name} line {number}: bad pattern {fields[0]!r}: {exc}") from exc
    return tuple(pairs)


def everyday_words_text(path: str | None = None) -> str:
    """The table's text: the file at ``path`` (default ``$HANRAG_EVERYDAY_WORDS``, read once at import, for a
    corpus of another domain), else the bundled data/everyday_words.tsv (labour law)."""
    return _table_text("HANRAG_EVERYDAY_WORDS", "everyday_words.tsv", path)


def read_everyday_words(text: str | None = None) -> tuple[tuple[re.Pattern[str], str], ...]:
    """The (pattern, statutory term) pairs of ``text`` (default: ``everyday_words_text()``)."""
    return read_term_table(everyday_words_text() if text is None else text, "everyday_words.tsv")


# The institutions of neighbouring laws as users name them (실업급여: 고용보험법; 연말정산: 소득세법), each with
# the law that governs it: a question about one is a near miss unless the documents themselves state it
# (extractive.other_law_terms). Written question-blind from the bundled statute and the neighbouring laws:
# a line never names what the statute itself regulates (출산휴가 is its 출산전후휴가; 배우자 출산휴가 is not).
# The pairs live in data/other_laws.tsv (pattern, law, an optional "# why"); ``$HANRAG_OTHER_LAWS`` puts
# another domain's table in its place (an empty file: none).


def other_laws_text(path: str | None = None) -> str:
    """The table's text: the file at ``path`` (default ``$HANRAG_OTHER_LAWS``, read once at import), else the
    bundled data/other_laws.tsv (the neighbours of labour law)."""
    return _table_text("HANRAG_OTHER_LAWS", "other_laws.tsv", path)


def read_other_laws(text: str | None = None) -> tuple[tuple[re.Pattern[str], str], ...]:
    """The (pattern, law) pairs of ``text`` (default: ``other_laws_text()``)."""
    return read_term_table(other_laws_text() if text is None else text, "other_laws.tsv", second="law")


OTHER_LAWS: tuple[tuple[re.Pattern[str], str], ...] = read_other_laws()
STATUTORY_TERMS: tuple[tuple[re.Pattern[str], str], ...] = read_everyday_words()
def _same_word(everyday: str, word: str) -> bool:
    return everyday == word or (len(word) >= 2 and everyday.startswith(word) and len(everyday) == len(word) + 1)


# The statutory names of the parties a rule binds (사용자, 근로자, …): a table word mapped to one of them
# (회사, 알바) says whom the question is about, not what it asks; see ``Question.parties``.
PARTY_TERMS = frozenset({"사용자", "사업주", "근로자", "수급인", "하수급인"})
# Questions of rule: can / cannot / must.
_ASKS_PERMISSION = re.compile(r"(?:ㄹ|을|를|할|쓸|줄|볼|될)?\s*수\s*(?:있|없)[나는을습]|도\s*(?:되|돼|괜찮)")
# "때려도 되나요", "줘도 괜찮나요": the connective 어도 before these asks permission, it closes no clause.
_PERMITTED = frozenset({"되", "돼", "괜찮"})
_ASKS_OBLIGATION = re.compile(r"(?:해야|하여야|줘야|주어야|내야|받아야)\s*(?:하|되)"
                               # any verb before 야 하나요 (올려야, 써야, 알려야): a duty asked
                               r"|(?:어야|아야|여야|워야|려야|겨야|져야|켜야|셔야|와야|봐야|써야|춰야)\s*(?:하|되|돼|합)")
# Asking the exception: by name, or by a concessive ("…하는데 그래도 되나요?", "…인데도", "…더라도": whether the rule
# still holds in the question's case).
_ASKS_EXCEPTION = re.compile(r"예외|다만|제외|않아도|안 해도|그래도|는데도|인데도|더라도"
                             # a concessive clause before a duty asked: "… 늦어져도 지연이자를 물어야 하나요?"
                             r"|[아어여져해와워]도\s[^?]*야\s*(?:하나|하는|합니|되나|돼)")
# "X란 무엇인가요", "X이란?", "어떤 행동이 X에 해당하나요", "… 법에서 말하는 X에 들어가나요": the meaning of X is asked.
_ASKS_MEANING = re.compile(r"((?:[가-힣]+\s+){0,2}[가-힣]+?)(?:(?<=[가-힣])이)?란(?=\s|\?|$)"
                           r"|((?:[가-힣]+\s+){0,2}[가-힣]+)에\s*(?:해당하|들어가|포함되|속하)")
# "'소정근로시간'이라고 적혀 있던데, 무슨 뜻이에요?": a term quoted and its meaning asked.
_QUOTED_TERM = re.compile(r"['‘\"“]([가-힣]+(?:\s+[가-힣]+){0,2})['’\"”]\s*(?:이)?(?:라고|라는|란)")
_ASKS_WHAT_MEANS = re.compile(r"뜻|의미|무슨\s*말")
# Words asking for a ceiling: a statute states one as "…을 초과할 수 없다", "…을 한도로" (cues.states_ceiling).
_LIMIT_WORDS = re.compile(r"한도|상한|최대|최고")


@dataclass(frozen=True)
class Case:
    """A condition a question gives by a clause: its predicate's stem as written (원하, 받), the noun
    of its subject or object right before it (복직, 구제신청), and whether it is negated. For a clause
    modifying a noun, that noun too (``head``: 직원 in 괴롭힘을 신고한 직원에게): the case is stated either
    way, "괴롭힘을 신고하면" or "신고한 근로자"."""

    noun: str
    stem: str
    negated: bool
    head: str = ""


_NEGATIONS = {"않", "아니", "못", "없", "안"}


def _case(tokens: list, end: int, clause: list[list]) -> Case | None:
    """The condition of the clause ending at ``tokens[end]`` (…으면, …려면, …은 + noun), or None when
    its predicate is not a verb with a written stem (a copula, a bare 되)."""
    negated = False
    j = end - 1
    while j >= 0 and base_tag(str(tokens[j].tag)) in ("VX", "VCN", "EC", "EP", "MAG") and tokens[j].form != "하":
        negated |= tokens[j].form in _NEGATIONS
        j -= 1
    if j < 0:
        return None
    tag = base_tag(str(tokens[j].tag))
    if tag in ("VV", "VA"):
        stem = tokens[j].form
        k = j - 1
        negated |= k >= 0 and tokens[k].form in _NEGATIONS  # 못 하면, 안 되면
    elif tag in ("XSV", "XSA"):  # 원하, 신청하, 해고되: the noun and its suffix
        k = j
        while k > 0 and base_tag(str(tokens[k - 1].tag)) in ("NNG", "XSN", "XPN"):
            k -= 1
        stem = "".join(t.form for t in tokens[k:j + 1])
    else:
        return None
    # The argument must end right before the predicate (복직을 원하지 않으면) and in a noun of its own
    # (not 1년이 안 된): a verb alone (해고하려면, 부당해고된) describes more than it restricts.
    if not clause or clause[-1][-1].start + clause[-1][-1].len + 4 < tokens[k].start:
        return None
    if base_tag(str(clause[-1][-1].tag)) not in ("NNG", "NNP", "SL"):
        return None
    noun = "".join(t.form for t in _written_together(
        [t for t in clause[-1] if base_tag(str(t.tag)) in ("NNG", "NNP", "SL")])[-1])
    return Case(noun, stem, negated) if len(noun) >= 2 else None


@dataclass(frozen=True)
class Question:
    text: str
    # What the question is about: the main clause's nouns, grouped as written together
    # (국민연금 보험료율 -> ("국민연금",), ("보험료",)); generic words (경우, 기간) left out.
    focus: tuple[tuple[str, ...], ...] = ()
    phrases: tuple[str, ...] = ()  # the main arguments as written, for messages ("국민연금 보험료율")
    answer_type: str | None = None
    modality: str | None = None  # "permission" | "obligation" | None
    asks_exception: bool = False
    asks_contents: bool = False  # what a document must hold (``asks_contents``): its list of matters answers
    nouns: tuple[str, ...] = field(default=())  # every noun of the question
    # Words that only ask (경우 in 어떤 경우에, 직책 in 어떤 직책을, 수 없 in 할 수 없나요): not what
    # the question is about.
    asking: tuple[str, ...] = ()
    # Every noun group of the question outside the focus (the arguments of conditional and
    # modifying clauses: 파견 in 근로자 파견이 금지되는 업무는): they restrict what is asked, so a
    # document that only names them, or never uses them, does not answer either.
    restricting: tuple[tuple[str, ...], ...] = ()
    # Of those, the subjects and objects of the clauses set aside (파견근로자 in 파견근로자를 2년
    # 넘게 쓰면): what a question with no main argument is about.
    set_aside: tuple[tuple[str, ...], ...] = ()
    # Numbers with their unit that the question gives (2주 in 2주 단위 …, 18세 in 18세 미만인): the
    # case asked about, squashed.
    given: tuple[str, ...] = ()
    # Of those, the ones given as a point (두 달밖에 안 된, 17살), not as a bound (1년 미만인): a statute's bound holding
    # them states the case too (3개월 미만, 18세 미만).
    points: tuple[str, ...] = ()
    # Of those, the ones given as a bound with the side it asks (8시간 안으로: ("8시간", "at_most")): a sentence
    # stating the count on the other side (8시간을 초과한) is another case.
    sides: tuple[tuple[str, str], ...] = ()
    # Everyday words of the question with the statutory term for each (집안일 -> 가사).
    plain: tuple[tuple[str, str], ...] = ()
    # The conditions the question gives in words (복직을 원하지 않으면, 구제신청을 받은): the case asked about.
    cases: tuple[Case, ...] = ()
    # Words asking for a ceiling (한도, 최대): covered by a sentence stating one (40시간을 초과할 수 없다).
    limits: tuple[str, ...] = ()
    # For a question of rule (may / must), who it binds as the question words it: its topic or
    # subject (사용자 in 신고를 받은 사용자는 무엇을 해야 하나요?); None otherwise.
    actor: str | None = None
    # Laws the question names as written (근로기준법 in 근로기준법 기준에 …): a statute calls itself "이 법".
    laws: tuple[str, ...] = ()
    # Institutions of neighbouring laws the question names, each with its law (실업급여, 고용보험법).
    other_laws: tuple[OtherLawTerm, ...] = ()
    # Terms whose meaning the question asks, squashed: "X란 무엇인가요", "어떤 행동이 X에 해당하나요", or what a
    # question that is not of rule is about ("평균임금은 어느 기간 동안 받은 임금으로 계산하나요?").
    defines: tuple[str, ...] = ()
    # The act the main clause asks about, as a verbal noun (해고 in 그 직원을 해고할 수 있나요?): None when its
    # predicate is no noun + 하다.
    act: str | None = None
    # Whether the question asks if something falls under a term ("… 계약직도 근로자에 들어가나요?", "… 에 해당하나요").
    asks_membership: bool = False

    def statutory(self, word: str) -> str | None:
        """The statutory term for an everyday word of the question (written without spaces)."""
        return next(iter(self.terms_of(word)), None)

    def terms_of(self, word: str) -> tuple[str, ...]:
        """Every statutory term for an everyday word of the question (사장: 사용자, 사업주), also for the noun of a
        noun group whose one-syllable suffix the group leaves out (중학 of 중학생) and the noun a phrase ends on."""
        squashed = "".join(word.split())
        # A phrase of the table is the noun it ends on, too: 가족 in "같이 사는 가족" (동거하는 친족).
        return tuple(dict.fromkeys(term for everyday, term in self.plain
                                   if _same_word("".join(everyday.split()), squashed)
                                   or (len(everyday.split()) > 1 and _same_word(everyday.split()[-1], squashed))))

    @property
    def topical(self) -> tuple[tuple[str, str], ...]:
        """``plain`` without the party words (회사 -> 사용자, 알바 -> 근로자): the everyday words that say
        what the question asks, not whom the rule binds."""
        return tuple(pair for pair in self.plain if pair[1] not in PARTY_TERMS)

    @property
    def unshared(self) -> tuple[str, ...]:
        """Asking words the answer need not repeat: the modal 수 있/없 and generic nouns (어떤 경우에).
        An asking noun with content (어떤 직책을) is usually repeated by the answer (직책은 …)."""
        return tuple(w for w in self.asking if w in GENERIC_NOUNS or w in ("수", "있", "없"))


# A number with its unit, as a question gives it (longer units first: 시간 before 시, 만원 before 원).
_GIVEN = re.compile(r"(?<![\d.,])(\d[\d,]*(?:\.\d+)?)\s*(개월|시간|시(?!간)|주|일|년|월|분|세|살|명|회|번|배|퍼센트|%|만원|원|억)")


# The unit a statute writes for the one a user says: 2달 is 2개월, 17살 is 17세, 3번 is 3회, 두 해 is 2년.
_STATUTE_UNIT = {"달": "개월", "살": "세", "번": "회", "해": "년"}
# Numbers users write in words with a counter (두 달, 석 달, 열 명, 한 번): the native numerals up to twenty.
_NATIVE_NUMBERS = {"한": 1, "하나": 1, "두": 2, "둘": 2, "세": 3, "석": 3, "서": 3, "네": 4, "넉": 4, "다섯": 5, "여섯": 6,
                   "일곱": 7, "여덟": 8, "아홉": 9, "열": 10, "열한": 11, "열두": 12, "스무": 20}
_NATIVE_GIVEN = re.compile(
    rf"(?<![가-힣])({'|'.join(sorted(_NATIVE_NUMBERS, key=len, reverse=True))})\s*(달|시간|주|명|번|살|해)(?!째)"
    r"(?=$|[\s?.,]|이|가|을|를|은|는|도|만|밖|동안|간|정도|쯤|반|씩)"  # not 에: 하루에, 한 달에 give a rate, no case
)
# Days counted in words: 하루, 이틀, … 열흘, 보름; a week is 일주일.
_DAY_WORDS = {"하루": "1일", "이틀": "2일", "사흘": "3일", "나흘": "4일", "닷새": "5일", "엿새": "6일", "이레": "7일",
              "열흘": "10일", "보름": "15일", "일주일": "1주"}
_DAY_GIVEN = re.compile(rf"(?<![가-힣])({'|'.join(_DAY_WORDS)})(?=$|[\s?.,]|이|가|을|를|은|는|도|만|밖|동안|정도|쯤)")


def _given(question: str) -> list[tuple[int, int, str]]:
    """Each count the question gives: its span and its squashed form in the statute's units."""
    found = [(m.start(), m.end(), m.group(1) + _STATUTE_UNIT.get(m.group(2), m.group(2))) for m in _GIVEN.finditer(question)]
    found += [(m.start(), m.end(), f"{_NATIVE_NUMBERS[m.group(1)]}{_STATUTE_UNIT.get(m.group(2), m.group(2))}")
              for m in _NATIVE_GIVEN.finditer(question)]
    found += [(m.start(), m.end(), _DAY_WORDS[m.group(1)]) for m in _DAY_GIVEN.finditer(question)]
    return sorted(found)


def given_numbers(question: str) -> tuple[str, ...]:
    """The numbers with their unit that ``question`` gives, in the statute's units (squashed: "2주", "18세",
    "10시"; 두 달 and 2달 as "2개월", 하루 as "1일")."""
    return tuple(dict.fromkeys(g for _, _, g in _given(question)))


# A bound a statute states on a count: "3개월 미만", "18세 이상", "2주 이내" (명 also written 인: "5인 이상").
_BOUND = re.compile(r"(?<![\d.,])(\d[\d,]*)\s*(개월|년|주|일|시간|세|명|인|회)\s*(미만|이하|이내|이상|초과)")
_PER = {("년", "개월"): 12, ("주", "일"): 7}
_SAME_UNIT = {"인": "명"}
# Two bounds written one after the other ("5인 이상 30명 미만", "15세 이상 18세 미만인") are one range: a count
# falls within it only inside both.
_RANGE_GAP = re.compile(r"\s*(?:부터|에서)?\s*")


def _in_units(value: float, unit: str, wanted: str) -> float | None:
    unit, wanted = _SAME_UNIT.get(unit, unit), _SAME_UNIT.get(wanted, wanted)
    if unit == wanted:
        return value
    if (unit, wanted) in _PER:
        return value * _PER[(unit, wanted)]
    if (wanted, unit) in _PER:
        return value / _PER[(wanted, unit)]
    return None


def within(text: str, given: str) -> bool:
    """Whether ``text`` states a bound that the squashed count ``given`` falls within: 2개월 in "3개월 미만",
    17세 in "18세 미만", 10일 in "2주 이내", 12명 in "5인 이상 30명 미만" (not 2개월 in "3개월 이상", nor 12명
    in "30명 이상 300명 미만")."""
    number = re.match(r"\d[\d,]*", given)
    if number is None:
        return False
    value, unit = float(number.group().replace(",", "")), given[number.end():]
    ranges: list[list[re.Match[str]]] = []
    for m in _BOUND.finditer(text):
        if ranges and _RANGE_GAP.fullmatch(text[ranges[-1][-1].end():m.start()]):
            ranges[-1].append(m)
        else:
            ranges.append([m])

    def holds(m: re.Match[str]) -> bool | None:
        bound = _in_units(float(m.group(1).replace(",", "")), m.group(2), unit)
        if bound is None:
            return None
        return {"미만": value < bound, "이하": value <= bound, "이내": value <= bound,
                "이상": value >= bound, "초과": value > bound}[m.group(3)]

    for bounds in ranges:
        held = [h for h in map(holds, bounds) if h is not None]
        if held and all(held):
            return True
    return False


# A count the question gives as a bound itself ("1년 미만인", "30명이 안 되는", "주 52시간을 넘겨서"): a case of
# its own bound, not a point a statute's bound holds.
_GIVEN_BOUND = re.compile(r"^\s*(?:이|가|을|를|은|는|도)?\s*(?:미만|이하|이상|초과|이내|넘|안\s*[되된돼]|못\s*[되된돼]|까지|보다|이\s*안|이\s*넘|안으로|안에)")


def given_points(question: str) -> tuple[str, ...]:
    """Of ``given_numbers``, those the question gives as a point (입사한 지 두 달밖에 안 된, 17살), not as a bound."""
    return tuple(dict.fromkeys(g for _, end, g in _given(question)
                               if question[end:].lstrip().startswith("밖에") or not _GIVEN_BOUND.match(question[end:])))


# Which side of a count a question gives as a bound asks ("8시간 안으로": at most; "주 52시간을 넘겨서": more), and
# which side a statute's sentence states it on ("8시간 이내의 휴일근로", "8시간을 초과한 휴일근로").
_ASKED_SIDE = (("at_most", re.compile(r"^\s*(?:이|가|을|를|은|는|도)?\s*(?:미만|이하|이내|안으로|안에|까지|안\s*[되된돼]|못\s*[되된돼]|이\s*안)")),
               ("more", re.compile(r"^\s*(?:이|가|을|를|은|는|도)?\s*(?:이상|초과|넘|이\s*넘)")))
_STATED_SIDE = (("at_most", re.compile(r"^\s*(?:을|를|이|가)?\s*(?:미만|이하|이내|까지)")),
                ("more", re.compile(r"^\s*(?:을|를|이|가)?\s*(?:이상|초과|넘)")))


def given_sides(question: str) -> tuple[tuple[str, str], ...]:
    """The counts ``question`` gives as a bound, each with the side it asks ("at_most" or "more")."""
    found = []
    for _, end, given in _given(question):
        side = next((name for name, pattern in _ASKED_SIDE if pattern.match(question[end:])), None)
        if side and not question[end:].lstrip().startswith("밖에"):
            found.append((given, side))
    return tuple(dict.fromkeys(found))


def stated_side(text: str, given: str) -> str | None:
    """The side of the count ``given`` that ``text`` states it on, where it states one right after it."""
    m = _count_in(text, given)
    if m is None:
        return None
    return next((name for name, pattern in _STATED_SIDE if pattern.match(text[m.end():])), None)


def repeats(text: str, given: str) -> bool:
    """Whether ``text`` states the squashed number with unit ``given`` (2주 in "2주 이내" or "2 주",
    not in "12주"); only the gap between the number and its unit may hold a space."""
    return _count_in(text, given) is not None


def _count_in(text: str, given: str) -> re.Match[str] | None:
    """Where ``text`` writes the squashed number with unit ``given`` (see ``repeats``)."""
    number = re.match(r"\d[\d,]*(?:\.\d+)?", given)
    if number is None:
        return None
    unit = given[number.end():]
    # a percentage is written either way: 80% asked, "80퍼센트 미만" stated
    written = r"(?:%|퍼센트)" if unit in ("%", "퍼센트") else re.escape(unit)
    return re.search(rf"(?<![\d.,]){re.escape(number.group())}\s*{written}", text)


# A law's name: a compound ending in 법 or 법률 (근로기준법, 최저임금법), not inside 「」 and not the
# everyday 방법 (해결방법).
_LAW_NAME = re.compile(r"(?<![「가-힣])[가-힣]{2,}법(?:률)?(?![가-힣]*」)(?=[은는이가을를의에과와도상]|\s|$)")


def law_names(question: str) -> tuple[str, ...]:
    """The names of laws ``question`` gives (근로기준법)."""
    return tuple(dict.fromkeys(m.group() for m in _LAW_NAME.finditer(question) if not m.group().endswith("방법")))


def statutory_terms(question: str) -> tuple[tuple[str, str], ...]:
    """The everyday words of ``question`` that a statute writes otherwise, each with that term."""
    return tuple((m.group(), term) for pattern, term in STATUTORY_TERMS for m in pattern.finditer(question))


class OtherLawTerm(NamedTuple):
    """A neighbouring law's institution as a question names it: the word as written, the law, the table's match
    (squashed: what the documents are searched for)."""
    written: str
    law: str
    term: str


def other_law_names(question: str, table: Sequence[tuple[re.Pattern[str], str]] | None = None,
                    tokens: Sequence | None = None) -> tuple[OtherLawTerm, ...]:
    """The institutions of neighbouring laws ``question`` names (``OTHER_LAWS``), each with its law, written as the
    run of nouns holding the table's match (Kiwi ``tokens`` of the question, analysed here when not given):
    건강보험료 for a 건강보험 pattern, 성희롱 of 성희롱하면, 최저임금 of a match 최저임금보다 적게; the longest where two
    overlap (배우자 출산휴가, not 출산휴가 too)."""
    found = sorted(((m.start(), m.end(), law) for pattern, law in (OTHER_LAWS if table is None else table)
                    for m in pattern.finditer(question) if m.group().strip()), key=lambda f: (f[0], -f[1]))
    if not found:
        return ()
    if tokens is None:
        tokens = load_kiwi(1).tokenize(analysable(question))
    nouns = [(t.start, t.start + t.len) for t in tokens if base_tag(str(t.tag)) in _NOUN_RUN_TAGS - {"NNB"}]
    named: list[OtherLawTerm] = []
    last = -1
    for start, end, law in found:
        if start < last:
            continue
        last = end
        term = "".join(question[start:end].split())
        overlapping = [(a, b) for a, b in nouns if a < end and b > start]
        if overlapping:
            # the nouns from the first the match touches, written together or apart by spaces only (배우자 출산휴가),
            # within the match and then as far as they run on (개인형 퇴직 + 연금); not past a particle (계약직으로 2년)
            match_end, (start, end) = end, min(overlapping)
            while (follow := next((b for a, b in nouns if a >= end and not question[end:a].strip()
                                   and (a == end or a < match_end)), None)) is not None:
                end = follow
        named.append(OtherLawTerm(question[start:end].strip(), law, term))
    return tuple(dict.fromkeys(named))


# Whether a document must hold a matter: "기숙사 규칙에 외박 같은 내용도 넣어야 하나요?" is answered by the list of
# matters the rules must state (제99조 "… 외출과 외박에 관한 사항"), where such a list item only names a topic for
# any other question (최저임금 in 제93조's list sets no 최저임금).
_ASKS_CONTENTS = re.compile(r"(?:넣어야|적어야|적혀\s*있어야|기재해야|포함(?:해야|되어야|돼야)|들어가야|담아야)")


def asks_contents(question: str) -> bool:
    """Whether ``question`` asks what a document must state (…에 넣어야/적어야/포함되어야 하나요?)."""
    return bool(_ASKS_CONTENTS.search(question))


def asks_sanction(question: str) -> bool:
    """Whether ``question`` asks the sanction for breaking a rule ("직원을 때린 사장은 어떤 처벌을 받나요?")."""
    return bool(_ASKS_SANCTION.search(question))


# A question word inside an embedded question ("어느 날 몇 시간 일할지도 … 적어야 하나요?", "얼마 동안 넣을지는 누가
# 정하나요?"): the clause ends in -ㄹ지/-는지 with the main clause asking a rule or another thing after it.
_EMBEDDED = re.compile(r"(?:몇|며칠|얼마|언제|어디|누구|무엇|무슨|어느)[^?.,!]{0,20}?(?:[할될줄쓸볼갈올일을릴]|는|은|인)지"
                       r"(?:도|는|를|가)?(?=\s)")
_ASKS_TO_TELL = re.compile(r"알려|알고\s*싶|궁금|말해|가르쳐|설명|확인")


def main_question(question: str) -> str:
    """``question`` without its embedded questions whose main clause asks something else: a rule (적어야 하나요) or
    another question word (누가 정하나요). "… 며칠 줘야 하는지 알려 주세요" keeps its embedded question: it is what is asked."""
    for found in reversed(list(_EMBEDDED.finditer(question))):
        rest = question[found.end():]
        if not _ASKS_TO_TELL.search(rest):
            question = question[:found.start()] + rest
    return question


def answer_type(question: str) -> str | None:
    question = main_question(question)
    for pattern, kind in _ASKED:
        if pattern.search(question):
            return kind
    return None


def asking_words(question: str) -> str | None:
    """The words that ask the answer type ("몇 배" in "… 몇 배까지 배상 명령을 할 수 있나요?"), as written."""
    question = main_question(question)
    for pattern, _ in _ASKED:
        found = pattern.search(question)
        if found:
            return found.group()
    return None


def carries(text: str, kind: str | None, question: str = "") -> bool:
    """Whether ``text`` states a fact of the asked kind (a number with the asked unit, ...) other
    than one the ``question`` already gives: "8시간 일하면 휴게시간은 얼마인가요?" is not answered
    by "… 8시간을 초과할 수 없다"."""
    if kind is None:
        return True
    given = given_numbers(question)
    return any(not any(ch.isdigit() for ch in m.group()) or not _restates(m.group(), given)
               for m in ANSWER_TYPES[kind].finditer(text))


def _restates(found: str, given: Sequence[str]) -> bool:
    """Whether a number with its unit (8시간) is one the question gives (8시간 일하면; ``given_numbers``)."""
    return any(g in given for g in given_numbers(found))


_recent: Recent[Question] = Recent(256)


def analyse(question: str) -> Question:
    """The question's focus nouns, asked fact and modality (remembered per text)."""
    return _recent.get_or_compute([question], lambda texts: [_analyse(t) for t in texts])[0]


def _written_together(words: list) -> list[list]:
    """Nouns in runs written without spaces: 국민연금 보험료 -> [[국민연금], [보험료]]."""
    groups: list[list] = []
    for word in words:
        if groups and word.start == groups[-1][-1].start + groups[-1][-1].len:
            groups[-1].append(word)
        else:
            groups.append([word])
    return groups


def _ends_on_topic(tokens: list) -> bool:
    """Whether the question ends right after a topic particle (…의 이름은?)."""
    rest = [t for t in tokens if base_tag(str(t.tag)) not in ("SF", "SW", "SS")]
    return bool(rest) and base_tag(str(rest[-1].tag)) == "JX" and rest[-1].form in _TOPIC_FORMS


def _is_topic(tokens: list, i: int, tag: str) -> bool:
    if tag == "JX":
        return tokens[i].form in _TOPIC_FORMS
    return tokens[i + 1].form in _TOPIC_FORMS


def _analyse(question: str) -> Question:
    tokens = load_kiwi(1).tokenize(analysable(question))
    clause: list[list] = []  # subject and object phrases since the last clause boundary
    kept: list[list] = []  # topic phrases: they belong to the main clause wherever they stand
    run: list = []
    modifier: list[list] = []  # the arguments of the clause modifying the noun after it
    modified: dict[int, list[list]] = {}  # topic (index in kept) -> its modifying clause's arguments
    dropped: list[list] = []  # the arguments of every clause set aside
    nouns: list[str] = []
    asking: list[str] = []
    cases: list[Case] = []
    subjects: list[list] = []  # the runs marked as subject (이/가)
    boundary = -1  # the last token closing a clause set aside
    for i, token in enumerate(tokens):
        tag = base_tag(str(token.tag))
        if i and tag in ("NNG", "NNB") and tokens[i - 1].form in _ASKING_WORDS:
            asking.append(token.form)
        if token.form == "수" and tag == "NNB" and i + 1 < len(tokens) and tokens[i + 1].form in ("있", "없"):
            asking += ["수", tokens[i + 1].form]  # 할 수 있나요 / 할 수 없나요: asks may or may not
        if tag in ("NNG", "NNP") and len(token.form) >= 2:
            nouns.append(token.form)
        if tag in _NOUN_RUN_TAGS or tag == "JKG":
            run.append(token)
            continue
        nxt = base_tag(str(tokens[i + 1].tag)) if i + 1 < len(tokens) else ""
        if run and tag in ("JX", "JKB") and (tag == "JX" or nxt == "JX") and _is_topic(tokens, i, tag):
            if modifier:
                modified[len(kept)] = modifier
            kept.append(run)  # 휴가는, 사고도, 계약서에는, 계약서에서도: the topic
            run = []
            continue
        if run and (tag in _ARGUMENT_PARTICLES or tag == "JC"):
            if tag == "JKS":
                subjects.append(run)
            clause.append(run)  # subject, object, and the first of two joined by 과/와
            run = []
            continue
        run = []
        if tag == "SF" and token.form in (".", "!") and "?" in question[token.start:]:
            # A sentence telling the story before the one that asks ("… 자리도 창고 옆으로 옮겨 버렸어요. … 직장 내
            # 괴롭힘이 될 수 있나요?"): its topics and arguments are the situation, not what is asked.
            boundary = i
            dropped += kept + clause
            kept, clause, modifier, modified = [], [], [], {}
            continue
        asks_leave = tag == "EC" and token.form in ("아도", "어도", "여도") and i + 1 < len(tokens) and tokens[i + 1].form in _PERMITTED
        closes_clause = (tag == "EC" and not asks_leave and _SUBORDINATE_ENDINGS.match(token.form)) or (
            tag == "ETM" and nxt in ("NNG", "NNP")  # a clause modifying the noun after it
        )
        if closes_clause:
            boundary = i
            found = _case(tokens, i, clause)
            if found and tag == "ETM" and not found.negated:
                head = "".join(t.form for t in _written_together(
                    [t for t in tokens[i + 1:i + 4] if base_tag(str(t.tag)) in ("NNG", "NNP")])[:1][0])
                if len(head) >= 2 and head not in GENERIC_NOUNS:
                    found = Case(found.noun, found.stem, found.negated, head)
            if found:
                cases.append(found)
            modifier = clause if tag == "ETM" else []
            dropped += clause
            clause = []
        elif tag not in ("XSV", "XSA", "VV", "VA", "VX", "EP", "ETM", "VCN", "MAG"):
            modifier = []
    phrases = kept + clause
    acts = [t.form for t, after in zip(tokens[boundary + 1:], tokens[boundary + 2:])
            if base_tag(str(t.tag)) == "NNG" and base_tag(str(after.tag)) == "XSV" and len(t.form) >= 2
            and t.form not in GENERIC_NOUNS]
    asked_with = tuple(w for w in dict.fromkeys(asking) if sum(t.form == w for t in tokens) == 1)
    # "…한 사람의 이름은?", "공동주택의 층수는 얼마인가?", "국민연금 보험료율은 몇 퍼센트인가요?": the
    # head of a modified topic that the question ends on, or asks the value of, is the asked
    # attribute; the modifier (국민연금) is what the question is about.
    asks_topic = bool(kept) and (_ends_on_topic(tokens) or bool(_WH_COPULA.search(question)))
    # "근로자 파견이 금지되는 업무는 무엇인가요?": the asked topic is what its clause says it is, so
    # that clause's arguments are what the question is about too.
    if asks_topic and len(kept) - 1 in modified:
        phrases = modified[len(kept) - 1] + phrases
    if asks_topic:
        groups = _written_together([t for t in kept[-1] if base_tag(str(t.tag)) in ("NNG", "NNP", "SL")])
        if len(groups) > 1:
            asked_with += tuple(t.form for t in groups[-1])
    focus: list[tuple[str, ...]] = []
    written: list[str] = []
    for phrase in phrases:
        words = [t for t in phrase if base_tag(str(t.tag)) in ("NNG", "NNP", "SL")]
        for group in _written_together(words):
            parts = tuple(
                t.form for t in group if len(t.form) >= 2 and t.form not in GENERIC_NOUNS and t.form not in asked_with
            )
            # Kiwi may read a name as one noun with a space (알렉산더 헤이그): one group per word.
            focus.extend([(w,) for w in parts[0].split()] if len(parts) == 1 and " " in parts[0] else [parts] if parts else [])
        if words:
            written.append(question[words[0].start:phrase[-1].start + phrase[-1].len])
    skipped = set(GENERIC_NOUNS) | set(asked_with)

    def outside_focus(tokens_: list) -> list[tuple[str, ...]]:
        found = []
        for group in _written_together([t for t in tokens_ if base_tag(str(t.tag)) in ("NNG", "NNP", "SL")]):
            parts = tuple(t.form for t in group if len(t.form) >= 2 and t.form not in skipped)
            if parts and parts not in focus and not any(set(parts) <= set(f) for f in focus):
                found.append(parts)
        return found

    restricting = outside_focus(tokens)
    # Who the rule asked about binds: the main clause's topic, else its subject (사용자 in 신고를 받은
    # 사용자는 무엇을 해야 하나요?, 사용자가 근로자를 때려도 되나요?).
    bearers = kept[:1] or [r for r in subjects if any(r is c for c in clause)][:1]
    heads = [t.form for r in bearers for t in r if base_tag(str(t.tag)) in ("NNG", "NNP")]
    actor = heads[-1] if heads and heads[-1] not in GENERIC_NOUNS else None
    set_aside = [g for run in dropped for g in outside_focus(run)]
    modality = "permission" if _ASKS_PERMISSION.search(question) else "obligation" if _ASKS_OBLIGATION.search(question) else None
    # the phrase before 란 / 에 해당하, up to three words: each of its endings (행동이 직장 내 괴롭힘 -> 직장 내 괴롭힘)
    defines = [" ".join(words[i:]) for m in _ASKS_MEANING.finditer(question)
               for words in [(m.group(1) or m.group(2)).split()] for i in range(len(words))]
    if _ASKS_WHAT_MEANS.search(question):
        defines += [m.group(1) for m in _QUOTED_TERM.finditer(question)]
    if modality is None:
        defines += ["".join(group) for group in focus]
    return Question(
        text=question,
        focus=tuple(dict.fromkeys(focus)),
        restricting=tuple(dict.fromkeys(restricting)),
        set_aside=tuple(dict.fromkeys(set_aside)),
        phrases=tuple(written),
        answer_type=answer_type(question),
        plain=statutory_terms(question),
        laws=law_names(question),
        other_laws=other_law_names(question, tokens=tokens),
        cases=tuple(dict.fromkeys(cases)),
        given=given_numbers(question),
        points=given_points(question),
        sides=given_sides(question),
        modality=modality,
        defines=tuple(dict.fromkeys("".join(d.split()) for d in defines)),
        actor=actor if modality else None,
        act=acts[-1] if acts else None,
        asks_exception=bool(_ASKS_EXCEPTION.search(question)),
        asks_membership=any(m.group(2) for m in _ASKS_MEANING.finditer(question)),
        asks_contents=asks_contents(question),
        limits=tuple(dict.fromkeys(m.group() for m in _LIMIT_WORDS.finditer(question))),
        nouns=tuple(dict.fromkeys(nouns)),
        asking=asked_with,
    )
