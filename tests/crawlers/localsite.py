"""A real HTTP server on 127.0.0.1 (random port) whose routes misbehave on purpose."""
from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import urlsplit

Route = Callable[["Handler"], None]


class Handler(BaseHTTPRequestHandler):
    server: "LocalSite"
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        self.server.hits[path] += 1
        self.server.requests.append((path, dict(self.headers)))
        route = self.server.routes.get(path)
        if route is None:
            self.reply(404, b"not found", "text/plain")
            return
        try:
            route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (size cap, timeout): that is the point of some routes

    def reply(self, status: int, body: bytes = b"", ctype: str | None = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class LocalSite(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, routes: dict[str, Route]):
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes = dict(routes)
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.base = f"http://127.0.0.1:{self.server_address[1]}"
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> "LocalSite":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


def static(body: bytes | str, ctype: str | None = "text/html; charset=utf-8", status: int = 200,
           headers: dict[str, str] | None = None) -> Route:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return lambda h: h.reply(status, data, ctype, headers)


def redirect(to: str) -> Route:
    return lambda h: h.reply(302, b"", None, {"Location": to})


def hang(seconds: float = 5.0) -> Route:
    def route(h: Handler) -> None:
        time.sleep(seconds)
        h.reply(200, b"too late")
    return route


def huge(total: int, *, declare: bool) -> Route:
    def route(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        if declare:
            h.send_header("Content-Length", str(total))
        h.end_headers()
        chunk = b"<p>" + b"x" * 65_530 + b"</p>"
        sent = 0
        while sent < total:
            h.wfile.write(chunk)
            sent += len(chunk)
    return route


def fail_then(first: list[tuple[int, dict[str, str]]], then: Route) -> Route:
    """Answer with the given (status, headers) for the first calls, then with ``then``."""
    calls = {"n": 0}

    def route(h: Handler) -> None:
        n = calls["n"]
        calls["n"] += 1
        if n < len(first):
            status, headers = first[n]
            h.reply(status, b"busy", "text/plain", headers)
        else:
            then(h)
    return route


def conditional(body: bytes, etag: str, ctype: str) -> Route:
    def route(h: Handler) -> None:
        if h.headers.get("If-None-Match") == etag:
            h.reply(304, b"", None, {"ETag": etag})
        else:
            h.reply(200, body, ctype, {"ETag": etag, "Last-Modified": "Mon, 16 Mar 2026 03:20:00 GMT"})
    return route


ROBOTS_ALLOW = static("User-agent: *\nAllow: /\n", "text/plain")
