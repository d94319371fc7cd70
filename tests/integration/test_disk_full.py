"""A full disk: one-line error, exit code 6, and the database exactly as it was."""
from __future__ import annotations

import os
import subprocess
import uuid

import pytest

from .helpers import pipeline, query

HEADER = "日期,网点,渠道,客户原话,员工备注\n"


def _row(n: int) -> str:
    return f"2026-03-14 09:{n % 60:02d},长河银行武汉江汉路支行,柜台,客户第{n}次反映长河手机银行转账失败，卡被冻结，取不出钱{'。' * 400},已登记\n"


@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs to fill needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", f"tmpfs-{uuid.uuid4().hex[:6]}", str(mount)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _fill(folder, leave_bytes: int) -> None:
    """Fill the file system, then give back `leave_bytes` so only small writes still fit."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    os.truncate(filler, max(0, filler.stat().st_size - leave_bytes))


def test_disk_full_exit_6_and_nothing_stored(small_disk, tmp_path):
    url = f"sqlite:///{small_disk}/m.db"
    first = tmp_path / "first.csv"
    first.write_text(HEADER + _row(0), encoding="utf-8")
    ok = pipeline("import", str(first), "--db", url)
    assert ok.returncode == 0, ok.stderr
    before = query(small_disk / "m.db", "SELECT canonical_url FROM mentions")
    assert len(before) == 1

    _fill(small_disk, leave_bytes=96 * 1024)
    big = tmp_path / "big.csv"
    big.write_text(HEADER + "".join(_row(n) for n in range(1, 400)), encoding="utf-8")
    result = pipeline("import", str(big), "--db", url)
    assert result.returncode == 6, result.stderr
    assert result.stderr.startswith("error: disk full")
    assert len(result.stderr.strip().splitlines()) == 1
    (small_disk / "filler").unlink()
    assert query(small_disk / "m.db", "SELECT canonical_url FROM mentions") == before
