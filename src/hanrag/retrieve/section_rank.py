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
from collections.abc import Sequence

from hanrag.schema import SearchHit

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
