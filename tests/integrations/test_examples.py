"""The two rewritten notebooks run end to end: Korean PDFs in, hybrid search + rerank, a cited answer."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.pdf_builder import build_long_pdf, build_table_pdf
from tests.rerank.fake_rerank import FakeRerank, fake_rerank

QUESTION = "연차 유급휴가는 며칠인가요?"
LEAVE = [
    "제60조(연차 유급휴가) 사용자는 1년간 80퍼센트 이상 출근한 근로자에게 15일의 유급휴가를 주어야 한다.",
    "제50조(근로시간) 1주 간의 근로시간은 휴게시간을 제외하고 40시간을 초과할 수 없다.",
    "제54조(휴게) 사용자는 근로시간이 4시간인 경우에는 30분 이상의 휴게시간을 근로시간 도중에 주어야 한다.",
]


def load(name: str) -> Callable[[list[str]], None]:
    spec = importlib.util.spec_from_file_location(name, REPO / "examples" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


@pytest.fixture(scope="module")
def pdf_folder(tmp_path_factory: pytest.TempPathFactory, korean_font: Path) -> Path:
    folder = tmp_path_factory.mktemp("pdfs")
    build_long_pdf(folder / "근로기준법_발췌.pdf", korean_font, pages=1, paragraphs=LEAVE)
    build_table_pdf(folder / "경제전망.pdf", korean_font)
    (folder / "notes.txt").write_text("PDF가 아닌 파일은 LlamaIndex 예제에서 읽지 않는다.", encoding="utf-8")
    return folder


@pytest.fixture
def server() -> Iterator[FakeRerank]:
    with fake_rerank() as running:
        yield running


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


@pytest.mark.parametrize("name", ["llamaindex_hybrid_rerank", "langchain_hybrid_rerank"])
def test_example_answers_offline_with_rerank(
    name: str, pdf_folder: Path, server: FakeRerank, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load(name)([str(pdf_folder), "--index", str(tmp_path / "ix"), "--reranker", f"tei:{server.url}"])
    lines = capsys.readouterr().out.strip().splitlines()
    sources = [line for line in lines if line.startswith("  ")]  # "  0.912  name p.N  section"
    answer = "\n".join(lines[: lines.index(sources[0])])
    assert "15일" in answer and "[1]" in answer
    assert "근로기준법_발췌.pdf p.1" in sources[0]
    assert server.requests and all(r["path"] == "/rerank" for r in server.requests)  # the reranker was used
    scores = [float(line.split()[0]) for line in sources]
    assert scores == sorted(scores, reverse=True) and all(0 < s < 1 for s in scores)


def test_llamaindex_example_with_mock_llm(pdf_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    load("llamaindex_hybrid_rerank")([str(pdf_folder), "--index", str(tmp_path / "ix"), "--llm", "mock"])
    out = capsys.readouterr().out
    assert "Context information is below." in out and "15일의 유급휴가" in out  # MockLLM echoes its prompt
    assert "notes.txt" not in out
