"""`pipeline.py serve-web` serves the app over real HTTP on 127.0.0.1 (a free port)."""
from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _wait_for_url(proc: subprocess.Popen, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stderr], [], [], 0.2)
        if ready:
            line = proc.stderr.readline()
            seen += line
            match = re.search(r"dashboard on (http://\S+/)", line)
            if match:
                return match.group(1)
        if proc.poll() is not None:
            break
    raise AssertionError(f"serve-web did not start: {seen}")


def test_serve_web_answers_over_http(seeded):
    env = {**os.environ, "MONITOR_NOW": "2026-03-15T06:00:00Z"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "pipeline.py"), "serve-web", "--port", "0",
                             "--db", seeded.url], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        base = _wait_for_url(proc)
        assert base.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(base + "healthz", timeout=10) as reply:
            doc = json.loads(reply.read())
        assert doc["database"] == "ok" and doc["checked_at"].startswith("2026-03-15T06:00")
        with urllib.request.urlopen(base + "events/1", timeout=10) as reply:
            assert "研判说明" in reply.read().decode("utf-8")
        try:
            urllib.request.urlopen(base + "events/999", timeout=10)
            raise AssertionError("expected 404")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stderr.close()
