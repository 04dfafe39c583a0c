"""Where a PDF's lines end paragraphs and where they only wrap, from the layout.

A line that stops well short of the right margin ends its paragraph: the next line's first word
would have fitted after it. So do a larger vertical gap than the page's line pitch, and a line
that starts an article, a ① paragraph or a heading. A line that reaches the margin wraps; if
even the next line's first character would have fitted, it wrapped between words (a space);
otherwise it may have wrapped in the middle of a word, and the analyser decides
(``hanrag.ingest.unwrap``).
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median

from hanrag.ingest.pdf_layout import LaidLine
from hanrag.ingest.structure import is_contents_entry, starts_paragraph
from hanrag.ingest.unwrap import BREAK, WRAP
from hanrag.text.joins import SPACE

_PARAGRAPH_GAP = 1.6  # vertical distance, in line pitches, that separates paragraphs
_TOLERANCE = 1.0  # points
_MIN_MARGIN_LINES = 2
_ALIGNED_AWAY = 0.3  # of the column width: a line starting further right is centred or right-aligned


def line_gaps(pages: Sequence[Sequence[LaidLine]]) -> tuple[list[list[str]], list[str]]:
    """What separates consecutive lines of each page (BREAK, SPACE or WRAP), and the last line of
    each page from the first line of the next."""
    margins = _margins(pages)
    gaps = []
    for page in pages:
        pitch = _pitch(page)
        gaps.append([_gap(a, b, margins, pitch) for a, b in zip(page, page[1:])])
    page_gaps = []
    for page, following in zip(pages, pages[1:]):
        across = _gap(page[-1], following[0], margins, None, across_pages=True) if page and following else BREAK
        page_gaps.append(across)
    return gaps, page_gaps


def _gap(
    line: LaidLine, following: LaidLine, margins: dict[int, tuple[float, float]], pitch: float | None,
    across_pages: bool = False,
) -> str:
    if following.column != line.column and not across_pages and (line.column, following.column) != (1, 2):
        return BREAK  # into or out of a column run: only a left column flows on into the right one
    if line.column not in margins:
        return BREAK  # too few lines of this width to tell where its margins are
    same_column = following.column == line.column and following.top > line.top
    if pitch is not None and same_column and following.top - line.top > _PARAGRAPH_GAP * pitch:
        return BREAK
    if _aligned_away(line, margins) or _aligned_away(following, margins):
        return BREAK  # centred or right-aligned lines are paragraphs of their own
    room = margins[line.column][1] - line.x1
    if room > following.first_word + following.char_width / 2 + _TOLERANCE:
        return BREAK  # the next word would have fitted on this line
    if starts_paragraph(following.text) or (is_contents_entry(line.text) and is_contents_entry(following.text)):
        return BREAK
    if room > following.char_width + _TOLERANCE:
        return SPACE  # the next character would have fitted: wrapped between words
    return WRAP


def _aligned_away(line: LaidLine, margins: dict[int, tuple[float, float]]) -> bool:
    """A line starting far right of its column's left margin (much more than an indent)."""
    left, right = margins.get(line.column, (line.x0, line.x1))
    return line.x0 - left > _ALIGNED_AWAY * (right - left)


def _margins(pages: Sequence[Sequence[LaidLine]]) -> dict[int, tuple[float, float]]:
    """The left and right margins of each column kind: the medians over pages of the leftmost
    line start and the rightmost line end (a page of short lines does not move them)."""
    starts: dict[int, list[float]] = {}
    ends: dict[int, list[float]] = {}
    for page in pages:
        page_starts: dict[int, float] = {}
        page_ends: dict[int, float] = {}
        for line in page:
            page_starts[line.column] = min(page_starts.get(line.column, line.x0), line.x0)
            page_ends[line.column] = max(page_ends.get(line.column, line.x1), line.x1)
        for column in page_starts:
            starts.setdefault(column, []).append(page_starts[column])
            ends.setdefault(column, []).append(page_ends[column])
    return {
        column: (median(starts[column]), median(ends[column]))
        for column in starts
        if sum(line.column == column for page in pages for line in page) >= _MIN_MARGIN_LINES
    }


def _pitch(page: Sequence[LaidLine]) -> float | None:
    """The usual distance between the tops of consecutive lines of a column on this page."""
    steps = [b.top - a.top for a, b in zip(page, page[1:]) if b.column == a.column and b.top > a.top]
    return median(steps) if len(steps) >= 3 else None
