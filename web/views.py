"""What each page shows, as plain dicts: the HTML pages and the JSON API render the same data.

Reads go through storage functions (storage/events.py, stages/alert.py's feed) and web/queries.py.
Generated Chinese (why, advice, the explanation) is converted to Traditional when the dashboard's
language is zh-Hant; what people wrote (titles, entity names) is shown as written.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from alerts.dispatch import trigger_descriptions
from alerts.records import colour_rank
from alerts.render import decisive_rules, describe_rule, guidance, indicator_label, key_indicators, localise, \
    topic_label
from config.loader import Config
from scoring.explain import explain
from stages.alert import feed
from storage import events as repo
from storage.db import Database

from . import queries

FEED_LIMIT = 200


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse(value: Any) -> datetime | None:
    if isinstance(value, datetime) or value is None:
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _why(rules: list[Any], colour: str | None, triggers: dict[str, str]) -> list[str]:
    fired = decisive_rules(list(rules or []), colour)
    return [text for text in (describe_rule(r, triggers) for r in fired) if text]


def alert_feed(config: Config, db: Database, language: str) -> list[dict[str, Any]]:
    """Warning alerts, newest first: one entry per message however many channels carried it."""
    triggers = trigger_descriptions(config.thresholds)
    out = []
    for view in feed(db, limit=FEED_LIMIT, oldest_first=False):
        p = view.payload
        event = p.get("event") or {}
        colour = p.get("colour")
        rules = p.get("rules") or []
        why_colour = colour or p.get("previous_colour")
        out.append({
            "id": view.id, "colour": colour, "previous_colour": p.get("previous_colour"), "change": p.get("change"),
            "event_id": event.get("id"), "entity": event.get("entity"), "topic": event.get("topic"),
            "topic_label": localise(event.get("topic_label") or topic_label(config.taxonomy, event.get("topic") or ""),
                                    language),
            "evaluated_at": _parse(p.get("evaluated_at")) or view.created_at, "created_at": view.created_at,
            "status": view.status, "subject": view.subject,
            "why": [localise(t, language) for t in _why(rules, why_colour, triggers)],
            "indicators": [(localise(label, language), value)
                           for label, value in key_indicators(p.get("indicators") or {}, rules)],
            "handling": localise(p.get("handling") or "", language),
            "advice": localise(p.get("advice") or "", language),
            "respond_within_hours": p.get("respond_within_hours"),
            "responsible": localise(p.get("responsible") or "", language),
        })
    return out


def open_events(config: Config, db: Database, language: str) -> list[dict[str, Any]]:
    """Open, unmerged events: the highest colour first, then the highest score, then the newest."""
    with db.transaction() as session:
        events = repo.list_events(session, include_closed=False)
        ids = [e.id for e in events]
        summary = repo.member_summary(session, ids)
        scores = queries.latest_scores(session, ids)
        rows = [_event_row(config, e, summary[e.id], scores.get(e.id), language) for e in events]
    rows.sort(key=lambda r: (-colour_rank(r["colour"]), -(r["score"] or 0.0),
                             -(r["last_seen"].timestamp() if r["last_seen"] else 0.0), -r["id"]))
    return rows


def _event_row(config: Config, event: Any, summary: dict[str, Any], score: float | None,
               language: str) -> dict[str, Any]:
    return {"id": event.id, "colour": event.colour, "status": event.status, "entity": event.entity,
            "topic": event.topic, "topic_label": localise(topic_label(config.taxonomy, event.topic), language),
            "topics": sorted(set(summary["topics"]) | {event.topic}), "score": score,
            "counts": {"mentions": summary["mentions"], "stories": len(summary["stories"]),
                       "negative": summary["negative"]},
            "first_seen": event.first_seen, "last_seen": event.last_seen, "colour_since": event.colour_since,
            "merged_into": event.merged_into}


def event_detail(config: Config, db: Database, event_id: int, language: str) -> dict[str, Any] | None:
    """Everything about one event, or None when there is no such event. A merged event's
    detail carries ``merged_into`` only, so the caller can send staff to the surviving one."""
    with db.transaction() as session:
        event = repo.get_event(session, event_id)
        if event is None:
            return None
        if event.merged_into is not None:
            return {"id": event.id, "merged_into": event.merged_into}
        summary = repo.member_summary(session, [event.id])[event.id]
        warnings = [{"id": w.id, "colour": w.colour, "previous_colour": w.previous_colour,
                     "evaluated_at": w.evaluated_at, "score": w.score, "indicators": dict(w.indicators or {}),
                     "rules": list(w.rules or []), "thresholds_hash": w.thresholds_hash}
                    for w in repo.warnings_of(session, event.id)]
        mentions = queries.event_mentions(session, event.id)
        row = _event_row(config, event, summary, warnings[-1]["score"] if warnings else None, language)
    info = {"id": row["id"], "entity": row["entity"], "topic": row["topic"], "status": row["status"],
            "first_seen": row["first_seen"], "last_seen": row["last_seen"], "colour": row["colour"]}
    row["explanation"] = localise(explain(info, warnings, config.thresholds, config.thresholds_hash,
                                          summary["urls"]), language)
    last = warnings[-1] if warnings else None
    triggers = trigger_descriptions(config.thresholds)
    row["indicators"] = [{"name": name, "label": localise(indicator_label(name), language), "value": value}
                         for name, value in (last["indicators"] if last else {}).items()]
    row["rules"] = [localise(t, language) for t in
                    (_why(last["rules"], last["colour"] or last["previous_colour"], triggers) if last else [])]
    row["warnings"] = warnings
    row["mentions"] = mentions
    row["topic_choices"] = topic_choices(config, language, row["topics"])
    if row["colour"]:
        guide = guidance(config.thresholds, row["colour"])
        row["advice"] = {"label": localise(guide.label, language), "handling": localise(guide.handling, language),
                         "advice": localise(guide.advice, language),
                         "respond_within_hours": guide.respond_within_hours,
                         "responsible": localise(guide.responsible, language)}
    else:
        row["advice"] = None
    return row


def topic_keys(config: Config) -> list[str]:
    """The taxonomy's topic keys (what a split may name as the new event's topic)."""
    topics = getattr(config.taxonomy, "topics", None)
    return list(topics) if isinstance(topics, dict) else []


def topic_choices(config: Config, language: str, extra: Sequence[str] = ()) -> list[tuple[str, str]]:
    keys = topic_keys(config) + [k for k in extra if k not in topic_keys(config)]
    return [(key, localise(topic_label(config.taxonomy, key), language)) for key in keys]


def sources(db: Database) -> list[dict[str, Any]]:
    with db.transaction() as session:
        return queries.source_health(session)


def health(db: Database, now: datetime) -> tuple[bool, dict[str, Any]]:
    """(database reachable, the /healthz document)."""
    try:
        db.ping()
        with db.transaction() as session:
            runs = queries.last_runs(session)
    except Exception as exc:  # noqa: BLE001 - a health check reports every failure, it never raises
        return False, {"status": "error", "database": "unreachable", "error": str(exc).splitlines()[0][:300],
                       "checked_at": iso(now)}
    stages = {stage: {"id": r["id"], "status": r["status"], "started_at": iso(r["started_at"]),
                      "finished_at": iso(r["finished_at"]), "clock": iso(r["now"]), "error": r["error"]}
              for stage, r in runs.items()}
    return True, {"status": "ok", "database": "ok", "checked_at": iso(now), "last_runs": stages}


# ---- JSON shapes -------------------------------------------------------------------------

def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def alert_json(entry: dict[str, Any]) -> dict[str, Any]:
    out = dict(entry)
    out["indicators"] = [{"label": label, "value": value} for label, value in entry["indicators"]]
    return _jsonable(out)


def event_json(row: dict[str, Any]) -> dict[str, Any]:
    return _jsonable(row)
