"""Helpers for the dashboard tests: ``call`` drives the WSGI app without a server; row builders."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

NOW = datetime(2026, 3, 15, 6, 0, tzinfo=timezone.utc)
T0 = NOW - timedelta(hours=5)
HASH = "abcdef0123456789"
SCRIPT_TITLE = '长河银行取款难<script>alert("x")</script>'


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        import json

        return json.loads(self.text)


def call(app, method: str = "GET", path: str = "/", form: Any = None,
         content_type: str = "application/x-www-form-urlencoded", headers: dict[str, str] | None = None) -> Reply:
    environ: dict[str, Any] = {"REQUEST_METHOD": method, "PATH_INFO": path}
    for name, value in (headers or {}).items():  # as a WSGI server passes them: latin-1 text
        environ["HTTP_" + name.upper().replace("-", "_")] = value.encode("utf-8").decode("latin-1")
    body = urlencode(form or {}).encode("utf-8")
    if method == "POST":
        environ.update(CONTENT_TYPE=content_type, CONTENT_LENGTH=str(len(body)))
    environ["wsgi.input"] = io.BytesIO(body)
    setup_testing_defaults(environ)
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    chunks = app(environ, start_response)
    text = b"".join(chunks).decode("utf-8")
    return Reply(int(seen["status"].split()[0]), seen["headers"], text)


def mention_row(mid: int, title: str | None, url: str, at: datetime, **extra: Any):
    from storage.models import Mention

    return Mention(id=mid, source=extra.pop("source", "forum-a"), channel="forum", url=url, canonical_url=url,
                   fingerprint=f"fp{mid}", simhash=mid, band0=mid, band1=mid, band2=mid, band3=mid, title=title,
                   text=extra.pop("text", "正文内容"), author=f"user{mid}", published_at=at, fetched_at=at,
                   site="forum.example", **extra)


def annotation_row(mid: int, polarity: str, harm: int):
    from storage.models import Annotation

    return Annotation(mention_id=mid, model_version="test", polarity=polarity, sentiment=-0.8 if polarity == "neg"
                      else 0.0, topics=["queue_wait"], watched=["长河银行"], harm=harm, analysed_at=T0, scored_at=T0)


ORANGE_RULES = [{"kind": "rule", "name": "orange", "colour": "orange",
                 "conditions": ["sites >= 3 (实际 4)", "harm_max >= 2 (实际 2)"]},
                {"kind": "rule", "name": "blue", "colour": "blue", "conditions": ["stories >= 1 (实际 5)"]}]
ORANGE_INDICATORS = {"stories": 5, "authors": 4, "sites": 4, "harm_max": 2, "heat": 3.5}


