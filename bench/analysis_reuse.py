"""Would reusing the chunker's Kiwi analysis for BM25 keep the terms? And what would it save?

    .venv/bin/python bench/analysis_reuse.py [--records 300] [--runs 3]

Ingest runs Kiwi over the same text more than once: the chunker splits each page into sentences
with a full analysis (``split_sentences``: Kiwi's tokenize with split_sents), then the index
analyses every chunk's indexed text ("title\\ntext") again for BM25 (overlapping chunks share up
to 100 characters, analysed twice), and a PDF's lines were re-spaced by Kiwi before that.

Reuse would take each chunk's terms from the page's analysis (the tokens inside the chunk's span,
plus its title's terms). This script measures, on the bundled statute PDF and on KorQuAD
paragraphs chunked as documents (--records, with their titles as headings):

- how many chunks would get different BM25 terms than today (Kiwi's analysis depends on context:
  the same words analysed inside their page, or after their title, can come out differently);
- where ingest time goes with ``embedder = "none"``: reading (PDF), sentence split, the rest of
  chunking, BM25 analysis, writing; medians of --runs. The BM25 analysis is what reuse would save.

Results: bench/results/analysis_reuse.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from pathlib import Path

from common import WORK, korquad_dataset, write_result

from hanrag.index import _indexed_text
from hanrag.ingest import chunk_pages, load_file
from hanrag.schema import Chunk, Page
from hanrag.text.base import analysable
from hanrag.text.kiwi import KiwiTokenizer, load_kiwi
from hanrag.text.sentences import split_sentences

STATUTE = Path(__file__).resolve().parents[1] / "src" / "hanrag" / "data" / "labor_standards_act.pdf"


def korquad_pages(records: int) -> list[Page]:
    rows = [json.loads(line) for line in (korquad_dataset() / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    return [Page(r["text"], number=i + 1, heading=r.get("title")) for i, r in enumerate(rows[:records])]


def reused_terms(tokenizer: KiwiTokenizer, pages: list[Page], chunks: list[Chunk]) -> list[list[str]]:
    """Each chunk's terms as reuse would give them: its title's and summary's terms, then the
    page analysis's tokens inside the chunk's span."""
    kiwi = tokenizer.kiwi
    prose = {p.number: p for p in pages if p.kind != "table"}
    tokens = {number: [t for sentence in kiwi.tokenize(analysable(page.text), split_sents=True) for t in sentence]
              for number, page in prose.items()}
    heads = tokenizer.tokenize(["\n".join(p for p in (c.title, c.summary) if p) for c in chunks])
    out = []
    for chunk, head in zip(chunks, heads):
        if chunk.page not in tokens or chunk.kind == "table":
            out.append(tokenizer.tokenize([_indexed_text(chunk)])[0])
            continue
        inside = [t for t in tokens[chunk.page] if t.start >= chunk.start and t.start + t.len <= chunk.end]
        out.append(head + tokenizer._terms(inside))
    return out


def compare(name: str, pages: list[Page], threads: int) -> dict:
    tokenizer = KiwiTokenizer(threads=threads)
    chunks = chunk_pages(pages, name, name, 500, 100, threads=threads)
    today = tokenizer.tokenize([_indexed_text(c) for c in chunks])
    reused = reused_terms(tokenizer, pages, chunks)
    differ = sum(a != b for a, b in zip(today, reused))
    body_alone = tokenizer.tokenize([c.text for c in chunks])
    heads = tokenizer.tokenize([c.title or "" for c in chunks])
    title_split = sum(a != h + b for a, h, b in zip(today, heads, body_alone))
    total = sum(len(t) for t in today)
    changed = sum(len(set(a) ^ set(b)) for a, b in zip(today, reused))
    return {"chunks": len(chunks), "chunks_with_other_terms": differ, "chunks_other_if_title_analysed_apart": title_split,
            "terms": total, "distinct_terms_gained_or_lost": changed}


def stages(pages: list[Page] | None, threads: int) -> dict:
    """Seconds per ingest stage (embedder none), as Index.add runs them."""
    tokenizer = KiwiTokenizer(threads=threads)
    load_kiwi(threads)
    out: dict[str, float] = {}
    t = time.perf_counter()
    if pages is None:
        pages = load_file(STATUTE)
        out["read_s"] = time.perf_counter() - t
    t = time.perf_counter()
    split_sentences([p.text for p in pages if p.kind != "table"], threads=threads)
    out["sentence_split_s"] = time.perf_counter() - t
    t = time.perf_counter()
    chunks = chunk_pages(pages, "d", "d", 500, 100, threads=threads)
    out["chunking_s_incl_split"] = time.perf_counter() - t
    t = time.perf_counter()
    tokenizer.tokenize([_indexed_text(c) for c in chunks])
    out["bm25_analysis_s"] = time.perf_counter() - t
    out["chunks"] = len(chunks)
    return out


def indexed(pages_or_file, threads: int) -> dict:
    """Index.add / add_records end to end with embedder none: chunks per second."""
    from hanrag import Index, load_settings
    from hanrag.index import Record

    directory = WORK / "analysis-reuse-index"
    shutil.rmtree(directory, ignore_errors=True)
    settings = load_settings(index=str(directory), embedder="none", threads=threads)
    with Index.open(directory, settings) as index:
        t = time.perf_counter()
        if isinstance(pages_or_file, Path):
            index.add([pages_or_file])
        else:
            index.add_records([Record(str(p.number), p.text, p.heading) for p in pages_or_file], chunk=True)
        seconds = time.perf_counter() - t
        chunks = len(index)
    shutil.rmtree(directory, ignore_errors=True)
    return {"index_s": seconds, "chunks": chunks, "chunks_per_s": chunks / seconds}


def median(runs: list[dict]) -> dict:
    return {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    korquad = korquad_pages(args.records)
    statute = load_file(STATUTE)
    result: dict = {"threads": args.threads, "runs": args.runs, "korquad_records": args.records,
                    "terms": {"statute": compare("statute", statute, args.threads),
                              "korquad": compare("korquad", korquad, args.threads)}}
    print(result, flush=True)
    result["stages"] = {"statute": median([stages(None, args.threads) for _ in range(args.runs)]),
                        "korquad": median([stages(korquad, args.threads) for _ in range(args.runs)])}
    result["index"] = {"statute": median([indexed(STATUTE, args.threads) for _ in range(args.runs)]),
                       "korquad": median([indexed(korquad, args.threads) for _ in range(args.runs)])}
    for name, row in result["stages"].items():
        row["bm25_analysis_share_of_index"] = round(row["bm25_analysis_s"] / result["index"][name]["index_s"], 3)
    print(json.dumps(result, indent=1), flush=True)
    print(write_result("analysis_reuse", result))


if __name__ == "__main__":
    main()
