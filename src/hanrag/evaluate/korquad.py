"""KorQuAD 1.0 (SQuAD v1.1 JSON) to the retrieval dataset format, at run time.

KorQuAD is CC BY-ND 2.0 KR: converted copies may not be distributed, so convert into a
temporary or ignored folder and never commit the output.
Corpus = unique paragraphs (identical paragraphs merge), query = question,
relevant = the paragraph the question was written on.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def convert_korquad(source: Path | str, out_dir: Path | str, limit_paragraphs: int | None = None) -> Path:
    """Write corpus.jsonl, queries.jsonl, qrels.tsv and answers.jsonl into ``out_dir``."""
    data = json.loads(Path(source).read_text(encoding="utf-8"))["data"]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paragraph_ids: dict[str, str] = {}
    corpus, queries, qrels, answers = [], [], [], []
    for article in data:
        for paragraph in article["paragraphs"]:
            context = paragraph["context"]
            if context not in paragraph_ids:
                if limit_paragraphs is not None and len(paragraph_ids) >= limit_paragraphs:
                    continue
                paragraph_ids[context] = f"p{len(paragraph_ids)}"
                corpus.append({"id": paragraph_ids[context], "title": article["title"], "text": context})
            pid = paragraph_ids[context]
            for qa in paragraph["qas"]:
                queries.append({"id": qa["id"], "text": qa["question"]})
                qrels.append(f"{qa['id']}\t{pid}\t1")
                answers.append({"query_id": qa["id"], "answers": [a["text"] for a in qa["answers"]]})
    _write_jsonl(out / "corpus.jsonl", corpus)
    _write_jsonl(out / "queries.jsonl", queries)
    _write_jsonl(out / "answers.jsonl", answers)
    (out / "qrels.tsv").write_text("query_id\tdoc_id\trelevance\n" + "\n".join(qrels) + "\n", encoding="utf-8")
    return out


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":  # python -m hanrag.evaluate.korquad SOURCE_JSON OUT_DIR
    print(convert_korquad(sys.argv[1], sys.argv[2]))
