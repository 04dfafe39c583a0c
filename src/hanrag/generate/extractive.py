"""The offline default answerer: no model, it quotes the sentences of the top hits that best
answer the question, each with its citation.

A sentence's score is a convex combination (min-max, the fusion code) of
- term coverage: the share of the question's corpus IDF mass whose terms occur in the sentence (read
  as a statute is written: "이 법" stands for the law the question names, "제28조에 따른 구제신청" for
  제28조's title, "초과할 수 없다" for the 한도 asked; a situation told in several words, 일부러 월급을 안 줬으면,
  as the statutory phrase the everyday words give it, 명백한 고의, weighing as that phrase's rarest term);
- cosine similarity of the sentence and question embeddings (cached, so each sentence is embedded once).
Then the sentence that answers goes first (``generate/cues.py``, ``text/question.py``): one that
carries the asked fact (a number with the asked unit for 며칠/몇 시간/몇 퍼센트/얼마), that lies under
a heading naming what the question is about, that states a rule of the asked kind (may / must) binding
whom the question asks about (its topic or subject opens the sentence: ② 사용자는 …), and
the main rule before its proviso (다만, …) and before later paragraphs unless the proviso gives the question's
condition, the definition of a term whose meaning is asked, and a paragraph read with the one of its article it
refers to ("제1항의 통보"); an exception asked (a concessive: "… 늦어져도 … 물어야 하나요?") favours a proviso or a
paragraph setting its rule aside, and a sanction list is quoted with the item punishing the rule. Enumerations are
quoted item by item, never as a block. The score is
``weights · features`` (``FEATURES``, ``SENTENCE_WEIGHTS``; injectable per answerer): the two fused
measures, each cue unweighted, and where the sentence's hit was retrieved (rank, fused score, first hit of
its heading); bench/fit_sentence_weights.py fits the weights, judged by leave-one-part-out over the seen statute
parts: no fit beat the hand-set constants (over fifteen parts, 284 of 390 fact first out of fold against the hand
weights' 284 in sample), so they stay the default.

Refusal, two rules:
- support: the best coverage plus ``cosine_weight`` times (best cosine - ``cosine_center``); below
  ``refuse_below`` the documents are taken not to hold the answer (far-off questions;
  bench/answer_quality.py);
- near misses: a noun the question is about that the retrieved text only names (in a cited law,
  「…」에 따른 육아휴직, or a list of topics, …에 관한 사항), or that the rest of the corpus only names (a
  lexical lookup: 최저임금 only in 제93조's topic list) or the whole corpus never uses
  (국민연금 in 국민연금 보험료율은 … asked of 근로기준법) while the support stays below
  ``near_miss_below`` (above it, the rest of the question is so well covered that the noun is
  likely a spelling variant: 리처드닉슨; the table's party words, 알바 → 근로자, do not count toward that
  support for a focus noun of the question's own: they say whom a rule binds, not what is asked). A compound
  no text of the corpus writes together (안전교육) is such a noun too, unless the embedder takes a compound the
  corpus writes on the same head for the same word (근무시간: 근로시간). Not such a noun: a party named by its
  everyday word (사장: rules often name none), nor the noun right before a situation the table reads as one rule's
  own case (생활비 in 생활비를 미리 빌려 썼는데: 전차금), nor the act asked (관리 in 관리해도 되나요) where a cited law's
  title holds it. The documents then do not state the fact, however close
  their words; the refusal says which topics the closest sources cover instead, cited
  (bench/statute_answers.py; bench/answer_quality.py for KorQuAD).
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from hanrag.generate import cues
from hanrag.generate.base import REFUSAL, Context
from hanrag.ingest.structure import is_title_list
from hanrag.ingest.tables import row_sentences
from hanrag.retrieve.fusion import convex_combination, normalize
from hanrag.retrieve.section_rank import (
    Provision,
    article_label,
    cited_provisions,
    is_sanction,
    punishes,
)
from hanrag.text.base import Tokenizer
from hanrag.text.question import (
    PARTY_TERMS,
    Case,
    OtherLawTerm,
    Question,
    analyse,
    asking_words,
    carries,
    repeats,
    stated_side,
    within,
)
from hanrag.text.sentences import split_sentences

# Score added to a sentence's fused score (0..1) for each cue; see the module docstring.
CARRIES_ASKED_FACT = 0.15
UNDER_MATCHING_HEADING = 0.1
STATES_ASKED_RULE = 0.05
# The rule binds whom the question asks about (② 사용자는 …, for 신고를 받은 사용자는 무엇을 해야 하나요?),
# not a sentence that only names them as another's recipient (① 누구든지 … 사용자에게 신고할 수 있다).
BINDS_ASKED_ACTOR = 0.05
PROVISO = -0.1
LATER_PARAGRAPH = -0.015  # per paragraph after ①, up to three
LIST_ITEM = -0.1
# States the case the question gives by number (2주 in 2주 단위 …, 18세 in 18세 미만인 …), or by a
# condition in words (복직을 원하지 않으면: 원직복직을 원하지 아니하면), itself or, for a proviso, in
# the rule it qualifies: "다만, 특정한 주의 근로시간은 48시간을 …" is about the 2-week scheme of its
# rule, the same proviso under the 3-month rule is not. Each kind counts once.
STATES_GIVEN_CASE = 0.1
# Defines the term the question asks the meaning of, or is about without asking a rule (6. “평균임금”이란 …
# for 평균임금은 어느 기간 …; …행위(이하 “직장 내 괴롭힘”이라 한다) for 어떤 행동이 직장 내 괴롭힘에 해당하나요?).
DEFINES_ASKED_TERM = 0.1
FACT_FIRST_WITHIN = 0.3
PROVISO_SHARES = 0.5  # of its rule's coverage, for a proviso carrying the asked number to go first  # a sentence carrying the asked number goes first when this close to the best
# States what the question is about (its focus groups, as written or by their statutory term), per share:
# "② … 귀향 여비를 지급하여야 한다" over ① of the same article for "… 여비를 받을 수 있나요?".
STATES_FOCUS = 0.1
# Passage cosine of two words at which the embedder takes them for the same thing (a user's compound and the
# statute's compound on the same head); calibrated on the seen sets' compounds only.
SAME_MEANING = 0.965
# Restricts its rule to a group the question is not about (15세 이상 18세 미만인 사람, 산후 1년이 지나지 아니한 여성):
# a special rule, after the general one (``cues.special_groups``).
OTHER_GROUP = -0.1
ONLY_NAMES_FOCUS = -0.15  # what the question is about appears in it only as a cited law's term or a listed topic

# A sentence's score is ``weights · features``: the min-max-normalised coverage and cosine (their convex
# combination), each cue above as its raw indicator or share, and where the sentence was retrieved (its hit's
# reciprocal rank, the hit's min-max-normalised fused score among the hits, whether the hit is the first one
# of its heading). The names, in the order ``sentence_features`` gives them:
FEATURES = (
    "coverage", "cosine",
    "carries_asked_fact", "under_matching_heading", "states_asked_rule", "binds_asked_actor", "proviso",
    "later_paragraph", "defines_asked_term", "list_item", "states_given_number", "states_given_condition",
    "states_focus", "only_names_focus", "other_group",
    "hit_reciprocal_rank", "hit_score", "first_hit_of_heading",
)
CUES = FEATURES[2:]
# The hand-set weights: the constants above, coverage and cosine as ``lexical_weight``'s default; the
# retrieval side not used.
HAND_WEIGHTS: dict[str, float] = {
    "coverage": 0.7, "cosine": 0.3,
    "carries_asked_fact": CARRIES_ASKED_FACT, "under_matching_heading": UNDER_MATCHING_HEADING,
    "states_asked_rule": STATES_ASKED_RULE, "binds_asked_actor": BINDS_ASKED_ACTOR, "proviso": PROVISO,
    "later_paragraph": LATER_PARAGRAPH, "defines_asked_term": DEFINES_ASKED_TERM, "list_item": LIST_ITEM,
    "states_given_number": STATES_GIVEN_CASE, "states_given_condition": STATES_GIVEN_CASE,
    "states_focus": STATES_FOCUS, "only_names_focus": ONLY_NAMES_FOCUS, "other_group": OTHER_GROUP,
    "hit_reciprocal_rank": 0.0, "hit_score": 0.0, "first_hit_of_heading": 0.0,
}
# The default: the hand weights (fitted ones lost under leave-one-part-out; bench/results/sentence_weights.json).
SENTENCE_WEIGHTS = HAND_WEIGHTS


@dataclass(frozen=True)
class ScoredSentence:
    n: int  # context number
    text: str
    coverage: float
    cosine: float
    score: float
    rule: str = ""  # for a proviso, the sentence it qualifies
    heading: str = ""  # its piece's (see ``Piece``)
    paragraph: int | None = None
    punishes: frozenset[Provision] = frozenset()
    lead: str = ""  # for a list item, what it completes (see ``Piece``)
    lead_in: str = ""  # for a list item, the sentence leading into its list


@dataclass(frozen=True)
class Reply:
    """What the answerer will say: the sentences it quotes, or a refusal."""

    sentences: list[ScoredSentence]
    refusal: str | None
    support: float  # see ExtractiveAnswerer.support


@dataclass(frozen=True)
class Piece:
    """A sentence (or list item, or table row) of a context, before scoring."""

    n: int
    text: str
    heading: str  # the chunk's innermost section heading, "" when it has none
    rule: str = ""  # for a proviso (다만, …), the sentence it qualifies
    hit_score: float = 1.0  # its hit's fused score, min-max-normalised among the hits
    first_of_heading: bool = True  # its hit is the best ranked of those under its heading (or it has none)
    # for a sanction, the provisions whose breach it punishes ((제8조, None): the whole article; (제23조, 2): its ②)
    punishes: frozenset[Provision] = frozenset()
    paragraph: int | None = None  # the numbered paragraph of its article it belongs to (② and its 다만, …)
    # for a list item, the sentence leading into its list (after the rule it qualifies, for a proviso's list: "다만,
    # 다음 각 호의 … 그러하지 아니하다"): what the item completes
    lead: str = ""
    matters: bool = False  # that lead-in lists matters ("다음 각 호의 사항을 …"): its items are topics, no cases
    lead_in: str = ""  # for a list item, the sentence leading into its list itself (the proviso, not its rule)


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
        near_miss_below: float = 0.85,
        cosine_weight: float = 6.0,
        cosine_center: float = 0.8,
        threads: int = 1,
        corpus_texts: Callable[[str], list[str]] | None = None,
        weights: Mapping[str, float] | None = None,
    ) -> None:
        self.tokenizer = tokenizer
        self.idf = idf
        self.embed_passages = embed_passages
        self.embed_query = embed_query
        self.sentences = sentences
        self.lexical_weight = lexical_weight
        self.refuse_below = refuse_below
        self.near_miss_below = near_miss_below
        self.cosine_weight = cosine_weight
        self.cosine_center = cosine_center
        self.threads = threads
        # The texts of the corpus that use a word (a lexical search): whether a focus noun the hits lack is
        # stated anywhere, or only named (최저임금 only in "…상여 및 최저임금에 관한 사항" of 제93조).
        self.corpus_texts = corpus_texts
        # The sentence score's weights (``FEATURES``); by default ``SENTENCE_WEIGHTS`` with coverage and
        # cosine as ``lexical_weight`` shares them.
        self.weights = dict(weights) if weights is not None else {
            **SENTENCE_WEIGHTS, "coverage": lexical_weight, "cosine": 1.0 - lexical_weight}

    def with_weights(self, weights: Mapping[str, float]) -> ExtractiveAnswerer:
        """The same answerer scoring sentences with other ``weights`` (``FEATURES``; bench/fit_sentence_weights.py)."""
        other = copy.copy(self)
        other.weights = {**self.weights, **weights}
        return other

    def stream_answer(self, question: str, contexts: Sequence[Context]) -> Iterator[str]:
        reply = self.reply(question, contexts)
        if reply.refusal:
            yield reply.refusal
            return
        for i, sentence in enumerate(reply.sentences):
            yield ("\n" if i else "") + f"{quoted(sentence, reply.sentences[:i])} [{sentence.n}]"

    def reply(self, question: str, contexts: Sequence[Context]) -> Reply:
        """The sentences to quote, best first, and the refusal if any (the module docstring's rules).
        The sentences are there even with a refusal, for evaluation."""
        asked = analyse(question)
        pieces = self._pieces(contexts)
        ranked = self._rank(question, asked, pieces)
        support = self.support(ranked) if ranked else float("-inf")
        chosen: list[ScoredSentence] = []
        for sentence in ranked:
            # Overlapping chunks repeat sentences, sometimes cut differently: keep one copy.
            if any(sentence.text in c.text or c.text in sentence.text for c in chosen):
                continue
            chosen.append(sentence)
            if len(chosen) == self.sentences:
                break
        texts = [p.text for p in pieces]
        read = [f"{p.lead} {p.text}" if p.lead else p.text for p in pieces]  # an item with the sentence it completes
        named, unused = unstated_focus(asked, texts, self.unseen, self.corpus_texts, self.meaning_of,
                                       own_law=self._own_law(asked, texts), read=read)
        if unused and support >= self.near_miss_below and asked.topical != asked.plain and _own_focus(asked, unused):
            # The party words (알바 -> 근로자) say whom the rule binds: they do not make a question whose own
            # focus (퇴직금) the corpus never uses so well covered that the focus must be a spelling variant.
            support = self._support(question, asked, pieces, ranked, plain=asked.topical)
        other = other_law_terms(asked, read, self.corpus_texts)
        if other:
            words = {o.written: o.law for o in other}
            missing = list(dict.fromkeys(shown_phrase(w, named + unused) for w in words))
            missing += [p for p in named + unused if not any(p in m or m in p for m in missing)]
            return Reply(chosen, near_miss_refusal(missing, contexts, words), support)
        # Whether something the documents never name is an X they define ("학생 알바나 계약직도 … 근로자에 들어가나요?")
        # is answered by the definition ("“근로자”란 직업의 종류와 관계없이 …"): it is what X takes in.
        defined = bool(chosen) and asked.asks_membership and defines_asked(asked, chosen[0].text)
        if named or (unused and support < self.near_miss_below and not defined):
            return Reply(chosen, near_miss_refusal(named + unused, contexts), support)
        apart = fact_apart(asked, pieces)
        if apart:
            return Reply(chosen, near_miss_refusal(apart, contexts), support)
        if asked.answer_type in _COUNTED and not any(carries(p.text, asked.answer_type, asked.text) for p in pieces):
            # "… 몇 배까지 배상 명령을 할 수 있나요?" and no source gives a multiple: they cannot answer it
            return Reply(chosen, near_miss_refusal([asking_words(asked.text) or asked.text], contexts), support)
        # A question whether something is an X that the documents define is answered by the definition, whatever the
        # rest of its words ("몸 쓰는 일이 아니어도 법에서 말하는 근로에 들어가나요?": "3. “근로”란 …").
        if support < self.refuse_below and not any(defines_asked(asked, p.text) for p in pieces):
            return Reply(chosen, REFUSAL, support)
        return Reply(chosen, None, support)

    def same_meaning(self, word: str, terms: Sequence[str]) -> bool:
        """Whether one of ``terms`` (words of the corpus) means ``word`` by the embedder (``meaning_of``)."""
        return self.meaning_of(word, terms) is not None

    def meaning_of(self, word: str, terms: Sequence[str]) -> str | None:
        """The one of ``terms`` (words of the corpus) closest to ``word`` by the embedder, if it means the same:
        passage cosine at least ``SAME_MEANING`` (calibrated on the seen sets: 근무시간/근로시간 0.970;
        안전교육/의무교육 0.959)."""
        if not terms or self.cosine_weight == 0.0:
            return None
        vectors = self.embed_passages([word, *terms])
        cosines = vectors[1:] @ vectors[0]
        best = int(cosines.argmax())
        return terms[best] if cosines[best] >= SAME_MEANING else None

    def unseen(self, words: Sequence[str]) -> set[str]:
        """The words the corpus never uses (their own term, or all their terms, has no document)."""
        words = list(dict.fromkeys(words))
        if not words:
            return set()
        terms = self.tokenizer.tokenize(words)
        distinct = list(dict.fromkeys(t for ts in terms for t in ts))
        # The store gives unseen terms the maximum idf: the sentinel below is never a term.
        *weights, never = self.idf([*distinct, "\x00"])
        unused = {t for t, w in zip(distinct, weights) if w >= never - 1e-9}
        return {w for w, ts in zip(words, terms) if ts and (w in unused if w in ts else set(ts) <= unused)}

    def support(self, ranked: Sequence[ScoredSentence]) -> float:
        """How well the sentences back an answer (see the module docstring)."""
        coverage = max(s.coverage for s in ranked)
        cosine = max(s.cosine for s in ranked)
        return coverage + self.cosine_weight * (cosine - self.cosine_center)

    def _support(self, question: str, asked: Question, pieces: Sequence[Piece], ranked: Sequence[ScoredSentence],
                 plain: Sequence[tuple[str, str]]) -> float:
        """``support`` with the coverage read through ``plain`` only (the cosines are the ranking's)."""
        texts = [p.text for p in pieces]
        cited = read_with(asked, pieces)
        coverage = self._coverage(question, texts, skip=asked.unshared, plain=plain,
                                  own=self._own_law(asked, texts), cited=cited, limits=asked.limits)
        cosine = max(s.cosine for s in ranked)
        return float(coverage.max()) + self.cosine_weight * (cosine - self.cosine_center)

    def rank_sentences(self, question: str, contexts: Sequence[Context]) -> list[ScoredSentence]:
        """Sentences of the contexts, best first (duplicates removed)."""
        return self._rank(question, analyse(question), self._pieces(contexts))

    def _pieces(self, contexts: Sequence[Context]) -> list[Piece]:
        pieces: list[Piece] = []
        seen: set[str] = set()
        # A table of contents answers nothing: its lines are titles, not sentences.
        contexts = [c for c in contexts if c.hit.chunk.kind != "toc"]
        scores = np.array([c.hit.score for c in contexts], dtype=np.float64)
        hit_scores = dict(zip((c.n for c in contexts), normalize(scores, "minmax") if len(scores) else []))
        first: dict[str, int] = {}
        for context in sorted(contexts, key=lambda c: c.n):
            first.setdefault((context.hit.chunk.section or "").rsplit(" > ", 1)[-1], context.n)
        prose = [c.hit.chunk.text for c in contexts if c.hit.chunk.kind not in ("table", "front")]
        spans = iter(split_sentences(prose, threads=self.threads))
        for context in contexts:
            chunk = context.hit.chunk
            heading = (chunk.section or "").rsplit(" > ", 1)[-1]
            if chunk.kind == "table":  # a table is quoted row by row, cells named by column
                texts = [(row, is_title_list(row)) for row in row_sentences(chunk.text)]
            elif chunk.kind == "front":  # a law's title block, line by line under the law's name (its first line)
                name, *lines = chunk.text.splitlines() or [""]
                texts = [(f"{name} {line}", False) for line in lines] or [(name, False)]
            else:
                # A list of titles is told by the whole sentence: an item cut from one ("2. 8시간을 초과한
                # 휴일근로: 통상임금의 100분의 100") may end on a number as a contents line ends on its page.
                texts = [(item, titles) for start, end in next(spans)
                         for titles in [is_title_list(chunk.text[start:end])]
                         for item in cues.split_items(chunk.text[start:end])]
            rule = lead = lead_in = ""
            matters = False
            sanction = is_sanction(heading)
            paragraph: int | None = None
            for i, (piece, titles) in enumerate(texts):
                text = " ".join(piece.split())
                proviso = cues.is_exception(text)
                item = cues.is_item(text)
                paragraph = cues.paragraph_number(text) or paragraph
                if len(text) >= 5 and text not in seen and not titles:
                    seen.add(text)
                    punished = punished_provisions(text, [t for t, _ in texts[i + 1:]]) if sanction else frozenset()
                    pieces.append(Piece(context.n, text, heading, rule if proviso else "", float(hit_scores[context.n]),
                                        not heading or first[heading] == context.n, punished, paragraph,
                                        lead if item else "", item and matters, lead_in if item else ""))
                if not item:
                    # a proviso between a lead-in and its items (제51조 ②: "… 각 호의 사항을 정하면 …. 다만, …") leads
                    # them with its rule
                    lead, lead_in = (f"{rule} {text}" if proviso else text), text
                    matters = "각 호의 사항" in lead
                if not proviso and not item:
                    rule = text
        return with_lead_ins(pieces)

    def sentence_features(self, question: str, contexts: Sequence[Context]) -> tuple[list[Piece], np.ndarray]:
        """The pieces of the contexts and their features (rows; columns ``FEATURES``), for fitting the weights."""
        asked = analyse(question)
        pieces = self._pieces(contexts)
        if not pieces:
            return pieces, np.zeros((0, len(FEATURES)))
        coverage, cosine, cue = self._features(question, asked, pieces)
        return pieces, np.column_stack([normalize(coverage, "minmax"), normalize(cosine, "minmax"), cue])

    def _features(self, question: str, asked: Question, pieces: Sequence[Piece]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per piece: coverage, cosine (raw), and the ``CUES`` (rows)."""
        texts = [p.text for p in pieces]
        cited = read_with(asked, pieces)
        coverage = self._coverage(question, texts, skip=asked.unshared, plain=asked.plain,
                                  own=self._own_law(asked, texts), cited=cited, limits=asked.limits)
        cosine = self.embed_passages(texts) @ self.embed_query(question)
        return coverage, cosine, np.array([cue_features(asked, p) for p in pieces], dtype=np.float64)

    def _rank(self, question: str, asked: Question, pieces: Sequence[Piece]) -> list[ScoredSentence]:
        if not pieces:
            return []
        texts = [p.text for p in pieces]
        coverage, cosine, cue = self._features(question, asked, pieces)
        rows = np.arange(len(texts))
        fused_rows, fused = convex_combination(
            {"lexical": (rows, coverage), "dense": (rows, cosine)},
            {"lexical": self.weights["coverage"], "dense": self.weights["cosine"]},
        )
        scored = [
            ScoredSentence(pieces[r].n, texts[r], float(coverage[r]), float(cosine[r]),
                           float(score) + weighted(cue[r], self.weights), pieces[r].rule,
                           pieces[r].heading, pieces[r].paragraph, pieces[r].punishes, pieces[r].lead, pieces[r].lead_in)
            for r, score in zip(fused_rows, fused)
        ]
        ranked = sorted(scored, key=lambda s: -s.score)
        return sanction_first(asked, fact_first(asked, proviso_first(asked, ranked)))

    def _coverage(
        self, question: str, texts: list[str], skip: Sequence[str] = (), plain: Sequence[tuple[str, str]] = (),
        own: str | None = None, cited: Sequence[str] = (), limits: Sequence[str] = (),
    ) -> np.ndarray:
        """Per text, the share of the question's IDF mass it covers: a term is covered by itself, by
        the statutory term of its everyday word (``plain``), by the title of an article the text
        refers to (``cited``, per text: "제28조에 따른 구제신청" is 제28조(부당해고등의 구제신청)'s), or,
        for the terms of the document's own law named in the question (``own``), by "이 법"; the words
        asking a ceiling (``limits``: 한도, 최대) by a sentence stating one (초과할 수 없다)."""
        query_terms = [t for t in dict.fromkeys(self.tokenizer.tokenize([question])[0]) if t not in skip]
        if not query_terms:
            return np.zeros(len(texts))
        *weights, never = self.idf([*query_terms, "\x00"])  # the sentinel: the idf of a term the corpus never uses
        weights = np.asarray(weights, dtype=np.float64)
        total = float(weights.sum()) or 1.0
        # A term the corpus never yields that a text writes inside a longer word is the same word analysed
        # otherwise: 신분증 in 신분증명서 (신분 + 증명서).
        inside = [t for t, w in zip(query_terms, weights) if w >= never - 1e-9 and len(t) >= 2 and _HANGUL.fullmatch(t)]
        # … and one the corpus writes with another ending (일용직: 일용근로자; ``stem_sibling``) is that word
        siblings = {}
        if self.corpus_texts is not None and self.cosine_weight:
            for t in inside:
                sibling = stem_sibling(t, self.corpus_texts, self.meaning_of)
                if sibling:
                    siblings[t] = "".join(sibling.split())
        statutory = self._statutory_terms(plain)
        # A situation told in several words (일부러 월급을 안 줬으면: 명백한 고의) is a thing the question asks of its own,
        # whatever words of it the analysis keeps (an adverb is no term): its statutory phrase weighs as its rarest term.
        situations = list(dict.fromkeys(term for everyday, term in plain if len(everyday.split()) > 1))
        situation_terms = [set(ts) for ts in self.tokenizer.tokenize(situations)] if situations else []
        situation_terms = [ts for ts in situation_terms if len(ts) > 1]
        situation_weights = [float(max(self.idf(sorted(ts)))) for ts in situation_terms]
        total += sum(situation_weights)
        law_terms = set(self.tokenizer.tokenize([own])[0]) if own else set()
        out = np.zeros(len(texts))
        referred = self.tokenizer.tokenize(list(cited)) if any(cited) else [[] for _ in texts]
        limit_terms = {t for ts in self.tokenizer.tokenize(list(limits)) for t in ts} if limits else set()
        # A cited law's name covers nothing of the question: 「근로자퇴직급여 보장법」 is no rule on 퇴직.
        for i, terms in enumerate(self.tokenizer.tokenize([cues.without_law_names(t) for t in texts])):
            present = set(terms) | set(referred[i])
            # Kiwi reads "정당한" as 정당하 in one sentence and 정당 + 하 in another: an adjective or verb on 하 and
            # its root are present together.
            present |= {f"{t}하" for t in present if len(t) >= 2} | {t[:-1] for t in present if len(t) >= 3 and t[-1] == "하"}
            if inside:
                written = "".join(texts[i].split())
                present |= {t for t in inside if t in written}
            if siblings:  # stated, not named: 퇴직급여 in 「근로자퇴직급여 보장법」 or its cited terms is no 퇴직금 of this text's
                stated = "".join(cues.outside_mentions(texts[i]).split())
                present |= {t for t, sibling in siblings.items() if sibling in stated}
            if law_terms and cues.names_itself(texts[i]):
                present |= law_terms
            if limit_terms and cues.states_ceiling(texts[i]):
                present |= limit_terms
            out[i] = (sum(w for t, w in zip(query_terms, weights)
                          if t in present or any(s <= present for s in statutory.get(t, ())))
                      + sum(w for ts, w in zip(situation_terms, situation_weights) if ts <= present)) / total
        return out

    def _own_law(self, asked: Question, texts: Sequence[str]) -> str | None:
        """The law the question names that the texts call "이 법": one the corpus uses, that the texts
        say "이 법" about and never cite as another law (「최저임금법」)."""
        if not asked.laws or not any(cues.names_itself(t) for t in texts):
            return None
        unseen = self.unseen(asked.laws)
        return next((law for law in asked.laws
                     if law not in unseen and not any(cues.cites(t, law) for t in texts)), None)

    def _statutory_terms(self, plain: Sequence[tuple[str, str]]) -> dict[str, list[set[str]]]:
        """Each term of an everyday word (집안일) -> the terms of its statutory word ({가사}): a text
        holding all of those covers the term."""
        if not plain:
            return {}
        tokens = self.tokenizer.tokenize([w for pair in plain for w in pair])
        out: dict[str, list[set[str]]] = {}
        for everyday, statutory in zip(tokens[::2], tokens[1::2]):
            for term in everyday:
                if term not in statutory and statutory:
                    out.setdefault(term, []).append(set(statutory))
        return out


_HANGUL = re.compile(r"[가-힣]+")
_PARTICLE_END = re.compile(r"(?:등)?(?:에게|에서|으로|에|을|를|이|가|은|는|의|와|과|로|도)$")


def _squash(text: str) -> str:
    return "".join(text.split())


# Asked facts specific enough that a sentence without one cannot be the answer.
_COUNTED = {"purpose", "percent", "days", "hours", "minutes", "years", "months", "weeks", "times", "people", "age", "multiple", "money",
            "duration", "period"}
# The types ``fact_first`` brings a sentence carrying forward: the counted ones, a time (언제부터: "…: 2022년 1월 1일"
# over the rule it dates) and where a matter is set (어디에서 정하나요: "… 세부절차는 … 중앙노동위원회가 정하는 바에
# 따른다" over the rule of the procedure). Neither is a count a source must give to answer (언제 주어야: "청구한 시기에").
_FACT_FIRST = _COUNTED | {"when", "regulation", "decider"}


def _own_focus(asked: Question, unused: Sequence[str]) -> bool:
    """Whether a phrase of ``unused`` is a focus of the question in its own right: a main argument
    (퇴직금 in "… 알바도 퇴직금을 받을 수 있나요?"), not a restriction, and not a word describing a party
    (초기 in "임신 초기 직원은 …": who the rule binds, as the party word that heads it)."""
    parties = [everyday for everyday, term in asked.plain if term in PARTY_TERMS]
    return any(
        any("".join(g) in phrase.replace(" ", "") for g in asked.focus) and not any(p in phrase for p in parties)
        for phrase in unused
    )


def quoted(sentence: ScoredSentence, before: Sequence[ScoredSentence] = ()) -> str:
    """A sentence as the answer quotes it: a list item after the sentence leading into its list, unless quoted
    already ("1. 근로자가 계속 근로한 기간이 3개월 미만인 경우" alone does not say it is an exception to 해고 예고)."""
    if sentence.lead_in and cues.is_item(sentence.text) and not any(s.text == sentence.lead_in for s in before):
        return f"{cues.without_notes(sentence.lead_in)} {sentence.text}"
    return sentence.text


def read_with(asked: Question, pieces: Sequence[Piece]) -> list[str]:
    """Per piece, the text it is read with for coverage: the titles of the articles it refers to, the paragraphs it
    cites, its list's lead-in, its article's title and, for a sanction asked, the rules it punishes."""
    texts = [p.text for p in pieces]
    titles = cues.article_titles(p.heading for p in pieces)
    cited = [" ".join(cues.cited_titles(t, titles) + referred_paragraphs(p, pieces)) for t, p in zip(texts, pieces)]
    # A list item reads with the sentence it completes: "3. 임신 중의 여성이 명시적으로 청구하는 경우" is an
    # exception to 제70조 ②'s ban on night work, and answers "임신한 직원이 원하면 밤에 일할 수 있나요?" only so.
    # An item of a list of matters ("다음 각 호의 사항을 정하면") is a topic, no case: it reads so only for a question
    # asking what a document must hold ("기숙사 규칙에 외박 같은 내용도 넣어야 하나요?": 제99조 ① and its item 1).
    # So too for the item naming the matter asked that its lead-in does not (``names_matter_asked``).
    cited = [f"{c} {p.lead}" if reads_with_lead(asked, p) else c for c, p in zip(cited, pieces)]
    # A proviso reads with the rule it qualifies: "다만, … 당사자 사이의 합의에 의하여 기일을 연장할 수 있다" is the
    # 기일 of 제36조's 금품 청산 (퇴직한 경우 … 14일 이내에 지급).
    cited = [f"{c} {p.rule}" if p.rule and not p.lead else c for c, p in zip(cited, pieces)]
    # Every sentence reads with its article's title, as the first one is written with it ("제24조(경영상 이유에
    # 의한 해고의 제한) ① …"): "④ 사용자는 제1항에 따라 … 해고하려면 … 신고하여야 한다" is about 정리해고 too, and
    # the title no longer favours ① over the later paragraph that answers.
    cited = [f"{c} {titles.get(article_label(p.heading) or '', '')}" for c, p in zip(cited, pieces)]
    if asked.answer_type == "sanction":  # a sanction reads with the rules it punishes
        cited = [f"{c} {' '.join(o.text for o in pieces if punishes(p.punishes, article_label(o.heading), o.paragraph))}"
                 if p.punishes else c for c, p in zip(cited, pieces)]
    return cited


def referred_paragraphs(piece: Piece, pieces: Sequence[Piece]) -> list[str]:
    """The paragraphs of its own article that ``piece`` refers to: "② 사용자는 제1항의 통보를 이유로 근로자에게
    해고나 … 하지 못한다" is about ①'s 통보 (근로자가 위반 사실을 근로감독관에게 통보할 수 있다), so it reads with ①;
    "③ 제1항과 제2항에 따른 기간 이내에 재심을 신청하지 아니하면 …" (①'s 10일, ②'s 15일) with both; "② 제1항은 …
    적용하지 아니한다" with the rule it sets aside."""
    refs = cues.paragraph_references(piece.text)
    if not refs or not piece.heading:
        return []
    found = []
    for number in refs:
        for other in pieces:
            if other.heading == piece.heading and other is not piece and cues.paragraph_number(other.text) == number:
                found.append(other.text)
                break
    return found


def punished_provisions(text: str, following: Sequence[str]) -> frozenset[Provision]:
    """The provisions whose breach a sentence of a sanction article punishes: those it cites ("제7조, 제8조 … 를
    위반한 자는 5년 이하의 징역 …"), or, for a list's lead-in ("다음 각 호의 어느 하나에 해당하는 자는 2년 이하의
    징역 …"), those its items cite (``following``: the texts after it in its chunk). A sanction means the rule it
    cites, so it covers a question in the rule's words ("휴게시간을 안 준 사장은 어떤 처벌을 받나요?": 제54조(휴게),
    cited by item 1 of 제110조) — that paragraph only, when the citation names one (제23조제2항)."""
    found = set(cited_provisions(text))
    if "각 호" in text:
        for item in following:
            if not cues.is_item(" ".join(item.split())):
                break
            found |= cited_provisions(item)
    return frozenset(found)


def sanction_first(asked: Question, ranked: list[ScoredSentence]) -> list[ScoredSentence]:
    """For a question asking a sanction, the sentence stating one goes first: the sanction punishing the best rule
    (the best sentence that is no sanction: the rule the question is about), else the best sentence when it is a
    sanction stating one (제116조 ① over its ③ for "… 괴롭히면 사장이 … 과태료를 받나요?", whose best rule sentence
    is a later article's), else the best sanction scoring within
    ``FACT_FIRST_WITHIN`` of the best sentence — unless it punishes only other paragraphs of that rule's article.
    That is no answer: 제107조 punishes 제23조 ② (dismissal during 요양 or 산전ㆍ산후 leave), not ①'s dismissal without
    just cause, for which the statute sets no penalty; the rule then goes first."""
    if asked.answer_type != "sanction" or not ranked:
        return ranked
    rule = next((s for s in ranked if not is_sanction(s.heading)), None)
    label = article_label(rule.heading) if rule is not None else None
    paragraph = rule.paragraph if rule is not None else None

    def misses(s: ScoredSentence) -> bool:  # cites the rule's article, but not the rule's paragraph
        return any(cited == label for cited, _ in s.punishes) and not punishes(s.punishes, label, paragraph)

    stating = [s for s in ranked if carries(s.text, "sanction") and is_sanction(s.heading) and not misses(s)]
    first = next((s for s in stating if punishes(s.punishes, label, paragraph)), None)
    if first is not None:
        # a list's lead-in punishes the rule through one of its items: that item, quoted after its lead-in, says
        # which ("② 다음 각 호의 … 과태료를 부과한다. 3. 제51조의2제5항에 따른 임금보전방안을 신고하지 아니한 자")
        first = next((s for s in ranked if s.lead_in == first.text and cues.is_item(s.text)
                      and punishes(s.punishes, label, paragraph)), first)
    if first is None and stating and stating[0] is ranked[0]:  # the best sentence answers with a sanction
        first = ranked[0]
    if first is None:
        # Else a sanction naming the act itself (108: 근로감독관이 … 고의로 묵과하면), or citing rules the hits lack:
        # one for another rule of the hits (제110조's 제26조 for a question on 제24조) answers another question.
        found = {article_label(s.heading) for s in ranked if not is_sanction(s.heading)}
        first = next((s for s in stating if s.score >= ranked[0].score - FACT_FIRST_WITHIN
                      and not any(cited in found for cited, _ in s.punishes)), None)
    if first is None:
        first = rule if rule is not None and misses(ranked[0]) else ranked[0]
    return [first] + [s for s in ranked if s is not first]


def proviso_first(asked: Question, ranked: list[ScoredSentence]) -> list[ScoredSentence]:
    """The best sentence's own exception goes first when it states a case of the question that the rule does not:
    its proviso giving the question's restriction ("고등학생 알바는 합의하면 하루에 몇 시간 더 …" asks for "다만,
    당사자 사이의 합의에 따라 1일에 1시간 … 연장할 수 있다", the exception to 제69조's rule, by giving its condition,
    합의) or a count or condition the question gives that the rule does not ("하루 7시간만 일하는 임신한 직원": "다만, 1일
    근로시간이 8시간 미만인 근로자에 대하여는 …"; "인가를 받을 틈도 없이": "다만, … 인가를 받을 시간이 없는 경우에는"),
    or an item of its proviso's list holding the count the question gives ("입사한 지 두 달밖에 안 된 직원도 해고 예고를
    받아야 하나요?": "1. 근로자가 계속 근로한 기간이 3개월 미만인 경우" of 제26조's 다만, …)."""
    if not ranked or not (asked.restricting or asked.given or asked.topical) or ranked[0].rule:
        return ranked
    best = ranked[0]
    for own in ranked[1:]:
        if own.rule == best.text:
            # as written or by its statutory term (같이 사는 가족: "다만, 동거하는 친족만을 사용하는 사업 …"), or
            # the statutory phrase of an everyday one (문을 닫게 되면: "다만, … 사업을 계속할 수 없게 된 경우에는 …")
            if any(_focus_coverage(asked, g, [own.text], [cues.outside_mentions(own.text)]) == "stated"
                   and _focus_coverage(asked, g, [best.text], [cues.outside_mentions(best.text)]) != "stated"
                   for g in asked.restricting) or any(
                    _squash(term) in _squash(own.text) and _squash(term) not in _squash(best.text)
                    for _, term in asked.topical) or any(
                    # or a count or condition the question gives ("하루 7시간만 일하는": "다만, 1일 근로시간이 8시간 미만인 …")
                    states_count(asked, own.text, g) and not states_count(asked, best.text, g) for g in asked.given) or any(
                    _states(asked, own.text, case) and not _states(asked, best.text, case) for case in asked.cases):
                return [own] + [s for s in ranked if s is not own]
            break
    for item in ranked[1:]:
        if item.lead.startswith(f"{best.text} ") and cues.is_exception(item.lead[len(best.text) + 1:]) \
                and states_given(asked, item.text) and not states_given(asked, best.text):
            return [item] + [s for s in ranked if s is not item]
    return ranked


def states_given(asked: Question, text: str) -> bool:
    """Whether ``text`` states a count the question gives, or a bound holding one it gives as a point."""
    return any(states_count(asked, text, g) for g in asked.given)


def states_count(asked: Question, text: str, given: str) -> bool:
    """Whether ``text`` states the count ``given`` (one of ``asked.given``): as written, or, for a count given as a
    point, by a bound holding it (두 달: "3개월 미만")."""
    if states_other_side(asked, text, given):
        return False
    return repeats(text, given) or (given in asked.points and within(text, given))


def states_other_side(asked: Question, text: str, given: str) -> bool:
    """Whether ``text`` states the count ``given`` on the other side of the bound the question gives it as."""
    return any(g == given and stated_side(text, given) not in (None, side) for g, side in asked.sides)


def fact_first(asked: Question, ranked: list[ScoredSentence]) -> list[ScoredSentence]:
    """For 며칠/몇 시간/몇 퍼센트…: the best sentence carrying such a number goes first when it
    scores within ``FACT_FIRST_WITHIN`` of the best, or is the proviso of the best (the rule names
    the case, its proviso gives the number); a sentence without the number cannot answer."""
    if asked.answer_type not in _FACT_FIRST or not ranked or carries(ranked[0].text, asked.answer_type, asked.text):
        return ranked
    # The rule's own proviso answers for it only when it shares the question's words: "다만, 특정한 주의
    # 근로시간은 52시간을 …" says nothing of 퇴근 후 다음 출근까지 몇 시간.
    close = [s for s in ranked[1:] if s.score >= ranked[0].score - FACT_FIRST_WITHIN
             or (s.rule == ranked[0].text and s.coverage >= PROVISO_SHARES * ranked[0].coverage)]
    fact = next((s for s in close if carries(s.text, asked.answer_type, asked.text)), None)
    return ranked if fact is None else [fact] + [s for s in ranked if s is not fact]


def cue_score(asked: Question, piece: Piece, weights: Mapping[str, float] = HAND_WEIGHTS) -> float:
    """How much the sentence's form (and its hit) says it answers the question (module docstring)."""
    return weighted(cue_features(asked, piece), weights)


def weighted(values: Sequence[float], weights: Mapping[str, float]) -> float:
    """The ``CUES`` values weighted and summed, in their order."""
    score = 0.0
    for name, value in zip(CUES, values):
        if value:
            score += weights[name] * value
    return score


def defines_asked(asked: Question, text: str) -> bool:
    """Whether ``text`` defines a term whose meaning the question asks ("3. “근로”란 …" for "… 근로에 들어가나요?")."""
    return bool(asked.defines) and bool(set(asked.defines) & set(cues.defined_terms(text)))


def cue_features(asked: Question, piece: Piece) -> list[float]:
    """The ``CUES`` of a piece, unweighted: indicators (0/1), shares (0..1), the paragraph count after ①
    (up to three), the hit's reciprocal rank and normalised score."""
    # A list item states its rule, its subject and its case with the sentence it completes ("② 사용자가 … 저축을
    # 관리하는 경우에는 다음 각 호의 사항을 지켜야 한다. 2. 근로자가 … 반환을 요구할 때에는 즉시 이에 따를 것").
    whole = f"{piece.lead} {piece.text}" if reads_with_lead(asked, piece) else piece.text
    # … and what it counts as: "4. … 육아기 근로시간 단축을 사용하여 단축된 근로시간" is deemed by its lead-in
    # ("… 기간은 출근한 것으로 본다"); a count or a time it must give itself.
    carrier = whole if asked.answer_type == "deemed" else piece.text
    carries_fact = float(bool(asked.answer_type) and carries(carrier, asked.answer_type, asked.text))
    heading = 0.0
    if asked.focus and piece.heading:
        heading = sum(cues.coverage(group, [piece.heading]) == "stated" for group in asked.focus) / len(asked.focus)
    rule = float(bool(asked.modality) and cues.states_rule(whole, asked.modality))
    actor = float(bool(asked.actor) and bool({asked.actor, *asked.terms_of(asked.actor)} & set(cues.subjects(whole))))
    # an exception the question does not ask is after its rule (1); one it asks (a concessive: "… 늦어져도 지연이자를
    # 물어야 하나요?") is the answer (-1), a proviso or a paragraph setting its rule aside ("제1항은 … 적용하지 아니한다")
    proviso = float(cues.is_exception(piece.text) and not asked.asks_exception)
    if asked.asks_exception and (cues.is_exception(piece.text) or cues.sets_aside(piece.text)):
        proviso = -1.0
    paragraph = cues.paragraph_number(piece.text)
    later = float(min(paragraph - 1, 3)) if paragraph else 0.0
    # "6. “평균임금”이란 …" for 평균임금은 어느 기간 …: a definition is no mere list item
    defines = defines_asked(asked, piece.text)
    # … nor is the item of a list of matters a document must hold, asked as such ("… 외박 같은 내용도 넣어야 하나요?")
    # … nor the item naming the matter asked that its lead-in does not (4. 기숙사의 면적, for "기숙사 방 면적에도 지켜야 할
    # 기준이 있나요?" under "… 다음 각 호의 사항에 관하여 대통령령으로 정하는 기준을 충족하도록 하여야 한다")
    item = float(not defines and cues.is_item(piece.text)
                 and not (piece.matters and (asked.asks_contents or names_matter_asked(asked, piece))))
    given = 0.0
    if asked.given:  # each number given is part of the case: "30명이 안 되는 회사는 주 12시간 말고 …" -> 30명
        # … or falls within a bound it states: "입사한 지 두 달밖에 안 된 직원" in "3개월 미만인 경우"
        case = f"{piece.rule} {whole}"
        # … and a sentence stating it on the other side of the question's bound is another case: "80퍼센트 이상
        # 출근한" for "출근한 날이 80%가 안 되는데"
        given = sum(states_count(asked, case, g) - states_other_side(asked, case, g) for g in asked.given) / len(asked.given)
    condition = float(bool(asked.cases) and all(_states(asked, f"{piece.rule} {whole}", case) for case in asked.cases))
    focus = 0.0
    # … and the act it asks about (해고 in 그 직원을 해고할 수 있나요?), which is part of what it is about
    about = asked.focus + ((asked.act,),) if asked.act and (asked.act,) not in asked.focus else asked.focus
    if about:
        # the sentence itself: its article's title, which ① opens with, counts as ``heading`` for every paragraph
        stated = [cues.without_heading(whole)]
        focus = sum(_focus_coverage(asked, g, stated, stated) == "stated" for g in about) / len(about)
    only_names = float(any(cues.coverage(group, [piece.text]) == "mentioned" for group in asked.focus))
    # a rule for several groups ("15세 이상 18세 미만의 근로자와 임신 중인 여성 근로자") is one for each
    groups = cues.special_groups(f"{piece.rule} {piece.lead} {piece.text}")
    other_group = float(bool(groups) and not groups & cues.asked_groups(asked.text))
    return [carries_fact, heading, rule, actor, proviso, later, float(defines), item, given, condition, focus, only_names,
            other_group,
            1.0 / piece.n if piece.n > 0 else 0.0, piece.hit_score, float(piece.first_of_heading)]


def with_lead_ins(pieces: list[Piece]) -> list[Piece]:
    """``pieces`` with the items a chunk opens on (its cut fell inside a list) given their lead-in, when another hit of
    the same article holds the one lead-in of a list ("3. 식사에 관한 사항", led by 제99조 ① "… 다음 각 호의 사항에
    관하여 기숙사규칙을 작성하여야 한다.")."""
    leads: dict[str, set[str]] = {}
    for piece in pieces:
        if piece.heading and not cues.is_item(piece.text) and "각 호" in piece.text:
            leads.setdefault(piece.heading, set()).add(piece.text)
    out = []
    for piece in pieces:
        found = leads.get(piece.heading, set())
        if not piece.lead and cues.is_item(piece.text) and len(found) == 1:
            (lead,) = found
            if cues.is_exception(lead):  # a proviso's list completes the proviso read with its rule
                lead = next((f"{p.rule} {lead}" for p in pieces if p.text == lead and p.rule), lead)
            piece = replace(piece, lead=lead, lead_in=next(iter(found)), matters="각 호의 사항" in lead)
        out.append(piece)
    return out


def reads_with_lead(asked: Question, piece: Piece) -> bool:
    """Whether the list item ``piece`` is read with the sentence leading into it (``read_with``)."""
    return bool(piece.lead) and (asked.asks_contents or not piece.matters or names_matter_asked(asked, piece))


def names_matter_asked(asked: Question, piece: Piece) -> bool:
    """Whether the item ``piece`` states a focus group of the question (with no focus, a group restricting it: 주거 in
    "기숙사 주거 환경에 대해서도 지켜야 할 기준이 있나요?") that the sentence leading into it does not."""
    item, lead = [cues.without_heading(piece.text)], [cues.without_heading(piece.lead)]
    return any(_focus_coverage(asked, g, item, item) == "stated" and _focus_coverage(asked, g, lead, lead) != "stated"
               for g in asked.focus or asked.restricting)


def _states(asked: Question, text: str, case: Case) -> bool:
    """Whether ``text`` states the condition ``case`` of the question, its noun as asked or by its
    statutory term."""
    nouns = [case.noun, *asked.terms_of(case.noun)]
    heads = [case.head, *asked.terms_of(case.head)] if case.head else []
    # the verb by its statutory term too: 지급이 늦어져도 is "지급을 지연하는" (늦어져: 지연), an everyday word that is the
    # stem with its ending (not 하청업체 for 하)
    stems = [case.stem, *(term for everyday, term in asked.plain
                          for word in [everyday.strip()]
                          if " " not in word and " " not in term and word.startswith(case.stem)
                          and len(word) <= len(case.stem) + 2)]
    return any(cues.states_case(text, nouns, stem, case.negated, heads) for stem in dict.fromkeys(stems))


def unstated_focus(
    asked: Question, texts: Sequence[str], unseen: Callable[[Sequence[str]], set[str]],
    corpus_texts: Callable[[str], list[str]] | None = None,
    meaning_of: Callable[[str, Sequence[str]], str | None] | None = None, own_law: str | None = None,
    read: Sequence[str] | None = None,
) -> tuple[list[str], list[str]]:
    """What the question is about that the documents do not state, as the question words it (the
    phrase holding each such noun: "국민연금 보험료율"), in two lists: what the retrieved texts only
    name (a cited law's term, a topic in a list), and what they lack and the whole corpus never uses
    (or, for a focus noun, only names elsewhere).
    A noun the corpus uses elsewhere is not counted: the retrieval may have missed it.

    The nouns restricting the question (최저임금 in 최저임금을 지급하지 않으면 벌금은 …) count only
    when the texts name them in a list of topics or a law's title: the documents' rules may well use
    another law's term (…에 따른 임산부 정기건강진단을 받는데 필요한 시간), and a restriction the corpus
    never uses is most often worded differently (월급날 for 지급기일), unless the question has no
    focus. ``read``: the texts as read (a list item after the sentence it completes), default ``texts``."""
    read = texts if read is None else read
    if corpus_texts is not None:  # a store lookup each: both rules below may ask for the same word
        corpus_texts = functools.cache(corpus_texts)
    topics = not asked.asks_contents  # a list of matters answers what a document must hold
    stated = [cues.outside_mentions(t, topics=topics) for t in texts]
    # The law the texts call "이 법" (``own_law``: 근로기준법 in "가게에도 근로기준법이 적용되나요?") is stated
    # by every text of it: its name is on its title block, which search sets after the body.
    # A party the question names by its everyday word (사장 in "… 돌린 사장은 어떤 처벌을 받나요?") is who the rule
    # binds, not what it is about: rules often name no party at all (누구든지, …를 위반한 자).
    lacking = {group: "stated" if (own_law and "".join(group) == "".join(own_law.split())) or _is_party(asked, group)
               else _focus_coverage(asked, group, texts, stated) for group in asked.focus}
    if asked.restricting:
        used = [cues.outside_mentions(t, cited_terms=False, topics=topics) for t in texts]
        read_used = [cues.outside_mentions(t, cited_terms=False, topics=topics) for t in read]
        for group in asked.restricting:
            how = _focus_coverage(asked, group, texts, used)
            # A restriction written only as a cited law's term, in sentences stating nothing else the question gives, is
            # named, not used: "3. 「남녀고용평등과 …」에 따른 육아휴직으로 휴업한 기간" (counted as attendance for 연차)
            # says nothing of 해고 or 신청 during 육아휴직. A sentence stating the rest of the question with it uses it
            # ("… 「모자보건법」에 따른 임산부 정기건강진단을 받는데 필요한 시간을 청구하는 경우 이를 허용하여 주어야 한다").
            if how == "stated" and _focus_coverage(asked, group, texts, stated) == "mentioned" \
                    and not _states_rest_with(asked, "".join(group), read, read_used):
                how = "mentioned"
            # The act asked (관리 in "… 묶어서 관리해도 되나요?") is no topic a law's title names: 「보조금 관리에 관한
            # 법률」 cited in 제43조의4 says nothing of how a 명부 is kept.
            if how == "mentioned" and group == (asked.act,):
                how = "absent"
            # With no main argument (파견근로자를 2년 넘게 쓰면 직접 고용해야 하나요?) the restriction
            # is all the question is about: a noun of it the corpus never uses counts, as for focus.
            if group not in lacking and (how == "mentioned" or (how == "absent" and not asked.focus
                                                                 and group in asked.set_aside)):
                lacking[group] = how
            # A restriction the hits lack that the corpus only names (최저임금 only in 제93조's list of topics): no
            # rule of the documents says how it changes the answer ("최저임금보다 적게 주기로 한 근로계약은 효력이
            # 있나요?" is not answered by 제97조 on 취업규칙).
            elif group not in lacking and how == "absent" and corpus_texts is not None \
                    and not asked.terms_of("".join(group)):
                elsewhere = corpus_texts("".join(group))
                if elsewhere and cues.coverage(group, elsewhere) == "mentioned":
                    lacking[group] = "mentioned"
    # A law the question names that the texts cite (다친 직원이 민법으로 손해배상을 받았으면 …: 「민법」 in 제87조)
    # is what their rule is about, not a topic they only name.
    for group, how in lacking.items():
        word = "".join(group)
        if how == "mentioned" and word.endswith("법") and any(cues.cites(t, word) for t in texts):
            lacking[group] = "stated"
    never = unseen([part for group, how in lacking.items() if how == "absent" for part in group])
    # A focus noun the hits lack that the corpus uses only by naming it (in a list of topics, a cited law)
    # is no more stated than one it never uses: the retrieval did not miss a paragraph stating it.
    if corpus_texts is not None:
        for group in asked.focus:
            if lacking.get(group) == "absent" and not never.intersection(group) and not asked.terms_of("".join(group)):
                elsewhere = corpus_texts("".join(group))
                if elsewhere and cues.coverage(group, elsewhere) == "mentioned":
                    never.update(group)  # unused, as a noun the corpus never uses: refused unless the rest is well covered
    # A compound of words the corpus uses, that no text of the corpus writes together (안전교육: 안전 and 교육
    # only apart), is a thing the corpus never uses, as a single word it never uses is.
    # Judged by its head (the last part) with the compounds the corpus writes on that head: one meaning the
    # same by the embedder (근무시간: the statute's 근로시간) is the statute's word for it, not a thing it never
    # uses (안전교육 has only 의무교육, further off).
    if corpus_texts is not None:
        for group in asked.focus:
            if len(group) > 1 and lacking.get(group) == "absent" and not never.intersection(group) \
                    and not asked.terms_of("".join(group)) and cues.coverage(group, corpus_texts("".join(group))) == "absent" \
                    and not (meaning_of is not None and meaning_of("".join(group), head_compounds(group, corpus_texts))):
                never.add(group[0])
    # A word the corpus never uses that is a word it uses with another ending (일용직: 일용근로자; 퇴직금:
    # 퇴직급여) is read as the closest such word by the embedder, and stated, named or absent as that word is.
    if corpus_texts is not None and meaning_of is not None:
        for group in asked.focus:
            if len(group) == 1 and lacking.get(group) == "absent" and group[0] in never and not asked.terms_of(group[0]):
                sibling = stem_sibling(group[0], corpus_texts, meaning_of)
                if sibling:
                    how = cues.coverage((sibling,), texts, stated)
                    if how == "absent" and cues.coverage((sibling,), corpus_texts(sibling)) == "mentioned":
                        how = "mentioned"  # 퇴직급여: only in 「근로자퇴직급여 보장법」's terms
                    if how != "absent":
                        never.discard(group[0])
                        lacking[group] = how
    named: list[str] = []
    unused: list[str] = []
    for group, how in lacking.items():
        if how == "stated" or (how == "absent" and not never.intersection(group)):
            continue
        word = "".join(group)
        phrase = next((p for p in asked.phrases if word in p.replace(" ", "")), word)
        if how == "absent" and corpus_texts is not None and _object_of_situation(asked, word, corpus_texts):
            continue
        if how == "mentioned" and phrase in unused:  # "올해 최저임금": 최저임금 is named, whatever 올해 is
            unused.remove(phrase)
        if phrase not in named + unused:
            (named if how == "mentioned" else unused).append(phrase)
    return named, unused


# A situation's statutory term used by at most this many chunks is one rule's own case (전차금: 제21조), no common
# act (체불, 지급: the whole wage chapter).
_OWN_CASE_CHUNKS = 3


def _object_of_situation(asked: Question, word: str, corpus_texts: Callable[[str], list[str]]) -> bool:
    """Whether ``word`` is the object or subject, right before it, of a situation the table reads as one rule's own
    case (생활비 in "생활비를 미리 빌려 썼는데": 전차금; 평일 in "평일을 전 직원 연차 쓰는 날로 정하려면": 휴가일을
    갈음): the statute states the situation, not the asker's word for what it is about."""
    return any(re.search(re.escape(word) + r"(?:을|를|이|가|은|는|도)?\s+" + re.escape(everyday), asked.text)
               and 0 < len(corpus_texts(term)) <= _OWN_CASE_CHUNKS
               for everyday, term in asked.plain if len(everyday.split()) > 1 and term not in PARTY_TERMS)


def _is_party(asked: Question, group: tuple[str, ...]) -> bool:
    """Whether a noun group is only a party's everyday word (사장, 알바): its statutory terms are all parties'."""
    terms = asked.terms_of("".join(group))
    return bool(terms) and all(term in PARTY_TERMS for term in terms)


def _states_rest_with(asked: Question, word: str, texts: Sequence[str], used: Sequence[str]) -> bool:
    """Whether a text naming ``word`` (spacing ignored) states another noun group of the question (``used``: the
    texts with cited laws' names blanked, their terms kept): its rule is about the case the question asks."""
    naming = [(t, u) for t, u in zip(texts, used) if word in "".join(t.split())]
    others = [g for g in (*asked.focus, *asked.restricting) if "".join(g) not in word and word not in "".join(g)]
    return any(_focus_coverage(asked, g, [t for t, _ in naming], [u for _, u in naming]) == "stated" for g in others)


def other_law_terms(asked: Question, texts: Sequence[str], corpus_texts: Callable[[str], list[str]] | None) -> list[OtherLawTerm]:
    """The institutions of neighbouring laws the question names (``Question.other_laws``: 실업급여, 고용보험법)
    that the documents do not state.

    The table only says which law governs a term; the documents decide: a term the corpus states (a folder
    holding 고용보험법 itself) counts as theirs, and so does one the texts write only as a cited law's term in a
    sentence stating the rest of the question (「남녀고용평등…」에 따른 육아휴직으로 휴업한 기간, asked whether
    육아휴직 counts towards 연차). Neither the focus/restriction split nor the support applies: a question naming
    another law's institution is about it, however well the rest of it is covered."""
    if not asked.other_laws:
        return []
    used = [cues.outside_mentions(t, cited_terms=False) for t in texts]
    missing = []
    for named in asked.other_laws:
        if corpus_texts is not None and cues.coverage((named.term,), corpus_texts(named.term)) == "stated":
            continue
        if _states_rest_with(asked, named.term, texts, used):
            continue
        missing.append(named)
    return missing


def shown_phrase(word: str, missing: Sequence[str]) -> str:
    """How the refusal's list names an institution: the near-miss phrase holding it ("국민연금 보험료율"), else it."""
    holding = [p for p in missing if "".join(word.split()) in "".join(p.split())]
    return min(holding, key=len) if holding else word


def stem_sibling(word: str, corpus_texts: Callable[[str], list[str]],
                 meaning_of: Callable[[str, Sequence[str]], str | None]) -> str | None:
    """The word of the corpus on the stem of ``word`` (all but its last syllable, two or more) that means it by the
    embedder (``meaning_of``), written with two syllables or more after the stem: 일용근로자 for 일용직, 퇴직급여
    for 퇴직금 (not 휴게시간 for 휴게실)."""
    stem = word[:-1]
    if len(word) < 3 or not _HANGUL.fullmatch(word):
        return None
    runs = {_PARTICLE_END.sub("", m) for text in corpus_texts(stem) for m in re.findall(rf"{re.escape(stem)}[가-힣]*", text)}
    return meaning_of(word, sorted(r for r in runs if len(r) >= len(stem) + 2))


def head_compounds(group: tuple[str, ...], corpus_texts: Callable[[str], list[str]]) -> list[str]:
    """The compounds the corpus writes on the head of ``group`` (its last part) with a modifier as long as
    the question's: 근로시간 for (근무, 시간)."""
    head, modifier = group[-1], "".join(group[:-1])
    pattern = re.compile(f"[가-힣]{{{len(modifier)}}}{re.escape(head)}")
    found = {m for text in corpus_texts(head) for m in pattern.findall(text)}
    # … and on its modifier with a head as long: 연장근로 for (연장, 근무)
    pattern = re.compile(f"{re.escape(modifier)}[가-힣]{{{len(head)}}}")
    found |= {m for text in corpus_texts(modifier) for m in pattern.findall(text)}
    return sorted(found - {modifier + head})


def _focus_coverage(asked: Question, group: tuple[str, ...], texts: Sequence[str], stated: Sequence[str]) -> cues.Coverage:
    """``cues.coverage`` of a focus group, or of a statutory term of it when that is stated (집안일: 가사;
    사장: 사용자 or 사업주), or of each part as written or by its statutory term (고등학생 알바: 18세 미만,
    근로자)."""
    how = cues.coverage(group, texts, stated)
    if how == "stated":
        return how
    if any(cues.coverage((term,), texts, stated) == "stated" for term in asked.terms_of("".join(group))):
        return "stated"
    if len(group) > 1 and any(asked.terms_of(part) for part in group) and all(
        any(cues.coverage((word,), texts, stated) == "stated" for word in (part, *asked.terms_of(part))) for part in group
    ):
        return "stated"
    return how


def fact_apart(asked: Question, pieces: Sequence[Piece]) -> list[str]:
    """For a question asking a quantity, date or place of something that the sources state apart
    from the fact: the focus as the question words it; [] when some source carries the fact.

    "육아기 근로시간 단축은 주 몇 시간까지 …?": 제74조 gives hours of 근로시간 단축 in pregnancy,
    a 부칙 article names 육아기 근로시간 단축 without a number; neither states the asked fact. A source
    carrying the fact answers unless it lacks part of a phrase of the question that another source
    writes out whole: a different kind of the same thing. A focus noun the fact's source simply
    lacks is common in answerable questions (날짜 in …선언을 한 날짜는 언제인가?: KorQuAD)."""
    if not asked.answer_type or not asked.focus:
        return []
    by_source: dict[int, list[Piece]] = {}
    for piece in pieces:
        by_source.setdefault(piece.n, []).append(piece)
    written = {n: "".join(" ".join(p.text for p in same).split()) for n, same in by_source.items()}
    phrases = {phrase: phrase.replace(" ", "") for phrase in asked.phrases}
    apart: list[str] = []
    for n, same in by_source.items():
        if not any(carries(p.text, asked.answer_type, asked.text) for p in same):
            continue
        text = " ".join([same[0].heading] + [p.text for p in same])
        here = {g for g in asked.focus if cues.coverage(g, [text]) != "stated"}
        found = [
            phrase for phrase, squashed in phrases.items()
            if any("".join(g) in squashed for g in here)
            and any("".join(g) in squashed for g in asked.focus if g not in here)
            and any(squashed in w for m, w in written.items() if m != n)
        ]
        if not found:
            return []
        apart += found
    return list(dict.fromkeys(apart))


def near_miss_refusal(missing: Sequence[str], contexts: Sequence[Context], laws: Mapping[str, str] | None = None) -> str:
    """The fixed refusal, then what the closest sources cover instead, cited; then, for a neighbouring law's
    institution (``laws``: term -> law), the law that governs it."""
    nearby: list[str] = []
    numbers: list[int] = []
    body = [c for c in contexts if c.hit.chunk.kind != "toc"]
    # Headings say what a source covers; file names only when no source has one.
    sectioned = [c for c in body if c.hit.chunk.section]
    for context in sectioned or body:
        chunk = context.hit.chunk
        topic = (chunk.section or "").rsplit(" > ", 1)[-1] or chunk.name
        if topic not in nearby:
            nearby.append(topic)
            numbers.append(context.n)
        if len(nearby) == 2:
            break
    what = ", ".join(f"'{m}'" for m in missing)
    hint = "".join(f" (참고: '{term}'{topic_particle(term)} 보통 「{'」, 「'.join(law.split(', '))}」에서 정합니다.)"
                   for term, law in (laws or {}).items())
    if not nearby:
        return f"{REFUSAL} 문서는 {what}에 대해 정하지 않습니다.{hint}"
    cited = "".join(f"[{n}]" for n in numbers)
    return f"{REFUSAL} 가까운 내용으로 {', '.join(nearby)}{object_particle(nearby[-1])} 다루지만, {what}에 대해서는 정하지 않습니다 {cited}{hint}"


def _has_final_consonant(word: str) -> bool | None:
    """Whether ``word``'s last Hangul syllable ends on a consonant (None when it does not end on one)."""
    last = word.rstrip(")）」 '")[-1:] if word else ""
    return bool((ord(last) - 0xAC00) % 28) if "가" <= last <= "힣" else None


def object_particle(word: str) -> str:
    """을 after a final consonant, 를 after a vowel (Hangul syllables; 를 otherwise)."""
    return "을" if _has_final_consonant(word) else "를"


def topic_particle(word: str) -> str:
    """은 after a final consonant, 는 after a vowel (Hangul syllables; 는 otherwise)."""
    return "은" if _has_final_consonant(word) else "는"
