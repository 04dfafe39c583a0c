"""Shared fixtures: an isolated cache folder, small Korean corpora, the statute PDF."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Read by huggingface_hub at import time: set before any test imports it, so a test that
# asks for a model that is not on disk fails at once instead of retrying the network.
os.environ["HF_HUB_OFFLINE"] = "1"

REPO = Path(__file__).resolve().parents[1]
STATUTE_PDF = REPO / "src" / "hanrag" / "data" / "labor_standards_act.pdf"

KOREAN_DOCS = {
    "bok.txt": "한국은행은 기준금리를 연 3.50%로 동결했다. 가계부실위험지수는 가계의 소득과 자산 대비 부채 수준을 보여 주는 지표이다.",
    "leave.md": "# 휴가\n\n근로자는 1년간 80퍼센트 이상 출근하면 15일의 연차 유급휴가를 받는다. 사용자는 휴가를 주어야 한다.",
    "food.txt": "김치는 배추와 고춧가루로 만드는 한국의 전통 발효 음식이다. 된장찌개도 즐겨 먹는다.",
    "space.txt": "누리호는 한국이 독자 개발한 우주 발사체로 2022년에 발사에 성공했다.",
}


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test session gets its own embedding cache; no test touches ~/.cache or a hanrag.toml."""
    cache = tmp_path_factory.getbasetemp() / "hanrag-cache"
    monkeypatch.setenv("HANRAG_CACHE_DIR", str(cache))
    for name in list(os.environ):
        if name.startswith("HANRAG_") and name != "HANRAG_CACHE_DIR":
            monkeypatch.delenv(name)
    return cache


@pytest.fixture
def korean_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in KOREAN_DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def statute_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The statute PDF indexed once for the session (embedding ~130 chunks takes ~30 s)."""
    from hanrag.index import Index

    os.environ.setdefault("HANRAG_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "hanrag-cache"))
    directory = tmp_path_factory.mktemp("statute") / "index"
    pdf_dir = tmp_path_factory.mktemp("statute-pdf")
    pdf = pdf_dir / "근로기준법.pdf"
    shutil.copy(STATUTE_PDF, pdf)
    with Index.open(directory) as index:
        report = index.add([pdf])
    assert report.added == 1 and not report.errors
    return directory


@pytest.fixture(scope="session")
def tiny_embedder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("sentence_transformers")
    from tests.tiny_models import build_embedder

    return build_embedder(tmp_path_factory.mktemp("tiny-embedder"))


@pytest.fixture(scope="session")
def tiny_cross_encoder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("sentence_transformers")
    from tests.tiny_models import build_cross_encoder

    return build_cross_encoder(tmp_path_factory.mktemp("tiny-cross-encoder"))


@pytest.fixture(scope="session")
def korean_font() -> Path:
    """NanumGothic from Debian's fonts-nanum (scripts/test installs it). CI must have it."""
    from tests.pdf_builder import korean_font as find

    font = find()
    if font is None:
        message = "no Korean font for the PDF fixtures: apt-get install fonts-nanum (or set HANRAG_TEST_FONT)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return font
