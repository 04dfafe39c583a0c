"""The offline default answerer: no model, it quotes the sentences of the top hits that best
answer the question, each with its citation.

A sentence's score is a convex combination (min-max, the fusion code) of
- term coverage: the share of the question's corpus IDF mass whose terms occur in the sentence;
- cosine similarity of the sentence and question embeddings (cached, so each sentence is embedded once).
Refusal: the support of the answer is the best coverage plus ``cosine_weight`` times
(best cosine - ``cosine_center``); below ``refuse_below`` the documents are taken not to
hold the answer and the fixed refusal is returned. Coverage alone cannot separate
unanswerable questions (generic words such as 방법, 알리 cover them partly) without refusing
answerable ones; adding the cosine can (bench/answer_quality.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from hanrag.generate.base import REFUSAL, Context
from hanrag.retrieve.fusion import convex_combination
from hanrag.text.base import Tokenizer
from hanrag.ingest.structure import is_title_list
from hanrag.ingest.tables import row_sentences
from hanrag.text.sentences import split_sentences


@dataclass(frozen=True)
class ScoredSentence:
    n: int  # context number
    text: str
    coverage: float
    cosine: float
    score: float


class ExtractiveAnswerer:
    def __init__(
        self,
        tokenizer: Tokenizer,
        idf: Callable[[Sequence[str]], np.ndarray],
        embed_passages: Callable[[Sequence[str]], np.ndarray],
        embed_query: Callable[[str], np.ndarray],
        sentences: int = 3,
        lexical_weight: float = 0.7,
        refuse_below: float = 0.65,
        cosine_weight: float = 6.0,
        cosine_center: float = 0.8,
        threads: int = 1,
    ) -> None:
        self.tokenizer = tokenizer
        self.idf = idf
        self.embed_passages = embed_passages
        self.embed_query = embed_query
        self.sentences = sentences
        self.lexical_weight = lexical_weight
        self.refuse_below = refuse_below
        self.cosine_weight = cosine_weight
        self.cosine_center = cosine_center
        self.threads = threads

    def stream_answer(self, question: str, contexts: Sequence[Context]) -> Iterator[str]:
        ranked = self.rank_sentences(question, contexts)
        if not ranked or self.support(ranked) < self.refuse_below:
            yield REFUSAL
            return
        chosen: list[ScoredSentence] = []
        for sentence in ranked:
            # Overlapping chunks repeat sentences, sometimes cut differently: keep one copy.
            if any(sentence.text in c.text or c.text in sentence.text for c in chosen):
                continue
            chosen.append(sentence)
            if len(chosen) == self.sentences:
                break
        for i, sentence in enumerate(chosen):
            yield ("\n" if i else "") + f"{sentence.text} [{sentence.n}]"

    def support(self, ranked: Sequence[ScoredSentence]) -> float:
        """How well the sentences back an answer (see the module docstring)."""
        coverage = max(s.coverage for s in ranked)
        cosine = max(s.cosine for s in ranked)
        return coverage + self.cosine_weight * (cosine - self.cosine_center)

    def rank_sentences(self, question: str, contexts: Sequence[Context]) -> list[ScoredSentence]:
        """Sentences of the contexts, best first (duplicates removed)."""
        texts: list[str] = []
        numbers: list[int] = []
        seen: set[str] = set()
        # A table of contents answers nothing: its lines are titles, not sentences.
        contexts = [c for c in contexts if c.hit.chunk.kind != "toc"]
        prose = [c.hit.chunk.text for c in contexts if c.hit.chunk.kind != "table"]
        spans = iter(split_sentences(prose, threads=self.threads))
        for context in contexts:
            chunk = context.hit.chunk
            if chunk.kind == "table":  # a table is quoted row by row, cells named by column
                pieces = row_sentences(chunk.text)
            else:
                pieces = [chunk.text[start:end] for start, end in next(spans)]
            for piece in pieces:
                text = " ".join(piece.split())
                if len(text) >= 5 and text not in seen and not is_title_list(text):
                    seen.add(text)
                    texts.append(text)
                    numbers.append(context.n)
        if not texts:
            return []
        coverage = self._coverage(question, texts)
        cosine = self.embed_passages(texts) @ self.embed_query(question)
        rows = np.arange(len(texts))
        fused_rows, fused = convex_combination(
            {"lexical": (rows, coverage), "dense": (rows, cosine)},
            {"lexical": self.lexical_weight, "dense": 1.0 - self.lexical_weight},
        )
        return [
            ScoredSentence(numbers[r], texts[r], float(coverage[r]), float(cosine[r]), float(score))
            for r, score in zip(fused_rows, fused)
        ]

    def _coverage(self, question: str, texts: list[str]) -> np.ndarray:
        query_terms = list(dict.fromkeys(self.tokenizer.tokenize([question])[0]))
        if not query_terms:
            return np.zeros(len(texts))
        weights = self.idf(query_terms)
        total = float(weights.sum()) or 1.0
        out = np.zeros(len(texts))
        for i, terms in enumerate(self.tokenizer.tokenize(texts)):
            present = set(terms)
            out[i] = sum(w for t, w in zip(query_terms, weights) if t in present) / total
        return out
