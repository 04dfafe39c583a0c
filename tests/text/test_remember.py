"""Questions are analysed once: the remembering tokenizer in front of the real one."""

from hanrag.text.remember import RememberingTokenizer


class Counting:
    name = "counting"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def tokenize(self, texts):
        self.calls.append(list(texts))
        return [t.split() for t in texts]

    def spans(self, texts):
        return [[(w, 0, len(w))] for w in texts]


def test_a_question_is_analysed_once_and_batches_pass_through() -> None:
    inner = Counting()
    tokenizer = RememberingTokenizer(inner, size=2)
    assert tokenizer.tokenize(["연차 휴가"]) == [["연차", "휴가"]]
    terms = tokenizer.tokenize(["연차 휴가"])[0]
    terms.append("changed")  # a caller's copy: the cache is not affected
    assert tokenizer.tokenize(["연차 휴가"]) == [["연차", "휴가"]]
    assert inner.calls == [["연차 휴가"]]
    tokenizer.tokenize(["a b", "c"])
    tokenizer.tokenize(["a b", "c"])
    assert inner.calls[1:] == [["a b", "c"], ["a b", "c"]]  # documents: never cached
    tokenizer.tokenize(["x"]), tokenizer.tokenize(["y"])  # LRU of 2: the first question is dropped
    tokenizer.tokenize(["연차 휴가"])
    assert inner.calls[-1] == ["연차 휴가"]
    assert tokenizer.name == "counting" and tokenizer.spans(["ab"]) == [[("ab", 0, 2)]]
