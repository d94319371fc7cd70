"""The dashboard as a WSGI callable: routes, request parsing, responses, errors.

``make_app(config, db, clock=...)`` returns a plain WSGI application (PEP 3333), so it runs under
wsgiref (``pipeline.py serve-web``) or any WSGI server the bank already operates. Pages read
only, except the one form that stores a staff sentiment correction (CSRF-protected). There is
no login: the dashboard binds to 127.0.0.1 and is meant to sit behind the bank's authenticating
reverse proxy (docs/web.md).
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs

from config.errors import InputError, NotFound
from config.loader import Config
from storage.corrections import LABELS, UnknownMention, add_correction
from storage.db import Database
from storage.errors import StorageError

from . import queries, views
from .csrf import CsrfTokens
from .pages import Page

log = logging.getLogger(__name__)

MAX_FORM_BYTES = 16 * 1024
CSRF_PURPOSE = "staff"  # one token per page view serves all its forms
SECURITY_HEADERS = [
    # no scripts at all; inline <style> only; forms post only here; never framed
    ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cache-Control", "no-store"),
]
STATUS_TEXT = {200: "OK", 303: "See Other", 302: "Found", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
               405: "Method Not Allowed", 413: "Payload Too Large", 415: "Unsupported Media Type",
               500: "Internal Server Error", 503: "Service Unavailable"}

Clock = Callable[[], datetime]
StartResponse = Callable[..., Any]


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Response:
    def __init__(self, status: int, body: str | bytes = b"", content_type: str = "text/html; charset=utf-8",
                 headers: list[tuple[str, str]] | None = None):
        self.status = status
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.headers = [("Content-Type", content_type)] + (headers or [])

    @classmethod
    def json(cls, data: Any, status: int = 200) -> "Response":
        return cls(status, json.dumps(data, ensure_ascii=False, indent=1), "application/json; charset=utf-8")

    @classmethod
    def redirect(cls, location: str, status: int = 303) -> "Response":
        return cls(status, b"", "text/plain; charset=utf-8", [("Location", location)])


class HttpError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class Dashboard:
    """The application object; ``__call__`` is the WSGI entry point."""

    def __init__(self, config: Config, db: Database, *, clock: Clock = _utcnow, csrf: CsrfTokens | None = None,
                 language: str | None = None, user_header: str | None = None):
        self.config, self.db, self.clock = config, db, clock
        # WSGI key of the header the authenticating proxy sets to the signed-in user, if trusted
        self.user_key = "HTTP_" + user_header.upper().replace("-", "_") if user_header else None
        self.csrf = csrf or CsrfTokens()
        self.language = language or config.alerts.language
        self.page = Page(self.language, config.alerts.timezone, ask_name=self.user_key is None)
        self.routes: list[tuple[str, re.Pattern[str], Callable[..., Response]]] = [
            ("GET", re.compile(r"/"), self.feed),
            ("GET", re.compile(r"/events"), self.events),
            ("GET", re.compile(r"/events/(\d{1,18})"), self.event),
            ("GET", re.compile(r"/sources"), self.sources),
            ("POST", re.compile(r"/mentions/(\d{1,18})/sentiment"), self.correct_sentiment),
            ("POST", re.compile(r"/events/(\d{1,18})/merge"), self.merge_event),
            ("POST", re.compile(r"/events/(\d{1,18})/split"), self.split_event),
            ("GET", re.compile(r"/healthz"), self.healthz),
            ("GET", re.compile(r"/api/alerts"), self.api_alerts),
            ("GET", re.compile(r"/api/events"), self.api_events),
            ("GET", re.compile(r"/api/events/(\d{1,18})"), self.api_event),
        ]

    # ---- WSGI ----------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = environ.get("PATH_INFO") or "/"
        api = path.startswith("/api/") or path == "/healthz"
        try:
            response = self._dispatch(method, path, environ)
        except HttpError as exc:
            response = self._error(exc.status, exc.message, api)
        except StorageError as exc:
            log.warning("dashboard database error", extra={"path": path, "error": str(exc)})
            response = self._error(503, "数据库暂时不可用，请稍后刷新。", api)
        except Exception:  # noqa: BLE001 - the edge of the web app: log the bug, show a plain page
            log.exception("dashboard internal error", extra={"path": path})
            response = self._error(500, "页面出错，已记录日志，请联系运维人员。", api)
        body = b"" if method == "HEAD" else response.body
        headers = response.headers + SECURITY_HEADERS + [("Content-Length", str(len(body)))]
        start_response(f"{response.status} {STATUS_TEXT.get(response.status, '')}".strip(), headers)
        return [body]

    def _dispatch(self, method: str, path: str, environ: dict[str, Any]) -> Response:
        allowed: set[str] = set()
        for route_method, pattern, handler in self.routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            allowed.add(route_method)
            if method == route_method or (method == "HEAD" and route_method == "GET"):
                return handler(environ, *match.groups())
        if allowed:
            response = self._error(405, "不支持该请求方法。", path.startswith("/api/"))
            response.headers.append(("Allow", ", ".join(sorted(allowed | ({"HEAD"} if "GET" in allowed else set())))))
            return response
        raise HttpError(404, "页面不存在。")

    def _error(self, status: int, message: str, api: bool) -> Response:
        if api:
            return Response.json({"error": message}, status)
        return Response(status, self.page.message(f"{status} {STATUS_TEXT.get(status, '')}", message, self.clock()))

    # ---- pages ---------------------------------------------------------------------------

    def feed(self, environ: dict[str, Any]) -> Response:
        entries = views.alert_feed(self.config, self.db, self.language)
        return Response(200, self.page.feed(entries, self.clock()))

    def events(self, environ: dict[str, Any]) -> Response:
        return Response(200, self.page.events(views.open_events(self.config, self.db, self.language), self.clock()))

    def _detail(self, event_id: str, prefix: str) -> dict[str, Any] | Response:
        detail = views.event_detail(self.config, self.db, int(event_id), self.language)
        if detail is None:
            raise HttpError(404, f"没有编号为 {int(event_id)} 的事件。")
        if detail.get("merged_into") is not None:  # staff merged it: show the event that survived
            return Response.redirect(f"{prefix}/events/{int(detail['merged_into'])}", 302)
        return detail

    def event(self, environ: dict[str, Any], event_id: str) -> Response:
        detail = self._detail(event_id, "")
        if isinstance(detail, Response):
            return detail
        token = self.csrf.issue(CSRF_PURPOSE, self.clock())
        return Response(200, self.page.event(detail, self.clock(), token))

    def sources(self, environ: dict[str, Any]) -> Response:
        return Response(200, self.page.sources(views.sources(self.db), self.clock()))

    def _staff_form(self, environ: dict[str, Any]) -> tuple[dict[str, list[str]], str]:
        """The posted form, once its CSRF token and staff name check out."""
        form = _read_form(environ)
        if not self.csrf.valid(_one(form, "csrf"), CSRF_PURPOSE, self.clock()):
            raise HttpError(403, "表单已失效或来源不明（CSRF 校验失败），请刷新页面后重新提交。")
        if self.user_key:  # the proxy vouches for the user: the form cannot claim another name
            staff = " ".join(_header_text(environ.get(self.user_key, "")).split())[:100]
            if not staff:
                raise HttpError(403, "未能从认证代理获得当前用户，操作被拒绝。")
            return form, staff
        staff = " ".join(_one(form, "staff").split())[:100]
        if not staff:
            raise HttpError(400, "请填写操作人姓名。")
        return form, staff

    def correct_sentiment(self, environ: dict[str, Any], mention_id: str) -> Response:
        form, staff = self._staff_form(environ)
        label = _one(form, "label")
        if label not in LABELS:
            raise HttpError(400, "情感标签必须是 neg、neu 或 pos 之一。")
        try:
            add_correction(self.db, label=label, corrected_at=self.clock(), mention_id=int(mention_id),
                           corrected_by=staff)
        except UnknownMention:
            raise HttpError(404, f"没有编号为 {int(mention_id)} 的帖文。") from None
        log.info("sentiment corrected", extra={"mention": int(mention_id), "label": label, "by": staff})
        target = _one(form, "next")
        if not _local_path(target):
            with self.db.transaction() as session:
                event_id = queries.event_of_mention(session, int(mention_id))
            target = f"/events/{event_id}#m{int(mention_id)}" if event_id is not None else "/"
        return Response.redirect(target)

    def merge_event(self, environ: dict[str, Any], event_id: str) -> Response:
        """Staff merge: the event named in the form joins this one (stages/score.py re-evaluates)."""
        from stages.score import merge_events

        form, staff = self._staff_form(environ)
        try:
            source = int(_one(form, "source"))
        except ValueError:
            raise HttpError(400, "请填写要并入的事件编号。") from None
        with _staff_errors():
            summary = merge_events(self.config, self.db, int(event_id), source, now=self.clock())
        log.info("events merged", extra={"target": int(event_id), "source": source, "by": staff,
                                         "warnings_written": summary.warnings_written})
        return Response.redirect(f"/events/{int(event_id)}")

    def split_event(self, environ: dict[str, Any], event_id: str) -> Response:
        """Staff split: the ticked mentions leave this event for a new one."""
        from stages.score import split_event

        form, staff = self._staff_form(environ)
        try:
            mention_ids = sorted({int(v) for v in form.get("mentions", [])})
        except ValueError:
            raise HttpError(400, "帖文编号不正确。") from None
        if not mention_ids:
            raise HttpError(400, "请勾选要拆分出去的帖文。")
        topic = _one(form, "topic") or None
        if topic is not None and topic not in views.topic_keys(self.config):
            raise HttpError(400, "议题不在 taxonomy.yaml 中。")
        with _staff_errors():
            new_id, summary = split_event(self.config, self.db, int(event_id), mention_ids, now=self.clock(),
                                          topic=topic)
        log.info("event split", extra={"event": int(event_id), "new_event": new_id, "mentions": mention_ids,
                                       "by": staff, "warnings_written": summary.warnings_written})
        return Response.redirect(f"/events/{int(new_id)}")

    # ---- machine-readable ----------------------------------------------------------------

    def healthz(self, environ: dict[str, Any]) -> Response:
        ok, doc = views.health(self.db, self.clock())
        return Response.json(doc, 200 if ok else 503)

    def api_alerts(self, environ: dict[str, Any]) -> Response:
        entries = views.alert_feed(self.config, self.db, self.language)
        return Response.json({"alerts": [views.alert_json(e) for e in entries]})

    def api_events(self, environ: dict[str, Any]) -> Response:
        rows = views.open_events(self.config, self.db, self.language)
        return Response.json({"events": [views.event_json(r) for r in rows]})

    def api_event(self, environ: dict[str, Any], event_id: str) -> Response:
        detail = self._detail(event_id, "/api")
        if isinstance(detail, Response):
            return detail
        return Response.json(views.event_json(detail))


def _local_path(target: str) -> bool:
    """A redirect target on this site only: '/events/3#m7' yes, '//evil.example' or 'http://..' no."""
    return target.startswith("/") and not target.startswith("//") and "\\" not in target \
        and not any(ord(c) < 32 for c in target)


def _read_form(environ: dict[str, Any]) -> dict[str, list[str]]:
    content_type = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise HttpError(415, "表单格式不正确。")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise HttpError(400, "请求长度不正确。") from None
    if length > MAX_FORM_BYTES:
        raise HttpError(413, "表单过大。")
    raw = environ["wsgi.input"].read(length) if length > 0 else b""
    try:
        return parse_qs(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=600)
    except (UnicodeDecodeError, ValueError):
        raise HttpError(400, "表单内容无法解析。") from None


def _header_text(value: str) -> str:
    """WSGI hands headers over as latin-1; a proxy sending a UTF-8 user name gets it back whole."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def _one(form: dict[str, list[str]], key: str) -> str:
    values = form.get(key)
    return values[-1] if values else ""


@contextmanager
def _staff_errors() -> Iterator[None]:
    """The stage refuses a merge or split with InputError/NotFound (English, for the CLI): say
    so in Chinese and quote the reason."""
    try:
        yield
    except NotFound as exc:
        raise HttpError(404, f"操作未完成：找不到对象（{exc}）。") from None
    except InputError as exc:
        raise HttpError(400, f"操作未完成：{exc}。") from None


def make_app(config: Config, db: Database, *, clock: Clock = _utcnow, language: str | None = None,
             user_header: str | None = None) -> Dashboard:
    """The dashboard's WSGI callable. ``clock`` gives the current time (injected by tests and
    by ``--now``); ``language`` overrides alerts.yaml's (zh-Hans or zh-Hant); ``user_header``
    names a header set by the authenticating reverse proxy (e.g. X-Remote-User) whose value is
    recorded as the staff member instead of the form's name field."""
    return Dashboard(config, db, clock=clock, language=language, user_header=user_header)
