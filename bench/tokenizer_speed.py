"""Tokenizer throughput on the KorQuAD corpus paragraphs (chars/s), batch API.

    .venv/bin/python bench/tokenizer_speed.py [--runs 3]

Kiwi is measured with 1 and 2 worker threads (its batch API), MeCab-ko and the bigram
tokenizer single-threaded. Medians over --runs; ratios against Kiwi single-threaded from
the same run. Results: bench/results/tokenizer_speed.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from common import korquad_dataset, write_result

from hanrag.registry import create_tokenizer
from hanrag.text.kiwi import KiwiTokenizer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    lines = (korquad_dataset() / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines]
    chars = sum(map(len, texts))
    candidates = {
        "kiwi 1 thread": KiwiTokenizer(threads=1),
        "kiwi 2 threads": KiwiTokenizer(threads=2),
        "mecab": create_tokenizer("mecab"),
        "bigram": create_tokenizer("bigram"),
    }
    results = {}
    for name, tokenizer in candidates.items():
        tokenizer.tokenize(texts[:10])  # load models
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            tokenizer.tokenize(texts)
            times.append(time.perf_counter() - start)
        seconds = statistics.median(times)
        results[name] = {"seconds": round(seconds, 3), "chars_per_s": round(chars / seconds)}
    base = results["kiwi 1 thread"]["chars_per_s"]
    for name, r in results.items():
        r["x_kiwi_1_thread"] = round(r["chars_per_s"] / base, 2)
        print(f"{name:16s} {r['chars_per_s']:>10,} chars/s  x{r['x_kiwi_1_thread']}")
    print(write_result("tokenizer_speed", {"texts": len(texts), "chars": chars, "runs": args.runs, "results": results}))


if __name__ == "__main__":
    main()
