"""hanrag: Korean-first retrieval-augmented generation.

    from hanrag import Index
    with Index.open(".hanrag") as index:
        index.add(["docs/"])
        for hit in index.search("연차 유급휴가는 며칠인가요?"):
            print(hit.rank, hit.chunk.source, hit.chunk.page, hit.score)
"""

from hanrag.config import Settings, load_settings
from hanrag.errors import BackendError, HanragError, InputError, StoreError
from hanrag.index import Index, Record
from hanrag.schema import (
    Answer, Chunk, DocumentInfo, Done, IndexReport, Retrieved, Rewritten, ScoreBreakdown, SearchHit, Token, Turn,
)

__all__ = [
    "Answer",
    "BackendError",
    "Chunk",
    "DocumentInfo",
    "Done",
    "HanragError",
    "Index",
    "IndexReport",
    "InputError",
    "Record",
    "Retrieved",
    "Rewritten",
    "ScoreBreakdown",
    "SearchHit",
    "Settings",
    "StoreError",
    "Token",
    "Turn",
    "load_settings",
]
__version__ = "0.1.0"
