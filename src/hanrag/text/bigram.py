"""Character bigrams inside each word: no analyser, no dictionary, robust to new words."""

from __future__ import annotations

import re
from collections.abc import Sequence

_WORD = re.compile(r"\w+")


class BigramTokenizer:
    """Overlapping character bigrams of every word; one-character words are kept whole."""

    name = "bigram"

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        return [self._terms(text) for text in texts]

    @staticmethod
    def _terms(text: str) -> list[str]:
        terms: list[str] = []
        for word in _WORD.findall(text.lower()):
            if len(word) == 1:
                terms.append(word)
            else:
                terms.extend(word[i : i + 2] for i in range(len(word) - 1))
        return terms
