"""Recall@k curves (k = 1..10) per configuration, as a PNG (matplotlib, the `plot` extra)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hanrag.errors import BackendError
from hanrag.evaluate.metrics import recall_at

if TYPE_CHECKING:
    from hanrag.evaluate.runner import EvalResult


def recall_curves(results: Sequence[EvalResult], ks: Sequence[int] = range(1, 11)) -> dict[str, list[float]]:
    """Mean recall@k for each k, per configuration (label "name / mode"), from per-query results."""
    curves: dict[str, list[float]] = {}
    for result in results:
        rows = result.per_query
        label = f"{result.config['name']} / {result.config['mode']}"
        curves[label] = [
            sum(recall_at(r["ranked"], {d: 1 for d in r["relevant"]}, k) for r in rows) / max(len(rows), 1) for k in ks
        ]
    return curves


def plot_recall(results: Sequence[EvalResult], path: Path) -> Path:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise BackendError("--plot needs matplotlib: pip install 'hanrag[plot]'") from exc
    ks = list(range(1, 11))
    figure, axes = plt.subplots(figsize=(7, 4.5), dpi=120)
    for label, values in recall_curves(results, ks).items():
        axes.plot(ks, values, marker="o", label=label)
    axes.set_xlabel("k")
    axes.set_ylabel("recall@k")
    axes.set_xticks(ks)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    axes.set_title("recall@k per configuration")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path
