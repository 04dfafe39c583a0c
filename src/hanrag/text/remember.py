"""A tokenizer that remembers the terms of recent questions.

One ``ask`` analyses its question in several places (the search, the highlighted matches, the
extractive answerer), and the web app and evaluations repeat questions; each is analysed once.
Only single short texts are remembered: document batches pass straight through.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hanrag.recent import Recent
from hanrag.text.base import Tokenizer


class RememberingTokenizer:
    """``inner`` with an LRU of question -> terms (thread-safe); everything else delegated."""

    def __init__(self, inner: Tokenizer, size: int = 1024, max_chars: int = 2000) -> None:
        self._inner = inner
        self._max_chars = max_chars
        self._terms: Recent[tuple[str, ...]] = Recent(size)

    @property
    def name(self) -> str:
        return self._inner.name

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        if len(texts) != 1 or len(texts[0]) > self._max_chars:
            return self._inner.tokenize(texts)
        found = self._terms.get_or_compute(list(texts), lambda missing: [tuple(t) for t in self._inner.tokenize(missing)])
        return [list(found[0])]

    def __getattr__(self, attribute: str) -> Any:  # spans(), kiwi, ... of the wrapped tokenizer
        return getattr(self._inner, attribute)
