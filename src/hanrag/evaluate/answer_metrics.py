"""Answer metrics with KorQuAD 1.0's official definitions (its evaluate-v1.0.py, itself
adapted from SQuAD v1.1): exact match after normalisation, and character-level F1.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Sequence

_SYMBOLS = re.compile(r"['\"《》<>〈〉()‘’]")
_PUNCTUATION = set(string.punctuation)


def normalize_answer(text: str) -> str:
    """Brackets and quotes to spaces, lower case, ASCII punctuation removed, whitespace collapsed."""
    text = _SYMBOLS.sub(" ", text).lower()
    text = "".join(ch for ch in text if ch not in _PUNCTUATION)
    return " ".join(text.split())


def exact_match(prediction: str, truth: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(truth))


def f1(prediction: str, truth: str) -> float:
    """Character-level F1 over the normalised strings (spaces not counted)."""
    predicted = list(normalize_answer(prediction).replace(" ", ""))
    gold = list(normalize_answer(truth).replace(" ", ""))
    same = sum((Counter(predicted) & Counter(gold)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(predicted), same / len(gold)
    return 2 * precision * recall / (precision + recall)


def answer_scores(prediction: str, truths: Sequence[str]) -> dict[str, float]:
    """Best EM and F1 over the gold answers, and whether a gold answer occurs in the prediction."""
    truths = [t for t in truths if t.strip()]
    if not truths:
        return {"answer_em": 0.0, "answer_f1": 0.0, "answer_coverage": 0.0}
    squashed = "".join(prediction.split())
    return {
        "answer_em": max(exact_match(prediction, t) for t in truths),
        "answer_f1": max(f1(prediction, t) for t in truths),
        "answer_coverage": float(any("".join(t.split()) in squashed for t in truths)),
    }
