"""Connecting to Milvus and the four collections of one hanrag index.

``<name>_chunks``: one row per chunk (text, hanrag's terms, metadata copied from its document so
filters need no join, a sparse BM25 candidate vector and the dense vector). ``<name>_docs``,
``<name>_terms`` (document frequency per term) and ``<name>_meta`` (manifest and statistics) are
small side collections; Milvus requires a vector field in every collection, so they carry a
2-dimensional placeholder. Every collection uses consistency level Strong: a search sees every
write acknowledged before it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import warnings
from dataclasses import dataclass
from typing import Any

from hanrag.errors import BackendError, InputError

TEXT_MAX = 65_535  # Milvus's VARCHAR limit, in bytes
KEY_MAX = 1_024
PLACEHOLDER = [0.0, 0.0]
CONSISTENCY = "Strong"
ENV_TOKEN, ENV_USER, ENV_PASSWORD = "HANRAG_MILVUS_TOKEN", "HANRAG_MILVUS_USER", "HANRAG_MILVUS_PASSWORD"


def row_key(text: str) -> str:
    """The primary key of a row named by a user's id or a term: 128 bits of blake2b in hex.

    milvus-lite 2.5.1 deletes (and upserts) by splicing primary keys into SQL unescaped, so a key
    holding a quote (a term like ``'s``, a record id ``o'brien``) breaks its writes; hex never does."""
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def import_pymilvus() -> Any:
    try:
        with warnings.catch_warnings():  # milvus-lite 2.5 imports the deprecated pkg_resources
            warnings.simplefilter("ignore")
            import pymilvus
    except ImportError as exc:
        raise BackendError("the Milvus store needs pymilvus and milvus-lite: pip install 'hanrag[milvus]'") from exc
    return pymilvus


@dataclass(frozen=True)
class Target:
    """Where the index lives: a milvus-lite file or a server URI, with credentials."""

    uri: str
    lite: bool
    token: str | None = None

    @classmethod
    def parse(cls, uri: str, token: str | None = None) -> "Target":
        """``http(s)://host:19530`` (credentials from the environment unless given) or a ``.db`` path,
        with or without the ``milvus:`` of the ``store`` setting."""
        uri = uri.removeprefix("milvus:")
        if uri.startswith(("http://", "https://", "tcp://", "unix:")):
            user, password = os.environ.get(ENV_USER), os.environ.get(ENV_PASSWORD)
            token = token or os.environ.get(ENV_TOKEN) or (f"{user}:{password}" if user and password else None)
            return cls(uri, lite=False, token=token)
        if not uri.endswith(".db"):
            raise InputError(f"Milvus store '{uri}': give http(s)://host:19530 for a server or a path ending "
                             "in .db for milvus-lite")
        return cls(os.path.abspath(uri), lite=True)


class _NoLiteTimestampWarning(logging.Filter):
    """milvus-lite returns no MVCC timestamp to query iterators; pymilvus warns on every listing."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "mvccTs" not in record.getMessage()


def connect(target: Target, timeout: float) -> Any:
    pymilvus = import_pymilvus()
    if target.lite:
        iterator_log = logging.getLogger("pymilvus.orm.iterator")
        if not any(isinstance(f, _NoLiteTimestampWarning) for f in iterator_log.filters):
            iterator_log.addFilter(_NoLiteTimestampWarning())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if target.lite:
                os.makedirs(os.path.dirname(target.uri) or ".", exist_ok=True)
                return pymilvus.MilvusClient(target.uri, timeout=timeout)
            return pymilvus.MilvusClient(target.uri, token=target.token or "", timeout=timeout)
    except Exception as exc:  # pymilvus raises MilvusException, grpc errors, or RuntimeError from lite
        where = (f"milvus-lite file {target.uri} (one process may open it at a time: is another hanrag "
                 "using it?)") if target.lite else f"Milvus at {target.uri}"
        raise BackendError(f"cannot open {where}: {str(exc).splitlines()[0][:200]}") from exc


def _side(client: Any, name: str, key: str, fields: list[tuple]) -> None:
    pymilvus = import_pymilvus()
    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field(key, pymilvus.DataType.VARCHAR, max_length=64, is_primary=True)
    for field_name, dtype, extra in fields:
        schema.add_field(field_name, dtype, **extra)
    schema.add_field("placeholder", pymilvus.DataType.FLOAT_VECTOR, dim=2)
    index = client.prepare_index_params()
    index.add_index("placeholder", index_type="FLAT", metric_type="L2")
    client.create_collection(name, schema=schema, index_params=index, consistency_level=CONSISTENCY)


def create_side_collections(client: Any, prefix: str) -> None:
    """The docs, terms and meta collections, if missing."""
    dtype = import_pymilvus().DataType
    text = {"max_length": TEXT_MAX}
    wanted = {
        f"{prefix}_docs": ("pk", [("doc_id", dtype.VARCHAR, text), ("source", dtype.VARCHAR, text), ("content_hash", dtype.VARCHAR, text),
                                      ("pages", dtype.INT64, {}), ("title", dtype.VARCHAR, text),
                                      ("has_title", dtype.BOOL, {}), ("modified", dtype.DOUBLE, {}),
                                      ("has_modified", dtype.BOOL, {}), ("chunks", dtype.INT64, {}),
                                      ("indexed_at", dtype.DOUBLE, {})]),
        f"{prefix}_terms": ("pk", [("df", dtype.INT64, {})]),
        f"{prefix}_meta": ("key", [("value", dtype.VARCHAR, text)]),
    }
    for name, (key, fields) in wanted.items():
        if not client.has_collection(name):
            _side(client, name, key, fields)


def create_chunk_collection(client: Any, name: str, dim: int, dense_index: dict) -> None:
    """The chunk collection for vectors of ``dim``; ``dense_index`` is Milvus's index spec."""
    dtype = import_pymilvus().DataType
    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("pk", dtype.VARCHAR, max_length=64, is_primary=True)
    for field_name in ("chunk_id", "doc_id", "source"):
        schema.add_field(field_name, dtype.VARCHAR, max_length=TEXT_MAX)
    for field_name in ("text", "terms", "title", "title_lc", "summary"):
        schema.add_field(field_name, dtype.VARCHAR, max_length=TEXT_MAX)
    for field_name in ("kind", "kind_lc"):
        schema.add_field(field_name, dtype.VARCHAR, max_length=KEY_MAX)
    for field_name in ("has_title", "has_summary", "has_page", "has_modified"):
        schema.add_field(field_name, dtype.BOOL)
    for field_name in ("page", "start", "end", "length", "position"):
        schema.add_field(field_name, dtype.INT64)
    schema.add_field("modified", dtype.DOUBLE)
    schema.add_field("sparse", dtype.SPARSE_FLOAT_VECTOR)
    schema.add_field("dense", dtype.FLOAT_VECTOR, dim=dim)
    index = client.prepare_index_params()
    index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    index.add_index("dense", metric_type="IP", **dense_index)
    # Filters on documents and every update select chunks by doc_id (8.7 -> 4.8 ms at 100k in lite).
    index.add_index("doc_id", index_type="INVERTED")
    client.create_collection(name, schema=schema, index_params=index, consistency_level=CONSISTENCY)
