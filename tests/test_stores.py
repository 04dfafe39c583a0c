"""The whole engine on the Milvus store (milvus-lite): store = "milvus:<file.db>" and nothing else
changes; export and import move an index between stores."""

from pathlib import Path

import pytest

from hanrag import Index

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")


def test_index_search_ask_and_remove_on_milvus_lite(tmp_path: Path, korean_folder: Path) -> None:
    spec = f"milvus:{tmp_path / 'milvus.db'}#test_index"
    with Index.open(tmp_path / "local") as local:
        local.add([korean_folder])
        want = {mode: [h.chunk.chunk_id for h in local.search("연차 유급휴가는 며칠인가요?", mode=mode, top_k=3)]
                for mode in ("bm25", "dense", "hybrid")}
    with Index.open(tmp_path / "ix", store=spec) as index:
        assert index.add([korean_folder]).added == 4
        for mode, chunk_ids in want.items():
            got = [h.chunk.chunk_id for h in index.search("연차 유급휴가는 며칠인가요?", mode=mode, top_k=3)]
            assert got[0] == chunk_ids[0], mode
        answer = index.ask("연차 유급휴가는 며칠인가요?")
        assert "15일" in answer.answer
        filtered = index.search("휴가", where="source:*.txt")
        assert filtered and all(h.chunk.source.endswith(".txt") for h in filtered)
        assert index.remove([korean_folder / "leave.md"]).removed == 1
        assert not any(h.chunk.source.endswith("leave.md") for h in index.search("연차 유급휴가", top_k=10))
    with Index.open(tmp_path / "ix", store=spec) as reopened:  # persisted in the .db
        assert sorted(Path(d.source).name for d in reopened.documents()) == ["bok.txt", "food.txt", "space.txt"]


def test_export_then_import_moves_an_index_between_stores_without_embedding(
    tmp_path: Path, korean_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hanrag.transfer import export_index, import_index

    with Index.open(tmp_path / "local") as local:
        local.add([korean_folder])
        want = [h.to_dict() for h in local.search("연차 유급휴가는 며칠인가요?", top_k=3, highlight=False)]
        assert export_index(local, tmp_path / "dump") == {"documents": 4, "chunks": len(local)}

    def no_embedding(*args: object, **kwargs: object) -> None:
        raise AssertionError("import must not embed")

    monkeypatch.setattr("hanrag.embed.e5_onnx.OnnxE5Embedder.embed_passages", no_embedding)
    for target in (dict(store=f"milvus:{tmp_path / 'm.db'}#moved"), {}):
        with Index.open(tmp_path / f"moved-{len(target)}", **target) as moved:
            assert import_index(moved, tmp_path / "dump")["documents"] == 4
            got = [h.to_dict() for h in moved.search("연차 유급휴가는 며칠인가요?", top_k=3, highlight=False)]
            assert [h["chunk_id"] for h in got] == [h["chunk_id"] for h in want]
            assert got[0]["scores"]["bm25"]["score"] == pytest.approx(want[0]["scores"]["bm25"]["score"], rel=1e-5)
            assert got[0]["scores"]["dense"]["score"] == pytest.approx(want[0]["scores"]["dense"]["score"], rel=1e-5)
