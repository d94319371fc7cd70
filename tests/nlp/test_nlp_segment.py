from __future__ import annotations

import jieba
import pytest

from nlp.segment import Segmenter, tokenize

from tests.nlp.nlp_shared import analyzer, labelled_rows

NAMES = [("长河银行宜昌夷陵支行", "nt"), ("稳盈理财1号", "nz"), ("长河如意贷", "nz"), ("国家金融监督管理总局", "nt")]


@pytest.mark.parametrize("backend", ["rjieba", "jieba"])
def test_watchlist_names_are_never_split(backend):
    seg = Segmenter(NAMES, ["非柜面", "爆通讯录"], backend=backend)
    tokens = seg.tokenize("我在长河银行宜昌夷陵支行买了稳盈理财1号，又被非柜面限额，长河如意贷还爆通讯录")
    for name, _ in NAMES[:3]:
        assert name in tokens
    assert "非柜面" in tokens and "爆通讯录" in tokens


def test_private_tokenizer_leaves_jieba_global_dictionary_alone():
    Segmenter([("长河银行宜昌夷陵支行", "nt")], backend="jieba")
    assert "长河银行宜昌夷陵支行" not in jieba.lcut("长河银行宜昌夷陵支行")


def test_tags_concatenate_back_to_the_text():
    text = "长河银行 APP 又崩了😡，https://x.cn 排队两小时"
    tags = analyzer().segmenter.tag(text)
    assert "".join(w for w, _ in tags) == text


def test_emoji_tokens_become_words_and_whitespace_is_dropped():
    tokens = Segmenter().tokenize("服务 👍 很好")
    assert "点赞" in tokens and " " not in tokens


def test_module_tokenize_uses_the_default_vocabulary():
    assert "长河银行宜昌夷陵支行" in tokenize("長河銀行宜昌夷陵支行排隊")


def test_rjieba_backend_agrees_with_jieba_on_our_labelled_set():
    """rjieba is used because it cuts our data the way jieba does: measured here, not assumed."""
    fast, slow = analyzer("rjieba").segmenter, analyzer("jieba").segmenter
    from nlp.normalize import normalize

    texts = [normalize(r["text"]).seg_text for r in labelled_rows()]
    same_tokens = sum(fast.tokenize(t) == slow.tokenize(t) for t in texts)
    assert same_tokens / len(texts) >= 0.97


def test_rjieba_tag_words_are_its_cut_words():
    seg = analyzer("rjieba").segmenter
    from nlp.normalize import normalize

    for row in labelled_rows()[:200]:
        text = normalize(row["text"]).seg_text
        tags, tokens = seg.analyse(text)
        assert tokens == seg.tokenize(text)
