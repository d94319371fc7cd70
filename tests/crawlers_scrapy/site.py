"""A tiny local web site for spider tests: routes are functions of (path, query) -> Reply.

Runs http.server in a thread on 127.0.0.1 with a free port. Records every request with its time,
so tests can check politeness (Retry-After waits, robots.txt obeyed).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes | Iterator[bytes] = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    length: int | None = None  # Content-Length for streamed bodies
    hang: bool = False  # never answer


def html(text: str, status: int = 200, **headers: str) -> Reply:
    return Reply(status=status, body=text.encode("utf-8"), headers=headers)


Route = Callable[[str, dict[str, list[str]]], Reply]


class Site:
    def __init__(self, routes: dict[str, Route | Reply]):
        self.routes = routes
        self.hits: list[tuple[float, str, str]] = []  # (time, path with query, user agent)
        self._release = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                site.hits.append((time.monotonic(), self.path, self.headers.get("User-Agent", "")))
                route = site.routes.get(parts.path)
                if route is None:
                    reply = Reply(404, b"<html><body>not found</body></html>")
                else:
                    reply = route(parts.path, parse_qs(parts.query)) if callable(route) else route
                if reply.hang:
                    site._release.wait(30)
                    return
                try:
                    self.send_response(reply.status)
                    if reply.content_type:
                        self.send_header("Content-Type", reply.content_type)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    if isinstance(reply.body, bytes):
                        self.send_header("Content-Length", str(len(reply.body)))
                        self.end_headers()
                        self.wfile.write(reply.body)
                    else:
                        self.send_header("Content-Length", str(reply.length))
                        self.end_headers()
                        for chunk in reply.body:
                            self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Site":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return self.base + path

    def times(self, path: str) -> list[float]:
        return [t for t, p, _ in self.hits if p == path]
