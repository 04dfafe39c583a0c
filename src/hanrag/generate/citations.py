"""Finding [n] markers in answer text and deciding whether an answer is a refusal."""

from __future__ import annotations

import re

from hanrag.generate.base import REFUSAL

_MARKER = re.compile(r"\[(\d+(?:\s*[,，]\s*\d+)*)\]")

# How models say the context lacks the fact (beside our fixed sentence).
_REFUSAL_PATTERNS = re.compile(
    r"(찾을 수 없|정보가 (없|포함되어 있지 않)|알 수 없습니다|언급(되어 있지 않|이 없)|나와 있지 않|확인할 수 없)"
)


def cited_numbers(text: str, n_contexts: int) -> list[int]:
    """Context numbers cited in ``text`` ([2], [1, 3], [1][2]), first appearance first; out-of-range ones dropped."""
    seen: list[int] = []
    for match in _MARKER.finditer(text):
        for part in re.split(r"[,，]", match.group(1)):
            n = int(part)
            if 1 <= n <= n_contexts and n not in seen:
                seen.append(n)
    return seen


def is_refusal(text: str, cited: list[int]) -> bool:
    """The fixed refusal sentence, or an uncited answer that says the documents lack the fact."""
    stripped = text.strip()
    if not stripped or REFUSAL in stripped:
        return True
    return not cited and bool(_REFUSAL_PATTERNS.search(stripped))
