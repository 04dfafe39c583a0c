#!/usr/bin/env bash
# hanrag vs the references' stack (LlamaIndex BM25Retriever + the notebook's raw-sum hybrid,
# rank_bm25 + Okt) in one process. The peers live in their own venv so that hanrag's own
# environment stays lean:   bash bench/peers.sh [--runs 3]
set -euo pipefail
cd "$(dirname "$0")"
VENV=.work/peers
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
fi
"$VENV/bin/pip" install -q -e .. llama-index-core llama-index-retrievers-bm25 rank_bm25 konlpy
exec "$VENV/bin/python" peers.py "$@"
