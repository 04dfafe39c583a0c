"""Okt (KoNLPy): the reference notebook's tokenizer. Needs Java and the GPL-3.0 konlpy."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hanrag.errors import BackendError

_CONTENT_POS = frozenset({"Noun", "Verb", "Adjective", "Alpha", "Number", "Foreign"})


class OktTokenizer:
    """Stemmed content words from Okt."""

    name = "okt"

    def __init__(self) -> None:
        try:
            from konlpy.tag import Okt
        except ImportError as exc:
            raise BackendError("tokenizer 'okt' needs konlpy and Java: pip install 'hanrag[okt]'") from exc
        self._okt: Any = Okt()

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        return [
            [word.lower().replace(" ", "_") for word, pos in self._okt.pos(text, stem=True) if pos in _CONTENT_POS]
            for text in texts
        ]
