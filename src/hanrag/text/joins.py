"""Whether a line break inside a paragraph stood for a space or for nothing (a word wrapped mid-word).

Korean justified text wraps lines anywhere, also inside words ("근로\\n자가"). Each break is
decided on its own, so spacing elsewhere is never touched (Kiwi's ``space()`` over whole text
also rewrites spacing that was right: "주어야 하고" -> "주어야하고"):
1. punctuation decides where it can: nothing after an opening bracket or before a closing one,
   a space after a full stop or comma, a space between two Latin letters;
2. the document's own spelling, where it tells: the joined form written elsewhere in the
   document and the spaced form never, or the reverse ("지방고용노동관서", "<개정 2021.");
3. otherwise Kiwi's spacing model reads the two words on either side of the break written
   together, and says whether it would put a space at the break. Alone it chooses right at
   about 96 % of breaks inside KorQuAD prose; with the document's spelling, 99.97 % of the
   words of a statute typeset with words broken across lines come back whole
   (bench/statute_questions.py).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from hanrag.text.kiwi import load_kiwi

SPACE, NOTHING = " ", ""

_OPENERS = frozenset("([{「『“‘<《〈【〔")
_CLOSERS = frozenset(")]}」』”’>》〉】〕.,;:!?%·ㆍ…")
_ATTACHING = frozenset("-/~ㆍ·_")  # a line ending in these continues the same word
_ENDERS = frozenset(".,;:!?>")  # a line ending in these ends a word
_RUN = re.compile(r"[가-힣0-9A-Za-z]+")  # a run of letters and digits: a word or its start
_TAIL = re.compile(r"[가-힣0-9A-Za-z]+$")
_WORD = re.compile(r"[가-힣\u3131-\u318e\u4e00-\u9fff0-9A-Za-z]")
_LATIN = re.compile(r"[A-Za-z]")
_WINDOW = 2  # words on each side of the break shown to the spacing model
_PREFIX = 2  # Hangul syllables of the right word used when looking up the document's spelling
_MAX_RUN_PREFIX = 16


class Spelling:
    """How a document writes things: which runs of letters and digits start a word, which words
    follow which after one space, and, around punctuation and digits, which character pairs are
    written together or apart ("제1항", "「민법」 제3조", "<개정 2021."). Built from the
    document's lines, so a word broken at a line end is not counted in its joined form."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.starts: Counter[str] = Counter()
        self.pairs: Counter[tuple[str, str]] = Counter()
        self.together: Counter[str] = Counter()
        self.apart: Counter[str] = Counter()
        for line in lines:
            previous: re.Match[str] | None = None
            for run in _RUN.finditer(line):
                word = run.group()
                for n in range(1, min(len(word), _MAX_RUN_PREFIX) + 1):
                    self.starts[word[:n]] += 1
                if previous is not None and line[previous.end() : run.start()] == " ":
                    self.pairs[(previous.group(), word[:_PREFIX])] += 1
                previous = run
            for a, b in zip(line, line[1:]):
                if not a.isspace() and not b.isspace():
                    self.together.update(_keys(a, b))
            for a, space, b in zip(line, line[1:], line[2:]):
                if space == " " and not a.isspace() and not b.isspace():
                    self.apart.update(_keys(a, b))

    def evidence(self, left: str, right: str) -> str | None:
        """SPACE or NOTHING when the document clearly writes the end of ``left`` and the start of
        ``right`` one way and not the other; None when it does not tell."""
        before, after = _TAIL.search(left), _RUN.match(right)
        if before is not None and after is not None:
            head = after.group()[:_PREFIX]
            word = before.group() + head
            joined = self.starts.get(word, 0) if len(word) <= _MAX_RUN_PREFIX else 0
            spaced = self.pairs.get((before.group(), head), 0)
            if joined and not spaced:
                return NOTHING
            if spaced and not joined:
                return SPACE
        a, b = left[-1], right[0]
        digits = before is not None and any(c.isdigit() for c in before.group())
        if _is_hangul(a) and _is_hangul(b) and not digits:
            return None  # inside Hangul, character pairs say nothing about word ends
        for key in _keys(a, b):  # these two characters, else their kinds
            together, apart = self.together.get(key, 0), self.apart.get(key, 0)
            if together >= 3 * apart and together >= 2:
                return NOTHING
            if apart >= 3 * together and apart >= 2:
                return SPACE
        return None


def _is_hangul(char: str) -> bool:
    return "가" <= char <= "힣"


def _keys(a: str, b: str) -> tuple[str, ...]:
    """The pair itself and, before an opening bracket, the pair of kinds ("가「" also counts as
    Hangul before 「). Elsewhere kinds tell too little: after 」 comes a particle ("」에") or
    the next word ("」 제3조") alike."""
    if b in _OPENERS:
        return a + b, _kind(a) + b
    return (a + b,)


def _kind(char: str) -> str:
    """Hangul, digit, Latin (as two-character codes), or the character itself."""
    if _is_hangul(char):
        return "\0H"
    if char.isdigit():
        return "\0D"
    return "\0L" if _LATIN.match(char) else char


def decide_joins(
    pairs: Sequence[tuple[str, str]], spelling: Spelling | None = None, threads: int | None = None
) -> list[str]:
    """For each (line, next line) of one paragraph, what goes between them: SPACE or NOTHING.
    ``threads`` defaults to the CPU count, the default of indexing, so the same Kiwi is reused."""
    decided: list[str | None] = [_by_characters(left, right) for left, right in pairs]
    todo = [i for i, d in enumerate(decided) if d is None]
    if todo:
        model = _spacing_model([pairs[i] for i in todo], threads)
        for i, said in zip(todo, model):
            told = _document_says(pairs[i], spelling)
            decided[i] = told if told is not None else said
    return [d if d is not None else SPACE for d in decided]


def _by_characters(left: str, right: str) -> str | None:
    """The decision punctuation makes, or None when words meet and the analyser must decide."""
    if not left or not right or left[-1].isspace() or right[0].isspace():
        return SPACE
    a, b = left[-1], right[0]
    if a in _OPENERS or b in _CLOSERS or a in _ATTACHING:
        return NOTHING
    if a in _ENDERS:
        return SPACE
    if _LATIN.match(a) and _LATIN.match(b):
        return SPACE  # Latin script wraps at spaces
    word_a = bool(_WORD.match(a)) or a in ")]」』”’】〕"
    word_b = bool(_WORD.match(b)) or b in _OPENERS
    return None if word_a and word_b else SPACE


def _document_says(pair: tuple[str, str], spelling: Spelling | None) -> str | None:
    return spelling.evidence(*pair) if spelling is not None else None


def _spacing_model(pairs: Sequence[tuple[str, str]], threads: int | None) -> list[str]:
    """Kiwi's spacing model on the words around each break, written together: whether it puts a
    space back where the line broke."""
    windows: list[tuple[str, int]] = []
    for left, right in pairs:
        before = " ".join(left.split()[-_WINDOW:])
        after = " ".join(right.split()[:_WINDOW])
        windows.append((before + after, len(before.replace(" ", ""))))
    kiwi = load_kiwi(max(1, threads or os.cpu_count() or 1))
    spaced = list(kiwi.space([text for text, _ in windows])) if len(windows) > 1 else [kiwi.space(windows[0][0])]
    return [_space_after(text, n) for text, (_, n) in zip(spaced, windows)]


def _space_after(text: str, n: int) -> str:
    """Whether ``text`` has a space right after its ``n``-th non-space character."""
    seen = 0
    for i, char in enumerate(text):
        if char.isspace():
            continue
        seen += 1
        if seen == n:
            return SPACE if text[i + 1 : i + 2].isspace() else NOTHING
    return SPACE
