"""The character view (nlp/sentiment/chars.py): hashing, TF-IDF rows, files, and its place in the model."""
import numpy as np
import pytest

from nlp.sentiment import chars
from nlp.sentiment.chars import BUCKETS, CharView, document_frequency_idf, ngram_counts, tfidf_values


def reference_ngrams(text: str) -> dict[str, int]:
    text = " ".join(text.lower().split())
    out: dict[str, int] = {}
    for order in chars.ORDERS:
        for i in range(len(text) - order + 1):
            gram = text[i:i + order]
            out[gram] = out.get(gram, 0) + 1
    return out


def test_counts_match_plain_python_ngrams_text_by_text():
    texts = ["今天很开心", "今天  很难过 ABC", "", "哈哈哈哈", "😂😂 好"]
    counts = ngram_counts(texts)
    for i, text in enumerate(texts):
        mine = counts.count[counts.text_of == i]
        expected = reference_ngrams(text)
        # (a collision of two of these few n-grams among a million buckets would show here)
        assert sorted(mine.tolist()) == sorted(expected.values())
    # the same n-gram lands in the same bucket whichever text holds it
    first = set(counts.bucket[counts.text_of == 0].tolist())
    second = set(counts.bucket[counts.text_of == 1].tolist())
    assert len(first & second) == len(set(reference_ngrams(texts[0])) & set(reference_ngrams(texts[1])))


def test_no_ngram_spans_two_texts():
    apart = ngram_counts(["甲乙", "丙丁"])
    together = ngram_counts(["甲乙丙丁"])
    assert apart.count.sum() == 2 * (2 + 1)  # two unigrams and one bigram each
    assert together.count.sum() == 4 + 3 + 2
    assert set(apart.bucket.tolist()) < set(together.bucket.tolist())


def test_tfidf_rows_are_unit_length_and_empty_texts_stay_empty():
    texts = ["服务很好服务很好", "", "态度差"]
    counts = ngram_counts(texts)
    values = tfidf_values(counts, document_frequency_idf(counts))
    norms = np.bincount(counts.text_of, weights=values ** 2, minlength=3)
    assert np.allclose(norms, [1.0, 0.0, 1.0])


def test_a_megabyte_text_is_capped():
    counts = ngram_counts(["好" * 1_000_000])
    assert counts.count.sum() <= 3 * chars.MAX_CHARS


def fitted_view() -> CharView:
    from nlp.sentiment.training import fit_chars

    texts = ["服务很好", "很满意", "态度很差", "太差了", "明天开会", "通知如下"] * 3
    y = np.asarray([2, 2, 0, 0, 1, 1] * 3)
    return fit_chars(texts, y, np.ones(len(y)), 3, c=4.0)


def test_fitted_view_reads_unseen_wording_by_its_characters():
    view = fitted_view()
    logits = view.logits(["服务真好", "真的差"])
    assert logits[0].argmax() == 2 and logits[1].argmax() == 0


def test_view_files_round_trip_to_the_same_logits():
    view = fitted_view()
    again = CharView.from_arrays(view.to_arrays())
    texts = ["服务很好", "没见过的字", ""]
    assert np.allclose(view.logits(texts), again.logits(texts), atol=1e-6)


def test_view_refuses_the_wrong_bucket_count():
    with pytest.raises(ValueError, match=f"needs {BUCKETS} buckets"):
        CharView(np.zeros((10, 3)), np.zeros(3), np.ones(10))


def test_model_with_a_character_view_saves_loads_and_mixes(tmp_path):
    from nlp.sentiment import load_model, train

    corpus = [("服务很好", "pos"), ("很满意", "pos"), ("态度很差", "neg"), ("太差了", "neg"),
              ("明天开会", "neu"), ("通知如下", "neu")] * 4
    model = train(corpus, c=4.0, lexicon_prior=0.0, min_df=1, tokenizer=list)
    assert model.chars is not None and model.char_mix == model.meta["char_mix"] > 0
    loaded = load_model(model.save(tmp_path / "m"))
    assert loaded.chars is not None and loaded.char_mix == model.char_mix
    texts = ["服务真好", "真的差", "开会通知"]
    before = [r.score for r in model.predict_many((t, list(t)) for t in texts)]
    after = [r.score for r in loaded.predict_many((t, list(t)) for t in texts)]
    assert np.allclose(before, after, atol=0.01)
    # the view moves the verdict: without it the scores differ
    loaded.char_mix = 0.0
    alone = [r.score for r in loaded.predict_many((t, list(t)) for t in texts)]
    assert not np.allclose(after, alone, atol=1e-3)


def test_char_mix_zero_fits_no_view():
    from nlp.sentiment.training import featurize, fit

    rows, labels, weights, texts = featurize([("好", "pos"), ("差", "neg")] * 3, tokenizer=list)
    model = fit(rows, labels, weights, min_df=1, texts=texts, char_mix=0.0)
    assert model.chars is None and "char_mix" not in model.meta


def test_rule_layer_texts_give_the_view_a_smaller_share():
    from nlp.sentiment.lexicon import default_lexicon
    from nlp.sentiment.model import RULED_SHARE, SentimentModel, is_ruled

    lex = default_lexicon()
    assert is_ruled(lex.score("我今天很不高兴"))  # 不高兴 is an entry of its own
    assert is_ruled(lex.score("服务一点也不方便"))  # 不 + 方便
    assert is_ruled(lex.score("真“高效”，排队四个小时🙃"))
    assert is_ruled(lex.score("招行比长河好多了", ("长河",)))
    assert not is_ruled(lex.score("服务很好，非常满意"))
    # a view that always says pos, averaged into a model that says neg
    always_pos = CharView(np.zeros((BUCKETS, 3), np.float32), np.asarray([0.0, 0.0, 50.0]), np.ones(BUCKETS))
    model = SentimentModel(["neg", "neu", "pos"], ["x"], np.zeros((1, 3), np.float32), np.zeros(3, np.float32),
                           meta={"char_mix": 0.5}, chars=always_pos)
    word = np.asarray([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    mixed = model.mix_chars(word, ["甲", "乙"], np.asarray([False, True]))
    assert np.allclose(mixed[:, 2], [0.5, 0.5 * RULED_SHARE])
