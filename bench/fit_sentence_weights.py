"""Fit the extractive answerer's sentence weights (``hanrag.generate.extractive.FEATURES``) on the statute
question sets, judged by leave-one-part-out cross-validation.

    .venv/bin/python bench/fit_sentence_weights.py [--index DIR] [--variants listwise,pairwise,...]

The seen answerable parts (bench/data/statute_answerable.jsonl and _heldout, _heldout2 …: every part of
statute_answers.PARTS but the last, blind one): for every question, the hits as bench/statute_answers.py gets them, the pieces the
answerer would score with their features, and the label: the pieces whose text (spacing removed) holds the
question's phrase. Questions with no such piece (the retrieval missed the fact) are left out of the fit and
counted.

Model (``VARIANTS``): first choice, a listwise softmax over a question's pieces (the loss -log of the
probability mass of its positive pieces), L2-regularised, fitted with L-BFGS. Listwise rather than pairwise:
the measure is the first sentence only, and a pairwise loss weighs a question by its number of negatives (a
long article's question counts many times over), where the softmax gives each question one vote. Also run:
the pairwise logistic loss; the L2 penalty toward the hand weights instead of zero (their shape kept, the
scale free); only coverage, cosine and the retrieval side moving, the cues kept at the hand weights. The L2
strength is chosen per fold by an inner leave-one-part-out over the training parts (top-1 piece); the weights
are then scaled so that coverage + cosine weigh 1, as the hand weights do (the scale only matters to
``fact_first``'s window).

Per held-out part, "fact in first sentence" through the real answer path (``stream_answer``: contexts,
refusal rules, ``proviso_first``/``fact_first``) with today's weights and with the fold's fitted weights.
Results: bench/results/sentence_weights.json.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass

import numpy as np
from common import WORK, write_result
from scipy.optimize import minimize
from statute_answers import PARTS as STATUTE_PARTS
from statute_answers import STATUTE, first_sentence, read_answerable, squash

from hanrag import Index
from hanrag.generate.engine import answer_contexts, stream_answer
from hanrag.generate.extractive import FEATURES, HAND_WEIGHTS, ExtractiveAnswerer
from hanrag.schema import Answer

# Every seen part, never the blind one (the last of statute_answers.PARTS).
PARTS = {(part.lstrip("_") or "dev"): f"statute_answerable{part}.jsonl" for part in STATUTE_PARTS[:-1]}


def collect(index: Index, answerer: ExtractiveAnswerer, rows: list[dict]) -> list[dict]:
    """Per question: its hits, the features of its pieces and which pieces hold the phrase."""
    out = []
    budget = index.settings.answer.max_context_chars
    for row in rows:
        hits = index.search(row["question"])
        pieces, x = answerer.sentence_features(row["question"], answer_contexts(hits, budget))
        phrase = squash(row["phrase"])
        y = np.array([phrase in squash(p.text) for p in pieces], dtype=bool)
        out.append({"question": row["question"], "phrase": row["phrase"], "hits": hits, "x": x, "y": y})
    return out


def loss(w: np.ndarray, groups: list[tuple[np.ndarray, np.ndarray]], lam: float, kind: str = "listwise") -> tuple[float, np.ndarray]:
    """Mean listwise softmax loss over questions (or pairwise logistic loss over all positive-negative
    pairs of a question, --loss pairwise) plus lam * |w|^2, and its gradient."""
    if kind == "pairwise":
        return pairwise_loss(w, groups, lam)
    total, grad = 0.0, np.zeros_like(w)
    for x, y in groups:
        s = x @ w
        s = s - s.max()
        p = np.exp(s)
        z = p.sum()
        zp = p[y].sum()
        total += np.log(z) - np.log(zp)
        grad += x.T @ (p / z) - x[y].T @ (p[y] / zp)
    n = len(groups)
    return total / n + lam * float(w @ w), grad / n + 2 * lam * w


def pairwise_loss(w: np.ndarray, groups: list[tuple[np.ndarray, np.ndarray]], lam: float) -> tuple[float, np.ndarray]:
    total, grad, pairs = 0.0, np.zeros_like(w), 0
    for x, y in groups:
        diff = (x[y][:, None, :] - x[~y][None, :, :]).reshape(-1, x.shape[1])
        if not len(diff):
            continue
        margin = diff @ w
        total += float(np.logaddexp(0.0, -margin).sum())
        grad -= diff.T @ (1.0 / (1.0 + np.exp(margin)))
        pairs += len(diff)
    return total / pairs + lam * float(w @ w), grad / pairs + 2 * lam * w


@dataclass(frozen=True)
class Variant:
    loss: str  # "listwise" or "pairwise"
    prior: str  # what the L2 penalty shrinks toward: "zero" (|w|^2) or "hand" (see fit)
    lambdas: tuple[float, ...]
    free: tuple[str, ...] = ()  # with prior "hand": only these weights move; () all


VARIANTS = {
    # the model chosen before any run: listwise, plain L2
    "listwise": Variant("listwise", "zero", (0.0001, 0.001, 0.01, 0.1)),
    "pairwise": Variant("pairwise", "zero", (0.0001, 0.001, 0.01, 0.1)),
    "listwise_toward_hand": Variant("listwise", "hand", (0.01, 0.1, 1.0, 10.0, 100.0)),
    # the hand cues kept, only the fused pair and the retrieval side move
    "retrieval_only": Variant("listwise", "hand", (0.001, 0.01, 0.1, 1.0, 10.0, 100.0),
                              ("coverage", "cosine", "hit_reciprocal_rank", "hit_score", "first_hit_of_heading")),
}


def fit(groups: list[tuple[np.ndarray, np.ndarray]], lam: float, variant: Variant) -> np.ndarray:
    """The weights, scaled to coverage + cosine = 1. Prior "zero" penalises |w|^2 (logits w · x); "hand"
    writes w = c * (hand + d), the logits' scale c free, and penalises |d|^2, so that a strong penalty gives
    back the hand weights."""
    hand = np.array([HAND_WEIGHTS[f] for f in FEATURES])
    if variant.prior == "zero":
        w = minimize(loss, hand, args=(groups, lam, variant.loss), jac=True, method="L-BFGS-B").x
    else:
        mask = np.array([not variant.free or f in variant.free for f in FEATURES], dtype=np.float64)

        def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
            c, d = theta[0], theta[1:] * mask
            value, grad = loss(c * (hand + d), groups, 0.0, variant.loss)
            return value + lam * float(d @ d), np.concatenate([[grad @ (hand + d)], (c * grad + 2 * lam * d) * mask])

        start = minimize(lambda c: loss(c[0] * hand, groups, 0.0, variant.loss)[0], [1.0], method="Nelder-Mead").x[0]
        theta = minimize(objective, np.concatenate([[start], np.zeros_like(hand)]), jac=True, method="L-BFGS-B").x
        w = hand + theta[1:] * mask
    scale = w[0] + w[1]
    return w / scale if scale > 1e-6 else w / max(np.abs(w).max(), 1e-6)


def top1(w: np.ndarray, groups: list[tuple[np.ndarray, np.ndarray]]) -> int:
    return sum(bool(y[int(np.argmax(x @ w))]) for x, y in groups)


def groups_of(data: dict[str, list[dict]], parts: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(q["x"], q["y"]) for part in parts for q in data[part] if q["y"].any()]


def choose_lambda(data: dict[str, list[dict]], parts: list[str], variant: Variant) -> float:
    """The L2 strength with the most top-1 pieces over an inner leave-one-part-out of ``parts`` (the
    strongest on a tie)."""
    best = None
    for lam in variant.lambdas:
        hits = sum(top1(fit(groups_of(data, [p for p in parts if p != out]), lam, variant), groups_of(data, [out]))
                   for out in parts)
        if best is None or hits >= best[0]:
            best = (hits, lam)
    return best[1]


def measure(answerer: ExtractiveAnswerer, budget: int, questions: list[dict]) -> list[bool]:
    """Fact in the first quoted sentence, per question, through the answer path statute_answers.py measures."""
    out = []
    for q in questions:
        answer = next(a for a in stream_answer(q["question"], q["hits"], answerer, budget) if isinstance(a, Answer))
        out.append((not answer.refused) and squash(q["phrase"]) in squash(first_sentence(answer.answer)))
    return out


def cross_validate(answerer: ExtractiveAnswerer, budget: int, data: dict[str, list[dict]], variant: Variant) -> dict:
    parts = list(data)
    hand = np.array([HAND_WEIGHTS[f] for f in FEATURES])
    table = {}
    for out in parts:
        train = [p for p in parts if p != out]
        lam = choose_lambda(data, train, variant)
        w = fit(groups_of(data, train), lam, variant)
        today = measure(answerer, budget, data[out])
        fitted = measure(answerer.with_weights(dict(zip(FEATURES, w.tolist()))), budget, data[out])
        table[out] = {
            "n": len(data[out]), "no_positive_piece": sum(not q["y"].any() for q in data[out]), "lambda": lam,
            "hand": round(sum(today) / len(today), 4), "fitted": round(sum(fitted) / len(fitted), 4),
            "hand_correct": sum(today), "fitted_correct": sum(fitted),
            "top1_piece_hand": top1(hand, groups_of(data, [out])), "top1_piece_fitted": top1(w, groups_of(data, [out])),
            "weights": {f: round(v, 4) for f, v in zip(FEATURES, w.tolist())},
        }
        print(" ", out, {k: v for k, v in table[out].items() if k != "weights"}, flush=True)
    lam = choose_lambda(data, parts, variant)
    w_all = fit(groups_of(data, parts), lam, variant)
    in_sample = {p: measure(answerer.with_weights(dict(zip(FEATURES, w_all.tolist()))), budget, data[p]) for p in parts}
    return {
        **asdict(variant),
        "leave_one_part_out": table,
        "mean_hand": round(float(np.mean([t["hand"] for t in table.values()])), 4),
        "mean_fitted": round(float(np.mean([t["fitted"] for t in table.values()])), 4),
        "fitted_on_all": {"lambda": lam, "weights": {f: round(v, 4) for f, v in zip(FEATURES, w_all.tolist())},
                          "in_sample": {p: round(sum(v) / len(v), 4) for p, v in in_sample.items()}},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", default=str(WORK / "statute-answers"))
    parser.add_argument("--variants", default=",".join(VARIANTS), help=f"of {', '.join(VARIANTS)}")
    args = parser.parse_args()
    with Index.open(args.index) as index:
        if not index.documents():
            index.add([STATUTE])
        answerer = index.answerer
        assert isinstance(answerer, ExtractiveAnswerer)
        assert all(abs(answerer.weights[f] - HAND_WEIGHTS[f]) < 1e-9 for f in FEATURES), "compare with the hand weights"
        budget = index.settings.answer.max_context_chars
        data = {part: collect(index, answerer, read_answerable(name)) for part, name in PARTS.items()}
        missed = {part: sum(not q["y"].any() for q in data[part]) for part in data}
        print("questions", {p: len(data[p]) for p in data}, "no positive piece (left out of the fit)", missed, flush=True)
        runs = {}
        for name in args.variants.split(","):
            print(name, flush=True)
            runs[name] = cross_validate(answerer, budget, data, VARIANTS[name])
            print(" ", name, "mean hand", runs[name]["mean_hand"], "mean fitted (CV)", runs[name]["mean_fitted"],
                  "fitted on all, in sample", runs[name]["fitted_on_all"]["in_sample"], flush=True)
    result = {
        "features": list(FEATURES),
        "hand_weights": dict(HAND_WEIGHTS),
        "questions": {p: len(data[p]) for p in data},
        "no_positive_piece": missed,
        "variants": runs,
    }
    print(write_result("sentence_weights", result))


if __name__ == "__main__":
    main()
