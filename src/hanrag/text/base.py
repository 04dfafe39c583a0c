"""The Tokenizer protocol and helpers shared by the morphological analysers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

# Content morphemes kept for BM25 (DESIGN §5): nouns, verb/adjective stems, roots,
# foreign words, numbers, hanja, and Kiwi's whole-token patterns (URLs, e-mails, dates
# such as "2012. 2. 1.", hashtags). Particles, endings and affixes are dropped.
CONTENT_TAGS = frozenset(
    {"NNG", "NNP", "NNB", "NR", "VV", "VA", "XR", "SL", "SN", "SH", "W_URL", "W_EMAIL", "W_SERIAL", "W_HASHTAG"}
)
NOUN_TAGS = frozenset({"NNG", "NNP"})


@runtime_checkable
class Tokenizer(Protocol):
    """Turns texts into the terms BM25 indexes. Documents and queries use the same call."""

    name: str

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        """Terms of each text, in order; batch calls are much faster than one by one."""
        ...


_SURROGATE = re.compile("[\ud800-\udfff]")


def analysable(text: str) -> str:
    """``text`` with lone surrogates (invalid Unicode, e.g. from JSON "\\ud800") replaced by U+FFFD:
    the analysers crash on them. One character for one, so offsets stay valid."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def base_tag(tag: str) -> str:
    """Kiwi marks irregular conjugation as 'VV-I', 'VA-R': compare on the part before '-'."""
    return tag.split("-", 1)[0]


def normalize_term(form: str, tag: str) -> str:
    term = form.lower() if tag == "SL" else form
    # Terms are stored space-joined; a space inside one would split it on reload.
    return term.replace(" ", "_")
