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


def test_a_gloss_in_parentheses_ending_like_a_sentence_does_not_end_it() -> None:
    text = ("⑦ 휴가는 1년간(최초 1년의 근로가 끝날 때까지의 기간을 말한다) 행사하지 아니하면 소멸된다. "
            "다만, 그러하지 아니하다. 그는 왔다. (사진) 그리고 갔다.")
    [spans] = split_sentences([text])
    pieces = [text[a:b] for a, b in spans]
    assert pieces[0].endswith("행사하지 아니하면 소멸된다.") and pieces[1] == "다만, 그러하지 아니하다."
    # a parenthesis after a sentence end is no gloss of a word
    assert "그리고 갔다." in pieces and not any(p.endswith("(사진) 그리고 갔다.") for p in pieces)
