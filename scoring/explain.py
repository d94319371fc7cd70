"""The explanation of a warning, in Chinese, as a risk officer reads it. Pure: takes plain
dicts (an event row and its warning rows as storage/events.py returns them)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from zoneinfo import ZoneInfo

from config.schema.thresholds import INDICATORS

_BEIJING = ZoneInfo("Asia/Shanghai")  # risk officers read Beijing time; storage keeps UTC

COLOUR_ZH = {None: "无预警", "blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}
STATUS_ZH = {"new": "新发", "active": "持续", "cooling": "降温", "closed": "已关闭"}
TOPIC_ZH = {
    "fees": "收费", "card_freeze": "卡/账户冻结", "wealth_loss": "理财亏损", "loan_collection": "催收",
    "service_attitude": "服务态度", "queue_wait": "排队等候", "system_outage": "系统故障",
    "fraud_scam": "诈骗", "privacy_leak": "信息泄露", "staff_misconduct": "员工违规",
    "branch_environment": "网点环境", "marketing_misselling": "误导销售", "regulatory_penalty": "监管处罚",
    "deposit_safety": "存款安全", "other": "其他",
}

# indicators shown first, in this order; the rest follow as stored
_HEADLINE = ("stories", "authors", "sites", "channels", "branches", "cities", "provinces", "harm_max",
             "mainstream", "national_outlet", "regulator", "bank_run", "mass_gathering", "heat", "burst_z",
             "related", "duration_hours")


def colour_zh(colour: str | None) -> str:
    return COLOUR_ZH.get(colour, str(colour))


def topic_zh(topic: str) -> str:
    return TOPIC_ZH.get(topic, topic)


def _fmt_time(value: Any) -> str:
    if value is None:
        return "—"
    if hasattr(value, "astimezone"):
        return value.astimezone(_BEIJING).strftime("%Y-%m-%d %H:%M")
    return str(value)


def _value(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def explain(event: dict[str, Any], warnings: Sequence[dict[str, Any]], thresholds: Any,
            current_hash: str, urls: Sequence[str] = ()) -> str:
    """Multi-line Chinese text: the event, the latest decision, its indicators, the rules that
    fired, the previous colour, the thresholds hash, and the handling advice."""
    lines = ["（时间均为北京时间）", f"事件 #{event['id']}：{event['entity']} · {topic_zh(event['topic'])}（{event['topic']}）",
             f"状态：{STATUS_ZH.get(event.get('status'), event.get('status'))}；"
             f"首次出现 {_fmt_time(event.get('first_seen'))}，最近一次 {_fmt_time(event.get('last_seen'))}",
             f"当前颜色：{colour_zh(event.get('colour'))}"]
    if not warnings:
        lines.append("该事件尚无预警记录（负面或有危害的帖文还不足以触发蓝色预警）。")
        return "\n".join(lines)
    last = warnings[-1]
    lines.append(f"最近一次评估：{_fmt_time(last['evaluated_at'])}，由{colour_zh(last['previous_colour'])}"
                 f"变为{colour_zh(last['colour'])}（排序分 {last.get('score', 0):g}）")
    lines.append(f"阈值文件哈希：{last['thresholds_hash']}"
                 + ("（与当前阈值文件一致）" if last['thresholds_hash'] == current_hash
                    else f"（当前阈值文件为 {current_hash}，已修改过）"))
    lines.append("")
    lines.append("指标：")
    indicators = last.get("indicators") or {}
    names = [n for n in _HEADLINE if n in indicators] + [n for n in indicators if n not in _HEADLINE]
    for name in names:
        lines.append(f"  - {INDICATORS.get(name, name)}（{name}）：{_value(indicators[name])}")
    lines.append("")
    rules = [r for r in (last.get("rules") or []) if r.get("kind") in ("rule", "trigger")]
    notes = [r.get("note") for r in (last.get("rules") or []) if r.get("kind") == "hysteresis" and r.get("note")]
    if rules:
        lines.append("触发的规则：")
        for rule in rules:
            what = "硬触发" if rule["kind"] == "trigger" else "颜色规则"
            lines.append(f"  - {what} {rule['name']}（至少{colour_zh(rule['colour'])}）：" + "；".join(rule["conditions"]))
    else:
        lines.append("没有规则满足：颜色由防抖规则保留或下调。")
    for note in notes:
        lines.append(f"防抖说明：{note}")
    if len(warnings) > 1:
        history = " → ".join(f"{colour_zh(w['colour'])}（{_fmt_time(w['evaluated_at'])}）" for w in warnings)
        lines.append(f"颜色变化：{history}")
    colour = last["colour"]
    lines.append("")
    if colour is None:
        lines.append("处置建议：预警已解除，继续日常监测。")
    else:
        spec = thresholds.colour(colour)
        lines.append(f"{spec.label}（{spec.meaning}）——{spec.handling}")
        lines.append(f"处置建议：{spec.advice}")
        lines.append(f"责任主体：{spec.responsible}；响应时限：{spec.respond_within_hours:g} 小时内")
    if urls:
        lines.append("")
        lines.append(f"相关帖文（{len(urls)} 条）：")
        lines.extend(f"  {u}" for u in urls[:20])
        if len(urls) > 20:
            lines.append(f"  ……另有 {len(urls) - 20} 条")
    return "\n".join(lines)
