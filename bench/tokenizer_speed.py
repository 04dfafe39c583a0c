"""Tokenizer throughput on the KorQuAD corpus paragraphs (chars/s), batch API.

    .venv/bin/python bench/tokenizer_speed.py [--runs 3]

Kiwi is measured with 1 and 2 worker threads (its batch API), and with 1 worker in a process
pinned to one core: with 1 worker, Kiwi analyses on its own thread while Python filters the
tokens on the main thread, so "1 thread" already borrows the second core; the pinned run is
the true single-core throughput that "using both cores" is compared with. MeCab-ko and the
bigram tokenizer run single-threaded. Medians over --runs; ratios against Kiwi with 1 thread
from the same run. Results: bench/results/tokenizer_speed.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from common import korquad_dataset, write_result

from hanrag.registry import create_tokenizer
from hanrag.text.kiwi import KiwiTokenizer


class _OneByOne:
    """The plain single-threaded use: one call per text, analysed on the calling thread."""

    def __init__(self, tokenizer: KiwiTokenizer) -> None:
        self.tokenizer = tokenizer

    def tokenize(self, texts: list[str]) -> list[list[str]]:
        return [self.tokenizer.tokenize([text])[0] for text in texts]


def timed_once(tokenizer, texts: list[str]) -> float:  # noqa: ANN001
    start = time.perf_counter()
    tokenizer.tokenize(texts)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one-core", action="store_true", help="(child) one pass of Kiwi pinned to one core")
    args = parser.parse_args()
    lines = (korquad_dataset() / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines]
    chars = sum(map(len, texts))
    if args.one_core:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        tokenizer = KiwiTokenizer(threads=1)
        tokenizer.tokenize(texts[:10])
        print(json.dumps({
            "kiwi 1 thread, pinned to one core": timed_once(tokenizer, texts),
            "kiwi one text at a time (no pool), one core": timed_once(_OneByOne(tokenizer), texts),
        }))
        return
    candidates = {
        "kiwi 1 thread": KiwiTokenizer(threads=1),
        "kiwi 2 threads": KiwiTokenizer(threads=2),
        "mecab": create_tokenizer("mecab"),
        "bigram": create_tokenizer("bigram"),
    }
    for tokenizer in candidates.values():
        tokenizer.tokenize(texts[:10])  # load models
    # Runs interleave the configurations, so machine drift hits all of them alike.
    times: dict[str, list[float]] = {}
    for _ in range(args.runs):
        child = subprocess.run([sys.executable, __file__, "--one-core"], capture_output=True, text=True, check=True)
        for name, seconds in json.loads(child.stdout.strip().splitlines()[-1]).items():
            times.setdefault(name, []).append(seconds)
        for name, tokenizer in candidates.items():
            times.setdefault(name, []).append(timed_once(tokenizer, texts))
    results = {}
    for name, values in times.items():
        seconds = statistics.median(values)
        results[name] = {"seconds": round(seconds, 3), "chars_per_s": round(chars / seconds)}
    base = results["kiwi 1 thread"]["chars_per_s"]
    for name, r in results.items():
        r["x_kiwi_1_thread"] = round(r["chars_per_s"] / base, 2)
        print(f"{name:44s} {r['chars_per_s']:>10,} chars/s  x{r['x_kiwi_1_thread']}")
    for baseline in ("kiwi 1 thread, pinned to one core", "kiwi one text at a time (no pool), one core"):
        ratio = round(results["kiwi 2 threads"]["chars_per_s"] / results[baseline]["chars_per_s"], 2)
        results["kiwi 2 threads"][f"x {baseline}"] = ratio
        print(f"kiwi 2 threads vs {baseline}: x{ratio}")
    print(write_result("tokenizer_speed", {"texts": len(texts), "chars": chars, "runs": args.runs, "results": results}))


if __name__ == "__main__":
    main()
