"""Helpers for end-to-end tests: running pipeline.py, reading what a run left in SQLite."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]


def pipeline(*args: str, timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "pipeline.py"), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=kw.pop("cwd", None), **kw)


def start_pipeline(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "pipeline.py"), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def query(db_file: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(db_file)
    try:
        return con.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        con.close()


def state(db_file: Path) -> dict[str, object]:
    """What a run leaves behind, independent of row ids and wall-clock times."""
    return {
        "mentions": sorted(query(db_file, "SELECT canonical_url, fingerprint FROM mentions")),
        "sightings": sorted(query(db_file, "SELECT canonical_url FROM mention_sightings")),
        "annotations": sorted(query(db_file, "SELECT m.canonical_url, a.polarity, a.topics, a.watched, a.harm "
                                             "FROM annotations a JOIN mentions m ON m.id = a.mention_id")),
        "events": sorted(query(db_file, "SELECT key, colour, status FROM events")),
        "event_mentions": sorted(query(db_file, "SELECT e.key, m.canonical_url FROM event_mentions em "
                                                "JOIN events e ON e.id = em.event_id JOIN mentions m ON m.id = em.mention_id")),
        "warnings": sorted(query(db_file, "SELECT e.key, w.colour, w.previous_colour FROM warnings w "
                                          "JOIN events e ON e.id = w.event_id")),
        "alerts": sorted(query(db_file, "SELECT dedup_key, status FROM alerts")),
    }
