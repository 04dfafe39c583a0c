"""Kiwi (kiwipiepy): the default Korean analyser, multi-threaded in batches."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from hanrag.text.base import CONTENT_TAGS, NOUN_TAGS, analysable, base_tag, normalize_term

_lock = threading.Lock()


@lru_cache(maxsize=4)
def load_kiwi(num_workers: int) -> Any:
    """One Kiwi per worker count per process: loading the model takes ~1.5 s."""
    from kiwipiepy import Kiwi

    return Kiwi(num_workers=num_workers)


class KiwiTokenizer:
    """Content morphemes from Kiwi; with ``compounds`` a run of adjacent nouns
    written without spaces also yields the joined compound (가계+부실+위험+지수 → 가계부실위험지수)."""

    def __init__(self, threads: int = 1, compounds: bool = True) -> None:
        self.name = "kiwi" if compounds else "kiwi-nocompound"
        self.threads = max(1, threads)
        self.compounds = compounds

    @property
    def kiwi(self) -> Any:
        with _lock:
            return load_kiwi(self.threads)

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        if not texts:
            return []
        return [self._terms(tokens) for tokens in self._analyse(texts)]

    def spans(self, texts: Sequence[str]) -> list[list[tuple[str, int, int]]]:
        """Each text's terms with their character spans in it: (term, start, end)."""
        if not texts:
            return []
        return [self._spans(tokens) for tokens in self._analyse(texts)]

    def _analyse(self, texts: Sequence[str]) -> list[Any]:
        clean = [analysable(t) for t in texts]
        return self.kiwi.tokenize(clean) if len(clean) > 1 else [self.kiwi.tokenize(clean[0])]

    def _terms(self, tokens: Sequence[Any]) -> list[str]:
        return [term for term, _, _ in self._spans(tokens)]

    def _spans(self, tokens: Sequence[Any]) -> list[tuple[str, int, int]]:
        terms: list[tuple[str, int, int]] = []
        run: list[Any] = []
        for token in tokens:
            tag = base_tag(str(token.tag))
            if tag not in CONTENT_TAGS:
                self._flush(run, terms)
                run = []
                continue
            terms.append((normalize_term(token.form, tag), token.start, token.start + token.len))
            if tag in NOUN_TAGS:
                if run and token.start != run[-1].start + run[-1].len:
                    self._flush(run, terms)
                    run = []
                run.append(token)
            else:
                self._flush(run, terms)
                run = []
        self._flush(run, terms)
        return terms

    def _flush(self, run: list[Any], terms: list[tuple[str, int, int]]) -> None:
        if self.compounds and len(run) > 1:
            terms.append(("".join(t.form for t in run), run[0].start, run[-1].start + run[-1].len))
