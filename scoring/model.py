"""The colour model: rules, hard triggers, ordering score, and ``evaluate``. Pure.

Conditions come from thresholds.yaml: ``"authors >= 3"``, or ``{all: [...]}`` / ``{any: [...]}``
nesting them. The validated config guarantees every indicator named here exists.
"""
from __future__ import annotations

import math
import operator
from datetime import datetime
from typing import Any

from config.schema.thresholds import COLOURS, parse_condition

from . import hysteresis
from .events import lifecycle
from .records import Decision, EvalState, EventView, FiredRule, rank

_OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq,
        "!=": operator.ne}


def check(node: Any, indicators: dict[str, float]) -> tuple[bool, list[str]]:
    """Whether a condition holds, and the leaf conditions that made it hold."""
    if isinstance(node, str):
        parsed = parse_condition(node)
        if parsed is None:
            raise ValueError(f"not a condition: {node!r}")
        name, op, value = parsed
        actual = indicators[name]
        ok = _OPS[op](actual, value)
        return ok, [f"{node.strip()}（实际 {actual:g}）"] if ok else []
    (kind, items), = node.items()
    results = [check(item, indicators) for item in items]
    if kind == "all":
        ok = all(r[0] for r in results)
        return ok, [leaf for r in results for leaf in r[1]] if ok else []
    hits = [leaf for r in results if r[0] for leaf in r[1]]
    return bool(hits) or any(r[0] for r in results), hits


def _highest(kind: str, specs: Any, indicators: dict[str, float]) -> tuple[str | None, list[FiredRule]]:
    """The highest colour among the specs whose condition holds, with every spec that holds.
    A colour rule raises to its own colour; a trigger to its `at_least`."""
    fired: list[FiredRule] = []
    best: str | None = None
    for spec in specs:
        condition, colour = (spec.rule, spec.name) if kind == "rule" else (spec.when, spec.at_least)
        ok, leaves = check(condition, indicators)
        if ok:
            fired.append(FiredRule(kind, spec.name, colour, tuple(leaves)))
            if rank(colour) > rank(best):
                best = colour
    return best, fired


def rule_colour(indicators: dict[str, float], thresholds: Any) -> tuple[str | None, list[FiredRule]]:
    """The highest colour whose rule holds, with every colour rule that holds."""
    return _highest("rule", thresholds.colours, indicators)


def trigger_colour(indicators: dict[str, float], thresholds: Any) -> tuple[str | None, list[FiredRule]]:
    """The highest colour a hard trigger demands at once, with every trigger that fired."""
    return _highest("trigger", thresholds.triggers, indicators)


def ordering_score(indicators: dict[str, float], weights: dict[str, float]) -> float:
    """Σ weight × ln(1 + value): orders warnings of the same colour; never changes a colour."""
    return round(sum(w * math.log1p(max(indicators.get(name, 0.0), 0.0)) for name, w in weights.items()), 4)


def advice(colour: str | None, thresholds: Any) -> dict[str, Any]:
    if colour is None:
        return {}
    spec = thresholds.colour(colour)
    return {"label": spec.label, "meaning": spec.meaning, "handling": spec.handling, "advice": spec.advice,
            "responsible": spec.responsible, "respond_within_hours": spec.respond_within_hours}


def evaluate(view: EventView, indicators: dict[str, float], previous: EvalState, thresholds: Any,
             now: datetime) -> tuple[EvalState, Decision]:
    """One evaluation of one event: rules, triggers, hysteresis, lifecycle, advice."""
    wanted, rules = rule_colour(indicators, thresholds)
    floor, triggers = trigger_colour(indicators, thresholds)
    state, note = hysteresis.step(previous, wanted, floor, thresholds.hysteresis, now)
    status = lifecycle(view.first_seen, view.last_seen, now, state.colour, thresholds.events)
    state = state.with_(status=status)
    decision = Decision(
        event_id=view.id, colour=state.colour, previous_colour=previous.colour,
        rule_colour=wanted if rank(wanted) >= rank(floor) else floor,
        score=ordering_score(indicators, thresholds.score_weights), indicators=dict(indicators),
        fired=tuple(triggers + rules), status=status, evaluated_at=now, note=note,
        advice=advice(state.colour, thresholds))
    return state, decision


__all__ = ["COLOURS", "advice", "assess", "check", "evaluate", "ordering_score", "rule_colour", "rules_json", "trigger_colour"]


def assess(view: EventView, previous: EvalState, thresholds: Any, now: datetime) -> tuple[EvalState, Decision]:
    """compute the indicators, then evaluate: what the stage and the backtest both call."""
    from .indicators import compute

    return evaluate(view, compute(view, now, thresholds), previous, thresholds, now)


def rules_json(decision: Decision) -> list[dict[str, Any]]:
    """What a warning row stores in ``rules``: the rules and triggers that fired, plus one
    ``{"kind": "hysteresis", ...}`` entry saying what hysteresis did and what the rules wanted."""
    out = [r.to_json() for r in decision.fired]
    out.append({"kind": "hysteresis", "rule_colour": decision.rule_colour, "note": decision.note,
                "status": decision.status})
    return out
