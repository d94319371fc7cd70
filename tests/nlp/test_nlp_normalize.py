from __future__ import annotations

import pytest

from nlp.normalize import MAX_CHARS, detect_script, normalize, simplify


def test_traditional_is_simplified_for_analysis_and_kept_for_display():
    n = normalize("長河銀行的櫃員態度很差")
    assert n.text == "长河银行的柜员态度很差"
    assert n.original == "長河銀行的櫃員態度很差"
    assert n.script == "hant"


def test_full_width_and_case_fold_keep_every_offset():
    n = normalize("ＡＴＭ吞卡，ＡＰＰ也崩了！１２３")
    assert n.text == "atm吞卡,app也崩了!123"
    assert len(n.text) == len(n.original)


def test_expanding_characters_do_not_shift_offsets():
    # NFKC turns ½ into three characters and ﬁ into two: they are kept as they are
    n = normalize("½ﬁ長河銀行…")
    assert len(n.text) == len(n.original)
    assert n.text.index("长河银行") == n.original.index("長河銀行")


def test_urls_blanked_and_recorded_mentions_blanked_for_segmentation_only():
    n = normalize("看这个 https://t.cn/AbC 说的@财经老韩 长河银行")
    assert n.urls == ("https://t.cn/AbC",)
    assert "t.cn" not in n.text
    assert n.mentions == ("财经老韩",)
    assert "@财经老韩" in n.text  # a bank named in an @mention is still an entity
    assert "财经老韩" not in n.seg_text
    assert len(n.seg_text) == len(n.original)


def test_repost_chain_split_into_own_words_and_reposted_authors():
    n = normalize("说得对//@老王: 长河银行又排队//@小李：真的假的")
    assert n.original[: n.own_end] == "说得对"
    assert n.reposted_from == ("老王", "小李")


@pytest.mark.parametrize("text, script", [
    ("长河银行的服务", "hans"), ("長河銀行的服務", "hant"), ("長河银行", "mixed"), ("hello 123", "none"),
    ("", "none"), ("大家好", "hans"), ("台上着装", "hans"),
])
def test_script_detection(text, script):
    assert detect_script(text) == script


def test_emoji_recorded():
    assert normalize("真高效🙃👍").emoji == ("🙃", "👍")


@pytest.mark.parametrize("value", [
    "", None, "\ud800孤立的代理\udfff", b"\xff\xfe\x00\x01garbage\x80", "\x00\x01\x02\x7f", "hello, no chinese",
    "مرحبا שלום Привет 長河银行", "長" * 1_000_000,
])
def test_never_raises_and_keeps_lengths_equal(value):
    n = normalize(value)
    assert len(n.text) == len(n.original) == len(n.seg_text)
    assert len(n.original) <= MAX_CHARS


def test_lone_surrogates_replaced_so_output_encodes():
    n = normalize("a\ud800b")
    n.original.encode("utf-8")
    assert n.original == "a\ufffdb"


def test_megabyte_text_is_truncated_and_flagged():
    n = normalize("长河银行" * 300_000)
    assert n.truncated and len(n.text) == MAX_CHARS


def test_simplify_rule_terms():
    assert simplify("盜刷") == "盗刷"
    assert simplify("ＡＰＰ") == "app"
