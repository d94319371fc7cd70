"""HTTP JSON APIs: a JMESPath to the item list and one JMESPath per mention field (pure).

An item whose URL is missing is skipped (counted); a response that is not JSON, or whose
``items`` path does not give a list, is a ``JsonApiError`` (the mapping no longer fits the API:
the source's health says so).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin

import jmespath

from .charset import decode_html
from .htmltext import html_to_text
from .normalize import make_mention
from .records import Mention
from .timeparse import FUTURE_TOLERANCE, parse_time


class JsonApiError(Exception):
    """The response does not fit the source's `json:` mapping."""


@dataclass
class ParsedJson:
    mentions: list[Mention] = field(default_factory=list)
    items: int = 0
    skipped: int = 0


@lru_cache(maxsize=256)
def _compiled(expr: str) -> Any:
    return jmespath.compile(expr)


def _value(item: Any, expr: str | None) -> Any:
    if not expr:
        return None
    return _compiled(expr).search(item)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = "\n".join(str(v) for v in value if v is not None)
    return html_to_text(str(value)) if not isinstance(value, (dict,)) else None


def _time(value: Any, *, now: datetime, tz: str) -> datetime | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 1e11 else value  # milliseconds from JavaScript back ends
        try:
            parsed = datetime.fromtimestamp(seconds, timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
        return parsed if parsed - now <= FUTURE_TOLERANCE else None
    return parse_time(str(value), now=now, tz=tz)


def parse_json(body: bytes, *, source: Any, url: str, content_type: str | None, fetched_at: datetime,
               now: datetime | None = None) -> ParsedJson:
    now = now or fetched_at
    mapping = source.json
    tz = getattr(source, "tz", None) or "Asia/Shanghai"
    try:
        data = json.loads(decode_html(body, content_type))
    except ValueError as exc:
        raise JsonApiError(f"response from {url} is not JSON: {str(exc).splitlines()[0]}") from None
    items = _value(data, mapping.items)
    if items is None:
        raise JsonApiError(f"items path {mapping.items!r} matches nothing in the response from {url}")
    if not isinstance(items, list):
        raise JsonApiError(f"items path {mapping.items!r} gives {type(items).__name__}, not a list, at {url}")
    fields = mapping.fields
    result = ParsedJson(items=len(items))
    for item in items:
        link = _value(item, fields.url)
        if not isinstance(link, (str, int)) or not str(link).strip():
            result.skipped += 1
            continue
        absolute = urljoin(url, str(link).strip())
        if not absolute.startswith(("http://", "https://")):
            result.skipped += 1
            continue
        thread = _value(item, fields.thread_url)
        result.mentions.append(make_mention(
            source, url=absolute, title=_text(_value(item, fields.title)), text=_text(_value(item, fields.text)),
            fetched_at=fetched_at, published_at=_time(_value(item, fields.published_at), now=now, tz=tz),
            author=_text(_value(item, fields.author)),
            thread_url=urljoin(url, str(thread)) if isinstance(thread, str) and thread else None,
            replies=_value(item, fields.replies), views=_value(item, fields.views),
            likes=_value(item, fields.likes), shares=_value(item, fields.shares)))
    return result
