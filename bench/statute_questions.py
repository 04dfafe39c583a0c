"""Statute-style PDFs: words kept whole across line wraps, tables of contents, article questions.

    .venv/bin/python bench/statute_questions.py

Documents: the bundled statute (src/hanrag/data/labor_standards_act.pdf) and two statute-style
PDFs typeset here from its articles (bench/data/labor_standards_act_body.txt, public-domain
law text) with fpdf2 and NanumGothic (Debian's fonts-nanum): A5, justified, wrapped at any
character so words break across lines, running header and footer, a contents page of bare
titles ("titles", as on law.go.kr) or with dot leaders and page numbers ("leaders").
Measures:
- words intact: share of the typeset source's words found whole in the loader's text
  (only for the typeset PDFs, whose source is known);
- for 16 questions each answered by one article: is that article the first hit, is a
  contents chunk in the top 3, does the offline extractive answer hold the answering phrase.
Results: bench/results/statute_questions.json.
"""

from __future__ import annotations

import re
import shutil
import sys
import time
from collections import Counter

from common import BENCH, WORK, write_result

sys.path.insert(0, str(BENCH.parent))  # tests.pdf_builder typesets the PDFs

from hanrag import Index  # noqa: E402
from hanrag.ingest import load_file  # noqa: E402
from tests.pdf_builder import build_statute_pdf, korean_font  # noqa: E402

STATUTE = BENCH.parent / "src" / "hanrag" / "data" / "labor_standards_act.pdf"
BODY = BENCH / "data" / "labor_standards_act_body.txt"

QUESTIONS = [  # question, the article that answers it, the phrase that answers it
    ("연차 유급휴가는 며칠인가요?", "제60조(연차 유급휴가)", "15일"),
    ("해고 예고는 며칠 전에 해야 하나요?", "제26조(해고의 예고)", "30일 전"),
    ("휴게시간은 얼마나 주어야 하나요?", "제54조(휴게)", "30분 이상"),
    ("근로자를 사용할 수 없는 최저 연령은?", "제64조(최저 연령과 취직인허증)", "15세 미만"),
    ("1주간의 근로시간은 몇 시간을 초과할 수 없나요?", "제50조(근로시간)", "40시간"),
    ("연장 근로는 1주에 몇 시간까지 할 수 있나요?", "제53조(연장 근로의 제한)", "12시간"),
    ("임금은 매월 몇 번 이상 지급해야 하나요?", "제43조(임금 지급)", "1회 이상"),
    ("휴업수당은 평균임금의 얼마인가요?", "제46조(휴업수당)", "100분의 70"),
    ("임금채권의 소멸시효는 몇 년인가요?", "제49조(임금의 시효)", "3년"),
    ("퇴직한 근로자의 금품은 며칠 안에 청산해야 하나요?", "제36조(금품 청산)", "14일 이내"),
    ("출산전후휴가는 며칠인가요?", "제74조(임산부의 보호)", "90일"),
    ("여성 근로자의 생리휴가는?", "제73조(생리휴가)", "월 1일"),
    ("부당해고 구제신청은 언제까지 해야 하나요?", "제28조(부당해고등의 구제신청)", "3개월 이내"),
    ("직장 내 괴롭힘이란 무엇인가요?", "제76조의2(직장 내 괴롭힘의 금지)", "우위를 이용하여"),
    ("취업규칙을 작성해야 하는 사용자는?", "제93조(취업규칙의 작성ㆍ신고)", "10명 이상"),
    ("근로계약 기간은 최대 몇 년인가요?", "제16조(계약기간)", "1년"),
]


def words_intact(source: str, extracted: str) -> tuple[float, list[str]]:
    """Share of the source's words (dot leaders aside) found whole in the extracted text, and
    the words that were not."""
    wanted = Counter(w for w in source.split() if not re.fullmatch(r"\.+", w))
    found = Counter(extracted.split())
    missing = wanted - found
    return 1 - sum(missing.values()) / sum(wanted.values()), sorted(missing)


def answers_article(hit_text: str, section: str | None, article: str) -> bool:
    """The hit is the article: its section path ends with it, or (an index without section
    paths) its text opens the article."""
    return bool(section and section.endswith(article)) or hit_text.lstrip().startswith(article)


def ask_all(index: Index) -> dict:
    rows = []
    for question, article, phrase in QUESTIONS:
        hits = index.search(question, top_k=5)
        answer = index.ask(question, hits=hits)
        rows.append({
            "question": question,
            "article": article,
            "first": hits[0].chunk.section or hits[0].chunk.text[:40],
            "article_first": answers_article(hits[0].chunk.text, hits[0].chunk.section, article),
            "contents_in_top3": any(h.chunk.kind == "toc" or _looks_like_contents(h.chunk.text) for h in hits[:3]),
            "phrase_in_answer": phrase in answer.answer,
            "answer": answer.answer,
        })
    return {
        "article_first": sum(r["article_first"] for r in rows),
        "contents_in_top3": sum(r["contents_in_top3"] for r in rows),
        "phrase_in_answer": sum(r["phrase_in_answer"] for r in rows),
        "questions": rows,
    }


def _looks_like_contents(text: str) -> bool:
    """A chunk of an index built before contents were marked: mostly bare article titles."""
    lines = [line for line in text.split("\n") if line.strip()]
    bare = sum(bool(re.fullmatch(r"제\d+(?:조(?:의\d+)?(?:\([^)]*\))?|장.*)", line.strip())) for line in lines)
    return len(lines) >= 5 and bare >= 0.6 * len(lines)


def main() -> None:
    font = korean_font()
    if font is None:
        raise SystemExit("needs a Korean font: apt-get install fonts-nanum (or set HANRAG_TEST_FONT)")
    work = WORK / "statute"
    work.mkdir(parents=True, exist_ok=True)
    paragraphs = BODY.read_text(encoding="utf-8").splitlines()
    documents: dict[str, dict] = {"bundled statute": {"path": STATUTE}}
    for contents in ("titles", "leaders"):
        path = work / f"statute-{contents}.pdf"
        source = build_statute_pdf(path, font, paragraphs, "근로기준법", contents=contents)
        path.with_suffix(".txt").write_text(source, encoding="utf-8")  # what was typeset, to inspect
        started = time.perf_counter()
        text = "\n".join(p.text for p in load_file(path))
        intact, missing = words_intact(source, text)
        documents[f"typeset, contents {contents}"] = {
            "path": path, "words": len(source.split()), "words_intact": round(intact, 5), "not_intact": missing,
            "load_s": round(time.perf_counter() - started, 2),
        }
    results = {}
    for name, info in documents.items():
        directory = work / re.sub(r"\W+", "-", name)
        shutil.rmtree(directory, ignore_errors=True)  # indexed afresh: an unchanged file would be skipped
        with Index.open(directory) as index:
            index.add([info["path"]])
            asked = ask_all(index)
        results[name] = {k: v for k, v in info.items() if k != "path"} | asked
        print(f"{name}: words intact {info.get('words_intact', '-')}, article first {asked['article_first']}/16, "
              f"contents in top 3 {asked['contents_in_top3']}/16, phrase in answer {asked['phrase_in_answer']}/16")
    path = write_result("statute_questions", {"documents": results})
    print(f"written to {path}")


if __name__ == "__main__":
    main()
