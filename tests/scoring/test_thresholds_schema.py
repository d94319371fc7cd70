"""Validation of thresholds.yaml: exact error texts, with line and key."""
from __future__ import annotations

import shutil

import pytest

from config.errors import ConfigError, ConfigIssue
from config.loader import DEFAULT_CONFIG_DIR, REPO_ROOT, load_config, parse_file
from config.schema.thresholds import INDICATORS, ThresholdsFile, check_thresholds
from config.yamlsrc import format_path, line_of

BUNDLED = (REPO_ROOT / "thresholds.yaml").read_text(encoding="utf-8")
KNOWN = ", ".join(INDICATORS)


def problems(text: str) -> list[str]:
    """Every problem of a thresholds text, as check-config prints them."""
    try:
        model, lines = parse_file(text, "thresholds.yaml", ThresholdsFile)
    except ConfigError as exc:
        return [str(i) for i in exc.issues]
    return [str(ConfigIssue("thresholds.yaml", line_of(lines, path), format_path(path), expected, found))
            for path, expected, found in check_thresholds(model)]


def line_no(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


def test_bundled_file_is_valid():
    assert problems(BUNDLED) == []


def test_colours_out_of_order():
    text = BUNDLED.replace("  - name: orange\n", "  - name: red\n", 1)
    line = line_no(text, "  - name: red")
    assert problems(text)[0] == (f"thresholds.yaml:{line}: colours[2].name: expected colours in the order "
                                 "blue, yellow, orange, red (here 'orange'), found 'red'")


def test_higher_colour_may_not_answer_later():
    text = BUNDLED.replace("    respond_within_hours: 2\n", "    respond_within_hours: 12\n", 1)
    line = line_no(text, "    respond_within_hours: 12")
    assert problems(text) == [f"thresholds.yaml:{line}: colours[2].respond_within_hours: expected at most 8 "
                              "(a higher colour answers no later than yellow), found 12"]


def test_rule_naming_an_unknown_indicator():
    text = BUNDLED.replace("        - branches >= 3\n", "        - branchez >= 3\n", 1)
    line = line_no(text, "        - branchez >= 3")
    assert problems(text) == [f"thresholds.yaml:{line}: colours[1].rule.any[1]: expected a known indicator "
                              f"({KNOWN}), found 'branchez'"]


def test_malformed_condition():
    text = BUNDLED.replace("    when: bank_run >= 1\n", "    when: bank_run => 1\n", 1)
    line = line_no(text, "    when: bank_run => 1")
    assert problems(text) == [f"thresholds.yaml:{line}: triggers[1].when: expected a condition such as "
                              "'authors >= 3' (indicator, one of >= > <= < == !=, number), found 'bank_run => 1'"]


def test_negative_weight():
    text = BUNDLED.replace("  heat: 0.5\n", "  heat: -0.5\n", 1)
    line = line_no(text, "  heat: -0.5")
    assert problems(text) == [f"thresholds.yaml:{line}: score_weights.heat: expected greater than or equal to 0, "
                              "found -0.5"]


def test_weight_for_an_unknown_indicator():
    text = BUNDLED.replace("  regulator: 2.0\n", "  regulatr: 2.0\n", 1)
    line = line_no(text, "  regulatr: 2.0")
    assert problems(text) == [f"thresholds.yaml:{line}: score_weights.regulatr: expected a known indicator "
                              f"({KNOWN}), found 'regulatr'"]


def test_unknown_key_and_unknown_trigger_colour():
    text = BUNDLED.replace("  hold_evaluations: 2", "  hold_evaluation: 2", 1).replace(
        "    at_least: orange\n", "    at_least: purple\n", 1)
    out = problems(text)
    hold = line_no(text, "  hold_evaluation: 2       # 规则要把颜色升到黄色以上，需连续 2 次评估都满足（硬触发不受此限）")
    purple = line_no(text, "    at_least: purple")
    assert (f"thresholds.yaml:{purple}: triggers[1].at_least: expected one of blue, yellow, orange, red, "
            "found 'purple'") in out
    assert (f"thresholds.yaml:{hold}: hysteresis.hold_evaluation: expected one of the known keys "
            "(hold_evaluations, step_down_hours), found unknown key 'hold_evaluation'") in out


def test_check_config_reports_cross_checks_with_file_and_line(tmp_path):
    for name in ("sources.yaml", "watchlist.yaml", "taxonomy.yaml", "alerts.yaml"):
        shutil.copyfile(DEFAULT_CONFIG_DIR / name, tmp_path / name)
    text = BUNDLED.replace("        - cities >= 3\n", "        - towns >= 3\n", 1)
    (tmp_path / "thresholds.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    line = line_no(text, "        - towns >= 3")
    assert [str(i) for i in caught.value.issues] == [
        f"{tmp_path / 'thresholds.yaml'}:{line}: colours[1].rule.any[2]: expected a known indicator ({KNOWN}), "
        "found 'towns'"]
