"""The Python API: ``Index.open(dir)``, ``.add(paths)``, ``.search(query)``, ``.remove(...)``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hanrag.config import RetrievalSettings, Settings, load_settings
from hanrag.embed.base import Embedder
from hanrag.embed.cache import EmbeddingCache
from hanrag.errors import HanragError, IndexMismatchError, IngestError, IngestWarning
from hanrag.ingest import chunk_pages, load_file
from hanrag.ingest.files import collect_files, content_hash, doc_id_for_path
from hanrag.ingest.summaries import summarize_tables
from hanrag.generate.base import LLM, Answerer
from hanrag.generate.engine import stream_answer
from hanrag.generate.extractive import ExtractiveAnswerer
from hanrag.generate.llm_answerer import LLMAnswerer
from hanrag.registry import create_embedder, create_llm, create_reranker, create_tokenizer
from hanrag.rerank.base import Reranker
from hanrag.retrieve import hybrid
from hanrag.retrieve.filters import Condition, matches_all, parse_where
from hanrag.schema import Answer, Chunk, DocumentInfo, IndexReport, Page, SearchHit
from hanrag.retrieve.ann import HnswParams
from hanrag.store.generation import Generation
from hanrag.store.local import AnnPolicy, LocalStore, StoredDocument, StoreWriter
from hanrag.text.base import Tokenizer

# progress(stage, done, total)
Progress = Callable[[str, int, int], None]

# Settings that shape what is stored; an index keeps the values it was built with.
_BUILD_KEYS = ("tokenizer", "embedder")


@dataclass(frozen=True)
class Record:
    """One corpus entry for ``Index.add_records`` (datasets): indexed as one chunk unless chunking is asked."""

    id: str
    text: str
    title: str | None = None


@dataclass
class _PreparedDoc:
    doc: StoredDocument
    chunks: list[Chunk]
    replaces: bool


class Index:
    """A persistent hybrid index in one directory. Open with ``Index.open``."""

    def __init__(self, store: LocalStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._tokenizer: Tokenizer | None = None
        self._embedder: Embedder | None = None
        self._reranker: Reranker | None | bool = False  # False = not created yet
        self._cache: EmbeddingCache | None = None
        self._generation: Generation | None = None
        self._answerer: Answerer | None = None
        self._mask_cache: tuple[Any, np.ndarray] = (None, np.zeros(0, dtype=bool))

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
        if settings.store != "local":
            raise HanragError(f"store '{settings.store}' is not available yet; use store = \"local\"")
        path = Path(directory) if directory is not None else settings.index
        if path.exists() and not path.is_dir():
            raise HanragError(f"{path}: exists and is not an index directory")
        if not create and not (path / "hanrag.sqlite").is_file():
            raise HanragError(f"no index at {path}; create one with 'hanrag index PATH' (or pass --index DIR)")
        store = LocalStore(path)
        try:
            settings = _reconcile(store, settings)
        except HanragError:
            store.close()
            raise
        return cls(store, settings.model_copy(update={"index": path}))

    def close(self) -> None:
        self.store.close()
        if self._cache is not None:
            self._cache.close()

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- components -----------------------------------------------------------------
    @property
    def tokenizer(self) -> Tokenizer:
        if self._tokenizer is None:
            self._tokenizer = create_tokenizer(self.settings.tokenizer, threads=self.settings.worker_threads)
        return self._tokenizer

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = create_embedder(self.settings.embedder, threads=self.settings.worker_threads)
        return self._embedder

    @property
    def reranker(self) -> Reranker | None:
        if self._reranker is False:
            self._reranker = create_reranker(self.settings.reranker)
        return self._reranker  # type: ignore[return-value]

    @property
    def cache(self) -> EmbeddingCache:
        if self._cache is None:
            self._cache = EmbeddingCache(self.settings.cache_dir / "embeddings.sqlite")
        return self._cache

    def embed_passages(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        return self.cache.get_or_compute(
            "passage|" + self.embedder.spec, texts, self.embedder.embed_passages, progress=progress
        )

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.cache.get_or_compute("query|" + self.embedder.spec, texts, self.embedder.embed_queries)

    def _dim(self) -> int:
        recorded = self.store.manifest().get("dim")
        return int(recorded) if recorded else self.embedder.dim

    @property
    def generation(self) -> Generation:
        """The current search structures, reloaded when another process committed a newer generation."""
        current = self.store.current_generation()
        if self._generation is None or self._generation.number != current:
            try:
                self._generation = self.store.load_generation(self._dim())
            except HanragError:
                # A writer may have committed and removed the generation we were about to load.
                if self.store.current_generation() == current:
                    raise
                self._generation = self.store.load_generation(self._dim())
            if self._generation.dense.ann is not None:
                self._generation.dense.ann.params.ef_search = self.settings.retrieval.ann_ef_search
        return self._generation

    # --- reads ----------------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        return self.store.documents()

    def __len__(self) -> int:
        return self.store.chunk_count()

    def search(
        self,
        query: str,
        top_k: int | None = None,
        mode: str | None = None,
        fusion: str | None = None,
        rerank: bool | None = None,
        where: str | dict | Sequence[str] | None = None,
        **retrieval: Any,
    ) -> list[SearchHit]:
        """Ranked chunks with each component's score and rank (see ``SearchHit``).

        ``where`` filters on metadata: ``"source:*.pdf"``, ``"page<10"``, ``["type:hwpx", "page>=3"]``
        or ``{"page": {"<": 10}}`` (see ``hanrag.retrieve.filters``).
        """
        settings = self.retrieval_settings(top_k=top_k, mode=mode, fusion=fusion, **retrieval)
        if not query or not query.strip():
            raise HanragError("empty query")
        terms = self.tokenizer.tokenize([query])[0] if settings.mode != "dense" else None
        vector = self.embed_queries([query])[0] if settings.mode != "bm25" else None
        return self.search_prepared(query, terms, vector, settings, rerank=rerank, where=where)

    def retrieval_settings(self, **overrides: Any) -> RetrievalSettings:
        values = {k: v for k, v in overrides.items() if v is not None}
        try:
            return RetrievalSettings.model_validate({**self.settings.retrieval.model_dump(), **values})
        except ValueError as exc:
            raise HanragError(f"invalid search option: {str(exc).splitlines()[-1].strip()}") from exc

    def search_prepared(
        self,
        query: str,
        terms: Sequence[str] | None,
        vector: np.ndarray | None,
        settings: RetrievalSettings,
        rerank: bool | None = None,
        where: str | dict | Sequence[str] | None = None,
    ) -> list[SearchHit]:
        """Search with the query already tokenized/embedded (evaluation reuses them across configurations)."""
        generation = self.generation
        mask = self._filter_mask(generation, parse_where(where)) if where else None
        rankings = hybrid.retrieve(generation, settings.mode, settings.candidates, terms, vector, mask)
        reranker = self.reranker if rerank is not False else None
        keep = max(settings.top_k, settings.rerank_candidates if reranker is not None else 0)
        candidates = hybrid.fuse(rankings, settings, limit=keep)
        chunk_ids = generation.rows
        if reranker is not None and candidates:
            head = candidates[: settings.rerank_candidates]
            chunks = self.store.chunks([int(chunk_ids[c.row]) for c in head])
            texts = [chunks[int(chunk_ids[c.row])].text for c in head]
            candidates = hybrid.apply_rerank(head, reranker.score(query, texts))
        chosen = hybrid.select(candidates, settings.top_k, settings.threshold)
        chunks = self.store.chunks([int(chunk_ids[c.row]) for c in chosen])
        hits: list[SearchHit] = []
        for c in chosen:
            chunk = chunks.get(int(chunk_ids[c.row]))
            if chunk is not None:  # removed by a writer since this generation was loaded
                hits.append(SearchHit(rank=len(hits) + 1, chunk=chunk, score=c.score, scores=c.scores))
        return hits

    def _filter_mask(self, generation: Generation, conditions: list[Condition]) -> np.ndarray:
        """Rows of the generation whose chunk metadata passes every condition (cached per generation)."""
        key = (generation.number, tuple(conditions))
        if self._mask_cache[0] != key:
            meta = self.store.chunk_metadata()
            allowed = [bool(m) and matches_all(conditions, m) for m in (meta.get(int(i), {}) for i in generation.rows)]
            self._mask_cache = (key, np.asarray(allowed, dtype=bool))
        return self._mask_cache[1]

    # --- answers --------------------------------------------------------------------
    @property
    def answerer(self) -> Answerer:
        """The configured LLM answerer, or the offline extractive one (llm = "extractive")."""
        if self._answerer is None:
            a = self.settings.answer
            llm = self.llm
            if llm is None:
                self._answerer = ExtractiveAnswerer(
                    self.tokenizer,
                    idf=lambda terms: self.generation.bm25.idf(terms),
                    embed_passages=self.embed_passages,
                    embed_query=lambda q: self.embed_queries([q])[0],
                    sentences=a.sentences,
                    lexical_weight=a.lexical_weight,
                    refuse_below=a.refuse_below,
                    cosine_weight=a.cosine_weight,
                    cosine_center=a.cosine_center,
                    threads=self.settings.worker_threads,
                )
            else:
                self._answerer = LLMAnswerer(llm, a.max_context_chars, a.reorder)
        return self._answerer

    @property
    def llm(self) -> LLM | None:
        """The configured LLM, or None for the offline extractive default."""
        a = self.settings.answer
        return create_llm(self.settings.llm, a.temperature, a.max_tokens, a.timeout, a.max_retries)

    def ask(self, question: str, stream: bool = False, **search: Any) -> Answer | Iterator[str | Answer]:
        """A grounded answer. With ``stream=True`` a generator of text pieces ending with the Answer."""
        hits = self.search(question, **search)
        pieces = stream_answer(question, hits, self.answerer, self.settings.answer.max_context_chars)
        if stream:
            return pieces
        *_, answer = pieces
        assert isinstance(answer, Answer)
        return answer

    # --- writes ---------------------------------------------------------------------
    def add(self, paths: Iterable[Path | str], progress: Progress | None = None, sync: bool = False) -> IndexReport:
        """Index files and folders (recursively). Unchanged files are skipped; bad files are
        reported in ``IndexReport.errors`` and the rest of the batch is still indexed.

        With ``sync``, documents under the given folders whose files are gone are removed.
        """
        paths = list(paths)
        files, path_errors = collect_files(paths)
        report = IndexReport(errors=list(path_errors))
        with self.store.writer() as writer:
            hashes = self.store.document_hashes()
            if sync:
                for doc_id in self._vanished(paths, files):
                    writer.remove(doc_id)
                    report.removed += 1
            prepared: list[_PreparedDoc] = []
            for done, file in enumerate(files, 1):
                if progress:
                    progress("reading", done, len(files))
                try:
                    data = file.read_bytes()
                except OSError as exc:
                    report.errors.append((str(file), f"{file}: cannot read ({exc.strerror or exc})"))
                    continue
                doc_id, digest = doc_id_for_path(file), content_hash(data)
                if hashes.get(doc_id) == digest:
                    report.skipped += 1
                    continue
                try:
                    doc, chunks = self._read_file(file, doc_id, digest, report)
                except IngestError as exc:
                    report.errors.append((str(file), str(exc)))
                    continue
                except Exception as exc:  # noqa: BLE001 - one bad file never stops the batch
                    report.errors.append((str(file), f"{file}: {type(exc).__name__}: {exc}"))
                    continue
                prepared.append(_PreparedDoc(doc, chunks, replaces=doc_id in hashes))
            self._summarize_tables(prepared, report, progress)
            self._write(writer, prepared, report, progress)
        return report

    def _read_file(self, file: Path, doc_id: str, digest: str, report: IndexReport) -> tuple[StoredDocument, list[Chunk]]:
        """Load and chunk one file; loader warnings (pages without text...) go to the report."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", IngestWarning)
            pages = load_file(file)
        for warning in caught:
            if issubclass(warning.category, IngestWarning):
                report.warnings.append((str(file), str(warning.message)))
            else:
                warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
        chunks = chunk_pages(
            pages, doc_id, str(file), size=self.settings.chunking.size,
            overlap=self.settings.chunking.overlap, threads=self.settings.worker_threads,
        )
        modified = file.stat().st_mtime  # stored with the document; chunks read it back from there
        numbers = {p.number for p in pages if p.number is not None}
        pages_count = len(numbers) if numbers else max(1, sum(p.kind == "text" for p in pages))
        return StoredDocument(doc_id, str(file), digest, pages=pages_count, modified=modified), chunks

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
                writer.remove(doc_id)
            self._commit(writer)
            report.removed = len(doc_ids)
        return report

    def rebuild(self) -> None:
        """Rebuild the search files from the stored chunks (after damage, or to apply new BM25 k1/b)."""
        with self.store.writer() as writer:
            self._commit(writer, rebuild=True)

    def _vanished(self, paths: list[Path | str], files: list[Path]) -> list[str]:
        """Documents under the given folders that the scan no longer found."""
        present = {doc_id_for_path(f) for f in files}
        gone: list[str] = []
        for raw in paths:
            folder = Path(raw).expanduser()
            if folder.is_dir():
                gone.extend(d for d in self.store.doc_ids_under(str(folder.resolve())) if d not in present and d not in gone)
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
            progress("tokenizing", 0, len(texts))
        terms = self.tokenizer.tokenize(texts)
        if progress:
            progress("tokenizing", len(texts), len(texts))
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress("embedding", done, len(texts))

        if progress:
            progress("embedding", 0, len(texts))
        vectors = self.embed_passages(texts, progress=advance)
        offset = 0
        for item in prepared:
            n = len(item.chunks)
            writer.add(item.doc, item.chunks, terms[offset : offset + n], vectors[offset : offset + n])
            offset += n
            if item.replaces:
                report.updated += 1
            else:
                report.added += 1
        if progress:
            progress("writing", 0, 1)
        self._commit(writer, dim=int(vectors.shape[1]))
        if progress:
            progress("writing", 1, 1)

    def _commit(self, writer: StoreWriter, dim: int | None = None, rebuild: bool = False) -> None:
        if not writer.pending and not rebuild:
            return
        dim = dim or self._dim()
        self.store.init_manifest(
            {
                "tokenizer": self.settings.tokenizer,
                "embedder": self.settings.embedder,
                "dim": str(dim),
                "chunk_size": str(self.settings.chunking.size),
                "chunk_overlap": str(self.settings.chunking.overlap),
            }
        )
        r = self.settings.retrieval
        writer.commit(
            k1=r.bm25_k1,
            b=r.bm25_b,
            dim=dim,
            embed_missing=self._embed_stored,
            rebuild=rebuild,
            ann=AnnPolicy(
                mode=r.ann, threshold=r.ann_threshold, params=HnswParams(ef_search=r.ann_ef_search),
                threads=self.settings.worker_threads,
            ),
        )
        self._generation = None

    def _embed_stored(self, ids: list[int]) -> np.ndarray:
        chunks = self.store.chunks(ids)
        return self.embed_passages([_indexed_text(chunks[i]) for i in ids])


def _indexed_text(chunk: Chunk) -> str:
    """What BM25 and the embedder see: the title and a table's summary (when there are) then the text."""
    return "\n".join(part for part in (chunk.title, chunk.summary, chunk.text) if part)


def _reconcile(store: LocalStore, settings: Settings) -> Settings:
    """Use the components recorded in an existing index; refuse explicit conflicting ones."""
    manifest = store.manifest()
    updates: dict[str, str] = {}
    for key in _BUILD_KEYS:
        recorded = manifest.get(key)
        if recorded is None or recorded == getattr(settings, key):
            continue
        if key in settings.model_fields_set:
            raise IndexMismatchError(
                f"index {store.directory} was built with {key} '{recorded}', not '{getattr(settings, key)}'; "
                f"use the same {key} or index into a new directory"
            )
        updates[key] = recorded
    return settings.model_copy(update=updates) if updates else settings
