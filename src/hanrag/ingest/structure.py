"""Korean document structure: 편/장/절/관 headings, articles 제N조(제목), paragraphs ①, items
1./가./1), 부칙, 별표, Markdown headings, and tables of contents.

Everything here reads one paragraph (one line of a loader's page text) at a time; the
chunker (``hanrag.ingest.chunker``) walks a document with it and keeps the heading path.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

_N = r"\s?\d+\s?"
# 제1편 / 제4장 / 제2절 / 제1관, also 제6장의2; the rest of the (short) line is the title.
_DIVISION = re.compile(rf"^제{_N}(편|장|절|관)(?:의\s?\d+)?(?:\s+(\S.{{0,58}}))?$")
# 제60조(연차 유급휴가), 제43조의2(...), 제5조 【채용】, 제35조 삭제, a bare 제7조.
_ARTICLE = re.compile(
    rf"^제{_N}조(?:의\s?\d+)?"
    r"(?:\s*\((?:[^()]|\([^()]*\))*\)|\s*【[^】]*】|(?=\s+삭제)|(?=\s*$))"
)
_ARTICLE_WITH_SHORT_TITLE = re.compile(rf"^제{_N}조(?:의\s?\d+)?\s+\S.{{0,28}}$")  # "제5조 채용" on its own line
_SUPPLEMENT = re.compile(r"^부\s?칙(?:\s*[<(\[].{0,60})?$")
_ANNEX = re.compile(r"^\[?\s?(별표|별지|부록)\s?\d*(?:의\s?\d+)?\s?\]?(?:\s|$)")
_MARKDOWN = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_AMENDMENT = re.compile(r"\s*[<\[](?:전문)?(?:개정|신설|제목개정|본조신설)[^>\]]*[>\]]\s*$")  # "<신설 2019. 1. 15.>"
_CLAUSE = re.compile(r"^[\u2460-\u2473]")  # ① .. ⑳
_ITEM = re.compile(r"^(?:\d{1,2}[.)]|[가-하][.)]|\(\d{1,2}\)|\([가-하]\))\s")
_CONTENTS = re.compile(r"^(?:목\s?차|차\s?례|contents|table of contents)$", re.IGNORECASE)
# A contents line: a title, dot leaders, a page number; or a numbered title and a page number.
_PAGE = r"(?:\d{1,4}|[ivxlc]{1,6})$"
_TOC_ENTRY = re.compile(
    rf"^\S.{{0,80}}?\s?(?:\.{{3,}}|·{{3,}}|…+|ㆍ{{3,}}|-{{3,}})\s?{_PAGE}"
    rf"|^(?:제{_N}(?:편|장|절|관|조)|\d{{1,2}}(?:\.\d{{1,2}})*\.|\d{{1,2}}(?:\.\d{{1,2}})+(?=\s)|[가-하]\.|[IVX]{{1,4}}\.|부\s?칙|\[?별표)\s?\S.{{0,70}}\s{_PAGE}",
    re.IGNORECASE,
)
_TITLE_IN_TEXT = re.compile(rf"제{_N}(?:편|장|절|관|조)(?:의\s?\d+)?(?:\s*\((?:[^()]|\([^()]*\))*\))?")

_NUMBERED = re.compile(r"^제\s?(\d+)\s?(편|장|절|관|조)(?:\s?의\s?(\d+))?")
_LEADERS = re.compile(r"(?:\.|·|…|ㆍ|-){3,}")
_PREDICATE_END = re.compile(r"(?:다|요|음|함|됨|것|임)\s*[.!?]?\s*(?:<[^>]*>)?\s*$")
_MIN_TOC_RUN = 5  # consecutive contents lines that make a table of contents
# A law's title block as 국가법령정보센터 exports it: its name, "[시행 2025. 2. 23.] [법률 제20520호, …]",
# and the ministry's desks with their telephone numbers.
_PROMULGATION = re.compile(r"^\[\s*시행\s*\d{4}\s*\.\s*\d{1,2}\s*\.\s*\d{1,2}\s*\.?\s*\]")
_CONTACT = re.compile(r"^\S.{0,80}\)\s*\d{2,4}-\d{3,4}-\d{4}\s*$")


class Level(IntEnum):
    """Depth of a heading in the path; Markdown headings use 1-6 by their number of #."""

    PART = 1  # 편, 부칙, 별표
    CHAPTER = 2  # 장
    SECTION = 3  # 절
    SUBSECTION = 4  # 관
    ARTICLE = 7  # 조: below any heading


_DIVISION_LEVELS = {"편": Level.PART, "장": Level.CHAPTER, "절": Level.SECTION, "관": Level.SUBSECTION}


class Role(IntEnum):
    """What a paragraph is; lower values are stronger boundaries when a long article is split."""

    HEADING = 0  # its own line, part of the heading path (not of the chunk text)
    ARTICLE = 1  # starts an article; the article title becomes part of the path
    CLAUSE = 2  # ① paragraph of an article
    ITEM = 3  # 1. / 가. / 1) item
    TEXT = 4


@dataclass(frozen=True)
class Paragraph:
    start: int  # offsets in the page text
    end: int
    role: Role
    level: int = 0  # for HEADING and ARTICLE
    label: str = ""  # what the heading path shows, e.g. "제60조(연차 유급휴가)"


def classify(text: str, markdown: bool = True) -> tuple[Role, int, str]:
    """(role, level, label) of one paragraph."""
    line = text.strip()
    if markdown and (m := _MARKDOWN.match(line)):
        return Role.HEADING, len(m.group(1)), m.group(2)
    if len(line) <= 64:
        if m := _DIVISION.match(line):
            return Role.HEADING, _DIVISION_LEVELS[m.group(1)], _squeeze_number(_AMENDMENT.sub("", line))
        if _SUPPLEMENT.match(line):
            return Role.HEADING, Level.PART, line
    if _ANNEX.match(line):
        return Role.HEADING, Level.PART, line.split("\n")[0][:60]
    if m := _ARTICLE.match(line):
        return Role.ARTICLE, Level.ARTICLE, _squeeze_number(m.group().strip())
    if len(line) <= 40 and _ARTICLE_WITH_SHORT_TITLE.match(line):
        return Role.ARTICLE, Level.ARTICLE, _squeeze_number(line)
    if _CLAUSE.match(line):
        return Role.CLAUSE, 0, ""
    if _ITEM.match(line):
        return Role.ITEM, 0, ""
    return Role.TEXT, 0, ""


def starts_paragraph(line: str) -> bool:
    """Whether a line can only be the start of a paragraph (article, ①, heading), whatever the
    layout says: used to end the paragraph before it."""
    role, _, _ = classify(line, markdown=False)
    if role in (Role.HEADING, Role.CLAUSE):
        return True
    # An article needs its title here: "제23조제1항에 따라" may start a wrapped line.
    return role == Role.ARTICLE and bool(re.match(rf"^제{_N}조(?:의\s?\d+)?\s*[(【]", line))


def starts_item(line: str) -> bool:
    return bool(_ITEM.match(line))


def is_contents_entry(line: str) -> bool:
    """A line a table of contents is made of: a title with a page number, a bare article title
    or heading, or the word 목차 itself."""
    line = line.strip()
    if not line or len(_LEADERS.sub("…", line)) > 90:
        return False
    if _CONTENTS.match(line) or _TOC_ENTRY.match(line):
        return True
    role, _, label = classify(line, markdown=False)
    if role == Role.HEADING:
        return True
    # A bare article title: the line is the title and nothing more.
    return role == Role.ARTICLE and len(line) <= len(label) + 2 and "삭제" not in line


def contents_runs(lines: Sequence[str]) -> list[tuple[int, int]]:
    """(first, last + 1) index ranges of the runs of lines that form a table of contents: at
    least five contents lines in a row. A body has at most a few headings in a row."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for i, line in enumerate([*lines, ""]):
        if i < len(lines) and is_contents_entry(line):
            start = i if start is None else start
            continue
        if start is not None and i - start >= _MIN_TOC_RUN:
            runs.append((start, i))
        start = None
    return runs


def front_matter(lines: Sequence[str]) -> set[int]:
    """The indexes of the lines of a law's title block: the promulgation line ("[시행 2025. 2. 23.] [법률
    제20520호, …]"), the short line naming the law just before it, and the ministry's desks with their
    telephone numbers. Such a block says which law and version a document is, not what the law says."""
    found: set[int] = set()
    for i, line in enumerate(lines):
        line = line.strip()
        if _PROMULGATION.match(line):
            found.add(i)
            if i and len(lines[i - 1].strip()) <= 40 and classify(lines[i - 1], markdown=False)[0] == Role.TEXT:
                found.add(i - 1)
        elif _CONTACT.match(line) and (i - 1) in found:
            found.add(i)
    return found


def is_title_list(text: str) -> bool:
    """Whether a piece of text is a list of titles (a contents page's lines run together), not a
    sentence: two or more article or chapter titles and hardly any other words."""
    text = text.strip()
    if _PREDICATE_END.search(text):
        return False  # "제55조와 제60조를 적용하지 아니한다." is a sentence
    titles = _TITLE_IN_TEXT.findall(text)
    if len(titles) < 2:
        return _TOC_ENTRY.match(text) is not None and len(text) < 90
    rest = _TITLE_IN_TEXT.sub(" ", text)
    words = re.findall(r"[가-힣A-Za-z]+", rest)
    return sum(len(w) for w in words) < 6 * len(titles)


def _squeeze_number(label: str) -> str:
    """'제 60 조 (연차 유급휴가)' -> '제60조(연차 유급휴가)': one spelling for the path and filters."""
    number = _NUMBERED.match(label)
    if number is None:
        return label
    head = f"제{number.group(1)}{number.group(2)}" + (f"의{number.group(3)}" if number.group(3) else "")
    rest = label[number.end() :]
    return head + (rest.lstrip() if rest.lstrip()[:1] in ("(", "【") else rest)
