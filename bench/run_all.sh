#!/usr/bin/env bash
# Run every benchmark in sequence (never in parallel: they time each other otherwise).
#   bash bench/run_all.sh           (from the repository root; logs in bench/.work/*.log)
#   bash bench/run_all.sh --quick   (skips scale.py, whose 1M-chunk build takes ~20 minutes and ~13 GB)
set -euo pipefail
cd "$(dirname "$0")"
PY=../.venv/bin/python
mkdir -p .work
scripts=(korquad_quality answer_quality tokenizer_speed sparse_backends index_and_latency ingest_throughput ann_params statute_questions)
[ "${1:-}" = "--quick" ] || scripts+=(scale)
for script in "${scripts[@]}"; do
  echo "== $script"
  "$PY" "$script.py" > ".work/$script.log" 2>&1
done
[ "${1:-}" = "--quick" ] || "$PY" plot_scale.py
echo "== peers (own venv with LlamaIndex, rank_bm25, konlpy)"
bash peers.sh > .work/peers.log 2>&1
