"""Where a query's terms occur in a text: character spans for highlighting hits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hanrag.text.base import Tokenizer


@dataclass(frozen=True)
class Match:
    """A query term found in a chunk's text at ``text[start:end]`` (code point offsets)."""

    term: str
    start: int
    end: int

    def to_dict(self) -> dict[str, object]:
        return {"term": self.term, "start": self.start, "end": self.end}


def matched_spans(tokenizer: Tokenizer, query_terms: Iterable[str], texts: Sequence[str]) -> list[list[Match]]:
    """For each text, the non-overlapping spans of its terms that are also query terms.

    Tokenizers that know where each term sits (``spans``: Kiwi) give exact morpheme spans;
    for the others each query term is looked up as a substring.
    """
    wanted = {t for t in query_terms if t}
    if not wanted or not texts:
        return [[] for _ in texts]
    spans = getattr(tokenizer, "spans", None)
    if callable(spans):
        # e > s: a morpheme Kiwi restores (하 of a contracted 하다) is a term with no characters to mark
        found = [[Match(t, s, e) for t, s, e in text_spans if t in wanted and e > s]
                 for text_spans in spans(list(texts))]
    else:
        found = [_substring_spans(text, wanted) for text in texts]
    return [_without_overlaps(matches) for matches in found]


def _substring_spans(text: str, terms: set[str]) -> list[Match]:
    lowered = text.lower()
    matches: list[Match] = []
    for term in terms:
        start = lowered.find(term)
        while start >= 0:
            matches.append(Match(term, start, start + len(term)))
            start = lowered.find(term, start + len(term))
    return matches


def _without_overlaps(matches: list[Match]) -> list[Match]:
    """Longest first where spans overlap (a compound noun over its parts), sorted by start."""
    kept: list[Match] = []
    end = -1
    for m in sorted(matches, key=lambda m: (m.start, -(m.end - m.start))):
        if m.start >= end:
            kept.append(m)
            end = m.end
    return kept
