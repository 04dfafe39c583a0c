"""`hanrag tune`: grid search over fusion settings on labelled queries.

Each retriever's candidate lists are computed once per query (at the largest candidate
count of the grid); every setting is then just a fusion of cached arrays in numpy, so
hundreds of settings take about a minute on KorQuAD. Settings are chosen on a tuning split
and reported on a held-back split, so the gain shown is not the tuning set's optimism.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hanrag.config import Settings
from hanrag.evaluate.dataset import load_dataset
from hanrag.evaluate.metrics import dedupe_docs, mrr_at, ndcg_at, recall_at
from hanrag.evaluate.runner import Progress, dataset_index, query_inputs, sample_queries
from hanrag.errors import InputError
from hanrag.index import Index
from hanrag.retrieve.bm25 import Bm25Params
from hanrag.retrieve.fusion import convex_combination, weighted_rrf

METRICS: dict[str, Callable[[Sequence[str], dict[str, int]], float]] = {
    "recall@1": lambda r, q: recall_at(r, q, 1),
    "recall@5": lambda r, q: recall_at(r, q, 5),
    "recall@10": lambda r, q: recall_at(r, q, 10),
    "mrr@10": lambda r, q: mrr_at(r, q, 10),
    "ndcg@10": lambda r, q: ndcg_at(r, q, 10),
}

WEIGHTS = [round(w, 1) for w in np.arange(0.0, 1.01, 0.1)]
NORMALIZATIONS = ["minmax", "zscore", "dbsf", "l2"]
RRF_KS = [10, 30, 60, 100]
CANDIDATES = [20, 50, 100]


@dataclass
class TuneResult:
    metric: str
    best: dict[str, Any]
    best_tune: float
    best_heldout: float
    default: dict[str, Any]
    default_tune: float
    default_heldout: float
    n_tune: int
    n_heldout: int
    tried: int
    top: list[dict[str, Any]] = field(default_factory=list)

    @property
    def gain(self) -> float:
        return self.best_heldout - self.default_heldout

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric, "best": self.best, "best_tune": self.best_tune, "best_heldout": self.best_heldout,
            "default": self.default, "default_tune": self.default_tune, "default_heldout": self.default_heldout,
            "heldout_gain": round(self.gain, 4), "n_tune": self.n_tune, "n_heldout": self.n_heldout,
            "tried": self.tried, "top": self.top,
        }


def grid() -> list[dict[str, Any]]:
    """Every setting tried: CC with each normalisation, and weighted RRF with each k."""
    settings: list[dict[str, Any]] = []
    for candidates, w in itertools.product(CANDIDATES, WEIGHTS):
        weights = {"bm25": w, "dense": round(1.0 - w, 1)}
        for normalization in NORMALIZATIONS:
            settings.append({"fusion": "cc", "normalization": normalization, "weights": weights, "candidates": candidates})
        for k in RRF_KS:
            settings.append({"fusion": "rrf", "rrf_k": k, "weights": weights, "candidates": candidates})
    return settings


def split_queries(queries: Sequence[tuple[str, str]], holdout: float, seed: int = 0) -> tuple[list[int], list[int]]:
    """Deterministic (tune, held-out) index lists."""
    order = list(range(len(queries)))
    random.Random(seed).shuffle(order)
    n_held = int(round(len(order) * holdout))
    if len(order) - n_held < 1 or (holdout > 0 and n_held < 1):
        raise InputError(f"too few queries ({len(order)}) to hold back {holdout:.0%}")
    return sorted(order[n_held:]), sorted(order[:n_held])


def tune(
    dataset_dir: Path | str,
    settings: Settings,
    metric: str = "ndcg@10",
    holdout: float = 0.3,
    sample: int | None = None,
    progress: Progress | None = None,
) -> TuneResult:
    if metric not in METRICS:
        raise InputError(f"unknown metric '{metric}' (choose from {', '.join(METRICS)})")
    dataset = load_dataset(dataset_dir)
    queries = sample_queries(dataset.queries, sample)
    tune_ids, held_ids = split_queries(queries, holdout)
    index_dir = dataset_index(dataset, settings, chunk=False, progress=progress)
    with Index.open(index_dir, settings) as index:
        texts = [text for _, text in queries]
        terms, vectors = query_inputs(index, texts, True, True, progress)
        most = max(CANDIDATES)
        bm25 = Bm25Params(settings.retrieval.bm25_k1, settings.retrieval.bm25_b)
        lists = [dict(index.store.retrieve(terms[i] or [], vectors[i], None, ("bm25", "dense"), most, bm25))
                 for i in range(len(queries))]
        ids = sorted({chunk_id for ranking in lists for found in ranking.values() for chunk_id in found.ids.tolist()})
        doc_of = {chunk_id: chunk.doc_id for chunk_id, chunk in index.store.fetch(ids).items()}
    score = METRICS[metric]
    qrels = [dataset.qrels[qid] for qid, _ in queries]

    def evaluate(setting: dict[str, Any]) -> np.ndarray:
        c = setting["candidates"]
        values = np.zeros(len(queries))
        for i, ranking in enumerate(lists):
            cut = {name: (found.ids[:c], found.scores[:c]) for name, found in ranking.items()}
            if setting["fusion"] == "rrf":
                rows, _ = weighted_rrf(cut, setting["weights"], k=setting["rrf_k"])
            else:
                rows, _ = convex_combination(cut, setting["weights"], setting["normalization"])
            values[i] = score(dedupe_docs([doc_of[str(r)] for r in rows[:10]]), qrels[i])
        return values

    r = settings.retrieval
    default = {"fusion": r.fusion, "normalization": r.normalization, "weights": dict(r.weights),
               "rrf_k": r.rrf_k, "candidates": min(r.candidates, most)}
    scored: list[tuple[float, float, dict[str, Any]]] = []
    settings_grid = grid()
    for n, setting in enumerate(settings_grid, 1):
        values = evaluate(setting)
        scored.append((float(values[tune_ids].mean()), float(values[held_ids].mean()) if held_ids else float("nan"), setting))
        if progress:
            progress("tuning", n, len(settings_grid))
    default_values = evaluate(default)
    # Best on the tuning split; ties go to the earlier (simpler, lexical-first) setting.
    best_tune, best_held, best = max(scored, key=lambda item: item[0])
    ranked = sorted(scored, key=lambda item: -item[0])[:10]
    return TuneResult(
        metric=metric, best=best, best_tune=round(best_tune, 4), best_heldout=round(best_held, 4),
        default=default, default_tune=round(float(default_values[tune_ids].mean()), 4),
        default_heldout=round(float(default_values[held_ids].mean()), 4) if held_ids else float("nan"),
        n_tune=len(tune_ids), n_heldout=len(held_ids), tried=len(settings_grid),
        top=[{"tune": round(t, 4), "heldout": round(h, 4), **s} for t, h, s in ranked],
    )


def write_retrieval(path: Path, best: dict[str, Any]) -> None:
    """Put the chosen settings into the [retrieval] table of a TOML file, keeping everything else."""
    import tomlkit

    document = tomlkit.parse(path.read_text(encoding="utf-8")) if path.is_file() else tomlkit.document()
    table = document.get("retrieval")
    if table is None:
        table = tomlkit.table()
        document["retrieval"] = table
    for key in ("fusion", "normalization", "rrf_k", "candidates"):
        if key in best:
            table[key] = best[key]
    weights = tomlkit.inline_table()
    weights.update(best["weights"])
    table["weights"] = weights
    path.write_text(tomlkit.dumps(document), encoding="utf-8")
