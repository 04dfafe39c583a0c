from hanrag.text.sentences import split_sentences


def test_spans_cover_sentences_without_punctuation() -> None:
    text = "첫 문장입니다. 두번째 문장이에요 그리고 세번째"
    [spans] = split_sentences([text])
    assert spans == [(0, 8), (9, 18), (19, 26)]
    assert [text[a:b] for a, b in spans] == ["첫 문장입니다.", "두번째 문장이에요", "그리고 세번째"]
    # No punctuation at all: the boundaries come from the endings (-어요) alone.
    text = "비가 왔어요 그래서 집에 있었어요 내일은 맑대요"
    [spans] = split_sentences([text])
    assert [text[a:b] for a, b in spans] == ["비가 왔어요", "그래서 집에 있었어요", "내일은 맑대요"]


def test_empty_text_has_no_spans() -> None:
    assert split_sentences(["   "]) == [[]]
    assert split_sentences([]) == []


def test_item_markers_start_the_next_sentence() -> None:
    text = "근로자에게 15일의 유급휴가를 주어야 한다. <개정 2012. 2. 1.>\n② 사용자는 계속하여 근로한다."
    [spans] = split_sentences([text])
    pieces = [text[a:b] for a, b in spans]
    assert pieces[-1].startswith("② 사용자는")
    assert pieces[0].endswith("2. 1.>")
