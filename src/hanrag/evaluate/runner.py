"""`hanrag eval`: index a dataset once per (tokenizer, embedder), then score every configuration.

Query terms and vectors are computed once per group and reused by every configuration and
mode; latency is the search itself (retrieval, fusion, rerank, chunk fetch) with the query
already tokenized and embedded.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hanrag.config import Settings
from hanrag.evaluate.dataset import Dataset, load_dataset
from hanrag.errors import InputError
from hanrag.evaluate.answer_metrics import answer_scores
from hanrag.evaluate.metrics import all_metrics, dedupe_docs
from hanrag.index import Index
from hanrag.registry import create_tokenizer

Progress = Callable[[str, int, int], None]


@dataclass
class EvalConfig:
    name: str
    settings: Settings
    mode: str


@dataclass
class EvalResult:
    config: dict[str, Any]
    metrics: dict[str, float]
    latency_ms: dict[str, float]
    n_queries: int
    per_query: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"config": self.config, "metrics": self.metrics, "latency_ms": self.latency_ms, "n_queries": self.n_queries}


def sample_queries(queries: Sequence[tuple[str, str]], n: int | None, seed: int = 0) -> list[tuple[str, str]]:
    """A deterministic sample of n queries (all when n is None or too large)."""
    if n is None or n >= len(queries):
        return list(queries)
    rng = random.Random(seed)
    chosen = sorted(rng.sample(range(len(queries)), n))
    return [queries[i] for i in chosen]


def evaluate(
    dataset_dir: Path | str,
    configs: Sequence[EvalConfig],
    sample: int | None = None,
    chunk: bool = False,
    progress: Progress | None = None,
    answers: bool = False,
) -> list[EvalResult]:
    """Retrieval metrics per configuration; with ``answers`` (and answers.jsonl in the dataset)
    also EM / F1 / gold-answer coverage / refusal rate of ``ask`` on the same hits."""
    dataset = load_dataset(dataset_dir)
    if answers and not dataset.answers:
        raise InputError(f"{dataset_dir}: --answers needs answers.jsonl")
    queries = sample_queries(dataset.queries, sample)
    results: list[EvalResult] = []
    groups: dict[tuple[str, ...], list[EvalConfig]] = {}
    for config in configs:
        s = config.settings
        key = (s.tokenizer, s.embedder, str(s.chunking.size), str(s.chunking.overlap),
               str(s.retrieval.bm25_k1), str(s.retrieval.bm25_b))
        groups.setdefault(key, []).append(config)
    for members in groups.values():
        index_dir = dataset_index(dataset, members[0].settings, chunk, progress)
        texts = [text for _, text in queries]
        with Index.open(index_dir, members[0].settings) as index:
            terms, vectors = query_inputs(
                index, texts, any(m.mode != "dense" for m in members), any(m.mode != "bm25" for m in members), progress
            )
        for config in members:
            # One Index per configuration: it carries that configuration's reranker.
            with Index.open(index_dir, config.settings) as config_index:
                results.append(_run_config(config_index, dataset, queries, terms, vectors, config, progress, answers))
    return results


def dataset_index(dataset: Dataset, settings: Settings, chunk: bool, progress: Progress | None) -> Path:
    """The cached index of a dataset's corpus for these settings, built or updated as needed."""
    key = (settings.tokenizer, settings.embedder, str(settings.chunking.size), str(settings.chunking.overlap),
           str(chunk), str(settings.retrieval.bm25_k1), str(settings.retrieval.bm25_b))
    # The tokenizer's output on a probe sentence is part of the key, so a change in
    # tokenizer code never reuses stale terms from an earlier run.
    tokenizer = create_tokenizer(settings.tokenizer, threads=settings.worker_threads)
    fingerprint = "|".join(tokenizer.tokenize([_PROBE])[0])
    index_dir = settings.cache_dir / "eval" / _group_dir(dataset.fingerprint, (*key, fingerprint))
    with Index.open(index_dir, settings) as index:
        index.add_records(dataset.corpus, chunk=chunk, progress=progress)
    return index_dir


def query_inputs(
    index: Index, texts: list[str], terms: bool, vectors: bool, progress: Progress | None = None
) -> tuple[list[Any], Any]:
    """Query terms and vectors computed once, in batches (vectors through the embedding cache)."""
    if progress:
        progress("queries", 0, len(texts))
    term_lists = index.query_terms(texts) if terms else [None] * len(texts)
    vector_rows = index.embed_queries(texts) if vectors else [None] * len(texts)
    if progress:
        progress("queries", len(texts), len(texts))
    return term_lists, vector_rows


_PROBE = "한국은행은 2012. 2. 1. 가계부실위험지수를 https://www.bok.or.kr 에 알려주었다 BOK"


def _group_dir(fingerprint: str, key: tuple[str, ...]) -> str:
    return fingerprint[:16] + "-" + hashlib.blake2b("|".join(key).encode(), digest_size=6).hexdigest()


def _run_config(
    index: Index,
    dataset: Dataset,
    queries: list[tuple[str, str]],
    terms: Sequence[Any],
    vectors: Any,
    config: EvalConfig,
    progress: Progress | None,
    answers: bool = False,
) -> EvalResult:
    retrieval = config.settings.retrieval.model_copy(update={"mode": config.mode})
    retrieval = retrieval.model_copy(update={"top_k": max(10, retrieval.top_k)})
    totals: dict[str, float] = {}
    latencies: list[float] = []
    per_query: list[dict[str, Any]] = []
    for i, (qid, text) in enumerate(queries):
        start = time.perf_counter()
        hits = index.search_prepared(text, terms[i], vectors[i], retrieval)
        latencies.append((time.perf_counter() - start) * 1000)
        ranked = dedupe_docs([h.chunk.doc_id for h in hits])
        scores = all_metrics(ranked, dataset.qrels[qid])
        if answers:
            answer = index.ask(text, hits=hits[: config.settings.retrieval.top_k])
            scores.update(answer_scores(answer.answer if not answer.refused else "", dataset.answers.get(qid, [])))
            scores["refusal_rate"] = float(answer.refused)
        for name, value in scores.items():
            totals[name] = totals.get(name, 0.0) + value
        per_query.append({"config": config.name, "mode": config.mode, "query_id": qid, "query": text,
                          "ranked": ranked[:10], "relevant": [d for d, r in dataset.qrels[qid].items() if r > 0], **scores})
        if progress and (i + 1) % 50 == 0:
            progress(f"eval {config.name}", i + 1, len(queries))
    n = len(queries)
    lat = np.asarray(latencies)
    s = config.settings
    return EvalResult(
        config={
            "name": config.name, "mode": config.mode, "tokenizer": s.tokenizer, "embedder": s.embedder,
            "reranker": s.reranker, "fusion": retrieval.fusion, "normalization": retrieval.normalization,
            "weights": retrieval.weights, "rrf_k": retrieval.rrf_k, "candidates": retrieval.candidates,
        },
        metrics={name: round(value / n, 4) for name, value in totals.items()},
        latency_ms={"p50": round(float(np.percentile(lat, 50)), 3), "p95": round(float(np.percentile(lat, 95)), 3)},
        n_queries=n,
        per_query=per_query,
    )


def write_per_query(results: Sequence[EvalResult], path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for result in results:
            for row in result.per_query:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
