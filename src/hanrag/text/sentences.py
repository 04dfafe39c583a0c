"""Korean sentence boundaries for the chunker (Kiwi's splitter)."""

from __future__ import annotations

from collections.abc import Sequence

from hanrag.text.kiwi import load_kiwi


def split_sentences(texts: Sequence[str], threads: int = 1) -> list[list[tuple[int, int]]]:
    """(start, end) character spans of the sentences of each text.

    Kiwi finds boundaries even without punctuation (…했다 그리고 …); line breaks
    inside a sentence (common in PDFs) do not end it.
    """
    if not texts:
        return []
    kiwi = load_kiwi(max(1, threads))
    spans: list[list[tuple[int, int]]] = []
    results = kiwi.split_into_sents(list(texts)) if len(texts) > 1 else [kiwi.split_into_sents(texts[0])]
    for text, sentences in zip(texts, results):
        spans.append([(s.start, s.end) for s in sentences] or ([(0, len(text))] if text.strip() else []))
    return spans
