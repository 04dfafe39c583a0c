"""Search hits put in statute order: body articles before supplementary provisions (부칙), and
for "X이란 무엇인가요?" the article that defines X first.

A statute's 부칙 repeats the body's titles in its transitional rules ("제7조(출산전후휴가에 관한
적용례) 제74조제1항의 개정규정은 …"), so it matches the questions the body answers. Its score
is discounted by ``SUPPLEMENTARY_FACTOR`` before the hits are put in order again; a 부칙 that
matches far better than any body article (a question about 시행일) stays first.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from hanrag.schema import SearchHit
from hanrag.text.question import asks_sanction

T = TypeVar("T")
SUPPLEMENTARY_FACTOR = 0.8
_SUPPLEMENTARY = re.compile(r"^\s*부\s*칙")


def is_supplementary(section: str | None) -> bool:
    """The section path starts in the supplementary provisions ("부칙 <제20520호,…> > 제7조(…)")."""
    return bool(section and _SUPPLEMENTARY.match(section))


def body_first(hits: Sequence[SearchHit], factor: float = SUPPLEMENTARY_FACTOR) -> list[SearchHit]:
    """The hits reordered with 부칙 scores times ``factor`` (scores and ranks renumbered, the rest
    unchanged; contents pages keep their place after everything else)."""
    def key(hit: SearchHit) -> tuple[bool, float]:
        discounted = hit.score * factor if is_supplementary(hit.chunk.title) else hit.score
        return hit.chunk.kind == "toc", -discounted

    if not any(is_supplementary(h.chunk.title) for h in hits):
        return list(hits)
    ordered = sorted(hits, key=key)
    return [dataclasses.replace(h, rank=i) for i, h in enumerate(ordered, 1)]


# What a law's title block states (kind="front"): when it takes effect, its number, the ministry's desks.
_ASKS_FRONT_MATTER = re.compile(r"시행|공포|법률\s*제?\s*\d|몇\s*호|소관|담당\s*부서|연락처|전화|문의")


def asks_front_matter(question: str) -> bool:
    """Whether ``question`` asks what a law's title block states ("근로기준법은 언제부터 시행되나요?")."""
    return bool(_ASKS_FRONT_MATTER.search(question))


DEFINITION_MARGIN = 0.9  # a defining hit is moved first only if it scores this share of the first hit
_ASKS_DEFINITION = re.compile(r"^\s*(.+?)\s*(?:이란|란|이라는 것은|의 정의는|의 뜻은)\s*(?:무엇|뭐|뭔|어떤)")


def defined_term(question: str) -> str | None:
    """X of "X이란 무엇인가요?" / "X의 뜻은?" (None for other questions)."""
    match = _ASKS_DEFINITION.match(question)
    return match.group(1).strip() if match else None


def defines(text: str, term: str) -> bool:
    """The text defines ``term``: (이하 “X”라 한다), “X”란 …, or X란 … 말한다 (spacing ignored)."""
    flat = "".join(text.split())
    t = "".join(term.split())
    return bool(re.search(rf"[“\"']{re.escape(t)}[”\"'](?:이)?(?:라|란|이란)", flat) or re.search(rf"{re.escape(t)}(?:이)?란.{{0,200}}말한다", flat))


def definition_first(question: str, hits: Sequence[SearchHit], margin: float = DEFINITION_MARGIN) -> list[SearchHit]:
    """For a question asking what X is, the hit that defines X first when it scores within
    ``margin`` of the first hit (ranks renumbered); other questions: the hits unchanged."""
    term = defined_term(question)
    if not term or not hits:
        return list(hits)
    best = hits[0].score
    for i, hit in enumerate(hits):
        if i and hit.score >= best * margin and defines(hit.chunk.text, term):
            ordered = [hit, *hits[:i], *hits[i + 1:]]
            return [dataclasses.replace(h, rank=r) for r, h in enumerate(ordered, 1)]
        if hit.score < best * margin:
            break
    return list(hits)


_ARTICLE_TITLE = re.compile(r"제\d+조(?:의\d+)?\((.+)\)\s*$")
MIN_TITLE_CHARS = 3  # shorter titles (목적, 시효, 휴일) are words of too many questions


def article_title(section: str | None) -> str | None:
    """The title of the article a section path ends in ("제50조(근로시간)" -> "근로시간")."""
    match = _ARTICLE_TITLE.search((section or "").rsplit(" > ", 1)[-1])
    return match.group(1) if match else None


def names_article(question: str, section: str | None) -> bool:
    """Whether ``question`` names the article's title as written, spacing ignored (근로시간 in
    "1주 근로시간의 한도는 몇 시간인가요?" names 제50조(근로시간))."""
    title = article_title(section)
    squashed = "".join((title or "").split())
    return len(squashed) >= MIN_TITLE_CHARS and squashed in "".join(question.split())


def named_article_in(question: str, ranked: Sequence[T], section: Callable[[T], str | None], top_k: int) -> list[T]:
    """The ranking with the best article among the next ``top_k`` whose title the question names put
    in the last of the ``top_k`` places that holds an article it does not name: in a statute the title
    says what an article is about, so one the question names is worth reading even when its wording
    ranks it lower (제50조(근로시간) 7th for "1주 근로시간의 한도는 …"). Other rankings unchanged."""
    ranked = list(ranked)
    head, tail = ranked[:top_k], ranked[top_k:2 * top_k]
    named = [c for c in tail if names_article(question, section(c))]
    if not named:
        return ranked
    place = next((i for i in range(len(head) - 1, -1, -1) if not names_article(question, section(head[i]))), None)
    if place is None:
        return ranked
    pulled = named[0]
    rest = [c for c in ranked if c is not pulled]
    return rest[:place] + [pulled] + rest[place:]


SANCTION_TITLES = frozenset({"벌칙", "과태료"})
_LABEL = re.compile(r"(제\d+조(?:의\d+)?)\(")


def is_sanction(section: str | None) -> bool:
    """Whether the section path ends in a sanction article (제107조(벌칙), 제116조(과태료))."""
    return article_title(section) in SANCTION_TITLES


def article_label(section: str | None) -> str | None:
    """The label of the article a section path ends in ("… > 제8조(폭행의 금지)" -> "제8조")."""
    match = _LABEL.match((section or "").rsplit(" > ", 1)[-1].strip())
    return match.group(1) if match else None


def cited_articles(text: str) -> set[str]:
    """The labels of the articles ``text`` cites, whatever their paragraphs ("제7조, 제23조제2항 … 를 위반한 자" ->
    {제7조, 제23조}; "제78조부터 제80조까지" cites 제79조 too; a heading's "제8조(" is no citation)."""
    return {label for label, _ in cited_provisions(text)}


Provision = tuple[str, "int | None"]  # (article label, paragraph number or None for the whole article)
_PROVISION_TOKEN = re.compile(
    r"(?P<range>제(?P<a1>\d+)조\s*부터\s*제(?P<a2>\d+)조\s*까지)"
    r"|(?P<same>같은\s*조)"
    r"|(?P<art>제\d+조(?:의\d+)?)(?![\d(]|의\d)"
    r"|(?P<prange>제(?P<p1>\d+)항\s*부터\s*제(?P<p2>\d+)항\s*까지)"
    r"|제(?P<para>\d+)항"
)


def cited_provisions(text: str) -> set[Provision]:
    """The provisions ``text`` cites, each an article with the paragraph it names, or None for the whole article:
    "제23조제2항 또는 제40조" -> {(제23조, 2), (제40조, None)}; "제53조제1항ㆍ제2항, 같은 조 제4항" -> (제53조, 1),
    (제53조, 2), (제53조, 4); "제74조제1항부터 제5항까지" -> paragraphs 1 to 5; "제78조부터 제80조까지" -> 제78조, 제79조,
    제80조 whole. A paragraph reference belongs to the article cited last ("제1항에 따른" with none before it is its own
    article's, not cited)."""
    found: set[Provision] = set()
    current: str | None = None
    narrowed = False  # the current article was cited with a paragraph
    for m in _PROVISION_TOKEN.finditer(text):
        if m["range"]:
            if current and not narrowed:
                found.add((current, None))
            first, last = int(m["a1"]), int(m["a2"])
            found.update((f"제{n}조", None) for n in range(first, last + 1) if 0 <= last - first <= 50)
            current, narrowed = None, False
        elif m["same"]:
            narrowed = False if current else narrowed
        elif m["art"]:
            if current and not narrowed:
                found.add((current, None))
            current, narrowed = m["art"], False
        elif current and m["prange"]:
            first, last = int(m["p1"]), int(m["p2"])
            found.update((current, n) for n in range(first, last + 1) if 0 <= last - first <= 20)
            narrowed = True
        elif current and m["para"]:
            found.add((current, int(m["para"])))
            narrowed = True
    if current and not narrowed:
        found.add((current, None))
    return found


def punishes(provisions: set[Provision] | frozenset[Provision], label: str | None, paragraph: int | None) -> bool:
    """Whether ``provisions`` cover the article ``label``'s paragraph ``paragraph`` (None: a sentence outside any
    numbered paragraph): cited whole, or that very paragraph."""
    return bool(label) and ((label, None) in provisions or (paragraph is not None and (label, paragraph) in provisions))


def sanction_in(
    question: str, ranked: Sequence[T], section: Callable[[T], str | None], citing: Callable[[T, str], list[T]],
    top_k: int, rules: int = 3, pulls: int = 2,
) -> list[T]:
    """For a question asking a sanction, the sanction articles that cite the first ``rules`` rule articles of the
    first ``top_k`` (``citing(rule, label)``: all of them in the rule's document, best first), up to ``pulls`` of
    them not there already: the best citing each rule, best rule first, then the rules' other ones; each put in the
    last of those places held by neither a rule followed nor a sanction, else by a later hit of a rule followed (its
    first stays); other rankings unchanged. One article's paragraphs may be punished by different articles (제76조의3:
    its ⑥ by 제109조, its ② ④ ⑤ ⑦ by 제116조): a sanction article already among the hits is not pulled again.

    A statute states its sanctions apart from its rules and cites the rules by number only ("제7조, 제8조 …
    를 위반한 자는 5년 이하의 징역 …"; 제110조 lists 30 of them item by item), so the words of "직원을 때린
    사장은 어떤 처벌을 받나요?" find 제8조(폭행의 금지) but not 제107조(벌칙): the sanction is reached
    through the rule, as a reader follows the citation back. Which rule the question is about, and so which
    sanction answers, is the answerer's to tell (``extractive.sanction_first``): more than one rule may be."""
    ranked = list(ranked)
    if not asks_sanction(question):
        return ranked
    head = ranked[:top_k]
    if head and is_sanction(section(head[0])):
        return ranked
    best = {label: c for c in reversed(head) if not is_sanction(section(c)) and not is_supplementary(section(c))
            for label in [article_label(section(c))] if label}  # the best hit of each rule article
    labels_at = [article_label(section(c)) for c in head]
    labels = list(dict.fromkeys(label for label in labels_at if label in best))[:rules]
    found: list[T] = []
    keep: set[str] = set()  # the rules followed: their hits stay
    present = {article_label(section(c)) for c in head if is_sanction(section(c))}
    cited = {label: citing(best[label], label) for label in labels}
    for label, sanction in [(label, s[0]) for label, s in cited.items() if s] + [
            (label, extra) for label, s in cited.items() for extra in s[1:]]:
        article = article_label(section(sanction))
        if article in present:  # there already: the rule is followed
            keep.add(label)
        elif len(found) < pulls:
            keep.add(label)
            present.add(article)
            found.append(sanction)
    free = [i for i, c in enumerate(head) if labels_at[i] not in keep and not is_sanction(section(c))]
    repeats = [i for i, label in enumerate(labels_at) if label in keep and label in labels_at[:i]]
    slots = sorted((free[::-1] + repeats[::-1])[:len(found)])
    if not slots:
        return ranked
    placed = dict(zip(slots, found))
    rest = [c for c in ranked[top_k:] if c not in placed.values()]
    return [placed.get(i, c) for i, c in enumerate(head)] + [head[i] for i in slots] + rest
