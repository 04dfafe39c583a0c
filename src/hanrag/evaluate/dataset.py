"""Reading evaluation datasets (DESIGN §3): corpus.jsonl, queries.jsonl, qrels.tsv, answers.jsonl."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from hanrag.errors import InputError
from hanrag.index import Record


@dataclass
class Dataset:
    corpus: list[Record]
    queries: list[tuple[str, str]]  # (query id, text), only those with relevance judgements
    qrels: dict[str, dict[str, int]]
    answers: dict[str, list[str]] = field(default_factory=dict)
    fingerprint: str = ""


def load_dataset(directory: Path | str) -> Dataset:
    """Load a dataset folder; BEIR's ``_id`` keys and ``qrels/test.tsv`` are accepted too."""
    root = Path(directory)
    if not root.is_dir():
        raise InputError(f"{root}: dataset folder not found")
    digest = hashlib.blake2b(digest_size=16)
    corpus_rows = _read_jsonl(root / "corpus.jsonl", digest)
    corpus = [
        Record(id=str(_id(row, "corpus.jsonl")), text=str(row.get("text", "")), title=row.get("title") or None)
        for row in corpus_rows
    ]
    queries_all = {str(_id(row, "queries.jsonl")): str(row["text"]) for row in _read_jsonl(root / "queries.jsonl", digest)}
    qrels = _read_qrels(_qrels_path(root), digest)
    answers: dict[str, list[str]] = {}
    if (root / "answers.jsonl").is_file():
        for row in _read_jsonl(root / "answers.jsonl", None):
            answers[str(row["query_id"])] = [str(a) for a in row.get("answers", [])]
    queries = [(qid, text) for qid, text in queries_all.items() if any(r > 0 for r in qrels.get(qid, {}).values())]
    if not queries:
        raise InputError(f"{root}: no query has a relevance judgement in the qrels file")
    return Dataset(corpus, queries, qrels, answers, digest.hexdigest())


def _id(row: dict, name: str) -> str:
    value = row.get("id", row.get("_id"))
    if value is None:
        raise InputError(f"{name}: a line has neither 'id' nor '_id'")
    return str(value)


def _read_jsonl(path: Path, digest: "hashlib._Hash | None") -> list[dict]:
    if not path.is_file():
        raise InputError(f"{path}: missing")
    rows = []
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if digest is not None:
                digest.update(line)
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{number}: invalid JSON ({exc.msg})") from exc
    return rows


def _qrels_path(root: Path) -> Path:
    for candidate in (root / "qrels.tsv", root / "qrels" / "test.tsv"):
        if candidate.is_file():
            return candidate
    raise InputError(f"{root}: no qrels.tsv (or qrels/test.tsv)")


def _read_qrels(path: Path, digest: "hashlib._Hash") -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        digest.update(line.encode())
        parts = line.rstrip("\n").split("\t")
        if not line.strip():
            continue
        if len(parts) == 4:  # TREC style: qid 0 docid rel
            parts = [parts[0], parts[2], parts[3]]
        if len(parts) != 3:
            raise InputError(f"{path}:{number}: expected 'query_id<TAB>doc_id<TAB>relevance'")
        try:
            relevance = int(float(parts[2]))
        except ValueError:
            if number == 1:
                continue  # header
            raise InputError(f"{path}:{number}: relevance '{parts[2]}' is not a number") from None
        qrels.setdefault(parts[0], {})[parts[1]] = relevance
    return qrels
