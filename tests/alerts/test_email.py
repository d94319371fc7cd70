"""The email notifier against a local SMTP sink: delivery, auth, retryable vs permanent."""
from __future__ import annotations

import email
import email.policy

import pytest
from alert_helpers import BASE_YAML, alerts_model
from smtp_sink import SmtpSink

from alerts.notifiers.base import Transports, build_notifier
from alerts.notifiers.email import EmailNotifier
from alerts.records import Notification

NOTE = Notification(dedup_key="warning:7:red-committee:mail", kind="warning", route="red-committee", channel="mail",
                    subject="【红色预警】长河银行 · 挤兑传闻", body="【红色预警】长河银行 · 挤兑传闻\n处置建议：急处理", payload={})


@pytest.fixture
def sink():
    with SmtpSink() as server:
        yield server


def mail_channel(port: int, extra: str = ""):
    text = BASE_YAML.replace("channels:\n  feed:", f"""channels:
  mail:
    type: email
    host: 127.0.0.1
    port: {port}
    starttls: false
    username: monitor
    password: {{env: TEST_SMTP_PASSWORD}}
    sender: monitor@bank.example
    recipients: [risk@bank.example, board@bank.example]
    timeout_seconds: 5{extra}
  feed:""")
    return alerts_model(text).channels["mail"]


def test_message_is_delivered_with_password_from_env(sink):
    env = {"TEST_SMTP_PASSWORD": sink.state.password}
    notifier = build_notifier("mail", mail_channel(sink.port), transports=Transports(environ=env), base_dir=None)
    result = notifier.send(NOTE)
    assert result.ok, result.error
    assert sink.state.auth_seen == [("monitor", "s3cret-pw")]
    [envelope] = sink.state.messages
    assert len(envelope["rcpt"]) == 2
    message = email.message_from_bytes(envelope["data"], policy=email.policy.default)
    assert message["Subject"] == NOTE.subject
    assert message["X-Alert-Key"] == NOTE.dedup_key
    assert message.get_content().replace("\r\n", "\n").strip() == NOTE.body


def test_bad_password_is_permanent_and_never_in_the_error(sink):
    wrong = EmailNotifier(host="127.0.0.1", port=sink.port, sender="a@b.example", recipients=["c@d.example"],
                          starttls=False, username="monitor", password="WRONG-pass-99", timeout=5)
    result = wrong.send(NOTE)
    assert not result.ok and not result.retryable
    assert result.error == f"email via 127.0.0.1:{sink.port}: authentication failed (535)"
    assert "WRONG-pass-99" not in result.error


def test_temporary_smtp_reply_is_retryable_and_refused_recipients_are_not(sink):
    notifier = EmailNotifier(host="127.0.0.1", port=sink.port, sender="a@b.example", recipients=["c@d.example"],
                             starttls=False, timeout=5)
    sink.state.mail_reply = "451 4.3.0 try again later"
    busy = notifier.send(NOTE)
    assert busy.retryable and busy.error == f"email via 127.0.0.1:{sink.port}: SMTP 451: 4.3.0 try again later"
    sink.state.mail_reply = "250 OK"
    sink.state.rcpt_reply = "550 5.1.1 no such user"
    refused = notifier.send(NOTE)
    assert not refused.ok and not refused.retryable and "recipients refused" in refused.error


def test_unreachable_server_is_retryable():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = EmailNotifier(host="127.0.0.1", port=port, sender="a@b.example", recipients=["c@d.example"],
                           starttls=False, timeout=2).send(NOTE)
    assert result.retryable and result.error.startswith(f"email via 127.0.0.1:{port}: ConnectionRefusedError")


def test_starttls_to_a_server_without_it_is_permanent(sink):
    result = EmailNotifier(host="127.0.0.1", port=sink.port, sender="a@b.example", recipients=["c@d.example"],
                           starttls=True, timeout=5).send(NOTE)
    assert not result.ok and not result.retryable
    assert "STARTTLS" in result.error


def test_starttls_with_an_internal_ca_from_the_config_folder(sink, tmp_path):
    from tls_cert import make_tls

    tls = make_tls(tmp_path)
    sink.state.tls = tls.server_context()
    channel = mail_channel(sink.port, "\n    ca_file: ca.pem").model_copy(update={"starttls": True})
    env = {"TEST_SMTP_PASSWORD": sink.state.password}
    notifier = build_notifier("mail", channel, transports=Transports(environ=env), base_dir=None, config_dir=tmp_path)
    result = notifier.send(NOTE)
    assert result.ok, result.error
    assert sink.state.tls_used == [True] and sink.state.auth_seen == [("monitor", "s3cret-pw")]
    # without the internal CA the server's certificate is not trusted: permanent, no password sent
    untrusted = build_notifier("mail", channel.model_copy(update={"ca_file": None}),
                               transports=Transports(environ=env), base_dir=None)
    refused = untrusted.send(NOTE)
    assert not refused.ok and not refused.retryable and refused.error.startswith(
        f"email via 127.0.0.1:{sink.port}: TLS failed: [SSL: CERTIFICATE_VERIFY_FAILED]")
    assert len(sink.state.auth_seen) == 1
