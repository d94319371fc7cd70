"""A tiny SMTP server for tests: enough of RFC 5321 for smtplib (EHLO, AUTH PLAIN, MAIL, RCPT,
DATA, QUIT), on 127.0.0.1 at a free port, with scripted failures."""
from __future__ import annotations

import base64
import socketserver
import ssl
import threading
from dataclasses import dataclass, field


@dataclass
class SinkState:
    password: str = "s3cret-pw"
    mail_reply: str = "250 OK"  # e.g. "451 try again later"
    rcpt_reply: str = "250 OK"
    messages: list[dict] = field(default_factory=list)
    auth_seen: list[tuple[str, str]] = field(default_factory=list)
    tls: ssl.SSLContext | None = None  # offer STARTTLS with this server context
    tls_used: list[bool] = field(default_factory=list)


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def start_tls(self, context: ssl.SSLContext) -> None:
        self.reply("220 ready to start TLS")
        self.request = context.wrap_socket(self.request, server_side=True)
        self.rfile = self.request.makefile("rb")
        self.wfile = self.request.makefile("wb")

    def handle(self) -> None:
        state: SinkState = self.server.state  # type: ignore[attr-defined]
        self.reply("220 sink ESMTP")
        envelope: dict = {"rcpt": []}
        secure = False
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-sink")
                self.reply("250-8BITMIME")
                if state.tls is not None and not secure:
                    self.reply("250-STARTTLS")
                self.reply("250 AUTH PLAIN")
            elif verb == "STARTTLS" and state.tls is not None:
                self.start_tls(state.tls)
                secure = True
            elif verb == "AUTH":
                _, user, password = base64.b64decode(line.split()[2]).decode().split("\0")
                state.auth_seen.append((user, password))
                self.reply("235 OK" if password == state.password else "535 5.7.8 bad credentials")
            elif verb == "MAIL":
                envelope["from"] = line
                self.reply(state.mail_reply)
            elif verb == "RCPT":
                envelope["rcpt"].append(line)
                self.reply(state.rcpt_reply)
            elif verb == "DATA":
                self.reply("354 go on")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(chunk)
                envelope["data"] = b"".join(data)
                state.tls_used.append(secure)
                state.messages.append(envelope)
                envelope = {"rcpt": []}
                self.reply("250 queued")
            elif verb == "RSET":
                envelope = {"rcpt": []}
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class SmtpSink:
    def __init__(self) -> None:
        self.state = SinkState()
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.state = self.state  # type: ignore[attr-defined]
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> "SmtpSink":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
