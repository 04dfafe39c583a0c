from hanrag.text.kiwi import KiwiTokenizer


def test_particles_are_dropped_and_compound_nouns_kept_whole_and_in_parts() -> None:
    [terms] = KiwiTokenizer().tokenize(["가계부실위험지수에 대해 알려주세요"])
    assert "에" not in terms and "가계부실위험지수에" not in terms
    assert {"가계", "부실", "위험", "지수", "가계부실위험지수"} <= set(terms)


def test_topic_particle_separated_from_proper_noun() -> None:
    [terms] = KiwiTokenizer().tokenize(["한국은행은 기준금리를 동결했다"])
    assert "한국은행" in terms
    assert "은" not in terms and "를" not in terms
    assert "동결" in terms


def test_same_terms_for_query_and_document_forms() -> None:
    doc, query = KiwiTokenizer().tokenize(["한국은행은 금리를 올렸다", "한국은행이 금리를?"])
    assert {"한국은행", "금리"} <= set(doc) & set(query)


def test_foreign_words_lowercased_numbers_kept() -> None:
    [terms] = KiwiTokenizer().tokenize(["BOK는 2024년 보고서를 냈다"])
    assert "bok" in terms and "2024" in terms


def test_batch_with_threads_matches_single() -> None:
    texts = ["연차 유급휴가를 주어야 한다", "김치는 발효 음식이다", "누리호 발사 성공"] * 5
    assert KiwiTokenizer(threads=2).tokenize(texts) == [KiwiTokenizer(threads=1).tokenize([t])[0] for t in texts]


def test_nocompound_variant() -> None:
    [terms] = KiwiTokenizer(compounds=False).tokenize(["가계부실위험지수"])
    assert "가계부실위험지수" not in terms and "지수" in terms
