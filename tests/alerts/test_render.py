"""Alert texts, exactly as staff read them."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from alert_helpers import T0, THRESHOLDS, make_config

from alerts.dispatch import plan
from alerts.records import SourceFacts, WarningFacts
from alerts.render import DEFAULT_GUIDANCE, Guidance, describe_rule, guidance, render_operational, topic_label
from alerts.candidates import warning_candidate


def facts(**changes) -> WarningFacts:
    base = dict(warning_id=7, event_id=3, entity="长河手机银行", topic="app_outage", colour="orange",
                previous_colour="yellow", evaluated_at=T0,
                indicators={"stories": 7, "authors": 5, "sites": 4, "harm_max": 2, "negativity": 0.8571, "bank_run": 1},
                rules=[{"kind": "rule", "name": "orange", "colour": "orange",
                        "conditions": ["sites >= 3 (实际 4)", "harm_max >= 2 (实际 2)"]},
                       {"kind": "trigger", "name": "bank_run", "colour": "orange", "conditions": ["bank_run >= 1 (实际 1)"]},
                       {"kind": "rule", "name": "blue", "colour": "blue", "conditions": ["stories >= 1 (实际 7)"]},
                       {"kind": "hysteresis", "rule_colour": "orange", "note": "", "status": "active"}])
    base.update(changes)
    return WarningFacts(**base)


def rendered(warning: WarningFacts, yaml_language: str = "zh-Hans"):
    from alert_helpers import BASE_YAML

    config = make_config(BASE_YAML.replace("language: zh-Hans", f"language: {yaml_language}"))
    [item] = plan([warning_candidate(warning)], config, [], T0)
    return item.notification


def test_raised_warning_text_is_exact():
    note = rendered(facts())
    assert note.subject == "【橙色预警·升级】长河手机银行 · 系统故障"
    assert note.body == "\n".join([
        "【橙色预警·升级】长河手机银行 · 系统故障",
        "变化：由黄色预警升级为橙色预警",
        "事件：#3 长河手机银行 · 系统故障",
        "原因：橙色预警规则：涉及网站数 ≥ 3（实际 4）；最高危害等级 ≥ 2（实际 2）；"
        "硬性触发：bank_run（至少橙色预警）：含挤兑类词语的报道数 ≥ 1（实际 1）",
        "关键指标：涉及网站数 4；最高危害等级 2；含挤兑类词语的报道数 1；负面报道数 7；不同发帖人/投诉人数 5",
        "处置建议：快处理——牵头部门介入，两小时内发布情况说明。",
        "响应时限：4 小时内",
        "责任层级：工作小组",
        "接收对象：工作小组",
        "研判时间：2026-03-15 10:00（北京时间）",
    ])


def test_traditional_rendering_converts_the_whole_text():
    note = rendered(facts(), "zh-Hant")
    assert note.subject == "【橙色預警·升級】長河手機銀行 · 系統故障"
    assert "處置建議：快處理——牽頭部門介入" in note.body
    assert "责任" not in note.body and "責任層級：工作小組" in note.body


def test_payload_is_versioned_and_carries_the_explanation():
    payload = rendered(facts()).payload
    assert payload["version"] == "1"
    assert payload["id"] == "warning:7"
    assert payload["change"] == "raise" and payload["priority"] == "high"
    assert payload["event"] == {"id": 3, "entity": "长河手机银行", "topic": "app_outage", "topic_label": "系统故障"}
    assert payload["respond_within_hours"] == 4 and payload["responsible"] == "工作小组"
    assert payload["rules"][0]["conditions"][0] == "sites >= 3 (实际 4)"


def test_new_blue_warning_uses_default_guidance_when_thresholds_lack_it():
    note = rendered(facts(colour="blue", previous_colour=None, rules=["authors >= 1"],
                          indicators={"authors": 1, "stories": 1}))
    assert note.subject == "【蓝色预警】长河手机银行 · 系统故障"
    assert "变化：新发预警" in note.body
    assert f"处置建议：冷处理——{DEFAULT_GUIDANCE['blue'].advice}" in note.body
    assert "响应时限：24 小时内" in note.body
    assert "关键指标：不同发帖人/投诉人数 1；负面报道数 1" in note.body


def test_fall_is_info_and_cleared_warning_has_no_advice():
    fall = rendered(facts(colour="yellow", previous_colour="orange"))
    assert fall.subject == "【黄色预警·降级】长河手机银行 · 系统故障"
    assert "变化：由橙色预警降为黄色预警（降级通知，仅供知悉）" in fall.body
    assert fall.payload["priority"] == "info"
    assert fall.route == "orange-group"  # the route of the colour it fell from
    cleared = rendered(facts(colour=None, previous_colour="blue"))
    assert cleared.subject == "【预警解除】长河手机银行 · 系统故障"
    assert "处置建议" not in cleared.body and "蓝色预警已解除（仅供知悉）" in cleared.body


def test_reminder_text_counts_reminders():
    note = rendered(facts(previous_colour="orange", repeat=2))
    assert note.subject == "【橙色预警·提醒】长河手机银行 · 系统故障"
    assert "变化：持续橙色预警，尚未解除（第 2 次提醒）" in note.body


def test_rule_shapes_read_as_chinese():
    assert describe_rule("provinces >= 3") == "涉及省份数 ≥ 3"
    assert describe_rule({"any": ["bank_run >= 1", "regulator > 0"]}) == "满足其一：含挤兑类词语的报道数 ≥ 1；提及监管机构的报道数 > 0"
    assert describe_rule({"description": "监管机构点名"}) == "监管机构点名"
    assert describe_rule({"colour": "red", "name": "red", "rule": "national_outlet >= 1"}) == "红色预警规则：全国性媒体报道数 ≥ 1"
    assert describe_rule("free text") == "free text"
    assert describe_rule({"kind": "trigger", "name": "run_with_authority", "colour": "red",
                          "conditions": ["bank_run >= 1 (实际 3)", "regulator >= 1 (实际 1)"]},
                         {"run_with_authority": "挤兑且监管介入"}) == \
        "硬性触发：挤兑且监管介入（至少红色预警）：含挤兑类词语的报道数 ≥ 1（实际 3）；提及监管机构的报道数 ≥ 1（实际 1）"
    assert describe_rule({"kind": "hysteresis", "note": "红色需连续 2 次评估成立"}) == "说明：红色需连续 2 次评估成立"
    assert describe_rule({"kind": "hysteresis", "note": ""}) is None


def test_guidance_reads_the_real_thresholds_file():
    """Against the colours of the bundled thresholds.yaml, read with scoring's own ColourSpec."""
    import yaml

    from config.loader import DEFAULT_THRESHOLDS
    from config.schema.thresholds import ColourSpec

    specs = [ColourSpec.model_validate(c) for c in yaml.safe_load(DEFAULT_THRESHOLDS.read_text(encoding="utf-8"))["colours"]]
    model = SimpleNamespace(colour=lambda name: next(s for s in specs if s.name == name))
    for spec in specs:
        assert guidance(model, spec.name) == Guidance(spec.label, spec.handling, spec.advice, spec.respond_within_hours,
                                                      spec.responsible)
    assert [s.name for s in specs] == ["blue", "yellow", "orange", "red"]


def test_only_the_rules_of_the_warning_colour_explain_it():
    from alerts.render import decisive_rules

    red = {"kind": "trigger", "name": "run", "colour": "red", "conditions": []}
    orange = {"kind": "rule", "name": "orange", "colour": "orange", "conditions": []}
    note = {"kind": "hysteresis", "note": "保持"}
    assert decisive_rules([orange, red, note], "red") == [red, note]
    assert decisive_rules([orange, note], "red") == [orange, note]  # held lower: show the highest present
    assert decisive_rules(["authors >= 3"], "blue") == ["authors >= 3"]


def test_guidance_falls_back_per_colour_and_topic_label_falls_back_to_key():
    assert guidance(THRESHOLDS, "orange").responsible == "工作小组"
    assert guidance(THRESHOLDS, "red") == DEFAULT_GUIDANCE["red"]
    assert guidance(None, "yellow") == DEFAULT_GUIDANCE["yellow"]
    assert topic_label({"topics": [{"key": "fees", "label": "收费争议"}]}, "fees") == "收费争议"
    assert topic_label(SimpleNamespace(topics={"fees": SimpleNamespace(label="收费问题")}), "fees") == "收费问题"
    assert topic_label(None, "fees") == "fees"


def test_operational_alert_text():
    source = SourceFacts(name="jianghan-news", type="rss", channel="news", status="broken", consecutive_failures=5,
                         last_error="HTTP 503 Service Unavailable", last_error_at=T0,
                         last_success_at=T0 - timedelta(hours=6))
    subject, body = render_operational(source, audience="系统运维", tz="Asia/Shanghai", language="zh-Hans")
    assert subject == "【运维告警】数据源「jianghan-news」抓取失败"
    assert body.splitlines()[1:5] == [
        "状态：连续 5 次抓取失败，已标记为不可用",
        "来源：jianghan-news（类型 rss，渠道 新闻）",
        "最近错误：HTTP 503 Service Unavailable，发生于 2026-03-15 10:00（北京时间）",
        "上次成功：2026-03-15 04:00（北京时间）",
    ]


def test_a_channel_can_override_the_language():
    from alert_helpers import BASE_YAML

    text = BASE_YAML.replace("channels:\n  feed:", "channels:\n  hk: {type: file, path: hk.jsonl, language: zh-Hant}\n  feed:")
    text = text.replace("channels: [feed]}\n  - {name: yellow", "channels: [feed, hk]}\n  - {name: yellow")
    notes = [p.notification for p in plan([warning_candidate(facts(colour="blue", previous_colour=None))],
                                          make_config(text), [], T0)]
    assert [(n.channel, n.subject) for n in notes] == [("feed", "【蓝色预警】长河手机银行 · 系统故障"),
                                                       ("hk", "【藍色預警】長河手機銀行 · 系統故障")]
