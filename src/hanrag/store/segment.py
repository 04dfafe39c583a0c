"""Immutable segments: the chunks of one commit (or of a merge) with their postings and vectors.

Lucene's design, small: a write adds a segment instead of rebuilding the index, deletes are
tombstones (kept in SQLite by ``store.local``), and merges fold small segments into bigger ones
so their number stays bounded. Layout of ``segments/<id>/`` (all memory-mapped when read):

- ``keys.npy``      int64, the store key (SQLite ``chunks.id``) of each position
- ``lengths.npy``   int32, number of terms of each position
- ``rows.npy``      int32, postings: positions, grouped by term (term i owns rows[start_i:stop_i])
- ``tf.npy``        float32, the term frequency of each posting
- ``codes.npy``     uint16 (int32 if needed), per posting: the row of its (tf, document length) in
- ``pairs.npy``     int32 (pairs x 2), the segment's distinct (tf, document length) pairs
- ``vectors.npy``   float32 (positions x dim), L2-normalised
- ``hnsw.bin``/``hnsw.json``  an HNSW graph over the vectors (labels = positions), big segments only

The term dictionary (term -> start, stop) is a table in SQLite, so opening a segment reads no
vocabulary and a query looks up only its own terms.

A posting's BM25 weight depends on the index-wide average length, which every commit changes,
so weights cannot be stored. But it depends on the posting only through (tf, document length),
and a segment has a few thousand distinct pairs: a query computes the weight of each pair once
(Lucene's norm cache, without quantising lengths) and a posting's weight is one lookup by its
code. Segments written before codes existed get them computed when opened.
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
from hanrag.store.scoring import best_positions
from hanrag.store.testhook import pause_at

_FILES = ("keys", "lengths", "rows", "tf", "vectors")


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
    codes: np.ndarray  # uint16 or int32, per posting: its row of ``pairs``
    pairs: np.ndarray  # int32 (k, 2): distinct (tf, document length)

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
    rows = (unique % n).astype(np.int32)
    codes, pairs = impact_codes(tf, lengths[rows])
    return SegmentData(keys, lengths.astype(np.int32), vocab, starts, rows, tf.astype(np.float32), vectors,
                       codes, pairs)


def impact_codes(tf: np.ndarray, doc_lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(code per posting, distinct (tf, document length) pairs) for postings with term
    frequencies ``tf`` in documents of ``doc_lengths`` terms."""
    counts = np.rint(np.asarray(tf, dtype=np.float64)).astype(np.int64)
    doc_lengths = np.asarray(doc_lengths, dtype=np.int64)
    width = int(doc_lengths.max(initial=0)) + 1
    unique, codes = np.unique(counts * width + doc_lengths, return_inverse=True)
    pairs = np.stack([unique // width, unique % width], axis=1).astype(np.int32)
    return codes.reshape(-1).astype(np.uint16 if unique.size <= 2**16 else np.int32), pairs


def pair_weights(pairs: np.ndarray, avgdl: float, params: Bm25Params) -> np.ndarray:
    """tf / (tf + k1 * (1 - b + b * |d| / avgdl)) of each (tf, |d|) pair."""
    return term_weights(1.0, pairs[:, 0], length_norms(pairs[:, 1], avgdl, params))


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
    np.save(directory / "codes.npy", data.codes)
    np.save(directory / "pairs.npy", data.pairs.astype(np.int32))
    np.save(directory / "vectors.npy", np.ascontiguousarray(data.vectors, dtype=np.float32))
    if ann is not None and data.size:
        HnswIndex.build(data.vectors, np.arange(data.size, dtype=np.int64), ann, threads).save(directory)
    fsync_tree(directory)


# Below this many rows a matrix-vector product runs on the calling thread (np.einsum): OpenBLAS
# wakes its threads for every product, which on busy cores cost 8 ms of CPU and 24-30 ms of wall
# for 20k x 384 (1.3-3 ms on one thread). Above it, BLAS's threads pay for themselves.
_ONE_THREAD_ROWS = 100_000


def cosines(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """``vectors @ query`` (both L2-normalised: cosines)."""
    if vectors.shape[0] < _ONE_THREAD_ROWS:
        return np.einsum("ij,j->i", vectors, query)
    return np.asarray(vectors @ query)


def both(live: np.ndarray | None, passing: np.ndarray | None) -> np.ndarray | None:
    """Positions both live (not tombstoned) and passing a filter; None on either side: no restriction."""
    if passing is None:
        return live
    return passing if live is None else live & passing


class Segment:
    """A written segment, memory-mapped; scoring is per segment, statistics come from the caller."""

    def __init__(self, directory: Path, load_graph: bool = True) -> None:
        # Plain ndarray views of the maps: np.memmap's subclass hooks cost more than the slicing.
        arrays = {name: np.asarray(np.load(directory / f"{name}.npy", mmap_mode="r")) for name in _FILES}
        self.keys: np.ndarray = arrays["keys"]
        self.lengths: np.ndarray = arrays["lengths"]
        self.rows: np.ndarray = arrays["rows"]
        self.tf: np.ndarray = arrays["tf"]
        self.vectors: np.ndarray = arrays["vectors"]
        self.graph = HnswIndex.load(directory, self.dim) if self.dim and load_graph else None
        if (directory / "codes.npy").is_file():
            self.codes = np.asarray(np.load(directory / "codes.npy", mmap_mode="r"))
            self.pairs = np.load(directory / "pairs.npy")
        else:  # written before codes existed
            self.codes, self.pairs = impact_codes(self.tf, self.lengths[self.rows])
        self._weights: tuple[object, np.ndarray] = (None, np.zeros(0))
        self._lock = threading.Lock()
        self._hidden: np.ndarray | None = None  # positions marked deleted in the graph
        self._hidden_count = 0
        self._above: tuple[int, np.ndarray] = (-1, np.zeros(0, np.int64))

    @property
    def size(self) -> int:
        return int(self.keys.size)

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1]) if self.vectors.ndim == 2 else 0

    def _pair_weights(self, avgdl: float, params: Bm25Params) -> np.ndarray:
        """``pair_weights`` of this segment, kept until the index's average length or k1/b change."""
        key, weights = self._weights
        if key != (avgdl, params):
            weights = pair_weights(self.pairs, avgdl, params)
            self._weights = ((avgdl, params), weights)  # one assignment: readers see a matching pair
        return weights

    def bm25(self, postings: Sequence[tuple[float, int, int]], avgdl: float, params: Bm25Params, n: int,
             allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(positions, BM25) of the best ``n`` among ``allowed`` positions (all if None), ties at the
        cut included, unordered; ``postings`` is (idf, start, stop) per query term found here."""
        return best_positions(self.rows, self.codes, self._pair_weights(avgdl, params), postings, self.size, n, allowed)

    def dense(self, vector: np.ndarray, n: int, live: np.ndarray | None = None, allowed: np.ndarray | None = None,
              ef: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(positions, cosine) of the ``n`` nearest vectors among positions both ``live`` (not
        tombstoned) and ``allowed`` (passing a filter), None meaning all; ``ef`` overrides the
        graph's search breadth."""
        query = np.asarray(vector, dtype=np.float32)
        mask = both(live, allowed)
        if self.graph is not None and (allowed is None or allowed.mean() > 0.2):
            found = self._graph_top(query, n, live, allowed, mask, ef)
            if found is not None:
                return found
        if mask is None:
            return top_n(cosines(self.vectors, query), n)
        positions = np.flatnonzero(mask)
        if positions.size == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        if positions.size * 4 > self.size:  # most rows (e.g. all but tombstones): no copy of them
            scores = cosines(self.vectors, query)[positions]
        else:
            scores = cosines(self.vectors[positions], query)
        found, scores = top_n(scores, n, min_score=-np.inf)
        return positions[found], scores

    def above(self, key: int) -> np.ndarray:
        """Positions whose store key is above ``key`` (rows newer than the index's graph), cached."""
        cached_key, positions = self._above
        if cached_key != key:
            positions = np.flatnonzero(np.asarray(self.keys) > key)
            self._above = (key, positions)  # one assignment: readers see a matching pair
        return positions

    def dense_among(self, vector: np.ndarray, n: int, positions: np.ndarray, live: np.ndarray | None = None,
                    allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``dense`` exactly, over ``positions`` only (those not in the index's graph)."""
        mask = both(live, allowed)
        if mask is not None:
            positions = positions[mask[positions]]
        if positions.size == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        if positions.size == self.size:
            scores = cosines(self.vectors, np.asarray(vector, dtype=np.float32))
        else:
            scores = cosines(self.vectors[positions], np.asarray(vector, dtype=np.float32))
        found, scores = top_n(scores, n, min_score=-np.inf)
        return positions[found], scores

    def _graph_top(self, query: np.ndarray, n: int, live: np.ndarray | None, allowed: np.ndarray | None,
                   mask: np.ndarray | None, ef: int | None) -> tuple[np.ndarray, np.ndarray] | None:
        """The graph's answer, or None when the graph cannot give this snapshot's (search exactly then)."""
        n = min(n, self.size if mask is None else int(np.count_nonzero(mask)))
        if n <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        graph = self.graph.graph
        # A filter callback costs a Python call (and the GIL) per candidate, so only filters use one.
        check = None if allowed is None else (lambda label: bool(allowed[label]))
        with self._lock:  # hnswlib's ef and deletion marks are per index: nobody else in between
            if not self._hide_tombstones(live):
                return None
            graph.set_ef(max(ef or self.graph.params.ef_search, n))
            try:
                labels, distances = graph.knn_query(query.reshape(1, -1), k=n, filter=check)
            except RuntimeError:  # fewer than n reachable past deleted or filtered nodes
                return None
        return labels[0].astype(np.int64), (1.0 - distances[0]).astype(np.float32)

    def _hide_tombstones(self, live: np.ndarray | None) -> bool:
        """Mark this snapshot's tombstones deleted in the graph (hnswlib then skips them in C++).
        A segment's tombstones only grow, so marks only grow; False when the graph already hides
        rows of a later commit that this (older) snapshot still sees."""
        dead = 0 if live is None else live.size - int(np.count_nonzero(live))
        if dead < self._hidden_count:
            return False
        if dead > self._hidden_count:
            if self._hidden is None:
                self._hidden = np.zeros(self.size, dtype=bool)
            for position in np.flatnonzero(~live & ~self._hidden).tolist():
                self.graph.graph.mark_deleted(position)
            self._hidden = ~live
            self._hidden_count = dead
        return True


def fsync_tree(directory: Path) -> None:
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
