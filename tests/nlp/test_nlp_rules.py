from __future__ import annotations

import pytest

from config.errors import ConfigError
from config.loader import parse_file
from config.schema.taxonomy import RuleSyntaxError, TaxonomyFile, parse_rule
from nlp.rules import RuleScanner, compile_rule, evaluate
from nlp.rules import matches as match_node


def matches(rule: str, text: str, entities=frozenset()) -> tuple[bool, list[str]]:
    return match_node(parse_rule(rule), text, entities)


def test_one_scan_serves_many_rules():
    rules = [parse_rule("年费 OR 手续费"), parse_rule("排队 NEAR/4 小时"), parse_rule("冻结 AND NOT 解冻")]
    scan = RuleScanner(rules).scan("年费扣了,排队两小时,卡被冻结")
    assert [evaluate(compile_rule(r), scan, []) for r in rules] == [True, True, True]
    assert [evaluate(r, scan, []) for r in rules] == [True, True, True]  # uncompiled works too
    assert scan.positions["排队"] == [5]


@pytest.mark.parametrize("rule, text, expected", [
    ("年费 OR 手续费", "扣了手续费", True),
    ("冻结 AND (卡 OR 账户)", "账户被冻结", True),
    ("冻结 AND (卡 OR 账户)", "冻结了", False),
    ("催收 AND NOT 拦截", "暴力催收", True),
    ("催收 AND NOT 拦截", "催收电话被拦截", False),
    ("排队 NEAR/4 小时", "排队两个小时", True),
    ("排队 NEAR/4 小时", "排队的人很多很多,过了一小时", False),
    ("小时 NEAR/4 排队", "排队两个小时", True),
    ("/扣了?\\d+元/", "扣了880元", True),
    ('"vip 插队"', "有vip 插队", True),
    ("a NEAR/3 b NEAR/3 c", "a-b--c", True),
    ("NOT x AND y", "y", True),
])
def test_rule_semantics(rule, text, expected):
    assert matches(rule, text)[0] is expected


def test_hits_name_the_matching_words():
    ok, hits = matches("年费 OR 手续费 OR 短信费", "年费和短信费")
    assert ok and hits == ["年费", "短信费"]


def test_entity_reference():
    assert matches("entity:长河手机银行 AND 闪退", "app闪退", frozenset({"长河手机银行"}))[0]
    assert not matches("entity:长河手机银行 AND 闪退", "app闪退")[0]


@pytest.mark.parametrize("rule, message", [
    ("", "an empty rule at character 1"),
    ("年费 AND", "a word, phrase, regex or '(' after the last operator at the end of the rule"),
    ("(年费 OR 手续费", "a closing ')' for the '(' at character 1"),
    ("年费 手续费", "an operator (AND, OR, NEAR/n) before '手续费' at character 4"),
    ("NOT 年费", "something to match besides NOT at character 1"),
    ("年费 NEAR/3 NOT 手续费", "words, phrases, regexes, NEAR or OR-groups of them on both sides of NEAR at character 4"),
    ("/[a/", "a valid regular expression (unterminated character set) at character 1"),
    ("年费 OR )", "a word, phrase, regex or '(' instead of ')' at character 7"),
])
def test_syntax_errors_say_what_and_where(rule, message):
    with pytest.raises(RuleSyntaxError) as info:
        parse_rule(rule)
    assert str(info.value) == message


def test_bad_rule_in_taxonomy_is_a_config_error_with_file_line_key():
    text = ("topics:\n"
            "  other:\n"
            "    label: 其他\n"
            "    cause: management\n"
            "    rules:\n"
            "      - match: 年费 AND\n")
    with pytest.raises(ConfigError) as info:
        parse_file(text, "taxonomy.yaml", TaxonomyFile)
    issue = info.value.issues[0]
    assert (issue.file, issue.line, issue.key) == ("taxonomy.yaml", 6, "topics.other.rules[0].match")
    assert issue.expected.startswith("a word, phrase, regex or '(' after the last operator at the end of the rule (rule language")
    assert issue.found == "'年费 AND'"


def test_unknown_cause_and_fallback_are_config_errors():
    text = "fallback: misc\ntopics:\n  fees:\n    label: 收费\n    cause: weather\n"
    with pytest.raises(ConfigError) as info:
        parse_file(text, "taxonomy.yaml", TaxonomyFile)
    keys = {i.key for i in info.value.issues}
    assert "topics.fees.cause" in keys


def test_entity_reference_cross_checked_against_watchlist(tmp_path):
    from nlp.nlpconfig import load_nlp_config

    (tmp_path / "watchlist.yaml").write_text("bank:\n  name: 长河银行\n", encoding="utf-8")
    (tmp_path / "taxonomy.yaml").write_text(
        "topics:\n  other:\n    label: 其他\n    cause: management\n    rules:\n      - match: entity:江城银行\n",
        encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_nlp_config(tmp_path)
    issue = info.value.issues[0]
    assert issue.line == 6 and issue.key == "topics.other.rules[0].match"
    assert issue.found == "entity:江城银行"


@pytest.mark.parametrize("rule, words", [
    ("年费 OR 手续费", {"年费", "手续费"}),
    ("冻结 AND (卡 OR 账户)", {"冻结"}),
    ("排队 NEAR/4 (小时 OR 半天 OR 一上午)", {"排队"}),
    ("/扣了?\\d+元/ OR 年费", None),
    ("NOT 拦截 AND 骗", {"骗"}),
])
def test_trigger_words(rule, words):
    from nlp.rules import trigger

    found = trigger(compile_rule(parse_rule(rule)))
    assert (None if found is None else set(found)) == words
