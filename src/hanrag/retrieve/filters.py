"""Metadata filters for search: ``source:*.pdf``, ``type:hwpx``, ``page<10``, ``title:휴가*``, or JSON.

Forms accepted (conditions are ANDed):
- strings: ``field:glob`` (glob match; a pattern without "/" is matched against the file
  name as well as the whole path) and ``field<op>number`` with ``<``, ``<=``, ``>``, ``>=``, ``=``, ``!=``;
- a JSON object string or dict: ``{"source": "*.pdf", "page": {"<": 10}}``.
Fields: source, type (file suffix), doc_id, title or section (the heading path, e.g.
``section:*제60조*``), kind (text/table/toc), page, modified (the file's modification time;
compare with a date or date-time, ``modified>=2026-01-01``, or Unix seconds). A chunk without a
page (text, Markdown) never matches a page condition.
"""

from __future__ import annotations

import fnmatch
import json
import operator
import re
from datetime import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from hanrag.errors import InputError

TEXT_FIELDS = ("source", "type", "doc_id", "title", "section", "kind")
_ALIASES = {"section": "title"}  # the section path is stored as the chunk title
NUMBER_FIELDS = ("page", "modified")
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "=": operator.eq, "==": operator.eq,
    "!=": operator.ne,
}
_COMPARISON = re.compile(r"^\s*(\w+)\s*(<=|>=|==|!=|<|>|=)\s*(-?\d+(?:\.\d+)?|\d{4}-\d\d-\d\d[T ]?[\d:]*)\s*$")
_GLOB = re.compile(r"^\s*(\w+)\s*:\s*(.+?)\s*$")


@dataclass(frozen=True)
class Condition:
    field: str
    op: str  # "glob" or a comparison operator
    value: Any

    def matches(self, meta: dict[str, Any]) -> bool:
        actual = meta.get(_ALIASES.get(self.field, self.field))
        if self.op == "glob":
            if actual is None:
                return False
            text, pattern = str(actual), str(self.value)
            if self.field == "source" and "/" not in pattern:
                text = PurePath(text).name
            return fnmatch.fnmatchcase(text.lower(), pattern.lower())
        if actual is None:
            return False
        return _OPS[self.op](actual, self.value)


def parse_where(where: str | dict | Sequence[str] | None) -> list[Condition]:
    """Conditions from one expression, a list of them, or a JSON object."""
    if where is None:
        return []
    if isinstance(where, dict):
        return _from_mapping(where)
    if isinstance(where, str):
        stripped = where.strip()
        if stripped.startswith("{"):
            try:
                return _from_mapping(json.loads(stripped))
            except json.JSONDecodeError as exc:
                raise InputError(f"invalid --where JSON: {exc.msg}") from None
        return [_from_string(stripped)]
    conditions: list[Condition] = []
    for item in where:
        conditions.extend(parse_where(item))
    return conditions


def _from_string(text: str) -> Condition:
    if match := _COMPARISON.match(text):
        field, op, value = match.groups()
        return _checked(Condition(field, "=" if op == "==" else op, _number(value)))
    if match := _GLOB.match(text):
        return _checked(Condition(match.group(1), "glob", match.group(2)))
    raise InputError(f"invalid filter '{text}' (examples: 'source:*.pdf', 'page<10', 'type:hwpx')")


def _from_mapping(mapping: dict) -> list[Condition]:
    if not isinstance(mapping, dict):
        raise InputError("a JSON filter must be an object, e.g. {\"page\": {\"<\": 10}}")
    conditions = []
    for field, spec in mapping.items():
        if isinstance(spec, dict):
            for op, value in spec.items():
                if op not in _OPS:
                    raise InputError(f"unknown operator '{op}' in filter (use {', '.join(_OPS)})")
                conditions.append(_checked(Condition(field, "=" if op == "==" else op, _number(value))))
        elif isinstance(spec, (int, float)) and not isinstance(spec, bool):
            conditions.append(_checked(Condition(field, "=", spec)))
        else:
            conditions.append(_checked(Condition(field, "glob", str(spec))))
    return conditions


def _number(value: Any) -> Any:
    """Numbers stay; "2026-01-31" or "2026-01-31T09:00" become local Unix seconds; anything else
    is left for ``_checked`` to reject."""
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        if re.fullmatch(r"-?\d+\.\d+", text):
            return float(text)
        try:
            return datetime.fromisoformat(text).timestamp()
        except ValueError:
            return value
    return value


def _checked(condition: Condition) -> Condition:
    if condition.field not in TEXT_FIELDS + NUMBER_FIELDS:
        raise InputError(f"unknown filter field '{condition.field}' (use {', '.join(TEXT_FIELDS + NUMBER_FIELDS)})")
    if condition.op == "glob" and condition.field in NUMBER_FIELDS:
        raise InputError(f"'{condition.field}' takes a comparison, e.g. '{condition.field}<10'")
    if condition.op != "glob" and condition.field in NUMBER_FIELDS and not isinstance(condition.value, (int, float)):
        hint = " or a date (2026-01-31)" if condition.field == "modified" else ""
        raise InputError(f"'{condition.field}' compares with a number{hint}")
    return condition


def matches_all(conditions: Iterable[Condition], meta: dict[str, Any]) -> bool:
    return all(c.matches(meta) for c in conditions)
