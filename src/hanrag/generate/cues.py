"""What a sentence of a Korean document does: states a rule or an exception, lists items, or only
mentions a term that another law defines. Used by the extractive answerer to pick the sentence that
answers and to tell a document that covers a topic from one that only names it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Literal

# 「근로자퇴직급여 보장법」, 「…에 관한 법률」, 「…시행령」: the name of another law. (Brackets around the
# title of a book or film are not: a question may well be about that work.)
_LAW = r"(?:법|법률|령|규칙|규정|조례|협약|고시)"
_CITED_NAME = re.compile(rf"「[^」]{{1,80}}{_LAW}」")
# 「고용보험법」 제13조 및 제15조에 따른 피보험자격 취득에 관한 자료: what follows "…에 따른" after a cited
# law is that law's term, not this document's; it runs to the first word carrying a particle.
_CITED_TERM = re.compile(
    rf"{_LAW}」(?:\s*(?:제\d+조(?:의\d+)?(?:제\d+항)?(?:제\d+호)?(?:\s*(?:및|또는|ㆍ|,)\s*)?)*)?\s*에\s*(?:따른|따라|의한|규정된)\s*"
    r"(?:[^\s.,]+\s+){0,3}?[^\s.,]*?(?:을|를|은|는|이|가|의|에|으로|로|과|와|등|및)(?=\s|$)"
)
# An enumerated item that only names a topic ("8. 출산전후휴가ㆍ육아휴직 등 … 에 관한 사항").
_TOPIC_ITEM = re.compile(r"(?:^|\s)\d+(?:의\d+)?\.\s[^\n]*?에\s*관한\s*사항(?=\s+\d+(?:의\d+)?\.\s|\s*$|\s*[②-⑳])")
# "1. … 2. …": numbered items run together.
_ITEM = re.compile(r"(?:(?<=\s)|^)(\d{1,2}(?:의\d+)?)\.\s")
_NOTE_SPAN = re.compile(r"\[[^\[\]]*\]|<[^<>]*>")
_PARAGRAPH = {chr(c): c - 0x2460 + 1 for c in range(0x2460, 0x2474)}  # ① .. ⑳
_EXCEPTION = re.compile(r"^\s*(?:[①-⑳]\s*)?(?:다만|단,)")
_RULE_VERBS = {
    "permission": re.compile(r"(?:수\s*(?:있|없)|못한다|못하|아니\s*된다|금지|허용)"),
    "obligation": re.compile(r"야\s*(?:한다|하며|하고|할)"),  # 하여야, 지켜야, 내줘야: every ending in -야 하다
}

Coverage = Literal["stated", "mentioned", "absent"]


# A supplementary provision saying from when an amendment applies ("제60조제6항제4호 … 의 개정규정은 … 육아기 근로시간
# 단축 … 을 시작하는 경우부터 적용한다"): it names the cases, it sets no rule on them.
_APPLIES_FROM = re.compile(r"개정규정은[^.]{0,200}?적용한다")


def mention_spans(text: str, cited_terms: bool = True, topics: bool = True) -> list[tuple[int, int]]:
    """Spans of ``text`` that only name something: cited laws, a supplementary provision's cases of application,
    their terms (unless not ``cited_terms``), topic-list items (unless not ``topics``)."""
    spans = [m.span() for m in _CITED_NAME.finditer(text)] + [m.span() for m in _APPLIES_FROM.finditer(text)]
    if cited_terms:
        spans += [m.span() for m in _CITED_TERM.finditer(text)]
    if topics:
        spans += [m.span() for m in _TOPIC_ITEM.finditer(text)]
    return spans


def without_law_names(text: str) -> str:
    """``text`` with the names of other laws it cites blanked (「근로자퇴직급여 보장법」 holds neither a
    근로자 nor a 퇴직 of this text's own)."""
    return _CITED_NAME.sub(lambda m: " " * len(m.group()), text)


_NOTE = re.compile(r"\s*<(?:전문)?(?:개정|신설|제목개정|본조신설)[^>]*>")  # "<개정 2010. 6. 4., 2019. 1. 15.>"


def without_notes(text: str) -> str:
    """``text`` without the amendment notes a statute's sentences carry ("<개정 2010. 6. 4.>")."""
    return _NOTE.sub("", text).strip()


def outside_mentions(text: str, cited_terms: bool = True, topics: bool = True) -> str:
    """``text`` with its mentions blanked (same length, so offsets hold)."""
    chars = list(text)
    for start, end in mention_spans(text, cited_terms, topics):
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def coverage(parts: Sequence[str], texts: Sequence[str], stated: Sequence[str] | None = None) -> Coverage:
    """Whether ``texts`` state what the noun group ``parts`` (written together in the question) names.

    The compound as written (최저임금) is looked for first: if it occurs only in mentions, the texts
    only name it. If it does not occur as written, every part must occur (연차 … 휴가 for 연차휴가).
    ``stated`` may pass ``outside_mentions`` of ``texts`` already computed.
    """
    stated = stated if stated is not None else [outside_mentions(t) for t in texts]
    compound = "".join(parts)
    if any(compound in s for s in stated):
        return "stated"
    if any(compound in t for t in texts):
        return "mentioned"
    if len(parts) > 1 and any(all(p in s for p in parts) for s in stated):
        return "stated"
    if any(all(p in t for p in parts) for t in texts):
        return "mentioned"
    if any(compound in "".join(s.split()) for s in stated):  # 리처드닉슨 for 리처드 닉슨
        return "stated"
    return "absent"


# "이 법은", "이 법에서", "이 법률에 따른": how a statute names itself (not 이 법인, a corporation).
_THIS_LAW = re.compile(r"(?<![가-힣])이\s?법(?:률)?(?=[은는이가을를의에과와도]|\s|$)")


def names_itself(text: str) -> bool:
    """Whether ``text`` refers to its own law as "이 법"."""
    return bool(_THIS_LAW.search(text))


def cites(text: str, law: str) -> bool:
    """Whether ``text`` cites ``law`` as another law (「근로자퇴직급여 보장법」; spacing ignored)."""
    squashed = "".join(law.split())
    return any("".join(m.group()[1:-1].split()) == squashed for m in _CITED_NAME.finditer(text))


_ARTICLE = re.compile(r"^(제\d+조(?:의\d+)?)\((.+)\)$")
# 제28조에 따른 구제신청, 제60조제2항에 따른 유급휴가: a reference and the noun it qualifies.
# "제80조, 제82조 또는 제84조에 따른 보상금": each article of a list of references.
_ARTICLE_REF = r"제\d+조(?:의\d+)?(?!\()(?:제\d+항)?(?:제\d+호)?"
_REFERENCE = re.compile(rf"((?:{_ARTICLE_REF}\s*(?:,|또는|및|ㆍ)\s*)*{_ARTICLE_REF})\s*(?:에\s*따른|의|에서\s*정한)\s*([가-힣]+)")
_REFERRED = re.compile(r"제\d+조(?:의\d+)?")


def article_titles(headings: Iterable[str]) -> dict[str, str]:
    """Article label -> its title, from section headings ("제28조(부당해고등의 구제신청)")."""
    found = (_ARTICLE.match(h.strip()) for h in headings if h)
    return {m.group(1): m.group(2) for m in found if m}


def cited_titles(text: str, titles: dict[str, str]) -> list[str]:
    """The titles of the articles ``text`` refers to for a thing the title names, where known:
    "제28조에 따른 구제신청" is 제28조(부당해고등의 구제신청)'s 구제신청, so it is a 부당해고 구제신청;
    "제56조에 따른 가산임금" says nothing of 제56조(연장ㆍ야간 및 휴일 근로)'s 야간. Each article of a
    list counts, and a noun headed as a compound title is (보상금 in "제80조, 제82조 또는 제84조에 따른
    보상금" is 제80조(장해보상)'s and 제82조(유족보상)'s: 보상 heads both)."""
    found = []
    for m in _REFERENCE.finditer(text):
        for label in _REFERRED.findall(m.group(1)):
            title = titles.get(label, "")
            words = [re.sub(r"(?:등의|의|등)$", "", w) for w in re.split(r"[\sㆍ,]+", title)]
            if any(len(w) >= 2 and m.group(2).startswith(w) or len(w) >= 4 and m.group(2).startswith(w[-2:])
                   for w in words):
                found.append(title)
    return list(dict.fromkeys(found))


_CEILING = re.compile(r"초과할\s*수\s*없|초과하지\s*(?:못|아니하는\s*범위)|초과하여서는\s*아니|넘지\s*못|넘을\s*수\s*없|한도로|한도에서")


def states_ceiling(text: str) -> bool:
    """Whether ``text`` states a ceiling the way statutes do ("40시간을 초과할 수 없다", "12시간을 한도로")."""
    return bool(_CEILING.search(text))


_PARENTHESES = re.compile(r"\([^()]*\)")
_NEGATED = re.compile(r"^\S{0,3}\s*(?:않|아니|못|없)")


def states_case(text: str, nouns: Sequence[str], stem: str, negated: bool, heads: Sequence[str] = ()) -> bool:
    """Whether ``text`` states the condition "noun + verb" (any of ``nouns``, as written or by its
    statutory term) with the same polarity: 원직복직을 원하지 아니하면 for 복직을 원하지 않으면;
    parentheses (原職復職) are skipped. Or, for a clause modifying a noun, the verb modifying it (any of
    ``heads``): "신고한 근로자" for 괴롭힘을 신고한 직원; only a stem of two or more syllables (신고하, not 받)."""
    plain = _PARENTHESES.sub("", text)
    if heads and len(stem) >= 2 and not negated:
        verb = re.escape(stem[:-1]) + "[한할함]" if stem.endswith("하") else re.escape(stem) + "[가-힣]{0,2}"
        if any(re.search(rf"{verb}\s+{re.escape(head)}", plain) for head in heads):
            return True
    for noun in nouns:
        for m in re.finditer(rf"{re.escape(noun)}\S{{0,3}}\s*{re.escape(stem)}", plain):
            before = plain[max(0, m.start() - 3):m.start()]
            if bool(_NEGATED.match(plain[m.end():])) == negated or (negated and "못" in before):
                return True
    return False


# "2. 대상 근로자의 범위 ④ 사용자는 …", "③ 삭제<2017. 11. 28.> ④ 사용자는 …": a paragraph mark after a
# space opens a new paragraph, whatever the sentence splitter made of the text before it.
_PARAGRAPH_START = re.compile(r"(?<=\s)(?=[②-⑳]\s)")


def split_paragraphs(text: str) -> list[str]:
    """``text`` cut before each paragraph mark (② … ⑳) it runs on into; parentheses are not cut."""
    cuts = [m.start() for m in _PARAGRAPH_START.finditer(text) if text.count("(", 0, m.start()) <= text.count(")", 0, m.start())]
    bounds = [0, *cuts, len(text)]
    return [text[a:b].strip() for a, b in zip(bounds, bounds[1:]) if text[a:b].strip()]


def split_items(text: str) -> list[str]:
    """A run of numbered items ("… 다음 각 호와 같다. 1. … 2. …") as its lead-in and its items, and
    each paragraph it runs on into (``split_paragraphs``) apart; any other text as itself."""
    parts = split_paragraphs(text)
    if len(parts) > 1:
        return [piece for part in parts for piece in split_items(part)]
    # A date in an amendment note ("[전문개정 2019. 1. 15.]", "<개정 2020. 5. 26.>") numbers no item.
    notes = [m.span() for m in _NOTE_SPAN.finditer(text)]
    starts = [m for m in _ITEM.finditer(text) if not any(a <= m.start() < b for a, b in notes)]
    numbers = [m.group(1) for m in starts]
    # Items count only when numbered in sequence from where they start: "제2조 1." is not a list.
    if len(starts) < 2 or not _in_sequence(numbers):
        return [text]
    pieces = [text[: starts[0].start()]] if text[: starts[0].start()].strip() else []
    for m, nxt in zip(starts, starts[1:] + [None]):
        pieces.append(text[m.start(): nxt.start() if nxt else len(text)])
    return [p.strip() for p in pieces if p.strip()]


def _in_sequence(numbers: list[str]) -> bool:
    main = [int(n.split("의")[0]) for n in numbers]
    return all(b in (a, a + 1) for a, b in zip(main, main[1:])) and main[-1] > main[0]


def is_item(text: str) -> bool:
    return bool(re.match(r"\d{1,2}(?:의\d+)?\.\s", text))


def is_exception(text: str) -> bool:
    """A proviso ("다만, …"): the exception to the rule stated before it."""
    return bool(_EXCEPTION.match(text))


_SETS_ASIDE = re.compile(r"적용하지\s*아니한다|그러하지\s*아니하다")


def sets_aside(text: str) -> bool:
    """Whether ``text`` sets a rule aside for a case ("② 제1항은 … 사유가 존속하는 기간에 대하여는 적용하지 아니한다")."""
    return bool(_SETS_ASIDE.search(text))


# An article's heading, which its first sentence opens with ("제15조(이 법을 위반한 근로계약) ① …").
_ARTICLE_HEADING = re.compile(r"^제\d+조(?:의\d+)?\([^)]*\)\s*")


def without_heading(text: str) -> str:
    """The sentence without the heading of its article that an article's first sentence opens with."""
    return _ARTICLE_HEADING.sub("", text.lstrip())


def paragraph_number(text: str) -> int | None:
    """1 for "① …", 2 for "② …"; None when the sentence does not open a numbered paragraph."""
    return _PARAGRAPH.get(without_heading(text)[:1])


# "② 사용자는 …", "사용자 또는 근로자는 …": the nouns a rule opens with as its topic or subject.
_OPENING_SUBJECT = re.compile(r"^((?:[가-힣]+\s+(?:또는|및)\s+)*[가-힣]+?)(?:은|는|이|가)(?=\s)")


def subjects(text: str) -> tuple[str, ...]:
    """Whom the sentence's rule binds: the nouns of its opening topic or subject ("② 사용자는 …" ->
    사용자); () when it opens otherwise ("누구든지 …", "제1항에 따른 …")."""
    stripped = re.sub(r"^[①-⑳]\s*(?:다만,\s*|이\s*경우\s*)?", "", without_heading(text))
    m = _OPENING_SUBJECT.match(stripped)
    return tuple(w for w in m.group(1).split() if w not in ("또는", "및")) if m else ()


def states_rule(text: str, modality: str | None) -> bool:
    """Whether the sentence states a rule of the asked kind (may / may not; must)."""
    return modality is None or bool(_RULE_VERBS[modality].search(text))


# "6. “평균임금”이란 … 말한다", "…행위(이하 “직장 내 괴롭힘”이라 한다)": how a statute defines a term.
_DEFINITION = re.compile(r"“([^”]{1,40})”\s*(?:이)?란|\(이하\s*“([^”]{1,40})”\s*(?:이)?라\s*한다\)")


def defined_terms(text: str) -> tuple[str, ...]:
    """The terms ``text`` defines, squashed and without glosses ("소정(所定)근로시간" -> 소정근로시간)."""
    found = (m.group(1) or m.group(2) for m in _DEFINITION.finditer(text))
    return tuple(dict.fromkeys("".join(_PARENTHESES.sub("", t).split()) for t in found))


# "제1항의 통보", "제2항에 따른 조사", "제1항과 제2항은 … 적용하지 아니한다", "제1항ㆍ제2항 및 제4항에 따른 휴가": paragraphs
# of the same article (no 제N조 before them).
_ONE_PARAGRAPH = r"제\d+항(?:제\d+호)?"
_PARAGRAPH_REF = re.compile(rf"(?<![조\d]){_ONE_PARAGRAPH}(?:\s*(?:과|와|및|또는|,|ㆍ|·|부터)\s*{_ONE_PARAGRAPH}(?:까지)?)*")
_PARAGRAPH_NUMBER = re.compile(r"제(\d+)항")


def paragraph_references(text: str) -> list[int]:
    """The paragraphs of its own article ``text`` refers to: "② 사용자는 제1항의 통보를 이유로 …" -> [1],
    "③ 제1항과 제2항은 … 적용하지 아니한다" -> [1, 2]. A range ("제1항부터 제4항까지의 규정에 따른 휴가") is
    the whole article, not what one paragraph states: left out."""
    found: list[int] = []
    for m in _PARAGRAPH_REF.finditer(text):
        if "부터" not in m.group(0):
            found += [int(n) for n in _PARAGRAPH_NUMBER.findall(m.group(0)) if int(n) not in found]
    return found


# The groups a statute sets special rules for (연소자, 여성과 임산부, 1년 미만 근로자, 작은 사업장): the group as a
# sentence restricts its rule to it, and the words a question asking about it uses. A rule for a group answers a
# question that is not about it only after the general rule: "하루에 몇 시간 넘게 일하면 …" asks 제50조's 8시간,
# not 제69조's 7시간 for 15세 이상 18세 미만인 사람.
_GROUPS = {
    "youth": (re.compile(r"\d+세\s*(?:이상|미만)|연소자|미성년자|취직인허증"),
              re.compile(r"\d+\s*(?:세|살)|학생|청소년|미성년|연소|10대|어린|아이")),
    "women": (re.compile(r"여성|임산부|임신|산후|산전|태아|생리"),
              re.compile(r"여성|여자|임산부|임신|산후|산전|출산|유산|사산|태아|생리|아기|엄마|아내|모성|수유|낳")),
    "new": (re.compile(r"(?:근로한|근속)\s*기간이\s*1년\s*미만|80퍼센트\s*미만"),
            re.compile(r"1년|입사|신입|개월|(?:\d+|[한두세석넉몇])\s*달|첫\s*해|출근율|퍼센트|%")),
    "small": (re.compile(r"상시\s*\d+명\s*미만"), re.compile(r"\d+\s*(?:명|인)|작은|소규모|영세")),
}


def special_groups(text: str) -> frozenset[str]:
    """The groups ``text`` restricts its rule to (``_GROUPS``). Parentheses, which except a group as often as
    they restrict to one, are skipped, and so is a group named as one alternative of a case ("… 요양을 위하여
    휴업한 기간과 그 후 30일 동안 또는 산전ㆍ산후의 여성이 …": the rule holds for the injured too)."""
    plain = _PARENTHESES.sub("", text)
    return frozenset(name for name, (stated, _) in _GROUPS.items()
                     if any("또는" not in plain[max(0, m.start() - 12):m.start()] for m in stated.finditer(plain)))


@functools.lru_cache(maxsize=1024)  # asked once per scored sentence
def asked_groups(question: str) -> frozenset[str]:
    """The groups of ``_GROUPS`` a question is about, in its own words (고등학생, 임신한 직원, 입사 1년 …)."""
    return frozenset(name for name, (_, asked) in _GROUPS.items() if asked.search(question))
