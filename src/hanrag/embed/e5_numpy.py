"""The e5 encoder forward pass in numpy (fp32 BLAS): a candidate engine and the reference the ONNX graph is checked by."""

from __future__ import annotations

import numpy as np

from hanrag.embed.e5_bundle import E5Bundle

try:  # erf-exact GELU, as the model was trained (scipy is a core dependency)
    from scipy.special import erf as _erf
except ImportError:  # pragma: no cover
    _erf = np.vectorize(__import__("math").erf, otypes=[np.float32])


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    centered = x - mean
    var = (centered * centered).mean(-1, keepdims=True)
    return centered / np.sqrt(var + eps) * w + b


class NumpyE5:
    """Runs padded batches: ids [B, T] int, mask [B, T] 0/1 -> mean-pooled hidden states [B, H] (not normalized)."""

    def __init__(self, bundle: E5Bundle) -> None:
        t = bundle.tensors
        self.b = bundle
        self.pos = t["emb.pos"]
        self.type0 = t["emb.type"][: bundle.hidden]
        self.layers = []
        for i in range(bundle.layers):
            g = lambda name: t[f"l{i}.{name}"]  # noqa: E731
            qkv_w = np.ascontiguousarray(np.concatenate([g("q.w"), g("k.w"), g("v.w")]).T)
            qkv_b = np.concatenate([g("q.b"), g("k.b"), g("v.b")])
            self.layers.append(
                (qkv_w, qkv_b, np.ascontiguousarray(g("ao.w").T), g("ao.b"), g("aln.w"), g("aln.b"),
                 np.ascontiguousarray(g("fi.w").T), g("fi.b"), np.ascontiguousarray(g("fo.w").T), g("fo.b"),
                 g("oln.w"), g("oln.b"))
            )

    def __call__(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        n, length = ids.shape
        h, heads, eps = self.b.hidden, self.b.heads, self.b.eps
        hd = h // heads
        x = self.b.word_vectors(ids) + self.pos[:length] + self.type0
        x = _layer_norm(x, self.b.tensors["emb.ln.w"], self.b.tensors["emb.ln.b"], eps)
        bias = ((mask[:, None, None, :] - 1.0) * 1e9).astype(np.float32)
        for qkv_w, qkv_b, ao_w, ao_b, aln_w, aln_b, fi_w, fi_b, fo_w, fo_b, oln_w, oln_b in self.layers:
            qkv = (x.reshape(-1, h) @ qkv_w + qkv_b).reshape(n, length, 3, heads, hd)
            # numpy's batched matmul only reaches BLAS on contiguous operands
            q, k, v = (np.ascontiguousarray(qkv[:, :, j].transpose(0, 2, 1, 3)) for j in range(3))
            scores = q @ np.ascontiguousarray(k.transpose(0, 1, 3, 2)) / np.float32(np.sqrt(hd)) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(-1, h)
            x = _layer_norm(x + (ctx @ ao_w + ao_b).reshape(n, length, h), aln_w, aln_b, eps)
            mid = x.reshape(-1, h) @ fi_w + fi_b
            mid = 0.5 * mid * (1.0 + _erf(mid * np.float32(0.7071067811865476)))
            x = _layer_norm(x + (mid @ fo_w + fo_b).reshape(n, length, h), oln_w, oln_b, eps)
        m = mask[:, :, None].astype(np.float32)
        return ((x * m).sum(1) / m.sum(1)).astype(np.float32)
