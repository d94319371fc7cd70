from __future__ import annotations

import pytest

from tests.nlp.nlp_shared import analyzer


def ents(text, **kw):
    ann = analyzer().analyze(text, **kw)
    return [(e.text, e.type, e.canonical) for e in ann.entities], ann.watched


@pytest.mark.parametrize("text", [
    "历史长河中的一粒沙", "长河落日圆", "人生就像一条长河", "祝你一路平安", "民生实事清单公布了",
    "要把这种精神发扬光大", "华夏大地春意浓", "兴业县的沙糖桔丰收", "他擅长行书", "月光下长河银波粼粼",
])
def test_everyday_sense_aliases_join_nothing(text):
    found, watched = ents(text)
    assert watched == ()
    assert not [e for e in found if e[1] in ("bank", "competitor")]


def test_ambiguous_alias_counts_with_banking_context():
    found, watched = ents("长河的信用卡年费又涨了")
    assert ("长河", "bank", "长河银行") in found
    assert watched == ("长河银行",)
    found, _ = ents("平安银行和平安的信用卡哪个好")
    assert ("平安银行", "competitor", "平安银行") in found and ("平安", "competitor", "平安银行") in found


def test_longest_span_wins_and_spans_do_not_nest():
    found, watched = ents("长河银行宜昌夷陵支行的柜员很好")
    assert found == [("长河银行宜昌夷陵支行", "branch", "长河银行宜昌夷陵支行")]
    assert watched == ("长河银行", "长河银行宜昌夷陵支行")


def test_traditional_input_maps_back_to_the_surface_form():
    found, watched = ents("長河銀行夷陵支行的櫃員很好")
    assert ("長河銀行夷陵支行", "branch", "长河银行宜昌夷陵支行") in found
    assert watched[0] == "长河银行"


def test_branch_resolves_to_city_and_province():
    ann = analyzer().analyze("光谷支行排队太久")
    branch = ann.entities[0]
    assert (branch.type, branch.city, branch.province) == ("branch", "武汉", "湖北省")


def test_bank_and_unknown_branch_written_together_are_one_branch():
    ann = analyzer().analyze("长河银行襄阳分行今天开业")
    assert [(e.text, e.type, e.city, e.province) for e in ann.entities] == [
        ("长河银行襄阳分行", "branch", "襄阳", "湖北省")]


def test_places_from_region_list_and_ambiguous_city_names():
    found, _ = ents("我在宜昌和恩施都办过卡，白银价格又涨了")
    places = [e for e in found if e[1] == "place"]
    assert ("宜昌", "place", "宜昌") in places and ("恩施", "place", "恩施") in places
    assert not any(e[0] == "白银" for e in found)  # silver, not the city (白银市 would be)


def test_watched_people_matched_as_authors_and_in_text():
    ann = analyzer().analyze("今天说说长河银行的理财", author="财经老韩")
    assert ann.entities[0].type == "watched_person" and ann.entities[0].canonical == "财经老韩"
    found, _ = ents("记者陈默调查了长河银行")
    assert ("陈默", "watched_person", "陈默") in found


def test_open_entities_from_pos_tags_filtered():
    found, _ = ents("张伟在长河银行光谷支行办理业务，谢谢柜员小刘")
    assert ("张伟", "person", "张伟") in found
    assert not any(e[0] in ("谢谢", "小刘") for e in found)


def test_regulator_offices_written_together_are_one():
    found, _ = ents("国家金融监督管理总局湖北监管局对长河银行作出处罚")
    assert ("国家金融监督管理总局湖北监管局", "regulator", "国家金融监督管理总局湖北监管局") in found


def test_excluded_phrase_rule_lives_in_the_watchlist(tmp_path):
    from config.loader import parse_file
    from config.schema.watchlist import WatchlistFile
    from nlp.entities import EntityMatcher

    text = "bank:\n  name: 江城银行\n  aliases:\n    - {text: 江城, exclude: [江城子]}\n"
    watchlist, _ = parse_file(text, "w.yaml", WatchlistFile)
    matcher = EntityMatcher(watchlist)
    assert [f.entity.text for f in matcher.match("江城子", "江城子")] == []
    assert [f.entity.text for f in matcher.match("江城的卡", "江城的卡")] == ["江城"]


def test_unlisted_alias_makes_text_about_the_bank_without_an_entity():
    found, watched = ents("【回复】您反映的信用卡年费问题我行已收悉，将尽快处理")
    assert watched == ("长河银行",)
    assert not any(e[0] == "我行" for e in found)
    assert ents("他一向我行我素")[1] == ()  # excluded phrase
    assert ents("我行动不便，请让一让")[1] == ()  # no banking word nearby


def test_place_extended_by_place_word_and_dropped_inside_an_organisation():
    found, _ = ents("长河小区今晚停水")
    assert ("长河小区", "place", "长河小区") in found
    found, _ = ents("他考上了武汉大学")
    assert not any(e[1] == "place" for e in found)


def test_person_filter_drops_common_words_tagged_as_names():
    found, _ = ents("长河银行张卡被冻结了，于本周解冻")
    assert not any(e[1] == "person" for e in found)
