"""A non-blocking run lock: a second `run` exits at once; a crashed run's lock frees itself.

flock() locks belong to the open file description, so the kernel drops them when the process
dies, however it dies: no stale-lock cleanup is ever needed.
"""
from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from config.errors import AlreadyRunning


def default_lock_path(db_url: str) -> Path:
    """Next to a SQLite file; otherwise in the working folder (one per machine)."""
    if db_url.startswith("sqlite:///") and not db_url.endswith(":memory:"):
        return Path(db_url[len("sqlite:///"):] + ".lock")
    return Path(".monitor-run.lock")


@contextmanager
def run_lock(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise AlreadyRunning(f"another run is in progress (pid {holder}, lock {path}); "
                                 "this one exits without doing anything") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
