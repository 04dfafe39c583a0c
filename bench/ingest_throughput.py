"""Ingestion throughput (pages/s) and PDF table extraction: pdfplumber (used) vs PyMuPDF.

    .venv/bin/python bench/ingest_throughput.py [--runs 3]

Documents: the statute PDF in ../shared/data/pdf (28 pages, no ruled tables) and a 400-page
PDF generated here with fpdf2 + NanumGothic from the statute's own text, with a 3x3 ruled
table on every 10th page (40 tables, cells known). Measured, medians over --runs:
- parse: hanrag's PDF loader (pdfplumber: words, reading order, tables) → pages/s;
- parse + chunk: the loader plus Kiwi sentence splitting and chunking → pages/s;
- tables: pdfplumber's and PyMuPDF's table finders on the same pages (tables found, cells
  equal to the known ones, pages/s). PyMuPDF is only measured if installed (it is AGPL and
  not a hanrag dependency).
Results: bench/results/ingest_throughput.json.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import SHARED, WORK, write_result  # noqa: E402
from hanrag.ingest import chunk_pages, load_file  # noqa: E402
from tests.pdf_builder import TABLE_ROWS, build_long_pdf, korean_font  # noqa: E402

STATUTE = SHARED / "pdf" / "근로기준법.pdf"


def timed(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def long_pdf(pages: int) -> Path:
    target = WORK / f"long_{pages}.pdf"
    if not target.is_file():
        font = korean_font()
        if font is None:
            raise SystemExit("needs NanumGothic (apt-get install fonts-nanum)")
        paragraphs = [p.text for p in load_file(STATUTE) if p.kind == "text"]
        lines = [line for text in paragraphs for line in text.split("\n") if len(line) > 20]
        chunks = [" ".join(lines[i : i + 4]) for i in range(0, len(lines), 4)]
        WORK.mkdir(parents=True, exist_ok=True)
        build_long_pdf(target, font, pages, chunks)
    return target


def page_count(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


def pdfplumber_tables(path: Path) -> list[list[list[str]]]:
    import pdfplumber

    found = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            found += [t.extract() for t in page.find_tables()]
            page.flush_cache()
    return found


def pymupdf_tables(path: Path) -> list[list[list[str]]]:
    import pymupdf

    found = []
    with pymupdf.open(path) as doc:
        for page in doc:
            found += [t.extract() for t in page.find_tables().tables]
    return found


def correct_tables(tables: list[list[list[str]]]) -> int:
    expected = [row[:] for row in TABLE_ROWS[:3]]
    clean = lambda rows: [[" ".join(str(c or "").split()) for c in row] for row in rows]  # noqa: E731
    return sum(clean(t) == expected for t in tables)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", type=int, default=400)
    args = parser.parse_args()
    documents = {"statute (28 pages)": STATUTE, f"generated ({args.pages} pages, tables every 10th)": long_pdf(args.pages)}
    rows = {}
    for name, path in documents.items():
        n = page_count(path)
        parse_s, pages = timed(lambda: load_file(path), args.runs)
        chunk_s, chunks = timed(lambda: chunk_pages(load_file(path), "d", str(path)), args.runs)
        row = {
            "pages": n,
            "parse_s": round(parse_s, 3),
            "parse_pages_per_s": round(n / parse_s, 1),
            "parse_and_chunk_s": round(chunk_s, 3),
            "parse_and_chunk_pages_per_s": round(n / chunk_s, 1),
            "chunks": len(chunks),
            "table_chunks": sum(c.kind == "table" for c in chunks),
        }
        for library, finder in (("pdfplumber", pdfplumber_tables), ("pymupdf", pymupdf_tables)):
            try:
                seconds, tables = timed(lambda: finder(path), args.runs)
            except ImportError:
                continue
            row[f"tables_{library}"] = {
                "found": len(tables), "exact": correct_tables(tables), "s": round(seconds, 3),
                "pages_per_s": round(n / seconds, 1),
            }
        rows[name] = row
        print(name, row, flush=True)
    out = write_result("ingest_throughput", {"runs": args.runs, "documents": rows})
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
