"""The local store's segments on synthetic terms and vectors: BM25 against the formula and a
from-scratch build after any adds and deletes, tombstones, merges, filters and the format upgrade."""

from __future__ import annotations

import json
import math
import sqlite3
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from hanrag.errors import StoreError
from hanrag.retrieve.bm25 import Bm25Params
from hanrag.retrieve.filters import matches_all, parse_where
from hanrag.schema import Chunk
from hanrag.store.base import Ranking, Store, StoredDocument, StoreWriter
from hanrag.store.local import FORMAT_VERSION, AnnPolicy, LocalStore, StoreOptions

WORDS = "금리 물가 연차 휴가 근로자 사용자 임금 해고 계약 퇴직 김치 발효 우주 로켓 발사 한국은행 기준 동결 인상".split()
DIM = 16
SMALL = StoreOptions(ann=AnnPolicy("off"), merge_factor=3, merge_floor=4)


def _doc(rng: np.random.Generator, name: str, chunks: int) -> tuple[StoredDocument, list[Chunk], list[list[str]], np.ndarray]:
    terms = [list(rng.choice(WORDS, size=int(rng.integers(1, 12)))) for _ in range(chunks)]
    vectors = rng.normal(size=(chunks, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    doc = StoredDocument(name, f"/docs/{name}.{'pdf' if int(name[1:]) % 3 == 0 else 'txt'}", name, pages=chunks)
    made = [Chunk(f"{name}#{i}", name, doc.source, " ".join(t), page=i + 1, title=f"제{i + 1}조") for i, t in enumerate(terms)]
    return doc, made, terms, vectors


def _write(store: LocalStore, upserts=(), deletes=()):
    """One commit; the background graph upkeep it started, if any."""
    with store.writer() as writer:
        writer.init_manifest({"dim": str(DIM)})
        for doc_id in deletes:
            writer.delete(doc_id)
        for item in upserts:
            writer.upsert(*item)
        writer.commit()
        return writer.upkeep_process


def reference(corpus: dict[str, list[str]], query: list[str], params: Bm25Params) -> dict[str, float]:
    """Lucene BM25 written out from the formula over the live corpus."""
    n = len(corpus)
    avgdl = sum(len(t) for t in corpus.values()) / n
    df = Counter(t for terms in corpus.values() for t in set(terms))
    out = {}
    for chunk_id, terms in corpus.items():
        tf = Counter(terms)
        score = sum(math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) * tf[t] / (tf[t] + params.k1 * (1 - params.b + params.b * len(terms) / avgdl))
                    for t in query if tf[t])
        if score > 0:
            out[chunk_id] = score
    return out


def _scores(store: LocalStore, query: list[str], params: Bm25Params, n: int = 1000) -> dict[str, float]:
    ranking = store.retrieve(query, None, None, ["bm25"], n, params)["bm25"]
    return dict(zip(ranking.ids.tolist(), ranking.scores.tolist()))


def test_the_local_store_fills_the_protocols(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "ix")
    assert isinstance(store, Store)
    with store.writer() as writer:
        assert isinstance(writer, StoreWriter)


@pytest.mark.parametrize("params", [Bm25Params(), Bm25Params(1.2, 0.75), Bm25Params(0.9, 0.4)])
def test_bm25_matches_the_formula_and_bm25s(tmp_path: Path, params: Bm25Params) -> None:
    rng = np.random.default_rng(0)
    store = LocalStore(tmp_path / "ix")
    docs = [_doc(rng, f"d{i}", 5) for i in range(6)]
    _write(store, docs)
    corpus = {c.chunk_id: t for _, chunks, terms, _ in docs for c, t in zip(chunks, terms)}
    for query in (["금리"], ["휴가", "근로자"], ["금리", "김치", "없는말"], ["휴가", "휴가"]):
        want = reference(corpus, query, params)
        got = _scores(store, query, params)
        assert got.keys() == want.keys()
        assert all(got[k] == pytest.approx(want[k], rel=1e-6) for k in want)
    bm25s = pytest.importorskip("bm25s")
    ids = list(corpus)
    other = bm25s.BM25(k1=params.k1, b=params.b, method="lucene")
    other.index([corpus[i] for i in ids], show_progress=False)
    theirs = other.get_scores(["휴가", "근로자"])
    ours = _scores(store, ["휴가", "근로자"], params)
    assert all(ours.get(i, 0.0) == pytest.approx(float(s), rel=1e-5, abs=1e-6) for i, s in zip(ids, theirs))


def test_scores_equal_a_fresh_build_after_any_adds_and_deletes(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    store = LocalStore(tmp_path / "ix", SMALL)
    live: dict[str, tuple] = {}
    for step in range(40):
        if live and rng.random() < 0.35:
            victim = str(rng.choice(sorted(live)))
            _write(store, deletes=[victim])
            del live[victim]
        else:
            name = f"d{step}" if rng.random() < 0.8 or not live else str(rng.choice(sorted(live)))  # some updates
            live[name] = _doc(rng, name, int(rng.integers(1, 4)))
            _write(store, [live[name]])
        segments = store._db.execute("SELECT COUNT(*) FROM segments").fetchone()[0]
        assert segments <= 2 * (SMALL.merge_factor - 1) + 1  # merges keep the count bounded
    fresh = LocalStore(tmp_path / "fresh", SMALL)
    _write(fresh, list(live.values()))
    assert store.count() == fresh.count() == sum(len(d[1]) for d in live.values())
    for query in (["금리", "물가"], ["연차", "휴가", "근로자"], ["로켓"]):
        got, want = _scores(store, query, Bm25Params()), _scores(fresh, query, Bm25Params())
        assert got.keys() == want.keys()
        assert all(abs(got[k] - want[k]) <= 1e-6 for k in want)
    vector = live[sorted(live)[0]][3][0]
    for a, b in zip(store.retrieve(None, vector, None, ["dense"], 20)["dense"], fresh.retrieve(None, vector, None, ["dense"], 20)["dense"]):
        assert list(a) == pytest.approx(list(b)) if a.dtype.kind == "f" else list(a) == list(b)
    assert np.allclose(store.idf(["금리", "없는말"]), fresh.idf(["금리", "없는말"]))


def test_segments_without_impact_codes_score_the_same(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    store = LocalStore(tmp_path / "ix", SMALL)
    for i in range(5):
        _write(store, [_doc(rng, f"d{i}", 6)])
    _write(store, deletes=["d2"])
    queries = (["금리", "물가"], ["연차", "휴가", "휴가", "근로자"], ["로켓", "없는말"])
    want = [_scores(store, query, Bm25Params(1.2, 0.5)) for query in queries]
    for folder in (tmp_path / "ix" / "segments").iterdir():  # as written before the codes existed
        (folder / "codes.npy").unlink()
        (folder / "pairs.npy").unlink()
    older = LocalStore(tmp_path / "ix", SMALL)
    assert [_scores(older, query, Bm25Params(1.2, 0.5)) for query in queries] == want


def test_bm25_ties_are_broken_by_insertion_order_across_segments(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "ix", StoreOptions(ann=AnnPolicy("off"), merge_factor=3, merge_floor=1))
    vector = np.ones(DIM, dtype=np.float32) / np.sqrt(DIM)
    order = []
    for i, chunks in enumerate((2, 1, 1, 1)):  # the merge of the first three puts the 1-row (newer) segments first
        doc = StoredDocument(f"d{i}", f"/docs/d{i}.txt", f"d{i}", pages=1)
        made = [Chunk(f"d{i}#{j}", f"d{i}", doc.source, "금리") for j in range(chunks)]
        _write(store, [(doc, made, [["금리"]] * chunks, np.tile(vector, (chunks, 1)))])
        order += [c.chunk_id for c in made]
    assert store._db.execute("SELECT rows FROM segments ORDER BY id").fetchall() == [(4,), (1,)]
    for n in range(1, 6):  # every chunk scores the same
        assert store.retrieve(["금리"], None, None, ["bm25"], n)["bm25"].ids.tolist() == order[:n]


def test_deleted_chunks_never_come_back_and_merges_drop_them(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    store = LocalStore(tmp_path / "ix", StoreOptions(ann=AnnPolicy("off"), merge_factor=2, merge_floor=1))
    a, b, c = _doc(rng, "d1", 4), _doc(rng, "d2", 4), _doc(rng, "d3", 4)
    listed = lambda: store._db.execute("SELECT rows, deleted FROM segments ORDER BY id").fetchall()  # noqa: E731
    _write(store, [a])
    _write(store, [b])  # two segments of one tier (factor 2): merged into one
    assert listed() == [(8, 0)]
    _write(store, [c])
    assert listed() == [(8, 0), (4, 0)]
    _write(store, deletes=["d1"])
    # d1's rows were tombstones in the 8-row segment (4 live), which then shares a tier with d3's
    # segment: merged, the tombstoned rows dropped.
    assert listed() == [(8, 0)]
    everything = store.retrieve(WORDS, a[3][0], None, ["bm25", "dense"], 100)
    for ranking in everything.values():
        assert ranking.ids.size and not any(i.startswith("d1#") for i in ranking.ids.tolist())
    assert store.fetch(["d1#0", "d2#0"]).keys() == {"d2#0"}
    folders = sorted(p.name for p in (tmp_path / "ix" / "segments").iterdir())
    listed = sorted(str(r[0]) for r in store._db.execute("SELECT id FROM segments"))
    assert folders == listed  # merged-away folders are removed


def test_a_filter_is_applied_before_the_cut(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    store = LocalStore(tmp_path / "ix", SMALL)
    docs = [_doc(rng, f"d{i}", 6) for i in range(1, 10)]
    for doc in docs:
        _write(store, [doc])
    _write(store, deletes=["d4"])
    conditions = parse_where(["source:*.pdf", "page<=2"])
    live = [d for d in docs if d[0].doc_id != "d4"]
    meta = {c.chunk_id: {"source": c.source, "page": c.page, "doc_id": c.doc_id, "type": c.source.rsplit(".", 1)[1]}
            for _, chunks, _, _ in live for c in chunks}
    allowed = {k for k, m in meta.items() if matches_all(conditions, m)}
    assert allowed and len(allowed) < len(meta) / 4
    found = store.retrieve(WORDS, live[0][3][0], conditions, ["bm25", "dense"], 3)
    assert len(found["dense"]) == 3 and set(found["dense"].ids.tolist()) <= allowed
    assert found["bm25"].ids.size and set(found["bm25"].ids.tolist()) <= allowed
    everything = store.retrieve(None, live[0][3][0], conditions, ["dense"], 100)["dense"]
    assert set(everything.ids.tolist()) == allowed
    title_only = store.retrieve(None, live[0][3][0], parse_where("section:제1조"), ["dense"], 100)["dense"]
    assert set(title_only.ids.tolist()) == {k for k in meta if k.endswith("#0")}


def test_segments_with_graphs_search_like_exact(tmp_path: Path) -> None:
    pytest.importorskip("hnswlib")
    rng = np.random.default_rng(5)
    exact = LocalStore(tmp_path / "exact", StoreOptions(ann=AnnPolicy("off")))
    graph = LocalStore(tmp_path / "graph", StoreOptions(ann=AnnPolicy("on", scope="segment")))
    docs = [_doc(rng, f"d{i}", 40) for i in range(1, 6)]
    for store in (exact, graph):
        _write(store, docs)
        _write(store, deletes=["d2"])
    assert any((tmp_path / "graph" / "segments").glob("*/hnsw.bin"))
    recalls = []
    for query in rng.normal(size=(20, DIM)).astype(np.float32):
        want = exact.retrieve(None, query, None, ["dense"], 10)["dense"].ids.tolist()
        got = graph.retrieve(None, query, None, ["dense"], 10)["dense"].ids.tolist()
        assert not any(i.startswith("d2#") for i in got)
        recalls.append(len(set(want) & set(got)) / 10)
    assert np.mean(recalls) >= 0.95


def test_format_1_is_upgraded_in_place_keeping_vectors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    db = sqlite3.connect(folder / "hanrag.sqlite")
    db.executescript("""
        CREATE TABLE manifest (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE documents (doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, content_hash TEXT NOT NULL,
            pages INTEGER NOT NULL, title TEXT, indexed_at REAL NOT NULL);
        CREATE TABLE chunks (id INTEGER PRIMARY KEY AUTOINCREMENT, chunk_id TEXT NOT NULL UNIQUE, doc_id TEXT NOT NULL,
            page INTEGER, start_char INTEGER NOT NULL, end_char INTEGER NOT NULL, title TEXT, text TEXT NOT NULL,
            terms TEXT NOT NULL);
    """)
    rng = np.random.default_rng(2)
    vectors = rng.normal(size=(3, DIM)).astype(np.float32)
    db.executemany("INSERT INTO manifest VALUES (?, ?)", [("format_version", "1"), ("generation", "4"), ("dim", str(DIM))])
    db.execute("INSERT INTO documents VALUES ('a', '/docs/a.txt', 'h', 1, NULL, 0)")
    for i, terms in enumerate(["연차 휴가", "금리 인상", "김치 발효"]):
        db.execute("INSERT INTO chunks VALUES (?, ?, 'a', 1, 0, 5, NULL, ?, ?)", (i + 10, f"a#{i}", terms, terms))
    db.commit()
    db.close()
    generation = folder / "generations" / "4"
    generation.mkdir(parents=True)
    np.save(generation / "rows.npy", np.array([10, 11, 12]))
    np.save(generation / "vectors.npy", vectors)
    with monkeypatch.context() as patched:  # as if on a read-only mount (root ignores chmod)
        patched.setattr("hanrag.store.local._writable", lambda directory: False)
        with pytest.raises(StoreError, match="format 1.*write access"):
            LocalStore(folder)
    store = LocalStore(folder)
    assert store.manifest()["format_version"] == str(FORMAT_VERSION) and not (folder / "generations").exists()
    found = store.retrieve(["금리"], vectors[2], None, ["bm25", "dense"], 3)
    assert found["bm25"].ids.tolist() == ["a#1"] and found["dense"].ids[0] == "a#2"
    assert found["dense"].scores[0] == pytest.approx(float(vectors[2] @ vectors[2]), rel=1e-5)  # the same vector
    store.close()
    with sqlite3.connect(folder / "hanrag.sqlite") as db:
        db.execute("UPDATE manifest SET value = '99' WHERE key = 'format_version'")
    with pytest.raises(StoreError, match="format 99.*newer hanrag"):
        LocalStore(folder)


def test_rankings_unpack_as_pairs() -> None:
    ranking = Ranking(np.array(["a#0"]), np.array([1.0], dtype=np.float32))
    ids, scores = ranking
    assert ids.tolist() == ["a#0"] and len(ranking) == 1 and json.dumps(scores.tolist()) == "[1.0]"


@pytest.mark.parametrize("rows", [1, 300, 100_001])
def test_cosines_are_the_matrix_product(rows: int) -> None:
    from hanrag.store.segment import cosines

    rng = np.random.default_rng(rows)
    vectors = rng.normal(size=(rows, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    query = vectors[0]
    got = cosines(vectors, query)
    assert got.shape == (rows,) and got.dtype == np.float32
    assert np.allclose(got, vectors.astype(np.float64) @ query.astype(np.float64), atol=1e-6)
