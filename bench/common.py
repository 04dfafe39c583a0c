"""Helpers shared by the benchmarks: where data lives, machine info, writing results."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
WORK = BENCH / ".work"  # git-ignored: converted datasets and indexes live here
RESULTS = BENCH / "results"
SHARED = BENCH.parent.parent / "shared" / "data"
KORQUAD_JSON = SHARED / "korquad_v1_dev" / "KorQuAD_v1.0_dev.json"


def korquad_dataset() -> Path:
    """KorQuAD 1.0 dev converted at run time (CC BY-ND: the converted copy is never committed)."""
    from hanrag.evaluate.korquad import convert_korquad

    target = WORK / "korquad"
    if not (target / "qrels.tsv").is_file():
        convert_korquad(KORQUAD_JSON, target)
    return target


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=BENCH, capture_output=True, text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "commit": commit,
            "date": time.strftime("%Y-%m-%d %H:%M:%S")}


def write_result(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **payload}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path
