"""Tables as Markdown, the form both BM25 and LLMs read well."""

from __future__ import annotations

from collections.abc import Sequence


def rows_to_markdown(rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table; the first row is the header. Ragged rows are padded, pipes escaped."""
    cleaned = [[" ".join(str(cell or "").split()).replace("|", "\\|") for cell in row] for row in rows]
    cleaned = [row for row in cleaned if any(row)]
    if not cleaned:
        return ""
    width = max(len(row) for row in cleaned)
    padded = [row + [""] * (width - len(row)) for row in cleaned]
    lines = ["| " + " | ".join(padded[0]) + " |", "|" + "---|" * width]
    lines.extend("| " + " | ".join(row) + " |" for row in padded[1:])
    return "\n".join(lines)
