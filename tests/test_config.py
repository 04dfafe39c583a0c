from pathlib import Path

import pytest

from hanrag.config import load_settings
from hanrag.errors import ConfigError


def test_layers_file_env_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "hanrag.toml"
    config.write_text('tokenizer = "bigram"\n[retrieval]\nfusion = "rrf"\ntop_k = 9\ncandidates = 30\n')
    monkeypatch.setenv("HANRAG_RETRIEVAL__TOP_K", "7")
    settings = load_settings(config, retrieval={"candidates": 10, "mode": None})
    assert settings.tokenizer == "bigram"
    assert (settings.retrieval.fusion, settings.retrieval.top_k, settings.retrieval.candidates) == ("rrf", 7, 10)
    assert settings.retrieval.mode == "hybrid"


def test_default_file_in_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings().tokenizer == "kiwi"
    (tmp_path / "hanrag.toml").write_text('embedder = "sentence-transformers:BAAI/bge-m3"\n')
    assert load_settings().embedder == "sentence-transformers:BAAI/bge-m3"


def test_defaults_are_the_measured_ones() -> None:
    r = load_settings().retrieval
    assert (r.fusion, r.normalization, r.weights, r.candidates) == ("cc", "minmax", {"bm25": 0.7, "dense": 0.3}, 50)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[retrieval]\nfusion = "max"\n', "invalid settings"),
        ("[retrieval]\nweights = { sparse = 1.0 }\n", "unknown retriever in weights"),
        ('tokeniser = "kiwi"\n', "invalid settings"),
        ("tokenizer = \n", "invalid settings"),
    ],
)
def test_bad_config_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings(config)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")
