"""Commands for the web area: serve-web, the monitoring staff's dashboard."""
from __future__ import annotations

import logging
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import click

from .options import AppContext, common_options

log = logging.getLogger("web")


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    """One thread per request, so a slow page does not hold up /healthz; threads die with us."""

    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    """Access lines go to the structured log instead of raw stderr."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        log.info("request", extra={"client": self.client_address[0], "line": format % args})


@click.command("serve-web")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Keep 127.0.0.1 and publish it through the bank's authenticating "
                   "reverse proxy (see docs/web.md); the dashboard has no login of its own.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="Port to listen on (0 picks a free one).")
@click.option("--language", type=click.Choice(["zh-Hans", "zh-Hant"]),
              help="Page language [default: alerts.yaml's language].")
@click.option("--user-header", envvar="MONITOR_WEB_USER_HEADER", metavar="NAME",
              help="Header the authenticating reverse proxy sets to the signed-in user (e.g. X-Remote-User); "
                   "corrections, merges and splits are then recorded under that name, not a typed one. Only "
                   "set it when every request passes through that proxy [env MONITOR_WEB_USER_HEADER].")
@common_options
def serve_web(app: AppContext, host: str, port: int, language: str | None, user_header: str | None) -> None:
    """Serve the dashboard: alert feed, events, source health, sentiment corrections, /healthz.

    Pages: / (alert feed), /events, /events/ID, /sources, /healthz; JSON: /api/alerts,
    /api/events, /api/events/ID. Runs until interrupted (Ctrl-C or SIGTERM from the service manager)."""
    from web import make_app

    config = app.config
    db = app.db()
    wsgi = make_app(config, db, clock=app.now, language=language, user_header=user_header)
    try:
        server = make_server(host, port, wsgi, server_class=_ThreadingServer, handler_class=_QuietHandler)
    except OSError as exc:
        raise click.UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    bound_host, bound_port = server.server_address[:2]
    if host not in ("127.0.0.1", "::1", "localhost"):
        log.warning("dashboard listening beyond localhost; it has no login: put it behind an authenticating proxy",
                    extra={"host": host})
    click.echo(f"dashboard on http://{bound_host}:{bound_port}/ (Ctrl-C to stop)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


COMMANDS: list[click.Command] = [serve_web]
