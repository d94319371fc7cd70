"""The edge: exit codes and one-line messages, through pipeline.main as a user runs it."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import pipeline
from demo.run import DEFAULT_PORT, config_folder_for_port

ROOT = Path(pipeline.__file__).resolve().parent


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = pipeline.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def config_copy(tmp_path: Path) -> Path:
    return config_folder_for_port(DEFAULT_PORT, tmp_path / "cfg")


def test_help_on_every_command(capsys):
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0
    commands = [line.split()[0] for line in out.split("Commands:")[1].splitlines() if line.startswith("  ")]
    assert {"run", "schedule", "demo", "check-config", "init"} <= set(commands)
    for command in commands:
        code, out, _ = run_cli(capsys, command, "--help")
        assert code == 0 and "Usage:" in out, command


def test_check_config_ok(capsys):
    code, out, _ = run_cli(capsys, "check-config")
    assert code == 0
    assert out.startswith("config OK: ")


def test_check_config_malformed_yaml(capsys, tmp_path):
    folder = config_copy(tmp_path)
    (folder / "alerts.yaml").write_text("routes: [\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "check-config", "--config", str(folder))
    assert code == 2
    assert err == f"config error: {folder}/alerts.yaml:2: expected well-formed YAML, found expected the node content, but found '<stream end>'\n"


def test_missing_config_folder(capsys, tmp_path):
    code, _, err = run_cli(capsys, "check-config", "--config", str(tmp_path / "nope"))
    assert code == 2
    assert err.splitlines()[0] == (f"config error: {tmp_path}/nope/sources.yaml: expected a config file at "
                                   f"{tmp_path}/nope/sources.yaml, found no such file")


def test_bad_now_is_a_usage_error(capsys):
    code, _, err = run_cli(capsys, "check-config", "--now", "yesterday")
    assert code == 2
    assert "expected an ISO 8601 time" in err


def test_unreachable_database_exit_4_and_nothing_written(capsys, tmp_path):
    code, _, err = run_cli(capsys, "run", "--db", "postgresql://root@127.0.0.1:1/none",
                           "--lock-file", str(tmp_path / "l"))
    assert code == 4
    assert err.startswith("error: cannot reach the database")
    assert len(err.strip().splitlines()) == 1


def test_init_writes_a_valid_starter_config(capsys, tmp_path):
    target = tmp_path / "starter"
    code, out, _ = run_cli(capsys, "init", str(target))
    assert code == 0 and "check-config" in out
    assert run_cli(capsys, "check-config", "--config", str(target))[0] == 0
    code, _, err = run_cli(capsys, "init", str(target))
    assert code == 3
    assert "already holds" in err and "--force" in err


def test_second_run_exits_75_while_first_holds_the_lock(tmp_path):
    lock = tmp_path / "run.lock"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; sys.path.insert(0, sys.argv[1]);"
        "from commands.runlock import run_lock; from pathlib import Path\n"
        "with run_lock(Path(sys.argv[2])):\n    print('locked', flush=True); time.sleep(30)"), str(ROOT), str(lock)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "run", "--lock-file", str(lock),
                                 "--db", f"sqlite:///{tmp_path}/m.db"], capture_output=True, text=True, timeout=60)
        assert result.returncode == 75
        assert result.stderr.startswith(f"error: another run is in progress (pid {holder.pid}, lock {lock})")
    finally:
        holder.kill()
        holder.wait()
    # the holder died without unlocking: its lock must not block the next run
    from commands.runlock import run_lock

    with run_lock(lock):
        pass


def test_json_logs_when_not_a_terminal(tmp_path):
    env = dict(os.environ, MONITOR_LOG_LEVEL="INFO")
    result = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "check-config"], capture_output=True,
                            text=True, env=env, timeout=60)
    assert result.returncode == 0
    for line in result.stderr.splitlines():
        assert line.startswith("{") and line.endswith("}"), line


def test_locked_sqlite_exit_5_and_nothing_written(tmp_path):
    import sqlite3

    db_file = tmp_path / "m.db"
    url = f"sqlite:///{db_file}"
    assert subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "events", "--db", url],
                          capture_output=True, text=True, timeout=60).returncode == 0
    report = tmp_path / "report.csv"
    report.write_text("日期,网点,渠道,客户原话,员工备注\n2026-03-14 09:20,长河银行武汉江汉路支行,柜台,转账失败,已登记\n",
                      encoding="utf-8")
    holder = sqlite3.connect(db_file)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        env = dict(os.environ, MONITOR_SQLITE_BUSY_TIMEOUT="0.3")
        result = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "import", str(report), "--db", url],
                                capture_output=True, text=True, timeout=60, env=env)
    finally:
        holder.rollback()
    assert result.returncode == 5, result.stderr
    assert result.stderr == ("error: the SQLite database is locked by another process; "
                             "try again when it has finished\n")
    assert sqlite3.connect(db_file).execute("SELECT count(*) FROM mentions").fetchone() == (0,)
