"""``pipeline.py extract FILE_OR_URL``: print the generic article extraction of one page as JSON.

Registered by pipeline.py through ``COMMANDS``. Errors are domain errors (NotFound, InputError);
pipeline.py turns them into messages and exit codes.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .options import AppContext, common_options
from config.errors import InputError, NotFound

_SHANGHAI = "Asia/Shanghai"


def read_page(target: str, *, timeout: float = 20.0) -> tuple[bytes, str | None, str | None]:
    """(body, content type, URL) of a local file or an http(s) URL."""
    if target.startswith(("http://", "https://")):
        from config.schema.sources import DEFAULT_USER_AGENT
        from crawlers.http import Fetcher, FetchError, FetchSettings, build_client

        with build_client(user_agent=DEFAULT_USER_AGENT, timeout=timeout) as client:
            try:
                fetched = Fetcher(client=client).fetch(target, FetchSettings(timeout=timeout, retries=0),
                                                       accept="text/html, application/xhtml+xml;q=0.9, */*;q=0.5")
            except FetchError as exc:
                raise InputError(f"could not fetch {target}: {exc}") from None
        return fetched.body, fetched.content_type, fetched.final_url
    path = Path(target)
    if not path.is_file():
        raise NotFound(f"no such file: {target}")
    return path.read_bytes(), None, None


@click.command("extract")
@click.argument("target", metavar="FILE_OR_URL")
@click.option("--tz", default=_SHANGHAI, show_default=True,
              help="Time zone of times the page prints without one.")
@click.option("--url", "page_url", default=None,
              help="The page's original URL, for a saved FILE (helps site-specific rules).")
@common_options
def extract(target: str, tz: str, page_url: str | None, app: AppContext) -> None:
    """Print title, content, publish_time (UTC) and author of one article page as JSON.

    FILE_OR_URL is a saved HTML file or an http(s) URL (fetched once, robots.txt not consulted).
    Nothing is stored. Relative times ("3小时前") are taken relative to --now.
    """
    from crawlers.charset import decode_html
    from crawlers.extract import extract_article

    body, content_type, final_url = read_page(target)
    html = decode_html(body, content_type)
    result: dict[str, Any] = extract_article(html, page_url or final_url, now=app.now(), tz=tz)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


COMMANDS = [extract]
