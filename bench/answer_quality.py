"""The offline extractive answerer on KorQuAD 1.0 dev: gold-answer coverage and refusals.

    .venv/bin/python bench/answer_quality.py [--sample N] [--embedder SPEC]   # results: answer_quality[-<embedder>].json

For every question: search (default settings, top 5), take the extractive answerer's reply on the
hits (``ExtractiveAnswerer.reply``: the sentences it would quote, or its refusal), and check whether a
gold answer string occurs in the first / first three quoted sentences (a refused question counts as a
miss). False refusals: answerable questions the answerer refuses, by either rule (support below
refuse_below, or a near miss: a noun the question is about not stated by the hits).
Refusals on unanswerable questions: bench/data/unanswerable_ko.txt (50, used to choose the
constants) and bench/data/unanswerable_heldout_ko.txt (30, never used for that). Refusal
rates are also reported for a range of refuse_below values. Results:
bench/results/answer_quality.json.
"""

from __future__ import annotations

import argparse
import json
import re

from common import BENCH, WORK, korquad_dataset, write_result

from hanrag import Index
from hanrag.evaluate.dataset import load_dataset
from hanrag.evaluate.runner import sample_queries
from hanrag.generate.base import Context

THRESHOLDS = [0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75]


def squash(text: str) -> str:
    return "".join(text.split())


def read_questions(name: str) -> list[str]:
    lines = (BENCH / "data" / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", type=int, default=None)
    parser.add_argument("--embedder", default=None, help="an embedder spec; default: the configured one")
    args = parser.parse_args()
    tag = "" if not args.embedder else "-" + re.sub(r"\W+", "-", args.embedder)
    dataset = load_dataset(korquad_dataset())
    unanswerable = read_questions("unanswerable_ko.txt")
    heldout = read_questions("unanswerable_heldout_ko.txt")
    queries = sample_queries(dataset.queries, args.sample)
    with Index.open(WORK / f"answer-korquad{tag}", **({"embedder": args.embedder} if args.embedder else {})) as index:
        index.add_records(dataset.corpus)
        answerer = index.answerer
        refuse_below = index.settings.answer.refuse_below

        def reply(question: str):
            hits = index.search(question)
            return answerer.reply(question, [Context(n, h) for n, h in enumerate(hits, 1)])

        top1 = top3 = 0
        answerable: list = []
        for i, (qid, question) in enumerate(queries):
            said = reply(question)
            answerable.append(said)
            gold = [squash(a) for a in dataset.answers.get(qid, []) if a.strip()]
            picked = said.sentences
            if picked and any(g in squash(picked[0].text) for g in gold):
                top1 += 1
            if any(g in squash(" ".join(s.text for s in picked)) for g in gold):
                top3 += 1
            if (i + 1) % 500 == 0:
                print(f"{i + 1}/{len(queries)}: top1 {top1 / (i + 1):.3f} top3 {top3 / (i + 1):.3f}", flush=True)
        unanswerable_said = [reply(q) for q in unanswerable]
        heldout_said = [reply(q) for q in heldout]
    n = len(queries)
    answerable_cov = [r.support for r in answerable]
    unanswerable_cov = [r.support for r in unanswerable_said]
    heldout_cov = [r.support for r in heldout_said]

    def rate(values: list[float], t: float) -> float:
        return round(sum(v < t for v in values) / len(values), 4)

    def refused(replies: list) -> float:
        return round(sum(r.refusal is not None for r in replies) / len(replies), 4)

    sweep = [
        {"refuse_below": t, "false_refusals": rate(answerable_cov, t),
         "refusals_on_unanswerable": rate(unanswerable_cov, t), "refusals_on_heldout": rate(heldout_cov, t)}
        for t in THRESHOLDS
    ]
    result = {
        "n_questions": n,
        "gold_in_top1_sentence": round(top1 / n, 4),
        "gold_in_top3_sentences": round(top3 / n, 4),
        "refuse_below": refuse_below,
        "false_refusals": refused(answerable),
        "false_refusals_support_rule": rate(answerable_cov, refuse_below),
        "refusals_on_unanswerable": refused(unanswerable_said),
        "refusals_on_heldout_unanswerable": refused(heldout_said),
        "n_unanswerable": len(unanswerable_cov),
        "n_heldout_unanswerable": len(heldout_cov),
        "sweep": sweep,
        "unanswerable_support": {q: round(c, 3) for q, c in zip(unanswerable + heldout, unanswerable_cov + heldout_cov)},
    }
    print(json.dumps({k: v for k, v in result.items() if k != "unanswerable_support"}, ensure_ascii=False, indent=1))
    print(write_result("answer_quality" + tag, {"dataset": "KorQuAD 1.0 dev", "sample": args.sample,
                                               "embedder": index.settings.embedder, **result}))


if __name__ == "__main__":
    main()
