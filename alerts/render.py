"""Alert text in Chinese, for the staff who act on it. Pure.

A warning alert says: the colour, the event (entity and topic), what changed, why (the rules
that fired and the key indicator values), the handling advice and response time for the colour,
and who is responsible. Texts are written in Simplified Chinese and converted whole to
Traditional (OpenCC s2t) when the language is zh-Hant.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from config.schema.thresholds import INDICATORS, parse_condition

from .records import (CHANGE_FALL, CHANGE_NEW, CHANGE_RAISE, CHANGE_SAME, Candidate, SourceFacts,
                      colour_rank)

COLOUR_NAMES = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}
OPERATORS_ZH = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}
CHANNEL_NAMES = {"news": "新闻", "forum": "论坛", "complaint": "投诉平台", "complaints": "投诉平台",
                 "social": "社交媒体", "video": "视频", "blog": "博客", "app": "应用商店"}
# shown when no fired rule names them, in this order, if they are non-zero
SALIENT = ("stories", "authors", "sites", "branches", "cities", "provinces", "harm_max", "national_outlet",
           "regulator", "bank_run", "mass_gathering")
MAX_INDICATORS = 6


@dataclass(frozen=True)
class Guidance:
    label: str  # 橙色预警
    handling: str  # 快处理
    advice: str
    respond_within_hours: float
    responsible: str


# Used when thresholds.yaml does not (yet) say; the scoring file is the one to tune.
DEFAULT_GUIDANCE: dict[str, Guidance] = {
    "blue": Guidance("蓝色预警", "冷处理", "持续关注，平和回应，不扩大、不炒作；网点或分行核实情况并做好个案沟通。",
                     24, "网点/分行"),
    "yellow": Guidance("黄色预警", "准处理", "查明共性原因，精准回应相关客户；牵头部门协调相关网点统一口径。",
                       12, "牵头部门"),
    "orange": Guidance("橙色预警", "快处理", "快速响应，牵头部门介入，工作小组统筹发布说明并跟进整改。",
                       4, "工作小组"),
    "red": Guidance("红色预警", "急处理", "立即启动应急预案，领导层直接指挥，必要时联系监管机构与媒体。",
                    1, "专门委员会/董事会"),
}


def guidance(thresholds: Any, colour: str) -> Guidance:
    """Advice for a colour from thresholds.yaml ``colours[]`` (label, handling, advice,
    respond_within_hours, responsible), falling back to DEFAULT_GUIDANCE field by field."""
    default = DEFAULT_GUIDANCE[colour]
    spec = None
    finder = getattr(thresholds, "colour", None)
    if callable(finder):
        try:
            spec = finder(colour)
        except (KeyError, LookupError):
            spec = None
    if spec is None:
        return default

    def pick(name: str, fallback: Any) -> Any:
        value = getattr(spec, name, None)
        return fallback if value in (None, "") else value

    return Guidance(label=pick("label", default.label), handling=pick("handling", default.handling),
                    advice=pick("advice", default.advice),
                    respond_within_hours=float(pick("respond_within_hours", default.respond_within_hours)),
                    responsible=pick("responsible", default.responsible))


def topic_label(taxonomy: Any, key: str) -> str:
    """A topic's display label from taxonomy.yaml when it has one (``topics`` as a mapping or a
    list of items with ``key``/``name`` and ``label``), else the key itself."""
    topics = getattr(taxonomy, "topics", None)
    if topics is None and isinstance(taxonomy, dict):
        topics = taxonomy.get("topics")
    item: Any = None
    if isinstance(topics, dict):
        item = topics.get(key)
    elif isinstance(topics, list):
        for entry in topics:
            name = entry.get("key") or entry.get("name") if isinstance(entry, dict) else \
                getattr(entry, "key", None) or getattr(entry, "name", None)
            if name == key:
                item = entry
                break
    label = item.get("label") if isinstance(item, dict) else getattr(item, "label", None)
    return str(label) if label else key


def localise(text: str, language: str) -> str:
    return _s2t()(text) if language == "zh-Hant" else text


@functools.lru_cache(maxsize=1)
def _s2t():
    from opencc import OpenCC

    return OpenCC("s2t").convert


def format_time(moment: datetime | None, tz: str) -> str:
    if moment is None:
        return "无"
    text = moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
    return text + ("（北京时间）" if tz in ("Asia/Shanghai", "Asia/Chongqing", "PRC") else f"（{tz}）")


def indicator_label(name: str) -> str:
    """The short Chinese name of an indicator (its description up to the first bracket)."""
    return INDICATORS.get(name, name).split("（")[0]


def format_number(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else f"{value:.2f}"
    return str(value)


_ACTUAL = re.compile(r"^(.*?)\s*[（(]实际\s*([^)）]*)[)）]\s*$")


def _split_actual(text: str) -> tuple[str, str | None]:
    """``"authors >= 3 (实际 4)"`` (as scoring stores satisfied conditions) -> ("authors >= 3", "4")."""
    match = _ACTUAL.match(text)
    return (match.group(1), match.group(2).strip()) if match else (text, None)


def describe_condition(node: Any) -> str:
    """``"authors >= 3"`` -> ``不同发帖人/投诉人数 ≥ 3``; all/any lists read as Chinese."""
    if isinstance(node, str):
        text, actual = _split_actual(node)
        parsed = parse_condition(text)
        if parsed is None:
            return node
        name, op, number = parsed
        out = f"{indicator_label(name)} {OPERATORS_ZH[op]} {format_number(number)}"
        return out + (f"（实际 {actual}）" if actual else "")
    if isinstance(node, dict) and len(node) == 1 and next(iter(node)) in ("all", "any"):
        key, items = next(iter(node.items()))
        parts = "；".join(describe_condition(i) for i in items or [])
        return ("同时满足：" if key == "all" else "满足其一：") + parts
    return str(node)


def describe_rule(rule: Any, triggers: Mapping[str, str] | None = None) -> str | None:
    """A fired rule as scoring stores it, in Chinese; None for entries that explain nothing.

    Understood shapes: a condition string or all/any mapping; scoring's
    ``{"kind": "rule"|"trigger", "name", "colour", "conditions": [...]}``;
    ``{"kind": "hysteresis", "note"}``; any mapping with ``description``/``condition``.
    ``triggers`` maps trigger names to their descriptions from thresholds.yaml."""
    if not isinstance(rule, dict) or (len(rule) == 1 and next(iter(rule)) in ("all", "any")):
        return describe_condition(rule)
    kind = rule.get("kind")
    if kind == "hysteresis":
        return f"说明：{rule['note']}" if rule.get("note") else None
    for key in ("description", "text", "explanation"):
        if rule.get(key):
            return str(rule[key])
    colour = rule.get("colour")
    name = rule.get("name") or rule.get("trigger")
    if kind == "trigger":
        head = "硬性触发：" + str((triggers or {}).get(name) or name)
        if colour in COLOUR_NAMES:
            head += f"（至少{COLOUR_NAMES[colour]}预警）"
    elif kind == "rule" or (colour and name == colour):
        head = COLOUR_NAMES.get(colour or name or "", str(name or "")) + "预警规则"
    else:
        head = str(name) if name else ""
    if isinstance(rule.get("conditions"), list):
        condition: Any = {"all": rule["conditions"]} if len(rule["conditions"]) > 1 else \
            (rule["conditions"][0] if rule["conditions"] else None)
    else:
        condition = next((rule[k] for k in ("condition", "rule", "when") if rule.get(k)), None)
    if condition is None:
        return head or str(rule)
    text = describe_condition(condition)
    if text.startswith("同时满足："):
        text = text[len("同时满足："):]
    return f"{head}：{text}" if head else text


def decisive_rules(rules: list[Any], colour: str | None) -> list[Any]:
    """The fired entries that explain ``colour``: those of exactly that colour (a red warning is
    explained by its red rule or trigger, not by the blue rule that also holds). Entries without
    a colour (hysteresis notes, plain conditions) are kept. If none is of that colour (hysteresis
    held a lower one), the entries of the highest colour present are kept."""
    coloured = [r for r in rules if isinstance(r, dict) and r.get("colour") in COLOUR_NAMES]
    if not coloured:
        return list(rules)
    target = colour if any(r["colour"] == colour for r in coloured) else \
        max((r["colour"] for r in coloured), key=colour_rank)
    return [r for r in rules if not (isinstance(r, dict) and r.get("colour") in COLOUR_NAMES)
            or r["colour"] == target]


def _rule_indicators(node: Any, out: list[str]) -> None:
    if isinstance(node, str):
        parsed = parse_condition(_split_actual(node)[0])
        if parsed and parsed[0] not in out:
            out.append(parsed[0])
    elif isinstance(node, dict):
        for key in ("condition", "conditions", "rule", "when", "all", "any"):
            if key in node:
                _rule_indicators(node[key], out)
    elif isinstance(node, list):
        for item in node:
            _rule_indicators(item, out)


def key_indicators(indicators: dict[str, Any], rules: list[Any]) -> list[tuple[str, str]]:
    """(label, value) of the indicators the fired rules name, then other salient non-zero ones."""
    names: list[str] = []
    _rule_indicators(rules, names)
    for name in SALIENT:
        if name not in names and indicators.get(name):
            names.append(name)
    out = []
    for name in names:
        value = indicators.get(name)
        if isinstance(value, (int, float)) and len(out) < MAX_INDICATORS:
            out.append((indicator_label(name), format_number(value)))
    return out


def _change_text(cand: Candidate) -> tuple[str, str]:
    """(subject tag, change sentence)."""
    w = cand.warning
    assert w is not None
    now = COLOUR_NAMES.get(w.colour or "", "")
    before = COLOUR_NAMES.get(w.previous_colour or "", "")
    if cand.change == CHANGE_FALL and colour_rank(w.colour) == 0:
        return "【预警解除】", f"{before}预警已解除（仅供知悉）"
    if cand.change == CHANGE_FALL:
        return f"【{now}预警·降级】", f"由{before}预警降为{now}预警（降级通知，仅供知悉）"
    if cand.change == CHANGE_RAISE:
        return f"【{now}预警·升级】", f"由{before}预警升级为{now}预警"
    if cand.change == CHANGE_SAME or w.repeat:
        return f"【{now}预警·提醒】", f"持续{now}预警，尚未解除（第 {max(w.repeat, 1)} 次提醒）"
    assert cand.change == CHANGE_NEW
    return f"【{now}预警】", "新发预警"


def render_warning(cand: Candidate, *, guide: Guidance | None, topic: str, audience: str,
                   tz: str, language: str, triggers: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(subject, body) of a warning alert. ``guide`` is the guidance of the colour that decides
    the handling: the warning's colour, or for a cleared warning, None."""
    w = cand.warning
    assert w is not None
    tag, change = _change_text(cand)
    title = f"{w.entity} · {topic}"
    lines = [f"{tag}{title}", f"变化：{change}", f"事件：#{w.event_id} {title}"]
    fired = decisive_rules(w.rules, w.colour or w.previous_colour)
    reasons = [text for text in (describe_rule(r, triggers) for r in fired) if text]
    if reasons:
        lines.append("原因：" + "；".join(reasons))
    shown = key_indicators(w.indicators, fired)
    if shown:
        lines.append("关键指标：" + "；".join(f"{label} {value}" for label, value in shown))
    if guide is not None:
        lines.append(f"处置建议：{guide.handling}——{guide.advice}")
        lines.append(f"响应时限：{format_number(guide.respond_within_hours)} 小时内")
        lines.append(f"责任层级：{guide.responsible}")
    if audience:
        lines.append(f"接收对象：{audience}")
    lines.append(f"研判时间：{format_time(w.evaluated_at, tz)}")
    return localise(tag + title, language), localise("\n".join(lines), language)


def render_operational(source: SourceFacts, *, audience: str, tz: str, language: str) -> tuple[str, str]:
    channel = CHANNEL_NAMES.get(source.channel, source.channel)
    subject = f"【运维告警】数据源「{source.name}」抓取失败"
    lines = [subject,
             f"状态：连续 {source.consecutive_failures} 次抓取失败，已标记为不可用",
             f"来源：{source.name}（类型 {source.type}，渠道 {channel}）",
             f"最近错误：{(source.last_error or '未记录').strip()[:300]}，发生于 {format_time(source.last_error_at, tz)}",
             f"上次成功：{format_time(source.last_success_at, tz) if source.last_success_at else '从未成功'}",
             "影响：该来源的舆情暂时无法监测（监测盲区）；请检查网址、网络或页面结构，恢复后将自动解除。"]
    if audience:
        lines.append(f"接收对象：{audience}")
    return localise(subject, language), localise("\n".join(lines), language)
