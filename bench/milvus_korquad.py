"""Issue 14's check: the same KorQuAD corpus in the local and the Milvus store (milvus-lite) gives
the same top-1 for bm25, dense and hybrid on at least 95 % of 500 dev questions.

    .venv/bin/python bench/milvus_korquad.py [--questions 500]

The KorQuAD 1.0 dev paragraphs (title and text, one chunk each, as ``hanrag eval`` indexes them)
are analysed by the configured tokenizer (Kiwi) and embedded by the configured embedder (through
hanrag's embedding cache) once, then written into both stores through the Store API; the
questions are analysed and embedded the same way. Hybrid is both rankings (n=50) fused by
weighted RRF, as the index fuses them. A question whose top-1 is a tie (two chunks with the same
score) counts as agreeing when both stores return a chunk of that top score. Results:
bench/results/milvus_korquad.json.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from common import WORK, korquad_dataset, write_result

N = 50


def _prepare(questions: int):
    """(records, terms, vectors, queries, query terms, query vectors) from KorQuAD dev."""
    from hanrag import Index, load_settings
    from hanrag.evaluate.dataset import load_dataset

    dataset = load_dataset(korquad_dataset())
    settings = load_settings()
    texts = [f"{r.title}\n{r.text}" if r.title else r.text for r in dataset.corpus]
    picks = np.random.default_rng(0).choice(len(dataset.queries), size=min(questions, len(dataset.queries)),
                                            replace=False)
    queries = [dataset.queries[i][1] for i in sorted(picks)]
    with Index.open(Path(tempfile.mkdtemp()), settings) as index:
        vectors = index.embed_passages(texts)
        terms = index.tokenizer.tokenize(texts)
        query_vectors = index.embed_queries(queries)
        query_terms = index.tokenizer.tokenize(queries)
    return dataset.corpus, texts, terms, np.asarray(vectors, np.float32), query_terms, np.asarray(query_vectors,
                                                                                                   np.float32)


def _fill(store, records, texts, terms, vectors) -> float:
    from hanrag.schema import Chunk
    from hanrag.store.base import StoredDocument

    start = time.perf_counter()
    with store.writer() as writer:
        writer.init_manifest({"dim": str(vectors.shape[1])})
        for i, record in enumerate(records):
            doc = StoredDocument(record.id, f"korquad/{record.id}", record.id, pages=1, title=record.title)
            chunk = Chunk(f"{record.id}#0", record.id, doc.source, texts[i], None, 0, len(texts[i]), record.title)
            writer.upsert(doc, [chunk], [terms[i]], vectors[i : i + 1])
        writer.commit()
    return time.perf_counter() - start


def _top(ranking) -> tuple[set[str], float]:
    """The chunk ids sharing the best score, and that score."""
    if not len(ranking):
        return set(), 0.0
    best = float(ranking.scores[0])
    return {c for c, s in zip(ranking.ids.tolist(), ranking.scores.tolist()) if s >= best * (1 - 1e-6)}, best


def main() -> None:
    from hanrag.retrieve.fusion.rrf import weighted_rrf
    from hanrag.store.local import LocalStore
    from hanrag.store.milvus import MilvusStore

    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=500)
    args = parser.parse_args()
    records, texts, terms, vectors, query_terms, query_vectors = _prepare(args.questions)
    folder = WORK / "milvus_korquad"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    local, milvus = LocalStore(folder / "local"), MilvusStore(str(folder / "index.db"))
    try:
        seconds = {"local": _fill(local, records, texts, terms, vectors),
                   "milvus-lite": _fill(milvus, records, texts, terms, vectors)}
        same = {"bm25": 0, "dense": 0, "hybrid": 0}
        for q_terms, q_vector in zip(query_terms, query_vectors):
            found = [s.retrieve(q_terms, q_vector, None, ["bm25", "dense"], N) for s in (local, milvus)]
            for name in ("bm25", "dense"):
                (a, _), (b, _) = _top(found[0][name]), _top(found[1][name])
                same[name] += bool(a & b) or (not a and not b)
            fused = [weighted_rrf({k: tuple(v) for k, v in f.items()}, {"bm25": 1.0, "dense": 1.0})[0] for f in found]
            same["hybrid"] += (len(fused[0]) and len(fused[1]) and fused[0][0] == fused[1][0]) or (
                not len(fused[0]) and not len(fused[1]))
    finally:
        local.close()
        milvus.close()
    total = len(query_terms)
    result = {"chunks": len(records), "questions": total, "n": N, "index_s": {k: round(v, 1) for k, v in seconds.items()},
              **{f"same_top1_{k}": round(v / total, 4) for k, v in same.items()}}
    print(result)
    print(write_result("milvus_korquad", result))


if __name__ == "__main__":
    main()
