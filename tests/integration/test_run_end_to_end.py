"""`pipeline.py run` over the demo sites: rerun stores nothing twice; kill -9 then rerun loses nothing."""
from __future__ import annotations

import signal
import time

import pytest

from demo.run import config_folder_for_port as config_for
from demo.server import serve
from demo.story import STORY_NOW

from .helpers import pipeline, query, start_pipeline, state

NOW = STORY_NOW.isoformat()


@pytest.fixture(scope="module")
def site():
    with serve(0) as server:
        yield server


def _run(cfg, db_file, *extra):
    result = pipeline("run", "--config", str(cfg), "--db", f"sqlite:///{db_file}", "--now", NOW, "--force", *extra)
    assert result.returncode == 0, result.stderr
    return result


@pytest.mark.slow
def test_rerun_stores_every_mention_once(site, tmp_path):
    cfg = config_for(site.port, tmp_path / "cfg")
    db_file = tmp_path / "m.db"
    _run(cfg, db_file)
    first = state(db_file)
    assert len(first["mentions"]) >= 40
    assert first["annotations"] and first["events"]
    _run(cfg, db_file)
    assert state(db_file) == first


def _kill_when(cfg, db_file, condition_sql: str, deadline_s: float = 120) -> bool:
    """Start a run and SIGKILL it as soon as `condition_sql` returns a row; False if it finished first."""
    proc = start_pipeline("run", "--config", str(cfg), "--db", f"sqlite:///{db_file}", "--now", NOW, "--force")
    end = time.monotonic() + deadline_s
    try:
        while time.monotonic() < end:
            if proc.poll() is not None:
                return False
            if db_file.exists() and query(db_file, condition_sql):
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return True
            time.sleep(0.02)
        raise AssertionError("run neither finished nor reached the kill point")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_kill_9_then_rerun_reaches_the_same_state(site, tmp_path):
    cfg = config_for(site.port, tmp_path / "cfg")
    reference = tmp_path / "reference.db"
    _run(cfg, reference)
    expected = state(reference)

    crashed = tmp_path / "crashed.db"
    kills = [
        f"SELECT 1 FROM runs WHERE id = (SELECT max(id) FROM runs) AND status = 'running' AND stage IN ({stages})"
        for stages in ("'crawl'", "'analyse'", "'score', 'alert'")
    ]
    killed = sum(_kill_when(cfg, crashed, sql) for sql in kills)
    assert killed >= 1, "no run could be interrupted"
    _run(cfg, crashed)
    assert state(crashed) == expected
