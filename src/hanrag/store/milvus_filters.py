"""``--where`` conditions as a Milvus boolean expression over the chunk collection.

Document fields (source, type, doc_id, modified) are decided here, in Python, with
``Condition.matches`` over the document list, exactly as the local store does, and reach Milvus
as ``doc_id in [...]``: fnmatch's globs (file name or path, ``[...]`` classes, literal ``_``) have
no exact Milvus equivalent. Chunk fields are plain expressions: ``page`` comparisons, and globs on
``kind`` and ``title``/``section`` as ``like`` over lower-cased copies, when the glob has an exact
``like`` form (Milvus lite cannot escape ``_`` or ``%``, so patterns holding them, ``[``, ``]`` or
a backslash are refused with an InputError rather than matching something else).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from hanrag.errors import InputError
from hanrag.retrieve.filters import Condition

_DOCUMENT_FIELDS = {"source", "type", "doc_id", "modified"}
_OPS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "=": "==", "!=": "!="}
_LIKE_COLUMNS = {"kind": "kind_lc", "title": "title_lc", "section": "title_lc"}
_PRESENT = {"kind": None, "title": "has_title", "section": "has_title"}


@dataclass(frozen=True)
class DocumentMeta:
    """What a document condition is evaluated on."""

    doc_id: str
    source: str
    modified: float | None

    def as_meta(self) -> dict:
        return {"source": self.source, "doc_id": self.doc_id, "modified": self.modified,
                "type": PurePath(self.source).suffix.lstrip(".").lower()}


NOTHING = "__nothing__"  # returned when no chunk can pass (the caller skips the search)


def quote(text: str) -> str:
    """A Milvus string literal (backslash and double quote escaped)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def like_pattern(glob: str, field: str) -> str:
    """fnmatch's ``*`` and ``?`` as ``like``'s ``%`` and ``_`` (lower-cased), or InputError."""
    bad = sorted({c for c in glob if c in "_%[]\\"})
    if bad:
        raise InputError(f"filter '{field}:{glob}' is not supported on the Milvus store "
                         f"(its globs cannot hold {' '.join(bad)}); use * and ? only")
    return glob.lower().replace("*", "%").replace("?", "_")


def compile_conditions(conditions: Sequence[Condition], documents: Iterable[DocumentMeta]) -> str | None:
    """The expression keeping the chunks that pass every condition; None when there is no
    condition, ``NOTHING`` when no chunk can pass."""
    clauses: list[str] = []
    on_documents = [c for c in conditions if c.field in _DOCUMENT_FIELDS]
    if on_documents:
        passing = [d.doc_id for d in documents if all(c.matches(d.as_meta()) for c in on_documents)]
        if not passing:
            return NOTHING
        clauses.append(f"doc_id in [{', '.join(quote(d) for d in passing)}]")
    for condition in conditions:
        if condition.field in _DOCUMENT_FIELDS:
            continue
        clauses.append(_chunk_clause(condition))
    return " and ".join(f"({c})" for c in clauses) or None


def _page_comparison(op: str, value: float) -> str:
    """A comparison on the integer page column, also for a fractional bound (page < 2.5)."""
    if value.is_integer():
        return f"page {_OPS[op]} {int(value)}"
    if op in ("<", "<="):
        return f"page <= {math.floor(value)}"
    if op in (">", ">="):
        return f"page >= {math.ceil(value)}"
    return "(page < 0 and page > 0)" if op == "=" else "(page < 0 or page >= 0)"


def _chunk_clause(condition: Condition) -> str:
    field, op, value = condition.field, condition.op, condition.value
    if field == "page":
        return "has_page == true and " + _page_comparison(op, float(value))
    if op != "glob":
        raise InputError(f"filter on '{field}' takes a pattern on the Milvus store, e.g. '{field}:표*'")
    column, present = _LIKE_COLUMNS[field], _PRESENT[field]
    like = f"{column} like {quote(like_pattern(str(value), field))}"
    return f"{present} == true and {like}" if present else like
