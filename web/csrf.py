"""CSRF tokens for the dashboard's forms, without sessions or cookies.

A token is ``<issued unix time>.<HMAC-SHA256(secret, purpose|issued)>``. The secret is made
afresh for each process, so a restart invalidates open forms (staff reload the page) and no
secret is ever stored. A page from another site cannot read a token (same-origin policy), so it
cannot forge a correction even though the reverse proxy's authentication rides along.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

TOKEN_LIFETIME_S = 12 * 3600


class CsrfTokens:
    def __init__(self, secret: bytes | None = None, lifetime_s: float = TOKEN_LIFETIME_S):
        self._secret = secret or secrets.token_bytes(32)
        self.lifetime_s = lifetime_s

    def _mac(self, purpose: str, issued: int) -> str:
        return hmac.new(self._secret, f"{purpose}|{issued}".encode(), hashlib.sha256).hexdigest()

    def issue(self, purpose: str, now: datetime) -> str:
        issued = int(now.timestamp())
        return f"{issued}.{self._mac(purpose, issued)}"

    def valid(self, token: str | None, purpose: str, now: datetime) -> bool:
        if not token or "." not in token:
            return False
        issued_text, mac = token.split(".", 1)
        try:
            issued = int(issued_text)
        except ValueError:
            return False
        if not hmac.compare_digest(mac, self._mac(purpose, issued)):
            return False
        age = now.timestamp() - issued
        return -300 <= age <= self.lifetime_s  # a little slack for a clock stepped back
