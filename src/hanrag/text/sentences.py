"""Korean sentence boundaries for the chunker (Kiwi)."""

from __future__ import annotations

from collections.abc import Sequence

from hanrag.text.kiwi import load_kiwi


def split_sentences(texts: Sequence[str], threads: int = 1) -> list[list[tuple[int, int]]]:
    """(start, end) character spans of the sentences of each text.

    Kiwi finds boundaries even without punctuation (…했다 그리고 …); line breaks
    inside a sentence (common in PDFs) do not end it. ``tokenize(split_sents=True)``
    gives the same boundaries as ``split_into_sents`` about 8x faster (measured on the
    statute PDF: 0.47 s vs 3.6 s), because it skips building sub-sentence objects.
    """
    if not texts:
        return []
    kiwi = load_kiwi(max(1, threads))
    results = kiwi.tokenize(list(texts), split_sents=True) if len(texts) > 1 else [kiwi.tokenize(texts[0], split_sents=True)]
    spans: list[list[tuple[int, int]]] = []
    for text, sentences in zip(texts, results):
        found = _spans([list(s) for s in sentences if s])
        spans.append(found or ([(0, len(text))] if text.strip() else []))
    return spans


# Item markers (②, 가., (1)) that Kiwi leaves at the end of the previous sentence.
_LEADING_MARKS = frozenset({"SW", "SSO", "SB", "SO"})


def _spans(sentences: list[list]) -> list[tuple[int, int]]:
    for i in range(len(sentences) - 1):
        current = sentences[i]
        while len(current) > 1 and current[-1].tag in _LEADING_MARKS:
            sentences[i + 1].insert(0, current.pop())
    return [(s[0].start, s[-1].start + s[-1].len) for s in sentences]
