"""Immutable segments: the chunks of one commit (or of a merge) with their postings and vectors.

Lucene's design, small: a write adds a segment instead of rebuilding the index, deletes are
tombstones (kept in SQLite by ``store.local``), and merges fold small segments into bigger ones
so their number stays bounded. Layout of ``segments/<id>/`` (all memory-mapped when read):

- ``keys.npy``      int64, the store key (SQLite ``chunks.id``) of each position
- ``lengths.npy``   int32, number of terms of each position
- ``rows.npy``      int32, postings: positions, grouped by term (term i owns rows[start_i:stop_i])
- ``tf.npy``        float32, the term frequency of each posting
- ``vectors.npy``   float32 (positions x dim), L2-normalised
- ``hnsw.bin``/``hnsw.json``  an HNSW graph over the vectors (labels = positions), big segments only

The term dictionary (term -> start, stop) is a table in SQLite, so opening a segment reads no
vocabulary and a query looks up only its own terms.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hanrag.retrieve.ann import HnswIndex, HnswParams
from hanrag.retrieve.bm25 import Bm25Params, length_norms, term_weights
from hanrag.retrieve.topk import top_n
from hanrag.store.testhook import pause_at

_FILES = ("keys", "lengths", "rows", "tf", "vectors")
_WEIGHT_CACHE_FLOATS = 16_000_000  # per segment: 64 MB of cached term weights (float32) at most


@dataclass
class SegmentData:
    """A segment in memory, before it is written."""

    keys: np.ndarray  # int64
    lengths: np.ndarray  # int32
    vocab: list[str]  # term i owns postings starts[i]:starts[i + 1]
    starts: np.ndarray  # int64, len(vocab) + 1
    rows: np.ndarray  # int32
    tf: np.ndarray  # float32
    vectors: np.ndarray  # float32 (n, dim)

    @property
    def size(self) -> int:
        return int(self.keys.size)

    def term_ranges(self) -> list[tuple[str, int, int]]:
        """(term, start, stop) of every term with postings."""
        starts = self.starts.tolist()
        return [(term, starts[i], starts[i + 1]) for i, term in enumerate(self.vocab) if starts[i + 1] > starts[i]]


def build(keys: Sequence[int], terms: Sequence[Sequence[str]], vectors: np.ndarray) -> SegmentData:
    """A segment from each chunk's store key, terms and vector (in that order)."""
    n = len(terms)
    lengths = np.fromiter((len(t) for t in terms), dtype=np.int64, count=n)
    vocab: dict[str, int] = {}
    flat = np.fromiter((vocab.setdefault(t, len(vocab)) for doc in terms for t in doc), dtype=np.int64,
                       count=int(lengths.sum()))
    positions = np.repeat(np.arange(n, dtype=np.int64), lengths)
    return _from_postings(
        np.asarray(keys, dtype=np.int64), lengths, list(vocab), flat, positions, np.ones(flat.size, np.float32),
        np.asarray(vectors, dtype=np.float32).reshape(n, -1),
    )


def _from_postings(keys: np.ndarray, lengths: np.ndarray, vocab: list[str], term_ids: np.ndarray,
                   positions: np.ndarray, counts: np.ndarray, vectors: np.ndarray) -> SegmentData:
    """Sum ``counts`` per (term, position) and lay the postings out by term."""
    n = max(int(keys.size), 1)
    pair = term_ids.astype(np.int64) * n + positions.astype(np.int64)
    unique, inverse = np.unique(pair, return_inverse=True)
    tf = np.zeros(unique.size, dtype=np.float64)
    np.add.at(tf, inverse, counts)
    term_of = unique // n
    starts = np.searchsorted(term_of, np.arange(len(vocab) + 1)).astype(np.int64)
    return SegmentData(keys, lengths.astype(np.int32), vocab, starts, (unique % n).astype(np.int32),
                       tf.astype(np.float32), vectors)


@dataclass
class MergePart:
    """One segment going into a merge: which positions survive and its term dictionary."""

    segment: "Segment"
    live: np.ndarray  # bool per position
    terms: list[tuple[str, int, int]]  # (term, start, stop)


def merge(parts: Sequence[MergePart]) -> SegmentData:
    """One segment holding the live positions of ``parts``, in order; postings are carried over
    (no text is analysed again), deleted positions dropped."""
    vocab: dict[str, int] = {}
    keys, lengths, vectors, term_ids, positions, counts = [], [], [], [], [], []
    offset = 0
    for part in parts:
        segment, live = part.segment, np.asarray(part.live, dtype=bool)
        new_position = np.full(segment.size, -1, dtype=np.int64)
        new_position[live] = offset + np.arange(int(live.sum()))
        offset += int(live.sum())
        keys.append(np.asarray(segment.keys)[live])
        lengths.append(np.asarray(segment.lengths)[live])
        vectors.append(np.asarray(segment.vectors)[live])
        # Each posting belongs to one term's range; the ranges, by start, tile the postings.
        ranges = sorted(part.terms, key=lambda item: item[1])
        merged_ids = np.fromiter((vocab.setdefault(term, len(vocab)) for term, _, _ in ranges), np.int64, len(ranges))
        spans = np.fromiter((stop - start for _, start, stop in ranges), np.int64, len(ranges))
        first = ranges[0][1] if ranges else 0
        covered = slice(first, first + int(spans.sum()))
        rows = new_position[np.asarray(segment.rows[covered], dtype=np.int64)]
        kept = rows >= 0
        term_ids.append(np.repeat(merged_ids, spans)[kept])
        positions.append(rows[kept])
        counts.append(np.asarray(segment.tf[covered])[kept])
    dim = parts[0].segment.dim if parts else 0
    return _from_postings(
        np.concatenate(keys) if keys else np.zeros(0, np.int64),
        np.concatenate(lengths) if lengths else np.zeros(0, np.int32),
        list(vocab),
        np.concatenate(term_ids) if term_ids else np.zeros(0, np.int64),
        np.concatenate(positions) if positions else np.zeros(0, np.int64),
        np.concatenate(counts) if counts else np.zeros(0, np.float32),
        np.concatenate(vectors) if vectors else np.zeros((0, dim), np.float32),
    )


def write(data: SegmentData, directory: Path, ann: HnswParams | None = None, threads: int = 0) -> None:
    """Write ``data`` (and an HNSW graph when ``ann`` is given) into a new folder, synced to disk."""
    shutil.rmtree(directory, ignore_errors=True)  # a crashed write's leftovers under the same id
    directory.mkdir(parents=True)
    np.save(directory / "keys.npy", data.keys.astype(np.int64))
    pause_at("segment")  # test hook, off by default (hanrag.store.testhook)
    np.save(directory / "lengths.npy", data.lengths.astype(np.int32))
    np.save(directory / "rows.npy", data.rows.astype(np.int32))
    np.save(directory / "tf.npy", data.tf.astype(np.float32))
    np.save(directory / "vectors.npy", np.ascontiguousarray(data.vectors, dtype=np.float32))
    if ann is not None and data.size:
        HnswIndex.build(data.vectors, np.arange(data.size, dtype=np.int64), ann, threads).save(directory)
    _fsync_tree(directory)


class Segment:
    """A written segment, memory-mapped; scoring is per segment, statistics come from the caller."""

    def __init__(self, directory: Path) -> None:
        # Plain ndarray views of the maps: np.memmap's subclass hooks cost more than the slicing.
        arrays = {name: np.asarray(np.load(directory / f"{name}.npy", mmap_mode="r")) for name in _FILES}
        self.keys: np.ndarray = arrays["keys"]
        self.lengths: np.ndarray = arrays["lengths"]
        self.rows: np.ndarray = arrays["rows"]
        self.tf: np.ndarray = arrays["tf"]
        self.vectors: np.ndarray = arrays["vectors"]
        self.graph = HnswIndex.load(directory, self.dim) if self.dim else None
        self._weights: tuple[object, dict[int, np.ndarray], list[int]] = (None, {}, [0])
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        return int(self.keys.size)

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1]) if self.vectors.ndim == 2 else 0

    def _term_weights(self, start: int, stop: int, avgdl: float, params: Bm25Params) -> np.ndarray:
        """tf / (tf + k1 * (1 - b + b * |d| / avgdl)) of one term's postings here, kept until the
        index's average length or k1/b change (every commit changes avgdl: the first queries
        after a write compute them again). Common terms are what every query pays for."""
        key = (avgdl, params)
        state = self._weights
        if state[0] != key:
            state = self._weights = (key, {}, [0])  # one assignment: readers see a consistent triple
        found = state[1].get(start)
        if found is None:
            norms = length_norms(self.lengths, avgdl, params) if state[1].get(-1) is None else state[1][-1]
            state[1][-1] = norms
            rows = self.rows[start:stop]
            found = term_weights(1.0, self.tf[start:stop], norms[rows]).astype(np.float32)
            if state[2][0] + found.size > _WEIGHT_CACHE_FLOATS:
                state[1].clear()
                state[1][-1] = norms
                state[2][0] = 0
            state[1][start] = found
            state[2][0] += found.size
        return found

    def bm25(self, postings: Sequence[tuple[float, int, int]], avgdl: float, params: Bm25Params) -> np.ndarray:
        """BM25 of every position for the query terms found here: (idf, start, stop) per query term."""
        if not postings:
            return np.zeros(self.size)
        rows = np.concatenate([self.rows[start:stop] for _, start, stop in postings])
        weights = np.concatenate([term_idf * self._term_weights(start, stop, avgdl, params)
                                  for term_idf, start, stop in postings])
        return np.bincount(rows, weights, minlength=self.size)

    def dense(self, vector: np.ndarray, n: int, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(positions, cosine) of the ``n`` nearest vectors among ``allowed`` positions (all if None)."""
        query = np.asarray(vector, dtype=np.float32)
        if self.graph is not None and (allowed is None or allowed.mean() > 0.2):
            return self._graph_top(query, n, allowed)
        if allowed is None:
            return top_n(np.asarray(self.vectors @ query), n)
        positions = np.flatnonzero(allowed)
        if positions.size == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        found, scores = top_n(np.asarray(self.vectors[positions] @ query), n, min_score=-np.inf)
        return positions[found], scores

    def _graph_top(self, query: np.ndarray, n: int, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        live = self.size if allowed is None else int(allowed.sum())
        n = min(n, live)
        if n <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        graph = self.graph.graph
        with self._lock:  # hnswlib's ef is per index: set it and query without another thread in between
            graph.set_ef(max(self.graph.params.ef_search, n))
            check = None if allowed is None else (lambda label: bool(allowed[label]))
            labels, distances = graph.knn_query(query.reshape(1, -1), k=n, filter=check)
        return labels[0].astype(np.int64), (1.0 - distances[0]).astype(np.float32)


def _fsync_tree(directory: Path) -> None:
    for root, _dirs, files in os.walk(directory):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fd = os.open(root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
