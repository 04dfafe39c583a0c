"""Builds the e5 encoder as an ONNX graph from the dequantized weights (onnxruntime's fused transformer ops)."""

from __future__ import annotations

import numpy as np

from hanrag.embed.e5_bundle import E5Bundle

# Bumped whenever the graph changes: part of the derived file's name, so an old file is never reused.
GRAPH_VERSION = 1


def build_encoder(bundle: E5Bundle) -> bytes:
    """Serialized ONNX model: embeddings [B, T, H] (word vectors, gathered by the caller) + mask [B, T] int32
    -> pooled [B, H], the masked mean of the last hidden states (not normalized: long texts combine windows)."""
    from onnx import TensorProto, helper, numpy_helper

    t, h = bundle.tensors, bundle.hidden
    nodes: list = []
    inits: list = []

    def const(name: str, array: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(op: str, inputs: list[str], output: str, domain: str = "", **attrs: object) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, domain=domain, **attrs))
        return output

    # position (+ token type 0) embeddings, sliced to the batch's length
    const("pos_type", t["emb.pos"] + t["emb.type"][:h])
    node("Shape", ["embeddings"], "shape")
    const("one", np.array([1], np.int64))
    const("two", np.array([2], np.int64))
    const("zero", np.array([0], np.int64))
    node("Slice", ["shape", "one", "two"], "seq_len")
    node("Slice", ["pos_type", "zero", "seq_len", "zero"], "pos_slice")
    node("Add", ["embeddings", "pos_slice"], "emb_sum")
    x = node(
        "LayerNormalization", ["emb_sum", const("eln_w", t["emb.ln.w"]), const("eln_b", t["emb.ln.b"])], "x_emb",
        axis=-1, epsilon=bundle.eps,
    )
    for i in range(bundle.layers):
        g = lambda name: t[f"l{i}.{name}"]  # noqa: E731
        qkv_w = np.concatenate([g("q.w"), g("k.w"), g("v.w")]).T
        qkv_b = np.concatenate([g("q.b"), g("k.b"), g("v.b")])
        attn = node(
            "Attention", [x, const(f"l{i}_qkv_w", qkv_w), const(f"l{i}_qkv_b", qkv_b), "mask"], f"l{i}_attn",
            domain="com.microsoft", num_heads=bundle.heads,
        )
        proj = node("MatMul", [attn, const(f"l{i}_ao_w", g("ao.w").T)], f"l{i}_ao")
        x = node(
            "SkipLayerNormalization",
            [proj, x, const(f"l{i}_aln_w", g("aln.w")), const(f"l{i}_aln_b", g("aln.b")), const(f"l{i}_ao_b", g("ao.b"))],
            f"l{i}_x_attn", domain="com.microsoft", epsilon=bundle.eps,
        )
        mid = node("MatMul", [x, const(f"l{i}_fi_w", g("fi.w").T)], f"l{i}_fi")
        act = node("BiasGelu", [mid, const(f"l{i}_fi_b", g("fi.b"))], f"l{i}_gelu", domain="com.microsoft")
        out = node("MatMul", [act, const(f"l{i}_fo_w", g("fo.w").T)], f"l{i}_fo")
        x = node(
            "SkipLayerNormalization",
            [out, x, const(f"l{i}_oln_w", g("oln.w")), const(f"l{i}_oln_b", g("oln.b")), const(f"l{i}_fo_b", g("fo.b"))],
            f"l{i}_x", domain="com.microsoft", epsilon=bundle.eps,
        )
    # masked mean over tokens
    node("Cast", ["mask"], "mask_f", to=TensorProto.FLOAT)
    node("Unsqueeze", ["mask_f", "two"], "mask_3d")
    node("Mul", [x, "mask_3d"], "masked")
    node("ReduceSum", ["masked", "one"], "summed", keepdims=0)
    node("ReduceSum", ["mask_f", "one"], "count", keepdims=1)
    node("Div", ["summed", "count"], "pooled")

    graph = helper.make_graph(
        nodes, "e5_encoder",
        [helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", "seq", h]),
         helper.make_tensor_value_info("mask", TensorProto.INT32, ["batch", "seq"])],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", h])],
        inits,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)],
        producer_name="hanrag",
    )
    model.ir_version = 8
    return model.SerializeToString()
