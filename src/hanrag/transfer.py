"""``hanrag export`` / ``hanrag import``: an index as a folder any store can load, without re-embedding.

Layout: ``manifest.json`` (what the index was built with, counts), ``documents.jsonl`` (one line
per document: its fields and its chunks with their terms and rows in the vector file) and
``vectors.npy`` (float32, one row per chunk, in the order of the chunks).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from hanrag.errors import IndexMismatchError, InputError, StoreError
from hanrag.schema import Chunk
from hanrag.store.base import StoredDocument

if TYPE_CHECKING:
    from hanrag.index import Index

FORMAT = "hanrag-export-1"
_BUILD_KEYS = ("tokenizer", "embedder", "dim", "chunk_size", "chunk_overlap")
_BATCH = 200  # documents per commit on import


def export_index(index: "Index", folder: Path) -> dict[str, int]:
    """Write every document, chunk, term list and vector of ``index`` into ``folder`` (new or empty)."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise InputError(f"{folder}: not empty; export into a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    manifest = index.store.manifest()
    dim = int(manifest.get("dim") or 0)
    documents = chunks = 0
    vectors: list[np.ndarray] = []
    with (folder / "documents.jsonl").open("w", encoding="utf-8") as out:
        for doc, doc_chunks, terms, doc_vectors in index.store.export():
            lines = [{**asdict(c), "terms": t} for c, t in zip(doc_chunks, terms)]
            out.write(json.dumps({"document": asdict(doc), "first_row": chunks, "chunks": lines}, ensure_ascii=False) + "\n")
            vectors.append(np.asarray(doc_vectors, dtype=np.float32).reshape(len(doc_chunks), dim))
            documents += 1
            chunks += len(doc_chunks)
    np.save(folder / "vectors.npy", np.concatenate(vectors) if vectors else np.zeros((0, dim), np.float32))
    summary = {"documents": documents, "chunks": chunks}
    build = {k: manifest[k] for k in _BUILD_KEYS if k in manifest}
    (folder / "manifest.json").write_text(json.dumps({"format": FORMAT, "build": build, **summary}, ensure_ascii=False,
                                                     indent=1), encoding="utf-8")
    return summary


def import_index(index: "Index", folder: Path) -> dict[str, int]:
    """Load an export into ``index`` (empty, or built with the same tokenizer and embedder)."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        vectors = np.load(folder / "vectors.npy", mmap_mode="r")
    except (OSError, ValueError) as exc:
        raise InputError(f"{folder}: not a hanrag export ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise InputError(f"{folder}: export format {manifest.get('format')!r}, this hanrag reads {FORMAT!r}")
    build = manifest.get("build", {})
    present = index.store.manifest()
    if not index.store.is_empty():
        for key in ("tokenizer", "embedder", "dim"):
            if key in build and key in present and build[key] != present[key]:
                raise IndexMismatchError(f"the export was built with {key} '{build[key]}' and the index with "
                                         f"'{present[key]}'; import into a new index")
    documents = chunks = 0
    with index.store.writer() as writer, (folder / "documents.jsonl").open(encoding="utf-8") as lines:
        writer.init_manifest(build)
        for number, line in enumerate(lines, 1):
            record = json.loads(line)
            doc = StoredDocument(**record["document"])
            items = record["chunks"]
            terms = [item.pop("terms") for item in items]
            first = int(record["first_row"])
            rows = np.asarray(vectors[first : first + len(items)], dtype=np.float32)
            if rows.shape[0] != len(items):
                raise StoreError(f"{folder}: vectors.npy has fewer rows than documents.jsonl names")
            writer.upsert(doc, [Chunk(**item) for item in items], terms, rows)
            documents += 1
            chunks += len(items)
            if number % _BATCH == 0:
                writer.commit()
        writer.commit()
    return {"documents": documents, "chunks": chunks}
