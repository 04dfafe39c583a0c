"""Reading order for a PDF page from word boxes: lines, and two-column pages read column by column.

PDF content streams carry no reading order; a two-column page extracted line by line interleaves
the columns ("left line 1, right line 1, left line 2..."). Here lines are rebuilt from word
positions, a vertical gutter free of words is looked for in the middle of the page, and runs of
lines split by that gutter are read left column first, then right. Lines that cross the gutter
(titles, full-width paragraphs) stay where they are and separate the runs. Each line keeps its
position (``LaidLine``), from which ``hanrag.ingest.pdf_paragraphs`` tells where paragraphs end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Word = Mapping[str, Any]  # pdfplumber's word dict: text, x0, x1, top, bottom

_MIN_COLUMN_LINES = 3
_MAX_CROSSING_SHARE = 0.25
_MIN_GUTTER = 6.0  # points


@dataclass
class Line:
    words: list[Word]

    @property
    def top(self) -> float:
        return min(w["top"] for w in self.words)

    @property
    def x0(self) -> float:
        return min(w["x0"] for w in self.words)

    @property
    def x1(self) -> float:
        return max(w["x1"] for w in self.words)

    def text(self) -> str:
        return " ".join(w["text"] for w in sorted(self.words, key=lambda w: w["x0"]))


def group_lines(words: Sequence[Word], tolerance: float = 3.0) -> list[Line]:
    """Words sharing a baseline (tops within ``tolerance`` points) form a line, top to bottom."""
    lines: list[Line] = []
    for word in sorted(words, key=lambda w: (round(w["top"], 1), w["x0"])):
        if lines and abs(word["top"] - lines[-1].words[0]["top"]) <= tolerance:
            lines[-1].words.append(word)
        else:
            lines.append(Line([word]))
    return lines


def find_gutter(lines: Sequence[Line], page_width: float) -> tuple[float, float] | None:
    """The widest word-free vertical band in the middle 30-70 % of the page that splits enough
    lines into a left and a right part, or None for a single-column page."""
    if len(lines) < 2 * _MIN_COLUMN_LINES:
        return None
    step = 1.0
    lo, hi = int(page_width * 0.3), int(page_width * 0.7)
    crossing = [0] * (hi - lo)
    for line in lines:
        for word in line.words:
            start, end = max(int(word["x0"]), lo), min(int(word["x1"]) + 1, hi)
            for x in range(start, end):
                crossing[x - lo] += 1
    limit = int(_MAX_CROSSING_SHARE * len(lines))
    best: tuple[float, float] | None = None
    run_start: int | None = None
    for i, count in enumerate([*crossing, limit + 1]):
        if count <= limit:
            run_start = i if run_start is None else run_start
            continue
        if run_start is not None:
            band = (lo + run_start * step, lo + i * step)
            if band[1] - band[0] >= _MIN_GUTTER and (best is None or band[1] - band[0] > best[1] - best[0]):
                best = band
            run_start = None
    if best is None:
        return None
    return best if _looks_like_columns(lines, best, page_width) else None


def _looks_like_columns(lines: Sequence[Line], gutter: tuple[float, float], page_width: float) -> bool:
    """Both sides hold real text: several lines each, typically wider than 15 % of the page.
    (A table of contents with right-aligned page numbers has a gutter too, but a narrow right side.)"""
    left_widths: list[float] = []
    right_widths: list[float] = []
    for line in lines:
        if _crosses(line, gutter):
            continue
        left = [w for w in line.words if w["x1"] <= gutter[0]]
        right = [w for w in line.words if w["x0"] >= gutter[1]]
        if left:
            left_widths.append(Line(left).x1 - Line(left).x0)
        if right:
            right_widths.append(Line(right).x1 - Line(right).x0)
    if min(len(left_widths), len(right_widths)) < _MIN_COLUMN_LINES:
        return False
    return min(_median(left_widths), _median(right_widths)) >= 0.15 * page_width


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _crosses(line: Line, gutter: tuple[float, float]) -> bool:
    return any(w["x0"] < gutter[1] and w["x1"] > gutter[0] for w in line.words)


@dataclass(frozen=True)
class LaidLine:
    """A line of text with where it sits: what deciding line breaks needs from the layout."""

    text: str
    x0: float
    x1: float
    top: float
    column: int  # 0: full width, 1: left column, 2: right column
    char_width: float  # mean character width of its first word
    first_word: float  # width of its first word


def _laid(line: Line, column: int) -> LaidLine:
    first = min(line.words, key=lambda w: w["x0"])
    width = float(first["x1"] - first["x0"])
    return LaidLine(line.text(), line.x0, line.x1, line.top, column, width / max(1, len(first["text"])), width)


def laid_lines(words: Sequence[Word], page_width: float) -> list[LaidLine]:
    """The page's lines in reading order (columns read in order), each with its geometry."""
    lines = group_lines(words)
    gutter = find_gutter(lines, page_width)
    if gutter is None:
        return [_laid(line, 0) for line in lines]
    out: list[LaidLine] = []
    left_run: list[LaidLine] = []
    right_run: list[LaidLine] = []

    def flush() -> None:
        out.extend(left_run)
        out.extend(right_run)
        left_run.clear()
        right_run.clear()

    for line in lines:
        if _crosses(line, gutter):
            flush()
            out.append(_laid(line, 0))
            continue
        left = [w for w in line.words if w["x1"] <= gutter[0]]
        right = [w for w in line.words if w["x0"] >= gutter[1]]
        if left:
            left_run.append(_laid(Line(left), 1))
        if right:
            right_run.append(_laid(Line(right), 2))
    flush()
    return out


def reading_order(words: Sequence[Word], page_width: float) -> str:
    """The page's text, one line per line, columns read in order."""
    return "\n".join(line.text for line in laid_lines(words, page_width))
