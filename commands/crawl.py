"""Commands for the crawl area: import, sources, preview-source."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from config.errors import NotFound

from .options import AppContext, common_options

PREVIEW_CHARS = 80


def _when(value: datetime | None) -> str:
    if value is None:
        return "-"
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")


@click.command("import")
@common_options
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--source-name", default="offline", show_default=True,
              help="Source name the rows are stored under (e.g. one per region).")
@click.option("--tz", default=None, help="Time zone of the file's dates [default: sources.yaml defaults.tz].")
def import_reports(app: AppContext, file: Path, source_name: str, tz: str | None) -> None:
    """Import an offline branch report (CSV or .xlsx): 日期, 网点, 渠道, 客户原话, 员工备注.

    A bad row is reported with its row number and nothing of the file is stored (exit code 3).
    Importing the same file again stores nothing twice. Templates: crawlers/templates/.
    """
    from crawlers.offline import read_offline_reports
    from storage.mentions import store_mentions

    zone = tz or app.config.sources.defaults.tz
    fetched_at = datetime.now(timezone.utc)
    mentions = read_offline_reports(file, source_name=source_name, tz=zone, fetched_at=fetched_at)
    with app.db().transaction() as session:
        summary = store_mentions(session, mentions)
    click.echo(f"imported {file.name}: {len(mentions)} rows, {summary.new} new, {summary.duplicates} already stored, "
               f"{summary.sightings} repeats of stored text")


def _health_rows(app: AppContext) -> list[dict[str, Any]]:
    from crawlers.health import SourceHealth
    from crawlers.schedule import next_due
    from storage.sources import load_health

    config = app.config
    with app.db().transaction() as session:
        health = load_health(session)
    now = datetime.now(timezone.utc)
    rows = []
    for source in config.sources.sources:
        h = health.get(source.name) or SourceHealth(name=source.name)
        due = h.next_due_at or next_due(source, h, now)
        rows.append({"name": source.name, "type": source.type, "channel": source.channel,
                     "status": h.status if source.enabled else "disabled",
                     "last_success": h.last_success_at.isoformat() if h.last_success_at else None,
                     "last_error": h.last_error, "last_error_at": h.last_error_at.isoformat() if h.last_error_at else None,
                     "consecutive_failures": h.consecutive_failures, "items_last_run": h.items_last_run,
                     "new_last_run": h.new_items_last_run, "next_due": due.isoformat() if source.enabled else None})
    return rows


@click.command("sources")
@common_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def sources_cmd(app: AppContext, fmt: str) -> None:
    """List every configured source with its health: status (new, ok, stale, failing, broken),
    last success, last error, consecutive failures, items in the last run and next due time."""
    rows = _health_rows(app)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    headers = ("NAME", "TYPE", "CHANNEL", "STATUS", "LAST SUCCESS", "FAILS", "ITEMS", "NEW", "NEXT DUE", "LAST ERROR")
    table = [(r["name"], r["type"], r["channel"], r["status"],
              _when(datetime.fromisoformat(r["last_success"]) if r["last_success"] else None),
              str(r["consecutive_failures"]), str(r["items_last_run"]), str(r["new_last_run"]),
              _when(datetime.fromisoformat(r["next_due"]) if r["next_due"] else None),
              (r["last_error"] or "")[:70]) for r in rows]
    widths = [max(len(h), *(len(row[i]) for row in table)) if table else len(h) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
    for row in table:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    if not table:
        click.echo("(no sources in sources.yaml)")


def _preview_result(app: AppContext, source: Any) -> Any:
    from crawlers.fetch import HTTPX_TYPES, fetch_source
    from crawlers.http import build_client

    now = datetime.now(timezone.utc)
    defaults = app.config.sources.defaults
    if source.type in HTTPX_TYPES:
        from config.schema.sources import watchlist_terms

        with build_client(user_agent=defaults.user_agent, timeout=defaults.timeout) as client:
            return fetch_source(source, client=client, now=now, cache={},
                                watchlist_terms=watchlist_terms(app.config.watchlist))
    from config.schema.sources import watchlist_terms
    from stages.crawl import run_scrapy_sources

    return run_scrapy_sources([source], now=now, config=app.config, terms=watchlist_terms(app.config.watchlist))[0]


@click.command("preview-source")
@common_options
@click.argument("name")
@click.option("--limit", default=20, show_default=True, help="Show at most this many items.")
@click.option("--json", "as_json", is_flag=True, help="Print the items as JSON lines.")
def preview_source(app: AppContext, name: str, limit: int, as_json: bool) -> None:
    """Fetch one source now and print what would be stored (title, time, start of the text).

    Nothing is stored and the source's health is not touched, so selectors can be tried out.
    """
    config = app.config
    source = config.sources.get(name)
    if source is None:
        known = ", ".join(s.name for s in config.sources.sources) or "none"
        raise NotFound(f"no source named {name!r} in sources.yaml (known: {known})")
    result = _preview_result(app, source)
    status = "ok" if result.ok else f"FAILED: {result.error}"
    if not as_json:
        click.echo(f"{source.name} ({source.type}, {source.channel}): {status}; {len(result.mentions)} items, "
                   f"{result.pages} pages" + (", not modified" if result.not_modified else "")
                   + (f", {result.selector_misses} pages matched no selector" if result.selector_misses else ""))
    for mention in result.mentions[:limit]:
        if as_json:
            click.echo(json.dumps({"url": mention.url, "title": mention.title, "published_at":
                                   mention.published_at.isoformat() if mention.published_at else None,
                                   "author": mention.author, "text": mention.text[:PREVIEW_CHARS]}, ensure_ascii=False))
            continue
        text = " ".join(mention.text.split())[:PREVIEW_CHARS]
        click.echo(f"- {_when(mention.published_at)}  {mention.title or '(no title)'}\n    {mention.url}\n    {text}")
    if len(result.mentions) > limit and not as_json:
        click.echo(f"... and {len(result.mentions) - limit} more")


# `extract FILE_OR_URL` lives in commands/extract.py.
COMMANDS: list[click.Command] = [import_reports, sources_cmd, preview_source]
