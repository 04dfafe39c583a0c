"""Plot bench/results/scale.json: search latency, build time, memory and disk against corpus size.

    .venv/bin/python bench/plot_scale.py      (writes docs/scale.png; needs matplotlib)
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    data = json.loads((ROOT / "bench" / "results" / "scale.json").read_text())
    sizes = sorted(int(n) for n in data["sizes"])
    rows = [data["sizes"][str(n)] for n in sizes]
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    ax = axes[0]
    for mode, style in (("bm25", "o-"), ("dense", "s-"), ("hybrid", "^-")):
        ax.plot(sizes, [r[f"{mode}_p50_ms"] for r in rows], style, label=f"{mode} p50")
    exact = [(n, r["exact_dense_p50_ms"]) for n, r in zip(sizes, rows) if r.get("exact_dense_p50_ms")]
    if exact:
        ax.plot([n for n, _ in exact], [v for _, v in exact], "x--", label="exact dense p50 (no HNSW)")
    ax.set(xscale="log", yscale="log", xlabel="chunks", ylabel="ms per query", title="search latency (query embedding excluded)")
    ax.legend(fontsize=8)
    ax = axes[1]
    ax.plot(sizes, [r["commit_s"] for r in rows], "o-", label="whole commit")
    for stage in ("bm25_s", "ann_s", "rows_s"):
        values = [r["commit_stages_s"].get(stage) for r in rows]
        points = [(n, v) for n, v in zip(sizes, values) if v]
        if points:
            ax.plot([n for n, _ in points], [v for _, v in points], ".--", label=stage.removesuffix("_s"))
    ax.set(xscale="log", yscale="log", xlabel="chunks", ylabel="seconds", title="index build")
    ax.legend(fontsize=8)
    ax = axes[2]
    ax.plot(sizes, [r["build_peak_rss_mb"] for r in rows], "o-", label="peak RSS, build")
    ax.plot(sizes, [r["search_peak_rss_mb"] for r in rows], "s-", label="peak RSS, search")
    ax.plot(sizes, [r["disk_total_mb"] for r in rows], "^-", label="on disk")
    ax.set(xscale="log", yscale="log", xlabel="chunks", ylabel="MB", title="memory and disk")
    ax.legend(fontsize=8)
    fig.tight_layout()
    out = ROOT / "docs" / "scale.png"
    fig.savefig(out, dpi=110)
    print(out)


if __name__ == "__main__":
    main()
