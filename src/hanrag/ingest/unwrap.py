"""Lines back into paragraphs: each line break is a paragraph end, a space, or a word wrapped
in the middle. What the layout tells (a short line, a gap, an article starting) is given by the
caller per break; the breaks left open are decided by ``hanrag.text.joins``.

Used for PDF pages (``hanrag.ingest.pdf``), hard-wrapped text files and HWP paragraphs.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from hanrag.ingest.structure import starts_item, starts_paragraph
from hanrag.ingest.tables import TableBlock
from hanrag.text.joins import NOTHING, SPACE, Spelling, decide_joins

BREAK = "\n"  # the paragraph ends
WRAP = "wrap"  # the line was wrapped: a space or nothing, to be decided

_HARD_WRAP_SHARE = 0.5  # of a text's lines that end near its widest width, for it to be hard-wrapped
_MIN_WRAPPED_LINES = 6


def rejoin(
    pages: Sequence[Sequence[str]],
    gaps: Sequence[Sequence[str]],
    page_gaps: Sequence[str] = (),
    threads: int | None = None,
) -> list[str]:
    """Page texts: one paragraph per line. ``gaps[p][i]`` is what separates lines i and i+1 of
    page p (BREAK, SPACE or WRAP); ``page_gaps[p]`` the last line of page p from the first of
    page p+1 (BREAK or WRAP). A word wrapped across a page break is moved whole onto the
    earlier page, so it stays one word and keeps a page number."""
    lines = [list(page) for page in pages]
    spelling = Spelling(line for page in lines for line in page)
    open_joins: list[tuple[int, int]] = []  # (page, line index); index -1: across to the next page
    for p, page_gaps_p in enumerate(gaps):
        open_joins.extend((p, i) for i, gap in enumerate(page_gaps_p) if gap == WRAP)
    for p, gap in enumerate(page_gaps):
        if gap == WRAP and p + 1 < len(lines) and lines[p] and lines[p + 1]:
            open_joins.append((p, -1))
    pairs = [_pair(lines, p, i) for p, i in open_joins]
    decided = dict(zip(open_joins, decide_joins(pairs, spelling, threads=threads)))
    for p in range(len(lines) - 1):
        if decided.get((p, -1)) == NOTHING:
            _move_word_back(lines, p)
    texts = []
    for p, page in enumerate(lines):
        parts: list[str] = []
        for i, line in enumerate(page):
            if i:
                gap = gaps[p][i - 1]
                parts.append(decided[(p, i - 1)] if gap == WRAP else gap)
            parts.append(line)
        texts.append("".join(parts))
    return texts


def _pair(lines: list[list[str]], page: int, index: int) -> tuple[str, str]:
    if index == -1:
        return lines[page][-1], lines[page + 1][0]
    return lines[page][index], lines[page][index + 1]


def _move_word_back(lines: list[list[str]], page: int) -> None:
    """The head of a word wrapped across a page break: its tail joins it on the earlier page."""
    first = lines[page + 1][0]
    head, _, rest = first.partition(" ")
    lines[page][-1] += head
    if rest:
        lines[page + 1][0] = rest
    else:
        del lines[page + 1][0]


def unwrap_text(text: str, threads: int | None = None) -> str:
    """A text whose paragraphs were hard-wrapped at a fixed width (most lines end near the same
    column), with the wraps joined; any other text is returned as it is. Blank lines, short
    lines and lines that start an article, ① or an item end paragraphs."""
    lines = text.split("\n")
    widths = [_width(line.rstrip()) for line in lines]
    if not _hard_wrapped(widths):
        return text
    limit = max(widths)
    gaps: list[str] = []
    for i in range(len(lines) - 1):
        line, following = lines[i].rstrip(), lines[i + 1].strip()
        if not line.strip() or not following:
            gaps.append(BREAK)
            continue
        room = limit - widths[i]
        first_word = _width(following.split()[0])
        if room >= first_word + 1 or starts_paragraph(following) or starts_item(following):
            gaps.append(BREAK)  # the next word would have fitted: the line ended on purpose
        elif lines[i] != line:
            gaps.append(SPACE)  # a space kept at the end of the line
        else:
            gaps.append(WRAP)
    stripped = [line.strip() for line in lines]
    [joined] = rejoin([stripped], [gaps], threads=threads)
    return joined


def _hard_wrapped(widths: list[int]) -> bool:
    """Whether many lines end within a few columns of the widest one (a fixed wrapping width)."""
    filled = [w for w in widths if w > 0]
    if len(filled) < _MIN_WRAPPED_LINES:
        return False
    limit = max(filled)
    if limit < 40:
        return False
    near = sum(1 for w in filled if w >= limit - 6)
    return near >= _HARD_WRAP_SHARE * len(filled)


def _width(text: str) -> int:
    """Display columns: wide (Hangul, Hanja) characters take two, as in the editors that wrap."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)



def unwrap_blocks(blocks: Sequence[str | TableBlock]) -> list[str | TableBlock]:
    """A document's paragraphs (HWP) with hard wrapping undone: a paragraph holding wrapped lines
    is joined, and a run of paragraphs that are really the lines of wrapped text (most ending
    near one width) becomes the paragraphs it was."""
    out: list[str | TableBlock] = []
    run: list[str] = []
    for block in [*blocks, None]:
        if isinstance(block, str):
            run.append(unwrap_text(block) if "\n" in block else block)
            continue
        if run:
            out.extend(line for line in unwrap_text("\n".join(run)).split("\n") if line.strip())
            run = []
        if block is not None:
            out.append(block)
    return out
