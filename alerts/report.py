"""The daily report: one text for the day, for the people who read the whole picture. Pure.

It gives the warnings made in the period per colour, the events that appeared or were raised,
the events still holding a colour, and source coverage: which sources were crawled successfully
in the period and which are blind (broken, stale, or silent for the whole period).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .records import COLOURS, SourceFacts, WarningFacts
from .render import COLOUR_NAMES, format_time, localise
from .suppress import classify_change


@dataclass(frozen=True)
class DailyReport:
    start: datetime
    end: datetime
    counts: dict[str, int]
    new_or_raised: list[tuple[int, str, str, str | None, str]]  # event id, entity, topic, from, to
    fallen: list[tuple[int, str, str, str | None, str | None]]
    open_events: list[tuple[int, str, str, str, str]]
    covered: list[str]
    blind: list[tuple[str, str]] = field(default_factory=list)  # name, why

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "counts": self.counts,
                "new_or_raised": [{"event": e, "entity": n, "topic": t, "from": f, "to": c}
                                  for e, n, t, f, c in self.new_or_raised],
                "fallen": [{"event": e, "entity": n, "topic": t, "from": f, "to": c} for e, n, t, f, c in self.fallen],
                "open_events": [{"event": e, "entity": n, "topic": t, "colour": c, "status": s}
                                for e, n, t, c, s in self.open_events],
                "covered": self.covered, "blind": [{"source": n, "why": w} for n, w in self.blind]}


def build_report(*, start: datetime, end: datetime, warnings: Sequence[WarningFacts],
                 open_events: Sequence[tuple[int, str, str, str, str]], sources: Sequence[SourceFacts]) -> DailyReport:
    counts = Counter(w.colour for w in warnings if w.colour)
    raised: dict[int, tuple[int, str, str, str | None, str]] = {}
    fallen: dict[int, tuple[int, str, str, str | None, str | None]] = {}
    for w in warnings:  # oldest first: the last change of the day per event wins
        change = classify_change(w.colour, w.previous_colour)
        if change in ("new", "raise") and w.colour:
            first = raised.get(w.event_id)
            raised[w.event_id] = (w.event_id, w.entity, w.topic, first[3] if first else w.previous_colour, w.colour)
            fallen.pop(w.event_id, None)
        elif change == "fall" and w.event_id not in raised:
            fallen[w.event_id] = (w.event_id, w.entity, w.topic, w.previous_colour, w.colour)
    covered, blind = [], []
    for s in sources:
        if s.status in ("broken", "stale"):
            blind.append((s.name, f"{'不可用' if s.status == 'broken' else '长期无新内容'}，连续失败 {s.consecutive_failures} 次"))
        elif s.last_success_at is not None and s.last_success_at >= start:
            covered.append(s.name)
        else:
            blind.append((s.name, "本期内没有成功抓取"))
    return DailyReport(start=start, end=end, counts={c: counts.get(c, 0) for c in COLOURS},
                       new_or_raised=sorted(raised.values()), fallen=sorted(fallen.values()),
                       open_events=list(open_events), covered=covered, blind=blind)


def report_period(now: datetime, hours: float = 24) -> tuple[datetime, datetime]:
    return now - timedelta(hours=hours), now


def _colour(name: str | None) -> str:
    return COLOUR_NAMES.get(name or "", "无") + ("预警" if name in COLOUR_NAMES else "")


def render_report(report: DailyReport, *, tz: str, language: str, label: Any = None) -> tuple[str, str]:
    """(subject, body). ``label(topic) -> str`` names topics (default: the key)."""
    name = label or (lambda key: key)
    day = format_time(report.end, tz)[:10]
    subject = f"【舆情日报】{day}"
    lines = [subject, f"统计区间：{format_time(report.start, tz)} 至 {format_time(report.end, tz)}", "",
             "一、本期预警变动（按变动后的颜色计数）",
             "  " + "，".join(f"{COLOUR_NAMES[c]} {report.counts.get(c, 0)} 条" for c in COLOURS)]
    lines.append("二、新发或升级的事件")
    if report.new_or_raised:
        for eid, entity, topic, before, after in report.new_or_raised:
            move = f"由{_colour(before)}升为{_colour(after)}" if before else f"新发{_colour(after)}"
            lines.append(f"  #{eid} {entity} · {name(topic)}：{move}")
    else:
        lines.append("  无")
    if report.fallen:
        lines.append("三、降级或解除的事件")
        for eid, entity, topic, before, after in report.fallen:
            move = f"由{_colour(before)}降为{_colour(after)}" if after else f"{_colour(before)}已解除"
            lines.append(f"  #{eid} {entity} · {name(topic)}：{move}")
    lines.append(("四" if report.fallen else "三") + "、仍在预警中的事件")
    if report.open_events:
        for eid, entity, topic, colour, _status in report.open_events:
            lines.append(f"  #{eid} {entity} · {name(topic)}：{_colour(colour)}")
    else:
        lines.append("  无")
    total = len(report.covered) + len(report.blind)
    lines.append(("五" if report.fallen else "四") + f"、数据源覆盖：{len(report.covered)}/{total} 个来源本期抓取正常")
    if report.blind:
        lines.append("  监测盲区：" + "；".join(f"{n}（{why}）" for n, why in report.blind))
    else:
        lines.append("  无监测盲区")
    return localise(subject, language), localise("\n".join(lines), language)
