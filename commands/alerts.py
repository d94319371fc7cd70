"""Commands for the alert feed: `alerts` (list), `report` (daily report), `silences` (list)."""
from __future__ import annotations

import json
import unicodedata

import click

from alerts.dispatch import MARKER
from alerts.records import KINDS, AlertView
from alerts.render import format_time

from .options import AppContext, common_options

STATUSES = ("pending", "sent", "failed", "dead", "silenced", "suppressed", "unrouted")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _cell(text: str, width: int) -> str:
    out = ""
    for ch in text:
        if _width(out + ch) > width:
            return out[:-1] + "…" if out else ""
        out += ch
    return out + " " * (width - _width(out))


def feed_table(views: list[AlertView], tz: str) -> list[str]:
    """The alert feed as text lines, newest first (also used by the demo)."""
    columns = (("ID", 5), ("CREATED", 16), ("KIND", 11), ("STATUS", 10), ("CHANNEL", 10), ("SUBJECT", 48))
    lines = ["  ".join(_cell(name, w) for name, w in columns).rstrip()]
    for v in views:
        cells = (str(v.id), format_time(v.created_at, tz)[:16], v.kind, v.status,
                 v.channel if v.channel != MARKER else "-", v.subject)
        lines.append("  ".join(_cell(c, w) for c, (_, w) in zip(cells, columns)).rstrip())
        if v.last_error and v.status in ("failed", "dead"):
            lines.append(f"      last error: {v.last_error}")
    return lines


def _view_json(v: AlertView) -> dict:
    return {"id": v.id, "kind": v.kind, "route": v.route, "channel": v.channel, "status": v.status,
            "subject": v.subject, "text": v.body, "created_at": v.created_at.isoformat(),
            "sent_at": v.sent_at.isoformat() if v.sent_at else None, "attempts": v.attempts,
            "last_error": v.last_error, "payload": v.payload}


@click.command("alerts")
@common_options
@click.option("--format", "fmt", type=click.Choice(["table", "json", "text"]), default="table", show_default=True,
              help="table: one line per alert; text: full alert texts; json: one JSON object per line.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100000), help="Newest N alerts.")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES), help="Only these statuses.")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="Only these kinds.")
@click.option("--all", "include_muted", is_flag=True, help="Include muted records (silenced, suppressed, unrouted).")
def alerts_command(app: AppContext, fmt: str, limit: int, statuses: tuple[str, ...], kinds: tuple[str, ...],
                   include_muted: bool) -> None:
    """List the alert feed, newest first."""
    from storage.alerts import list_alerts

    config = app.config
    with app.db().transaction() as session:
        views = list_alerts(session, limit=limit, statuses=statuses, kinds=kinds, include_muted=include_muted)
    if fmt == "json":
        for v in views:
            click.echo(json.dumps(_view_json(v), ensure_ascii=False, default=str))
    elif fmt == "text":
        for v in views:
            click.echo(f"[#{v.id} {v.status} via {v.channel}]\n{v.body}\n")
    else:
        for line in feed_table(views, config.alerts.timezone):
            click.echo(line)


@click.command("report")
@common_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--send", is_flag=True, help="Also send it through the routes for kind 'report' (once per day).")
def report_command(app: AppContext, fmt: str, send: bool) -> None:
    """Print the daily report for the 24 hours before --now."""
    from stages.alert import daily_report, report_text, send_daily_report

    config, db, now = app.config, app.db(), app.now()
    if fmt == "json":
        click.echo(json.dumps(daily_report(config, db, now=now).as_dict(), ensure_ascii=False, default=str))
    else:
        click.echo(report_text(config, db, now=now)[1])
    if send:
        summary = send_daily_report(config, db, now=now)
        click.echo(f"report: created={summary.created} sent={summary.sent} failed={summary.failed}", err=True)


@click.command("silences")
@common_options
def silences_command(app: AppContext) -> None:
    """List the silences configured in alerts.yaml, and whether each is active at --now."""
    config, now = app.config, app.now()
    if not config.alerts.silences:
        click.echo("no silences configured (add them under `silences:` in alerts.yaml)")
    for i, s in enumerate(config.alerts.silences):
        state = "active" if s.starts <= now < s.ends else ("expired" if now >= s.ends else "upcoming")
        match = {k: v for k, v in s.match.model_dump().items() if v}
        click.echo(f"[{i}] {state}: {s.starts.isoformat()} .. {s.ends.isoformat()} match={json.dumps(match, ensure_ascii=False)}"
                   + (f" by {s.created_by}" if s.created_by else "") + (f" — {s.comment}" if s.comment else ""))




COMMANDS: list[click.Command] = [alerts_command, report_command, silences_command]
