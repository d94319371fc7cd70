"""Hysteresis: colours rise carefully and fall slowly, so a warning does not flap. Pure.

- A hard trigger raises the colour at once to (at least) its colour.
- Rules raise the colour at once up to yellow; past yellow only when they have asked for it
  in ``hold_evaluations`` consecutive evaluations (meanwhile the colour is held at yellow).
- When the rules and triggers ask for less than the current colour, the colour stays until they
  have done so for ``step_down_hours``; then it falls one step, and the clock starts again.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .records import EvalState, colour_at, rank

YELLOW = rank("yellow")


def step(previous: EvalState, rule_colour: str | None, trigger_colour: str | None, cfg: Any,
         now: datetime) -> tuple[EvalState, str]:
    """The next state and a short Chinese note on what hysteresis did (empty when nothing)."""
    repeat = previous.last_evaluated_at is not None and now <= previous.last_evaluated_at
    current = rank(previous.colour)
    want = max(rank(rule_colour), rank(trigger_colour))
    base = previous.with_(last_evaluated_at=max(now, previous.last_evaluated_at or now),
                          evaluations=previous.evaluations + (0 if repeat else 1))
    if want > current:
        if rank(trigger_colour) >= want or want <= YELLOW:
            return base.with_(colour=colour_at(want), pending=None, pending_count=0, below_since=None), ""
        count = previous.pending_count if repeat else previous.pending_count + 1
        if count >= cfg.hold_evaluations:
            return base.with_(colour=colour_at(want), pending=None, pending_count=0, below_since=None), \
                f"规则已连续 {count} 次评估满足，升至该颜色"
        held = max(current, YELLOW, rank(trigger_colour))
        return base.with_(colour=colour_at(held), pending=colour_at(want), pending_count=count, below_since=None), \
            f"规则要求{_zh(colour_at(want))}，需连续 {cfg.hold_evaluations} 次评估满足（已 {count} 次），暂定{_zh(colour_at(held))}"
    if want == current:
        return base.with_(pending=None, pending_count=0, below_since=None), ""
    below = previous.below_since or now
    waited = now - below
    if waited >= timedelta(hours=cfg.step_down_hours):
        lower = current - 1
        return base.with_(colour=colour_at(lower), pending=None, pending_count=0,
                          below_since=now if lower > want else None), \
            f"指标低于当前颜色规则已满 {cfg.step_down_hours:g} 小时，降一级"
    hours = waited.total_seconds() / 3600
    return base.with_(pending=None, pending_count=0, below_since=below), \
        f"指标已低于当前颜色规则 {hours:.1f} 小时，满 {cfg.step_down_hours:g} 小时才降一级"


_ZH = {None: "无预警", "blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}


def _zh(colour: str | None) -> str:
    return _ZH.get(colour, str(colour))
