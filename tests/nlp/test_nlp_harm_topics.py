from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nlp.harm import HarmRater
from nlp.normalize import simplify
from nlp.topics import keywords

from tests.nlp.nlp_shared import analyzer

RATER = HarmRater.bundled()


@pytest.mark.parametrize("text, polarity, level", [
    ("网点排队两个小时", "neg", 1),
    ("柜员态度很差", "neg", 1),
    ("信用卡被盗刷了两万", "neg", 2),
    ("理财亏了三万块", "neg", 2),
    ("差点被骗，柜员及时拦截了", "pos", 0),
    ("差点被骗，柜员及时拦截了", "neu", 0),
    ("乱扣的年费已退还", "neg", 1),
    ("网传长河银行要倒闭", "neg", 3),
    ("长河银行辟谣：挤兑传言不实", "neu", 3),
    ("几十个储户拉横幅集体维权", "neg", 3),
    ("监管局对该行开出罚单", "neu", 3),
    ("有客户在大厅晕倒", "neg", 3),
    ("再不解决我就去找记者曝光", "neg", 1),
    ("服务很好，谢谢", "pos", 0),
    ("请问怎么开通手机银行", "neu", 0),
])
def test_harm_levels(text, polarity, level):
    assert RATER.rate(simplify(text), polarity).level == level


def test_harm_words_returned():
    result = RATER.rate(simplify("信用卡被盗刷，钱取不出"), "neg")
    assert result.level == 2 and "盗刷" in result.words


@pytest.mark.parametrize("text, topics", [
    ("长河银行的年费太贵了", {"fees"}),
    ("长河银行把我的卡冻结了，非柜面限额", {"card_freeze"}),
    ("稳盈理财1号破净了", {"wealth_loss"}),
    ("长河如意贷的催收天天打电话给我同事", {"loan_collection"}),
    ("长河银行光谷支行排队两小时", {"queue_wait"}),
    ("长河手机银行又闪退了", {"system_outage"}),
    ("长河银行公布年报，净利润增长", {"other"}),
])
def test_topics(text, topics):
    assert topics <= set(analyzer().analyze(text).topics)


def test_topic_scope_title_only(tmp_path):
    from config.loader import parse_file
    from config.schema.taxonomy import TaxonomyFile
    from nlp.topics import TopicClassifier

    text = ("topics:\n"
            "  fees:\n    label: 收费\n    cause: product\n    rules:\n      - {match: 年费, scope: title}\n"
            "  other:\n    label: 其他\n    cause: management\n")
    classifier = TopicClassifier(parse_file(text, "t.yaml", TaxonomyFile)[0])
    assert classifier.classify("年费", "正文").topics == ("fees",)
    assert classifier.classify("标题", "年费").topics == ("other",)
    assert classifier.classify("年费", "x").causes == ("product",)


def test_keywords_from_tokens():
    assert keywords(["长河银行", "年费", "年费", "的", "了", "😡", "a"], 2) == ("年费", "长河银行")
    assert keywords([], 5) == ()


def test_keywords_read_jiebas_idf_without_importing_its_analyse_package():
    """``import jieba.analyse`` also builds jieba's POS tokenizer: about 0.8 s and 130 MB that a
    run with the rjieba backend never uses. Keywords read jieba's IDF file directly."""
    code = ("import sys; from nlp.topics import keywords; "
            "print(keywords(['长河银行', '年费', '年费', '服务'], 2)); "
            "print(sorted(m for m in sys.modules if m.startswith(('jieba.analyse', 'jieba.posseg'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2]).stdout.splitlines()
    assert out == ["('年费', '长河银行')", "[]"]
