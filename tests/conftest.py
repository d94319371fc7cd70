"""Shared fixtures: a fresh SQLite database, and a fresh PostgreSQL database when a server is up."""
from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = os.environ.get("MONITOR_TEST_PG_URL", "postgresql://root@127.0.0.1:5432/test")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/monitor.db"


@pytest.fixture
def db(sqlite_url: str):
    from storage.db import Database

    database = Database(sqlite_url)
    database.create_schema()
    yield database
    database.dispose()


def _pg_admin():
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - psycopg is a declared dependency
        pytest.skip(f"psycopg not installed: {exc}")
    url = PG_ADMIN_URL.replace("postgresql://", "postgresql://", 1)
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        pytest.skip(f"no PostgreSQL server reachable at {PG_ADMIN_URL} ({type(exc).__name__}); "
                    "set MONITOR_TEST_PG_URL to run these tests")


@pytest.fixture
def pg_url():
    """A brand-new PostgreSQL database for one test, dropped afterwards."""
    admin = _pg_admin()
    name = f"monitor_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()
