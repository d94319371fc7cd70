"""Commands for events and warnings: events, warnings, explain, backtest, merge-events, split-event.

backtest and --thresholds: every command's --thresholds replaces the config folder's
thresholds.yaml. For backtest that file is the candidate (NEW.yaml), compared with the config
folder's own thresholds.yaml (the bundled top-level one without --config). --candidate FILE
says the same explicitly; with it, --thresholds (if given) is the current file instead.
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from config.errors import InputError, NotFound
from config.loader import load_config, resolve_paths

from .options import AppContext, common_options, parse_now

FORMATS = click.Choice(["table", "json"])


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[str(c) if c is not None else "-" for c in row] for row in rows]
    widths = [max([len(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    out = ["  ".join(_pad(h, w) for h, w in zip(headers, widths))]
    out += ["  ".join(_pad(c, w) for c, w in zip(r, widths)) for r in cells]
    return "\n".join(out)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)  # CJK characters take two columns


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _time_option(value: str | None, name: str) -> datetime | None:
    try:
        return parse_now(value)
    except click.BadParameter:
        raise click.BadParameter(f"expected an ISO 8601 time such as 2026-03-15T09:00:00+08:00, found {value!r}",
                                 param_hint=name) from None


@click.command("events")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--open", "only_open", is_flag=True, help="Only events that are not closed.")
@click.option("--colour", type=click.Choice(["blue", "yellow", "orange", "red"]), help="Only events of this colour.")
@click.option("--limit", type=int, default=None, help="At most this many events, most recent first.")
@common_options
def events_cmd(app: AppContext, fmt: str, only_open: bool, colour: str | None, limit: int | None) -> None:
    """List events: colour, watched entity, topics, counts, first and last seen (JSON adds URLs)."""
    from storage import events as repo

    db = app.db()
    with db.transaction() as session:
        events = repo.list_events(session, include_closed=not only_open, colour=colour, limit=limit)
        summary = repo.member_summary(session, [e.id for e in events])
        data = [{"id": e.id, "colour": e.colour, "status": e.status, "entity": e.entity, "topic": e.topic,
                 "topics": sorted(summary[e.id]["topics"] | {e.topic}),
                 "counts": {"mentions": summary[e.id]["mentions"], "stories": len(summary[e.id]["stories"]),
                            "negative": summary[e.id]["negative"]},
                 "first_seen": _iso(e.first_seen), "last_seen": _iso(e.last_seen),
                 "colour_since": _iso(e.colour_since), "urls": summary[e.id]["urls"]} for e in events]
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    rows = [[d["id"], d["colour"], d["status"], d["entity"], ",".join(d["topics"]), d["counts"]["mentions"],
             d["counts"]["stories"], d["first_seen"][:16], d["last_seen"][:16]] for d in data]
    click.echo(_table(["id", "colour", "status", "entity", "topics", "mentions", "stories", "first_seen",
                       "last_seen"], rows))


@click.command("warnings")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--since", help="Only warnings evaluated at or after this time (ISO 8601).")
@click.option("--limit", type=int, default=None, help="At most this many warnings, most recent first.")
@common_options
def warnings_cmd(app: AppContext, fmt: str, since: str | None, limit: int | None) -> None:
    """List warnings (colour changes), newest first, with the rules that fired."""
    from storage import events as repo

    since_at = _time_option(since, "--since")
    db = app.db()
    with db.transaction() as session:
        pairs = repo.list_warnings(session, since=since_at, limit=limit)
        data = [{"id": w.id, "event_id": e.id, "entity": e.entity, "topic": e.topic, "colour": w.colour,
                 "previous_colour": w.previous_colour, "evaluated_at": _iso(w.evaluated_at), "score": w.score,
                 "rules": [r["name"] for r in w.rules if r.get("kind") in ("rule", "trigger")],
                 "indicators": w.indicators, "thresholds_hash": w.thresholds_hash} for w, e in pairs]
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    rows = [[d["id"], d["evaluated_at"][:16], d["event_id"], d["entity"], d["topic"],
             f"{d['previous_colour'] or '-'} -> {d['colour'] or 'none'}", d["score"], ",".join(d["rules"])]
            for d in data]
    click.echo(_table(["id", "evaluated_at", "event", "entity", "topic", "change", "score", "rules"], rows))


@click.command("explain")
@click.argument("event_id", type=int)
@common_options
def explain_cmd(app: AppContext, event_id: int) -> None:
    """Explain an event's warning in Chinese: indicators, rules, previous colour, hash, advice."""
    from scoring.explain import explain
    from storage import events as repo

    config = app.config
    db = app.db()
    with db.transaction() as session:
        event = repo.get_event(session, event_id)
        if event is None:
            raise NotFound(f"no event with id {event_id}")
        if event.merged_into is not None:
            click.echo(f"事件 #{event_id} 已由工作人员并入事件 #{event.merged_into}，以下为合并后的事件。")
            event = repo.get_event(session, event.merged_into)
        info = {"id": event.id, "entity": event.entity, "topic": event.topic, "status": event.status,
                "first_seen": event.first_seen, "last_seen": event.last_seen, "colour": event.colour}
        warnings = [{"colour": w.colour, "previous_colour": w.previous_colour, "evaluated_at": w.evaluated_at,
                     "score": w.score, "indicators": w.indicators, "rules": w.rules,
                     "thresholds_hash": w.thresholds_hash} for w in repo.warnings_of(session, event.id)]
        urls = repo.member_summary(session, [event.id])[event.id]["urls"]
    click.echo(explain(info, warnings, config.thresholds, config.thresholds_hash, urls))


def _candidate_and_current(app: AppContext, candidate: Path | None):
    if candidate is not None:
        current = app.config
        new = load_config(app.config_dir, candidate)
        return current, new
    if app.thresholds is None:
        raise click.UsageError("name the candidate file: backtest --thresholds NEW.yaml (or --candidate NEW.yaml)")
    new = app.config  # --thresholds NEW.yaml replaced the config folder's file
    directory, own = resolve_paths(app.config_dir, None)
    current = load_config(app.config_dir, own)
    return current, new


@click.command("backtest")
@click.option("--candidate", type=click.Path(path_type=Path, dir_okay=False),
              help="The new thresholds file; compared with the current one (the config folder's, or --thresholds).")
@click.option("--since", help="Replay from this time (ISO 8601; default: the oldest stored mention).")
@click.option("--until", help="Replay up to this time (ISO 8601; default: --now or the present).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@common_options
def backtest_cmd(app: AppContext, candidate: Path | None, since: str | None, until: str | None, fmt: str) -> None:
    """Replay stored mentions hour by hour under a new thresholds file and the current one, and
    print the warnings that would appear, disappear, come earlier or later. Writes nothing.

    Usage: backtest --thresholds NEW.yaml (compared with the config folder's own thresholds.yaml),
    or backtest --candidate NEW.yaml (compared with the current file, --thresholds if given)."""
    from scoring.explain import colour_zh
    from stages.score import backtest

    current, new = _candidate_and_current(app, candidate)
    since_at, until_at = _time_option(since, "--since"), _time_option(until, "--until") or app.now()
    if since_at and since_at >= until_at:
        raise InputError(f"--since ({since_at.isoformat()}) must be before --until ({until_at.isoformat()})")
    db = app.db()
    result, _, (start, end) = backtest(current, current.thresholds, new.thresholds, db, since=since_at, until=until_at)
    if fmt == "json":
        click.echo(json.dumps({"current": {"file": str(current.thresholds_path), "hash": current.thresholds_hash},
                               "candidate": {"file": str(new.thresholds_path), "hash": new.thresholds_hash},
                               "since": _iso(start), "until": _iso(end), **result.to_json()},
                              ensure_ascii=False, indent=2))
        return
    t = lambda d: d.strftime("%m-%d %H:%M")  # noqa: E731
    lines = [f"回测区间：{start:%Y-%m-%d %H:%M} 至 {end:%Y-%m-%d %H:%M} UTC，逐小时重放",
             f"当前阈值：{current.thresholds_path}（{current.thresholds_hash}）",
             f"候选阈值：{new.thresholds_path}（{new.thresholds_hash}）", "",
             "各颜色预警次数（当前 → 候选）："]
    for colour, (a, b) in result.counts.items():
        lines.append(f"  {colour_zh(colour)}：{a} → {b}（{b - a:+d}）")
    sections = [("新增的预警（仅候选阈值会发出）", [f"  {k} 达到{colour_zh(c)}，{t(a)}" for k, c, a in result.appear]),
                ("消失的预警（仅当前阈值会发出）", [f"  {k} 达到{colour_zh(c)}，{t(a)}" for k, c, a in result.disappear]),
                ("提前的预警", [f"  {k} {colour_zh(c)}：{t(a)} → {t(b)}" for k, c, a, b in result.earlier]),
                ("推迟的预警", [f"  {k} {colour_zh(c)}：{t(a)} → {t(b)}" for k, c, a, b in result.later])]
    for title, body in sections:
        lines += ["", f"{title}：{len(body)} 条"] + body
    click.echo("\n".join(lines))


@click.command("merge-events")
@click.argument("target", type=int)
@click.argument("source", type=int)
@common_options
def merge_events_cmd(app: AppContext, target: int, source: int) -> None:
    """Merge event SOURCE into event TARGET (staff decision) and re-evaluate TARGET."""
    from stages.score import merge_events

    summary = merge_events(app.config, app.db(), target, source, now=app.now())
    click.echo(f"merged event {source} into {target}; warnings written: {summary.warnings_written}")


def _ids(value: str) -> list[int]:
    try:
        return [int(part) for part in value.replace(" ", "").split(",") if part]
    except ValueError:
        raise click.BadParameter(f"expected mention ids separated by commas, such as 12,15,19, found {value!r}",
                                 param_hint="--mentions") from None


@click.command("split-event")
@click.argument("event_id", type=int)
@click.option("--mentions", required=True, help="Mention ids to move to a new event, comma-separated.")
@click.option("--topic", help="Topic of the new event (default: the same as the old one).")
@common_options
def split_event_cmd(app: AppContext, event_id: int, mentions: str, topic: str | None) -> None:
    """Move some mentions of EVENT_ID into a new event (staff decision); re-evaluate both."""
    from stages.score import split_event

    new_id, summary = split_event(app.config, app.db(), event_id, _ids(mentions), now=app.now(), topic=topic)
    click.echo(f"split {len(_ids(mentions))} mentions of event {event_id} into new event {new_id}; "
               f"warnings written: {summary.warnings_written}")


COMMANDS: list[click.Command] = [events_cmd, warnings_cmd, explain_cmd, backtest_cmd, merge_events_cmd,
                                 split_event_cmd]
