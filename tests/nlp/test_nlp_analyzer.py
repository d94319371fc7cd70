from __future__ import annotations

import pytest

from nlp import Analyzer, Annotation
from nlp.analyzer import NeutralSentiment

from tests.nlp.nlp_shared import RecordingSentiment, analyzer


@pytest.fixture(scope="module")
def recorded():
    sentiment = RecordingSentiment()
    return analyzer().with_sentiment(sentiment), sentiment


def test_annotation_fields(recorded):
    an, _ = recorded
    ann = an.analyze("長河銀行光谷支行排隊兩小時，櫃員態度太差😡", id="m1")
    assert isinstance(ann, Annotation)
    assert ann.id == "m1" and ann.script == "hant"
    assert ann.polarity == "neg" and -1 <= ann.sentiment <= 1 and ann.drivers
    assert ann.watched == ("长河银行", "长河银行武汉光谷支行")
    assert {"queue_wait", "service_attitude"} <= set(ann.topics)
    assert "process" in ann.causes and ann.harm == 1 and ann.harm_words
    assert ann.keywords and ann.model_version.endswith("+fake-1")
    assert ann.extra["emoji"] == ["😡"]


def test_tokens_cut_once_are_given_to_sentiment(recorded):
    an, sentiment = recorded
    sentiment.calls.clear()
    an.analyze("长河银行的年费太贵")
    (text, tokens), = sentiment.calls
    assert text == "长河银行的年费太贵"
    assert tokens == an.segmenter.tokenize(text)


def test_not_about_text_takes_no_stance_toward_the_bank(recorded):
    an, _ = recorded
    ann = an.analyze("历史长河里骗子太多，服务差的店也多")
    assert ann.polarity == "neu" and ann.sentiment == 0.0 and ann.drivers == ()
    assert ann.watched == () and ann.topics == () and ann.harm == 0


def test_title_is_analysed_with_the_body():
    ann = analyzer().analyze("今天又去了一趟，排队两小时", title="长河银行光谷支行")
    assert "长河银行" in ann.watched and "queue_wait" in ann.topics


def test_offline_channel_is_about_the_bank():
    assert analyzer().analyze("网点反馈：客户投诉大厅空调坏了", channel="offline").watched == ("长河银行",)
    assert analyzer().analyze("网点反馈：客户投诉大厅空调坏了").watched == ()


def test_analyze_many_accepts_strings_and_dicts_in_order():
    anns = analyzer().analyze_many(["长河银行", {"id": 7, "text": "历史长河", "title": None, "author": "财经老韩"}])
    assert [a.id for a in anns] == [None, "7"]
    assert anns[0].watched == ("长河银行",) and anns[1].watched == ()
    assert anns[1].entities[0].type == "watched_person"


@pytest.mark.parametrize("value", ["", None, "\ud800\udc00\ud800", b"\x00\xff\xfe" * 100, "\x00" * 50,
                                   "no chinese at all", "mixed 長河银行 script مرحبا", "🙃" * 1000,
                                   "长" * 1_000_000])
def test_bad_input_gives_an_annotation_and_never_raises(value):
    ann = analyzer().analyze(value)
    assert isinstance(ann, Annotation)
    assert ann.polarity in ("neg", "neu", "pos")


def test_bad_input_is_neutral_with_no_entities():
    for value in ("", "\ud800", b"\xff\xfe\x00", "?!#$%^&*"):
        ann = analyzer().analyze(value)
        assert (ann.polarity, ann.entities, ann.watched, ann.harm) == ("neu", (), (), 0)


def test_from_loaded_takes_a_config_object():
    from nlp.nlpconfig import load_nlp_config

    an = Analyzer.from_loaded(load_nlp_config(), sentiment=NeutralSentiment())
    assert an.analyze("长河银行").watched == ("长河银行",)


def test_neutral_fallback_version_named():
    assert analyzer().model_version == "nlp-1+neutral"


class _TargetSentiment:
    version = "targets"

    def __init__(self):
        self.targets = None

    def predict(self, text, tokens, *, targets=()):
        self.targets = targets
        return NeutralSentiment().predict(text, tokens)


def test_watched_names_passed_as_targets_when_the_model_takes_them():
    model = _TargetSentiment()
    analyzer().with_sentiment(model).analyze("招行比長河好多了，长河银行光谷支行排队太久")
    assert model.targets == ("长河", "长河银行光谷支行")
