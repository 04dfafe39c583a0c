"""MeCab-ko with its bundled dictionary: ~15x faster than Kiwi, for large corpora."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hanrag.errors import BackendError
from hanrag.text.base import CONTENT_TAGS, NOUN_TAGS, normalize_term


class MecabTokenizer:
    """Content morphemes from mecab-ko; compound nouns give the compound and its parts,
    inflected forms (VV+EC) give their stem."""

    name = "mecab"

    def __init__(self) -> None:
        try:
            import mecab_ko
        except ImportError as exc:
            raise BackendError("tokenizer 'mecab' needs mecab-ko: pip install 'hanrag[mecab]'") from exc
        self._tagger: Any = mecab_ko.Tagger()

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        return [self._terms(text) for text in texts]

    def _terms(self, text: str) -> list[str]:
        terms: list[str] = []
        for line in self._tagger.parse(text).splitlines():
            surface, _, feature = line.partition("\t")
            if not feature:
                continue
            fields = feature.split(",")
            tag = fields[0]
            expression = fields[7] if len(fields) > 7 else "*"
            if tag in CONTENT_TAGS:
                terms.append(normalize_term(surface, tag))
                if tag in NOUN_TAGS and expression != "*":
                    terms.extend(_parts(expression, NOUN_TAGS))
            elif "+" in tag and expression != "*":
                # Inflected word such as 알려 = 알리/VV + 어/EC: keep the content parts.
                terms.extend(_parts(expression, CONTENT_TAGS))
        return terms


def _parts(expression: str, keep: frozenset[str]) -> list[str]:
    parts = []
    for item in expression.split("+"):
        pieces = item.split("/")
        if len(pieces) >= 2 and pieces[1] in keep:
            parts.append(normalize_term(pieces[0], pieces[1]))
    return parts
