"""A tiny local HTTP server for the bundled sample sites (``demo/sites/``).

``pipeline.py demo`` and the tests crawl these sites instead of the internet, so the
server only ever binds a loopback address. Files are served as they are on disk,
with two exceptions that make the sites behave like real ones:

* The ``Content-Type`` charset is taken from the page itself (``<meta charset>`` or
  the XML declaration), so the GBK and Big5 pages arrive with matching headers.
* ``__BASE_URL__`` in ``.xml`` files is replaced by the server's base URL, because
  RSS links must be absolute and the port is only known once the server is bound.

``ETag``/``If-None-Match`` and ``Last-Modified``/``If-Modified-Since`` are honoured so
conditional fetching can be exercised too.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
import threading
from datetime import timezone
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

from demo.story import LAST_ITEM_AT

log = logging.getLogger(__name__)

SITES_DIR = Path(__file__).resolve().parent / "sites"
BASE_URL_TOKEN = b"__BASE_URL__"

_MEDIA_TYPES = {
    ".html": "text/html",
    ".xml": "application/rss+xml",
    ".css": "text/css",
    ".txt": "text/plain",
}
_TEXT_SUFFIXES = frozenset(_MEDIA_TYPES)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_-]+)""", re.I)
# Every page "last changed" when the story's last item was published.
_LAST_MODIFIED = LAST_ITEM_AT.astimezone(timezone.utc).replace(microsecond=0)


def declared_charset(body: bytes) -> str:
    """The charset a page declares in its first kilobyte (utf-8 when it declares none)."""
    head = body[:1024]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii").lower() if match else "utf-8"


class _Handler(BaseHTTPRequestHandler):
    server: "_DemoHTTPServer"
    server_version = "changhe-demo/1.0"

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._respond(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(with_body=False)

    def _respond(self, with_body: bool) -> None:
        path = self._resolve(urlsplit(self.path).path)
        if path is None:
            self._send_plain(HTTPStatus.NOT_FOUND, "not found\n", with_body)
            return
        body = path.read_bytes()
        if path.suffix == ".xml":
            body = body.replace(BASE_URL_TOKEN, self.server.base_url.encode("ascii"))
        media_type = _MEDIA_TYPES.get(path.suffix, "application/octet-stream")
        if path.suffix in _TEXT_SUFFIXES:
            media_type += f"; charset={declared_charset(body)}"
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self._not_modified(etag):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", format_datetime(_LAST_MODIFIED, usegmt=True))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _resolve(self, url_path: str) -> Path | None:
        """Map a URL path to a file under the sites folder, or None (never escapes it)."""
        root = self.server.root
        relative = unquote(url_path).lstrip("/")
        candidate = (root / relative).resolve()
        if not candidate.is_relative_to(root):
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def _not_modified(self, etag: str) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match.strip() == "*"
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since:
            try:
                return parsedate_to_datetime(if_modified_since) >= _LAST_MODIFIED
            except (TypeError, ValueError):
                return False
        return False

    def _send_plain(self, status: HTTPStatus, text: str, with_body: bool) -> None:
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        # The crawl logs what it fetched; the server only adds detail when asked for.
        log.debug("demo server: " + format, *args)


class _DemoHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # Don't let close() wait for a client that keeps a connection open.
    block_on_close = False

    def __init__(self, address: tuple[str, int], root: Path) -> None:
        super().__init__(address, _Handler)
        self.root = root
        host, port = self.server_address[:2]
        self.base_url = f"http://{host}:{port}"


class DemoServer:
    """A running demo server; use as a context manager or call :meth:`close`."""

    def __init__(self, httpd: _DemoHTTPServer, thread: threading.Thread) -> None:
        self._httpd = httpd
        self._thread = thread
        self._closed = False

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` with no trailing slash."""
        return self._httpd.base_url

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def root(self) -> Path:
        return self._httpd.root

    def url(self, path: str = "") -> str:
        """Absolute URL of a path under the sites folder, e.g. ``url("news/rss.xml")``."""
        return f"{self.base_url}/{path.lstrip('/')}"

    def close(self) -> None:
        """Stop serving and release the port; safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "DemoServer":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DemoServer({self.base_url!r}, closed={self._closed})"


def serve(port: int = 0, host: str = "127.0.0.1", root: Path | None = None) -> DemoServer:
    """Start serving the sample sites in a background thread and return at once.

    ``port=0`` picks a free port (read it back from ``.port`` / ``.base_url``).
    ``host`` must be a loopback address: the demo never listens beyond this machine.
    ``root`` defaults to the bundled ``demo/sites/``.
    """
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback or ":" in host:
        raise ValueError(f"demo server host must be an IPv4 loopback address, got {host!r}")
    sites = (root or SITES_DIR).resolve()
    if not sites.is_dir():
        raise FileNotFoundError(f"demo sites folder not found: {sites}")
    httpd = _DemoHTTPServer((host, port), sites)
    thread = threading.Thread(
        target=httpd.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"demo-server-{httpd.server_address[1]}",
        daemon=True,
    )
    thread.start()
    log.debug("demo server listening on %s", httpd.base_url)
    return DemoServer(httpd, thread)
