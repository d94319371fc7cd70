"""The webhook notifier: payload, retryable vs permanent failures, redaction. No network but a
local server on 127.0.0.1 for the one integration test."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from alert_helpers import BASE_YAML, alerts_model

from alerts.notifiers.base import Transports, build_notifier, redact, redact_url
from alerts.notifiers.webhook import WebhookNotifier
from alerts.records import Notification

SECRET_URL = "https://qyapi.example.com/cgi-bin/webhook/send?key=SECRET-BOT-KEY-123"
NOTE = Notification(dedup_key="warning:7:orange-group:wecom", kind="warning", route="orange-group", channel="wecom",
                    subject="【橙色预警】长河手机银行 · 系统故障", body="【橙色预警】长河手机银行 · 系统故障\n变化：新发预警",
                    payload={"version": "1", "id": "warning:7", "colour": "orange"})


def notifier(handler, fmt="json", url=SECRET_URL, **kwargs) -> WebhookNotifier:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return WebhookNotifier(url, fmt=fmt, client=client, timeout=2, **kwargs)


def test_json_payload_is_posted_with_idempotency_key():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    assert notifier(handler).send(NOTE).ok
    [request] = seen
    assert json.loads(request.content) == {"version": "1", "id": "warning:7", "colour": "orange"}
    assert request.headers["Idempotency-Key"] == "warning:7:orange-group:wecom"
    assert request.headers["content-type"] == "application/json"
    chinese_route = Notification(**{**NOTE.__dict__, "dedup_key": "warning:7:橙色:wecom"})
    assert notifier(handler).send(chinese_route).ok
    assert seen[1].headers["Idempotency-Key"] == "warning:7:%E6%A9%99%E8%89%B2:wecom"


def test_wecom_and_dingtalk_bodies():
    bodies = []

    def handler(request):
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok"})

    assert notifier(handler, fmt="wecom").send(NOTE).ok
    assert notifier(handler, fmt="dingtalk").send(NOTE).ok
    assert bodies[0] == {"msgtype": "markdown", "markdown": {
        "content": "**【橙色预警】长河手机银行 · 系统故障**\n\n【橙色预警】长河手机银行 · 系统故障\n\n变化：新发预警"}}
    assert bodies[1]["markdown"]["title"] == NOTE.subject


@pytest.mark.parametrize("status, retryable", [(500, True), (503, True), (429, True), (408, True),
                                               (400, False), (401, False), (404, False)])
def test_http_status_decides_retry(status, retryable):
    result = notifier(lambda r: httpx.Response(status, text="nope")).send(NOTE)
    assert not result.ok and result.retryable is retryable
    assert result.error == f"webhook https://qyapi.example.com/<redacted>: HTTP {status}: nope"


def test_network_errors_and_timeouts_are_retryable_and_redacted():
    def refuse(request):
        raise httpx.ConnectError(f"cannot connect to {request.url}")

    def slow(request):
        raise httpx.ReadTimeout("read timed out", request=request)

    refused = notifier(refuse).send(NOTE)
    assert refused.retryable and "SECRET-BOT-KEY-123" not in refused.error
    assert refused.error == ("webhook https://qyapi.example.com/<redacted>: ConnectError: cannot connect to "
                             "https://qyapi.example.com/<redacted>")
    timed_out = notifier(slow).send(NOTE)
    assert timed_out.retryable and timed_out.error == "webhook https://qyapi.example.com/<redacted>: timed out after 2 s"


def test_bot_errcodes():
    limited = notifier(lambda r: httpx.Response(200, json={"errcode": 45009, "errmsg": "api freq out of limit"}),
                       fmt="wecom").send(NOTE)
    assert limited.retryable and "bot errcode 45009" in limited.error
    bad_key = notifier(lambda r: httpx.Response(200, json={"errcode": 93000, "errmsg": "invalid webhook url"}),
                       fmt="wecom").send(NOTE)
    assert not bad_key.ok and not bad_key.retryable


def test_secrets_from_env_never_appear_in_error_text():
    text = BASE_YAML.replace("channels:\n  feed:", """channels:
  hook:
    type: webhook
    url: {env: HOOK_URL}
    token: {env: HOOK_TOKEN}
  feed:""")
    channel = alerts_model(text).channels["hook"]

    def echo(request):  # a server that echoes the request headers back in its error body
        return httpx.Response(400, text=f"bad auth {request.headers['Authorization']} for {request.url}")

    env = {"HOOK_URL": "https://hooks.example.org/p/abc?sig=TOPSECRETSIG", "HOOK_TOKEN": "tok-SUPERSECRET"}
    hook = build_notifier("hook", channel, transports=Transports(http=httpx.MockTransport(echo), environ=env),
                          base_dir=None)
    result = hook.send(NOTE)
    assert not result.retryable
    assert "TOPSECRETSIG" not in result.error and "SUPERSECRET" not in result.error
    assert result.error == ("webhook https://hooks.example.org/<redacted>: HTTP 400: bad auth Bearer <redacted> "
                            "for https://hooks.example.org/<redacted>")


def test_redaction_helpers():
    assert redact_url("https://user:pw@h.example:8443/x?y=1") == "https://h.example:8443/<redacted>"
    assert redact_url("http://h.example") == "http://h.example"
    assert redact("password hunter22 and hunter2", ["hunter2", "hunter22"]) == "password <redacted> and <redacted>"


class _Receiver(BaseHTTPRequestHandler):
    received: list = []
    fail_first = 0

    def do_POST(self):  # noqa: N802 - the http.server API
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if _Receiver.fail_first > 0:
            _Receiver.fail_first -= 1
            self.send_response(503)
            self.end_headers()
            return
        _Receiver.received.append((self.path, self.headers.get("Authorization"), json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"errcode": 0}')

    def log_message(self, *args):  # keep test output quiet
        pass


@pytest.fixture
def receiver():
    _Receiver.received = []
    _Receiver.fail_first = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_real_http_round_trip_on_localhost(receiver):
    url = f"http://127.0.0.1:{receiver.server_address[1]}/hook?key=abc"
    hook = WebhookNotifier(url, headers={"Authorization": "Bearer t0k"}, timeout=5)
    _Receiver.fail_first = 1
    first = hook.send(NOTE)
    assert first.retryable and first.error == f"webhook http://127.0.0.1:{receiver.server_address[1]}/<redacted>: HTTP 503:"
    assert hook.send(NOTE).ok
    assert _Receiver.received == [("/hook?key=abc", "Bearer t0k", NOTE.payload)]
    hook.close()
    closed = WebhookNotifier(f"http://127.0.0.1:{_free_port()}/hook", timeout=2).send(NOTE)
    assert closed.retryable and "ConnectError" in closed.error


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_https_endpoint_signed_by_an_internal_ca(tmp_path):
    from tls_cert import make_tls

    tls = make_tls(tmp_path)
    _Receiver.received = []
    _Receiver.fail_first = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.socket = tls.server_context().wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        url = f"https://127.0.0.1:{server.server_address[1]}/hook"
        text = BASE_YAML.replace("channels:\n  feed:", f"channels:\n  hook: {{type: webhook, url: '{url}', "
                                                       "ca_file: ca.pem}\n  feed:")
        channel = alerts_model(text).channels["hook"]
        trusted = build_notifier("hook", channel, transports=Transports(environ={}), base_dir=None, config_dir=tmp_path)
        assert trusted.send(NOTE).ok
        assert _Receiver.received[0][2] == NOTE.payload
        untrusted = build_notifier("hook", channel.model_copy(update={"ca_file": None}),
                                   transports=Transports(environ={}), base_dir=None)
        failed = untrusted.send(NOTE)
        assert not failed.ok and "CERTIFICATE_VERIFY_FAILED" in failed.error
    finally:
        server.shutdown()
        server.server_close()
