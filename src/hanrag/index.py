"""The Python API: ``Index.open(dir)``, ``.add(paths)``, ``.search(query)``, ``.remove(...)``."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from hanrag.config import RetrievalSettings, Settings, load_settings, validation_message
from hanrag.embed.base import Embedder
from hanrag.embed.cache import EmbeddingCache
from hanrag.errors import (
    BackendError, EmptyIndexError, HanragError, IndexMismatchError, IngestError, InputError, NotFoundError, StoreError,
)
from hanrag.ingest import chunk_pages, load_file
from hanrag.ingest.base import collect_warnings
from hanrag.ingest.files import collect_files, content_hash, doc_id_for_path
from hanrag.ingest.summaries import summarize_tables
from hanrag.generate.base import LLM, Answerer
from hanrag.generate.engine import stream_answer
from hanrag.text.question import asks_sanction, statutory_terms
from hanrag.generate.extractive import ExtractiveAnswerer
from hanrag.generate.llm_answerer import LLMAnswerer
from hanrag.generate.rewrite import rewrite_question
from hanrag.registry import create_embedder, create_llm, create_reranker, create_tokenizer
from hanrag.rerank.base import Reranker, collect_rerank_warnings, rerank_failed
from hanrag.retrieve import hybrid
from hanrag.retrieve.filters import Condition, parse_where
from hanrag.retrieve.section_rank import (
    SANCTION_TITLES, asks_front_matter, body_first, cited_articles, definition_first, is_sanction, named_article_in, sanction_in,
)
from hanrag.schema import (
    Answer, AnswerEvent, Chunk, DocumentInfo, Done, IndexReport, Page, Retrieved, Rewritten, ScoreBreakdown, SearchHit,
    Token, Turn,
)
from hanrag.text.highlight import matched_spans
from hanrag.retrieve.ann import HnswParams
from hanrag.retrieve.bm25 import Bm25Params
from hanrag.store.base import StaleReadError, Store, StoredDocument, StoreWriter
from hanrag.store.local import AnnPolicy, LocalStore, StoreOptions
from hanrag.text.base import Tokenizer, analysable
from hanrag.text.remember import RememberingTokenizer

# progress(stage, done, total)
Progress = Callable[[str, int, int], None]

# Extra fused candidates kept so that body text can take the places of tables of contents.
_CONTENTS_SLACK = 10
_SANCTION_LOOKUP = 20  # chunks a sanction lookup reads: a statute has a dozen sanction articles

# Settings that shape what is stored; an index keeps the values it was built with.
_BUILD_KEYS = ("tokenizer", "embedder")


@dataclass(frozen=True)
class Record:
    """One corpus entry for ``Index.add_records`` (datasets): indexed as one chunk unless chunking is asked."""

    id: str
    text: str
    title: str | None = None


@dataclass(frozen=True)
class SourceFile:
    """A file to index: where its bytes are, what the index records as its source, and its doc id."""

    path: Path
    source: str
    doc_id: str

    @classmethod
    def at(cls, path: Path) -> "SourceFile":
        """A file on disk, recorded under its absolute path."""
        resolved = path.resolve()
        return cls(resolved, str(resolved), doc_id_for_path(resolved))


@dataclass
class _PreparedDoc:
    doc: StoredDocument
    chunks: list[Chunk]
    replaces: bool


class Index:
    """A persistent hybrid index in one directory. Open with ``Index.open``.

    Safe to share between threads: searches and answers run concurrently, each on one
    committed state of the index; writes (``add``, ``remove``) take the index's writer lock
    (a server sends them through one writer thread, ``hanrag.jobs.JobQueue``).
    """

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._lock = threading.RLock()  # guards the lazily created components below
        self._tokenizer: Tokenizer | None = None
        self._embedder: Embedder | None = None
        self._reranker: Reranker | None | bool = False  # False = not created yet
        self._cache: EmbeddingCache | None = None
        self._answerers: dict[str, Answerer] = {}

    # --- lifecycle ------------------------------------------------------------------
    @classmethod
    def open(
        cls, directory: Path | str | None = None, settings: Settings | None = None, create: bool = True, **overrides: Any
    ) -> "Index":
        """Open (or, with ``create``, create) the index at ``directory`` (default: settings.index, ``./.hanrag``).

        The tokenizer and embedder an index was built with are recorded in it; asking for
        different ones explicitly raises IndexMismatchError, otherwise the recorded ones are used.
        """
        settings = settings or load_settings(**overrides)
        path = Path(directory) if directory is not None else settings.index
        if path.exists() and not path.is_dir():
            raise InputError(f"{path}: exists and is not an index directory")
        if not create and settings.store == "local" and not (path / "hanrag.sqlite").is_file():
            raise NotFoundError(f"no index at {path}; create one with 'hanrag index PATH' (or pass --index DIR)")
        store = open_store(settings, path)
        try:
            settings = _reconcile(store, path, settings)
        except HanragError:
            store.close()
            raise
        return cls(store, settings.model_copy(update={"index": path}))

    def close(self) -> None:
        self.store.close()
        if self._cache is not None:
            self._cache.close()

    def _once(self, attribute: str, make: Callable[[], Any], unset: Any = None) -> Any:
        """A component created on first use, by one thread only."""
        value = getattr(self, attribute)
        if value is unset:
            with self._lock:
                value = getattr(self, attribute)
                if value is unset:
                    value = make()
                    setattr(self, attribute, value)
        return value

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- components -----------------------------------------------------------------
    @property
    def tokenizer(self) -> Tokenizer:
        return self._once("_tokenizer", lambda: RememberingTokenizer(
            create_tokenizer(self.settings.tokenizer, threads=self.settings.worker_threads)))

    @property
    def embedder(self) -> Embedder:
        return self._once("_embedder", lambda: create_embedder(
            self.settings.embedder, threads=self.settings.worker_threads, api_key_env=self.settings.embedder_api_key_env,
            cache_dir=self.settings.cache_dir,
        ))

    @property
    def reranker(self) -> Reranker | None:
        return self._once(
            "_reranker", lambda: create_reranker(self.settings.reranker, api_key_env=self.settings.reranker_api_key_env),
            unset=False,
        )

    @property
    def cache(self) -> EmbeddingCache:
        return self._once("_cache", lambda: EmbeddingCache(self.settings.cache_dir / "embeddings.sqlite"))

    @property
    def lexical_only(self) -> bool:
        """Built with ``embedder = "none"``: BM25 only."""
        return self.settings.embedder == "none"

    def embed_passages(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        if self.lexical_only:
            return self.embedder.embed_passages(texts)
        return self.cache.get_or_compute(
            "passage|" + self.embedder.spec, texts, self.embedder.embed_passages, progress=progress
        )

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if self.lexical_only:
            return self.embedder.embed_queries(texts)
        return self.cache.get_or_compute("query|" + self.embedder.spec, texts, self.embedder.embed_queries)

    def _dim(self) -> int:
        recorded = self.store.manifest().get("dim")
        return int(recorded) if recorded else self.embedder.dim

    # --- reads ----------------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        return self.store.documents()

    def document(self, doc_id: str) -> DocumentInfo:
        """One document (NotFoundError if the index does not hold it)."""
        found = next(iter(self.store.documents(doc_id)), None)
        if found is None:
            raise NotFoundError(f"no document '{doc_id}' in the index")
        return found

    def chunk(self, chunk_id: str) -> Chunk:
        """One chunk by its id (NotFoundError if the index does not hold it)."""
        found = self.store.fetch([chunk_id]).get(chunk_id)
        if found is None:
            raise NotFoundError(f"no chunk '{chunk_id}' in the index")
        return found

    def __len__(self) -> int:
        return self.store.count()

    def check_question(self, text: str, what: str = "query") -> str:
        """The query or question, if it is one the index can take (InputError otherwise), with
        invalid Unicode (lone surrogates, e.g. from JSON) replaced."""
        if not isinstance(text, str) or not text.strip():
            raise InputError(f"empty {what}")
        limit = self.settings.retrieval.max_query_chars
        if len(text) > limit:
            raise InputError(f"{what} is {len(text):,} characters long; the limit is {limit:,} (retrieval.max_query_chars)")
        return analysable(text)

    def search(
        self,
        query: str,
        top_k: int | None = None,
        mode: str | None = None,
        fusion: str | None = None,
        rerank: bool | None = None,
        where: str | dict | Sequence[str] | None = None,
        highlight: bool = True,
        **retrieval: Any,
    ) -> list[SearchHit]:
        """Ranked chunks with each component's score and rank (see ``SearchHit``).

        ``where`` filters on metadata: ``"source:*.pdf"``, ``"page<10"``, ``["type:hwpx", "page>=3"]``
        or ``{"page": {"<": 10}}`` (see ``hanrag.retrieve.filters``). Each hit's ``matched``
        holds the query's terms found in its text (``highlight=False`` skips that).
        An empty index raises EmptyIndexError; a bad option, filter or query InputError.
        """
        settings = self.retrieval_settings(top_k=top_k, mode=mode, fusion=fusion, **retrieval)
        query = self.check_question(query)
        conditions = parse_where(where) if where else None  # a bad filter fails before any work
        if self.store.is_empty():
            raise EmptyIndexError(f"index {self.settings.index} is empty; add documents first (hanrag index PATH)")
        terms = self.query_terms([query])[0]
        vector = self.embed_queries([query])[0] if settings.mode != "bm25" else None
        hits = self.search_prepared(query, terms if settings.mode != "dense" else None, vector, settings,
                                    rerank=rerank, where=conditions)
        if not highlight or not hits:
            return hits
        spans = matched_spans(self.tokenizer, terms, [h.chunk.text for h in hits])
        return [replace(h, matched=tuple(m)) for h, m in zip(hits, spans)]

    def retrieval_settings(self, **overrides: Any) -> RetrievalSettings:
        values = {k: v for k, v in overrides.items() if v is not None}
        if self.lexical_only:
            if values.get("mode", "bm25") != "bm25":
                raise InputError(f"mode '{values['mode']}' needs vectors, and index {self.settings.index} has none "
                                 "(embedder = \"none\"): search it with mode bm25")
            values["mode"] = "bm25"
        try:
            return RetrievalSettings.model_validate({**self.settings.retrieval.model_dump(), **values})
        except ValueError as exc:
            raise InputError(f"invalid search option: {validation_message(exc)}") from exc

    def query_terms(self, queries: Sequence[str]) -> list[list[str]]:
        """The lexical terms of each query: its own, then those of the statutory term of each everyday
        word in it (때려도: 폭행), so that BM25 reaches the article a statute words otherwise."""
        terms = self.tokenizer.tokenize(list(queries))
        for own, query in zip(terms, queries):
            plain = statutory_terms(query)
            if plain:
                extra = self.tokenizer.tokenize([" ".join(term for _, term in plain)])[0]
                own.extend(t for t in dict.fromkeys(extra) if t not in own)
        return terms

    def search_prepared(
        self,
        query: str,
        terms: Sequence[str] | None,
        vector: np.ndarray | None,
        settings: RetrievalSettings,
        rerank: bool | None = None,
        where: str | dict | Sequence[str] | list[Condition] | None = None,
    ) -> list[SearchHit]:
        """Search with the query already tokenized/embedded (evaluation reuses them across configurations).

        Everything is read from one committed state of the index, even while a writer commits.
        """
        conditions = where if _is_conditions(where) else parse_where(where) if where else None  # type: ignore[arg-type]
        for attempt in range(3):
            try:
                with self.store.snapshot():
                    return self._search_snapshot(query, terms, vector, settings, rerank, conditions)
            except StaleReadError:
                if attempt == 2:  # a writer merged segments under three reads in a row
                    raise StoreError(f"index {self.settings.index} changed too often during one search; try again")
        raise AssertionError("unreachable")  # pragma: no cover

    def _search_snapshot(
        self,
        query: str,
        terms: Sequence[str] | None,
        vector: np.ndarray | None,
        settings: RetrievalSettings,
        rerank: bool | None,
        conditions: list[Condition] | None,
    ) -> list[SearchHit]:
        rankings = self.store.retrieve(terms, vector, conditions, hybrid.MODE_RETRIEVERS[settings.mode],
                                       settings.candidates, Bm25Params(settings.bm25_k1, settings.bm25_b))
        reranker = self.reranker if rerank is not False else None
        keep = max(settings.top_k, settings.rerank_candidates if reranker is not None else 0)
        candidates = hybrid.fuse(rankings, settings, limit=keep + _CONTENTS_SLACK)
        threshold = settings.threshold
        if reranker is not None and candidates:
            head = candidates[: settings.rerank_candidates]
            chunks = self.store.fetch([c.chunk_id for c in head])
            texts = [chunks[c.chunk_id].text for c in head]
            try:
                candidates = hybrid.apply_rerank(head, reranker.score(query, texts))
            except BackendError as exc:  # the reranker's server is down or slow: keep the fused order
                rerank_failed(exc)
                threshold = 0.0  # set for reranker scores, meaningless on fused ones
        candidates, chunks = self._contents_last(candidates, settings.top_k, query)
        candidates = self._named_article_in(query, candidates, chunks, settings.top_k)
        if asks_sanction(query):
            candidates = self._sanction_in(query, candidates, chunks, settings.top_k, conditions)
        chosen = hybrid.select(candidates, settings.top_k, threshold)
        hits = [SearchHit(rank=rank, chunk=chunks[c.chunk_id], score=c.score, scores=c.scores)
                for rank, c in enumerate((c for c in chosen if c.chunk_id in chunks), 1)]
        return definition_first(query, body_first(hits))

    def _named_article_in(
        self, query: str, candidates: list[hybrid.Candidate], chunks: dict[str, Chunk], top_k: int
    ) -> list[hybrid.Candidate]:
        """``section_rank.named_article_in`` over the candidates (reads the chunks of the next
        ``top_k`` into ``chunks``)."""
        nxt = [c.chunk_id for c in candidates[top_k:2 * top_k] if c.chunk_id not in chunks]
        if nxt:
            chunks.update(self.store.fetch(nxt))

        def section(c: hybrid.Candidate) -> str | None:
            chunk = chunks.get(c.chunk_id)
            return chunk.title if chunk is not None and chunk.kind != "toc" else None

        return named_article_in(query, candidates, section, top_k)

    def _sanction_in(
        self, query: str, candidates: list[hybrid.Candidate], chunks: dict[str, Chunk], top_k: int,
        conditions: list[Condition] | None,
    ) -> list[hybrid.Candidate]:
        """``section_rank.sanction_in`` over the candidates. The sanction article citing a rule is found by
        a BM25 lookup of the sanction titles with the rule's number (제45조: 벌칙 과태료 45) in the rule's own
        document (another law's 제45조 is another rule): the question's own words rarely reach it. One the
        question did not retrieve comes with no component score."""
        by_id = {c.chunk_id: c for c in candidates}

        def section(c: hybrid.Candidate) -> str | None:
            chunk = chunks.get(c.chunk_id)
            return chunk.title if chunk is not None and chunk.kind != "toc" else None

        def citing(rule: hybrid.Candidate, label: str) -> list[hybrid.Candidate]:
            doc_id = chunks[rule.chunk_id].doc_id
            terms = self.tokenizer.tokenize([f"{' '.join(sorted(SANCTION_TITLES))} {label}"])[0]
            where = [*(conditions or []), *parse_where({"doc_id": doc_id})]
            ranking = self.store.retrieve(terms, None, where, ("bm25",), _SANCTION_LOOKUP).get("bm25")
            ids = [str(i) for i in ranking.ids] if ranking is not None else []
            missing = [i for i in ids if i not in chunks]
            if missing:
                chunks.update(self.store.fetch(missing))
            return [by_id.get(chunk_id) or hybrid.Candidate(chunk_id, 0.0, ScoreBreakdown({}, 0.0)) for chunk_id in ids
                    for chunk in [chunks.get(chunk_id)]
                    if chunk is not None and is_sanction(chunk.title) and label in cited_articles(chunk.text)]

        return sanction_in(query, candidates, section, citing, top_k)

    def _contents_last(
        self, candidates: list[hybrid.Candidate], top_k: int, query: str
    ) -> tuple[list[hybrid.Candidate], dict[str, Chunk]]:
        """Tables of contents (``kind="toc"``) after every other candidate: a contents page lists
        every title, so it matches many questions but answers none; so does a law's title block
        (``kind="front"``: it names the law every question about it names) unless the question asks its
        facts (시행일, 법률 번호, 소관 부서). Also returns the chunks of the candidates that can be chosen
        (the rest are read only when such chunks must make room)."""
        chunks = self.store.fetch([c.chunk_id for c in candidates[:top_k]])
        aside = {"toc"} if asks_front_matter(query) else {"toc", "front"}
        if all(chunk.kind not in aside for chunk in chunks.values()):
            return candidates, chunks
        chunks.update(self.store.fetch([c.chunk_id for c in candidates[top_k:]]))

        def set_aside(c: hybrid.Candidate) -> bool:
            chunk = chunks.get(c.chunk_id)
            return chunk is not None and chunk.kind in aside

        return [c for c in candidates if not set_aside(c)] + [c for c in candidates if set_aside(c)], chunks

    # --- answers --------------------------------------------------------------------
    @property
    def answerer(self) -> Answerer:
        """The configured LLM answerer, or the offline extractive one (llm = "extractive")."""
        return self.answerer_for(self.settings.llm)

    def answerer_for(self, llm_spec: str) -> Answerer:
        """The answerer for an LLM spec (created once per spec)."""
        found = self._answerers.get(llm_spec)
        if found is not None:
            return found
        with self._lock:
            if llm_spec not in self._answerers:
                self._answerers[llm_spec] = self._make_answerer(self.llm_for(llm_spec))
            return self._answerers[llm_spec]

    def _texts_using(self, word: str, n: int = 20) -> list[str]:
        """The texts of the (up to ``n``) chunks that BM25 ranks first for ``word`` alone and that contain it
        as written (spacing ignored): where the corpus uses it, for the answerer's near-miss rule."""
        terms = self.tokenizer.tokenize([word])[0]
        if not terms:
            return []
        with self.store.snapshot():
            ranking = self.store.retrieve(terms, None, None, ("bm25",), n).get("bm25")
            chunks = self.store.fetch([str(i) for i in ranking.ids]) if ranking is not None and len(ranking) else {}
        squashed = "".join(word.split())
        return [c.text for c in chunks.values() if squashed in "".join(c.text.split())]

    def _make_answerer(self, llm: LLM | None) -> Answerer:
        a = self.settings.answer
        if llm is None:
            return ExtractiveAnswerer(
                    self.tokenizer,
                    idf=self.store.idf,
                    embed_passages=self.embed_passages,
                    embed_query=lambda q: self.embed_queries([q])[0],
                    sentences=a.sentences,
                    # Without vectors, sentences are ranked and refused on term coverage alone.
                    lexical_weight=1.0 if self.lexical_only else a.lexical_weight,
                    refuse_below=a.refuse_below,
                    near_miss_below=a.near_miss_below,
                    cosine_weight=0.0 if self.lexical_only else a.cosine_weight,
                    cosine_center=a.cosine_center,
                threads=self.settings.worker_threads,
                corpus_texts=self._texts_using,
            )
        return LLMAnswerer(llm, a.max_context_chars, a.reorder)

    @property
    def llm(self) -> LLM | None:
        """The configured LLM, or None for the offline extractive default."""
        return self.llm_for(self.settings.llm)

    def llm_for(self, spec: str) -> LLM | None:
        a = self.settings.answer
        return create_llm(spec, a.temperature, a.max_tokens, a.timeout, a.max_retries, self.settings.llm_api_key_env)

    def ask(self, question: str, **options: Any) -> Answer:
        """A grounded answer with numbered citations (``ask_stream`` for the answer as it is written)."""
        for event in self.ask_stream(question, **options):
            if isinstance(event, Done):
                return event.answer
        raise AssertionError("ask_stream ended without an answer")  # pragma: no cover

    def ask_stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        llm: str | None = None,
        hits: Sequence[SearchHit] | None = None,
        **search: Any,
    ) -> Iterator[AnswerEvent]:
        """Answer ``question`` as events: ``Rewritten`` (a follow-up made standalone, only with an
        LLM and ``history``), ``Retrieved`` (the hits), ``Token`` pieces, then ``Done`` (the Answer).

        ``llm`` picks another LLM spec for this question; ``hits`` skips the search (evaluation).
        Every front end (CLI, HTTP API, evaluator) answers through this one call; a failing LLM
        raises BackendError after ``Retrieved``, so the hits can still be shown.
        """
        question = self.check_question(question, "question")
        spec = llm or self.settings.llm
        answerer = self.answerer_for(spec)
        standalone = question
        if history and not isinstance(answerer, ExtractiveAnswerer):
            standalone = rewrite_question(self.llm_for(spec), history, question)  # type: ignore[arg-type]
            if standalone != question:
                yield Rewritten(standalone)
        with collect_rerank_warnings() as search_warnings:
            found = list(hits) if hits is not None else self.search(standalone, **search)
        yield Retrieved(found)
        for piece in stream_answer(standalone, found, answerer, self.settings.answer.max_context_chars):
            if isinstance(piece, Answer):
                piece.question = standalone
                piece.warnings[:0] = search_warnings
                yield Done(piece)
            else:
                yield Token(piece)

    # --- writes ---------------------------------------------------------------------
    def add(
        self, paths: Iterable[Path | str], progress: Progress | None = None, sync: bool = False,
        follow_links: bool = False,
    ) -> IndexReport:
        """Index files and folders (recursively). Unchanged files are skipped; bad files and
        unreadable folders are reported in ``IndexReport.errors`` and the rest is still indexed.

        Symbolic links inside folders are not followed unless ``follow_links`` (each one is
        reported in ``IndexReport.warnings``). With ``sync``, documents under the given folders
        whose files are gone are removed.
        """
        paths = list(paths)
        scan = collect_files(paths, follow_links=follow_links)
        report = IndexReport(errors=list(scan.errors), warnings=list(scan.skipped))
        unread = [path for path, _ in scan.errors]
        vanished = (lambda: self._vanished(paths, scan.files, unread)) if sync else None
        return self.add_files([SourceFile.at(f) for f in scan.files], progress, report=report, vanished=vanished)

    def add_files(
        self,
        files: Sequence[SourceFile],
        progress: Progress | None = None,
        report: IndexReport | None = None,
        vanished: Callable[[], list[str]] | None = None,
    ) -> IndexReport:
        """Index the given files (each recorded under its ``source`` and ``doc_id``); bad files
        go to the report and the rest is indexed. ``vanished`` names documents to remove."""
        report = report if report is not None else IndexReport()
        with self.store.writer() as writer:
            hashes = self.store.document_hashes()
            for doc_id in vanished() if vanished else []:
                writer.delete(doc_id)
                report.removed += 1
            prepared: list[_PreparedDoc] = []
            for done, file in enumerate(files, 1):
                if progress:
                    progress("reading", done, len(files))
                try:
                    data = file.path.read_bytes()
                except OSError as exc:
                    report.errors.append((file.source, f"{file.source}: cannot read ({exc.strerror or exc})"))
                    report.outcomes[file.source] = "failed"
                    continue
                digest = content_hash(data)
                if hashes.get(file.doc_id) == digest:
                    report.skipped += 1
                    report.outcomes[file.source] = "skipped"
                    continue
                try:
                    doc, chunks = self._read_file(file, digest, report)
                except IngestError as exc:
                    report.errors.append((file.source, _named(str(exc), file)))
                    report.outcomes[file.source] = "failed"
                    continue
                except Exception as exc:  # noqa: BLE001 - one bad file never stops the batch
                    report.errors.append((file.source, f"{file.source}: {type(exc).__name__}: {exc}"))
                    report.outcomes[file.source] = "failed"
                    continue
                prepared.append(_PreparedDoc(doc, chunks, replaces=file.doc_id in hashes))
            self._summarize_tables(prepared, report, progress)
            self._write(writer, prepared, report, progress)
        return report

    def _read_file(self, file: SourceFile, digest: str, report: IndexReport) -> tuple[StoredDocument, list[Chunk]]:
        """Load and chunk one file; loader warnings (pages without text...) go to the report."""
        with collect_warnings() as warned:
            pages = load_file(file.path)
        report.warnings.extend((file.source, _named(message, file)) for message in warned)
        chunks = chunk_pages(
            pages, file.doc_id, file.source, size=self.settings.chunking.size,
            overlap=self.settings.chunking.overlap, threads=self.settings.worker_threads,
        )
        modified = file.path.stat().st_mtime  # stored with the document; chunks read it back from there
        numbers = {p.number for p in pages if p.number is not None}
        pages_count = len(numbers) if numbers else max(1, sum(p.kind == "text" for p in pages))
        return StoredDocument(file.doc_id, file.source, digest, pages=pages_count, modified=modified), chunks

    def _summarize_tables(self, prepared: list[_PreparedDoc], report: IndexReport, progress: Progress | None) -> None:
        """With an LLM configured (and ``ingest.table_summaries`` on), summarise every table chunk."""
        if not self.settings.ingest.table_summaries or not any(c.kind == "table" for p in prepared for c in p.chunks):
            return
        llm = self.llm
        if llm is None:
            return
        for item in prepared:
            if not any(c.kind == "table" for c in item.chunks):
                continue
            if progress:
                progress("summarising tables", 0, 1)
            item.chunks, warning = summarize_tables(item.chunks, llm)
            if warning:
                report.warnings.append((item.doc.source, warning))
                return

    def add_records(self, records: Iterable[Record], chunk: bool = False, progress: Progress | None = None) -> IndexReport:
        """Index corpus entries (id, text, title); unchanged entries are skipped."""
        report = IndexReport()
        with self.store.writer() as writer:
            hashes = self.store.document_hashes()
            prepared: list[_PreparedDoc] = []
            for record in records:
                digest = content_hash(f"{record.title or ''}\n{record.text}".encode("utf-8"))
                if hashes.get(record.id) == digest:
                    report.skipped += 1
                    continue
                if not record.text.strip():
                    report.errors.append((record.id, f"{record.id}: empty text"))
                    continue
                if chunk:
                    chunks = chunk_pages(
                        [Page(record.text)], record.id, record.id, size=self.settings.chunking.size,
                        overlap=self.settings.chunking.overlap, threads=self.settings.worker_threads,
                        title=record.title,
                    )
                else:
                    chunks = [Chunk(f"{record.id}#0", record.id, record.id, record.text, None, 0, len(record.text), record.title)]
                doc = StoredDocument(record.id, record.id, digest, pages=1, title=record.title)
                prepared.append(_PreparedDoc(doc, chunks, replaces=record.id in hashes))
            self._write(writer, prepared, report, progress)
        return report

    def remove(self, targets: Iterable[Path | str]) -> IndexReport:
        """Remove documents by doc id, file path or folder path (everything under it)."""
        report = IndexReport()
        with self.store.writer() as writer:
            doc_ids: list[str] = []
            for target in targets:
                found = self._resolve_target(str(target))
                if not found:
                    report.errors.append((str(target), f"{target}: not in the index"))
                doc_ids.extend(d for d in found if d not in doc_ids)
            for doc_id in doc_ids:
                writer.delete(doc_id)
            self._commit(writer)
            report.removed = len(doc_ids)
        return report

    def rebuild(self) -> None:
        """Rebuild the search files from the stored chunks (after damage, or to apply new BM25 k1/b)."""
        with self.store.writer() as writer:
            writer.rebuild(embed_missing=self._embed_stored)

    def _vanished(self, paths: list[Path | str], files: list[Path], unread: Sequence[str] = ()) -> list[str]:
        """Documents under the given folders that the scan no longer found (never those under a
        folder the scan could not read: unreadable is not deleted)."""
        present = {doc_id_for_path(f) for f in files}
        hidden = {d for folder in unread for d in self.store.doc_ids_under(str(Path(folder).resolve()))}
        gone: list[str] = []
        for raw in paths:
            folder = Path(raw).expanduser()
            if folder.is_dir():
                gone.extend(d for d in self.store.doc_ids_under(str(folder.resolve()))
                            if d not in present and d not in hidden and d not in gone)
        return gone

    def _resolve_target(self, target: str) -> list[str]:
        if self.store.has_document(target):
            return [target]
        path = Path(target).expanduser().resolve()
        return self.store.doc_ids_under(str(path))

    def _write(self, writer: StoreWriter, prepared: list[_PreparedDoc], report: IndexReport, progress: Progress | None) -> None:
        if not prepared:
            self._commit(writer)  # removals only (sync), if any
            return
        texts = [_indexed_text(c) for p in prepared for c in p.chunks]
        if progress:
            progress("analysing", 0, len(texts))
        terms = self.tokenizer.tokenize(texts)
        if progress:
            progress("analysing", len(texts), len(texts))
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress("embedding", done, len(texts))

        if progress:
            progress("embedding", 0, len(texts))
        try:
            vectors = self.embed_passages(texts, progress=advance)
        except HanragError:
            raise
        except Exception as exc:  # noqa: BLE001 - an embedder's own failure, whatever its type
            raise BackendError(
                f"embedding failed after {done} of {len(texts)} chunks ({type(exc).__name__}: {exc}); nothing was "
                "committed, and the chunks embedded so far are cached for the next run"
            ) from exc
        offset = 0
        for item in prepared:
            n = len(item.chunks)
            writer.upsert(item.doc, item.chunks, terms[offset : offset + n], vectors[offset : offset + n])
            offset += n
            if item.replaces:
                report.updated += 1
            else:
                report.added += 1
            report.outcomes[item.doc.source] = "updated" if item.replaces else "added"
        if progress:
            progress("committing", 0, 1)
        self._commit(writer, dim=int(vectors.shape[1]))
        if progress:
            progress("committing", 1, 1)

    def _commit(self, writer: StoreWriter, dim: int | None = None) -> None:
        if not writer.pending:
            return
        writer.init_manifest(
            {
                "tokenizer": self.settings.tokenizer,
                "embedder": self.settings.embedder,
                "dim": str(dim or self._dim()),
                "chunk_size": str(self.settings.chunking.size),
                "chunk_overlap": str(self.settings.chunking.overlap),
            }
        )
        writer.commit()

    def _embed_stored(self, chunks: list[Chunk]) -> np.ndarray:
        return self.embed_passages([_indexed_text(c) for c in chunks])


def open_store(settings: Settings, path: Path) -> Store:
    """The store ``settings.store`` names: "local" (the index folder ``path``), or
    "milvus:<file.db | http(s)://host:19530>[#collection prefix]" (``path`` then keeps only the
    server's job files and the integrations' metadata)."""
    if settings.store == "local":
        r = settings.retrieval
        return LocalStore(path, StoreOptions(ann=AnnPolicy(
            mode=r.ann, threshold=r.ann_threshold, params=HnswParams(ef_search=r.ann_ef_search),
            threads=settings.worker_threads, upkeep=r.ann_upkeep,
        )))
    if settings.store.startswith("milvus:"):
        from hanrag.store.milvus import MilvusStore

        uri, _, collection = settings.store.partition("#")
        path.mkdir(parents=True, exist_ok=True)
        return MilvusStore(uri, collection or "hanrag")
    raise InputError(f"unknown store '{settings.store}' (use \"local\" or \"milvus:<file.db or http://host:19530>\")")


def _named(message: str, file: SourceFile) -> str:
    """A loader's message names the file it read; for an upload, name it as the user knows it."""
    where = str(file.path)
    return message.replace(where, file.source) if where != file.source else message


def _is_conditions(where: object) -> bool:
    return isinstance(where, list) and bool(where) and all(isinstance(c, Condition) for c in where)


def _indexed_text(chunk: Chunk) -> str:
    """What BM25 and the embedder see: the title and a table's summary (when there are) then the text."""
    return "\n".join(part for part in (chunk.title, chunk.summary, chunk.text) if part)


def _reconcile(store: Store, path: Path, settings: Settings) -> Settings:
    """Use the components recorded in an existing index; refuse explicit conflicting ones."""
    manifest = store.manifest()
    updates: dict[str, str] = {}
    for key in _BUILD_KEYS:
        recorded = manifest.get(key)
        if recorded is None or recorded == getattr(settings, key):
            continue
        if key in settings.model_fields_set:
            raise IndexMismatchError(
                f"index {path} was built with {key} '{recorded}', not '{getattr(settings, key)}'; "
                f"use the same {key} or index into a new directory"
            )
        updates[key] = recorded
    return settings.model_copy(update=updates) if updates else settings
