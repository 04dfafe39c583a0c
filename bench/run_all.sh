#!/usr/bin/env bash
# Run every benchmark in sequence (never in parallel: they time each other otherwise).
#   bash bench/run_all.sh      (from the repository root; logs in bench/.work/*.log)
set -euo pipefail
cd "$(dirname "$0")"
PY=../.venv/bin/python
mkdir -p .work
for script in korquad_quality answer_quality tokenizer_speed sparse_backends index_and_latency; do
  echo "== $script"
  "$PY" "$script.py" > ".work/$script.log" 2>&1
done
