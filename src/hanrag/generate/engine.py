"""Question -> search -> numbered contexts -> streamed answer -> resolved citations."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from hanrag.generate.base import REFUSAL, Answerer, Context
from hanrag.generate.citations import cited_numbers, is_refusal
from hanrag.generate.prompts import pack_contexts
from hanrag.schema import Answer, Citation, SearchHit

NO_CITATION_WARNING = "the answer cites no source; check it against the hits"


def stream_answer(
    question: str, hits: Sequence[SearchHit], answerer: Answerer, max_context_chars: int
) -> Iterator[str | Answer]:
    """Yield answer text pieces as they arrive, then the final Answer.

    With no hits the fixed refusal is returned without calling the answerer.
    """
    if not hits:
        yield REFUSAL
        yield Answer(answer=REFUSAL, refused=True, citations=[], hits=list(hits))
        return
    contexts = answer_contexts(hits, max_context_chars)
    pieces: list[str] = []
    for piece in answerer.stream_answer(question, contexts):
        pieces.append(piece)
        yield piece
    text = "".join(pieces).strip()
    by_number = {c.n: c for c in contexts}
    # Only numbers the answerer was given count (contexts may skip numbers: contents pages, the budget).
    cited = [n for n in cited_numbers(text, max(by_number, default=0)) if n in by_number]
    refused = is_refusal(text, cited)
    # A refusal may cite what the closest sources cover instead: those citations are kept.
    citations = [Citation(n, by_number[n].hit.chunk) for n in cited]
    warnings = [NO_CITATION_WARNING] if not refused and not cited else []
    yield Answer(answer=text, refused=refused, citations=citations, hits=list(hits), warnings=warnings)


def answer_contexts(hits: Sequence[SearchHit], max_context_chars: int) -> list[Context]:
    """The numbered contexts the answerer is given for ``hits``."""
    numbered = [Context(n, hit) for n, hit in enumerate(hits, 1)]
    # A table of contents lists titles, not rules: it is never a source of an answer (unless it is all there is).
    body = [c for c in numbered if c.hit.chunk.kind != "toc"] or numbered
    return pack_contexts(body, max_context_chars)
