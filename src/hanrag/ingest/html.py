"""HTML pages: the main text (no scripts, navigation or footers) and tables as Markdown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hanrag.errors import IngestError
from hanrag.ingest.tables import rows_to_markdown
from hanrag.ingest.text import decode_bytes
from hanrag.schema import Page

_DROP = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template", "svg")
_BLOCKS = ("p", "div", "section", "article", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "pre", "blockquote")


def load_html(path: Path) -> list[Page]:
    from bs4 import BeautifulSoup

    try:
        text, _ = decode_bytes(path.read_bytes())
    except UnicodeDecodeError as exc:
        raise IngestError(f"{path}: cannot detect the text encoding") from exc
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(list(_DROP)):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    tables: list[Page] = []
    for table in root.find_all("table"):
        if table.find_parent("table") is not None:
            continue  # a nested table is read as the text of its cell
        rows = [[cell.get_text(" ", strip=True) for cell in tr.find_all(["th", "td"])] for tr in table.find_all("tr")]
        markdown = rows_to_markdown(rows)
        if markdown:
            tables.append(Page(text=markdown, heading=_table_title(table), kind="table"))
        table.decompose()
    for level in range(1, 7):
        for heading in root.find_all(f"h{level}"):
            heading.insert(0, soup.new_string("#" * level + " "))
    for tag in root.find_all(list(_BLOCKS)):
        tag.insert_after(soup.new_string("\n"))
    lines = [" ".join(line.split()) for line in root.get_text().splitlines()]
    body = "\n".join(line for line in lines if line)
    title = soup.title.get_text(strip=True) if soup.title else ""
    if title and not body.startswith(title):
        body = f"# {title}\n{body}"
    return ([Page(text=body)] if body.strip() else []) + tables


def _table_title(table: Any) -> str | None:
    """The table's caption, else the nearest heading before it."""
    caption = table.find("caption")
    if caption is not None and caption.get_text(strip=True):
        return caption.get_text(" ", strip=True)[:80]
    heading = table.find_previous(["h1", "h2", "h3", "h4", "h5", "h6"])
    return heading.get_text(" ", strip=True)[:80] if heading is not None else None
