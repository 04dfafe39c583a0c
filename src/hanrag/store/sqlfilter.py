"""``--where`` conditions compiled to SQL over the local store's tables.

Document fields (source, type, doc_id, modified) go through ``Condition.matches`` itself, as an
SQL function evaluated once per document, so the semantics (globs on the file name, suffix
types, dates) cannot drift from the parser's; chunk fields (page, kind, title/section) are plain
SQL, evaluated per chunk of the documents that passed. Documents are the outer loop
(``CROSS JOIN`` fixes SQLite's join order), so a filter on a few files reads only their chunks.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import PurePath
from typing import Any

from hanrag.retrieve.filters import Condition

_DOCUMENT_FIELDS = {"source", "type", "doc_id", "modified"}
_SQL_OPS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "=": "=", "!=": "!="}
FUNCTION = "hanrag_document_matches"


def register(db: sqlite3.Connection) -> None:
    """Make the document-condition function available on a connection."""
    db.create_function(FUNCTION, 4, _document_matches, deterministic=True)


def _document_matches(condition: str, source: str, doc_id: str, modified: float | None) -> int:
    field, op, value = json.loads(condition)
    meta = {"source": source, "doc_id": doc_id, "modified": modified,
            "type": PurePath(source).suffix.lstrip(".").lower()}
    return int(Condition(field, op, value).matches(meta))


def _glob(pattern: str) -> str:
    """fnmatch's pattern in SQLite GLOB syntax (``[!a]`` is ``[^a]``), lower-cased like fnmatch's use here."""
    return pattern.lower().replace("[!", "[^")


def compile_conditions(conditions: list[Condition]) -> tuple[str, list[Any]]:
    """A WHERE clause over ``documents d`` and ``chunks c`` that keeps the chunks passing all conditions."""
    clauses: list[str] = []
    args: list[Any] = []
    for condition in conditions:
        if condition.field in _DOCUMENT_FIELDS:
            clauses.append(f"{FUNCTION}(?, d.source, d.doc_id, d.modified)")
            args.append(json.dumps([condition.field, condition.op, condition.value]))
            continue
        column = {"page": "c.page", "kind": "c.kind"}.get(condition.field, "COALESCE(c.title, d.title)")
        if condition.op == "glob":
            clauses.append(f"({column} IS NOT NULL AND lower({column}) GLOB ?)")
            args.append(_glob(str(condition.value)))
        else:
            clauses.append(f"({column} IS NOT NULL AND {column} {_SQL_OPS[condition.op]} ?)")
            args.append(condition.value)
    return " AND ".join(clauses) or "1", args
