#!/usr/bin/env python3
"""Bank public-opinion monitor: crawl -> analyse -> score -> alert.

This file is the edge: it gathers the commands from commands/ and is the only place where an
error becomes a message on stderr and an exit code. See EXIT_CODES (also in the README).
"""
from __future__ import annotations

import importlib
import logging
import sys

import click

from config.errors import AlreadyRunning, ConfigError, InputError, NotFound
from storage.errors import DatabaseLocked, DatabaseUnavailable, DiskFull, StorageError

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_CONFIG = 2  # bad configuration or bad command-line usage; nothing was written
EXIT_INPUT = 3  # bad input data (import file, JSON lines, corpus); nothing of it was stored
EXIT_DB_UNAVAILABLE = 4
EXIT_DB_LOCKED = 5
EXIT_DISK_FULL = 6
EXIT_NOT_FOUND = 7
EXIT_ALREADY_RUNNING = 75  # EX_TEMPFAIL: another run holds the lock; cron may simply try later
EXIT_INTERRUPTED = 130

EXIT_CODES = {
    EXIT_OK: "success",
    EXIT_INTERNAL: "internal error (a bug: please report it with the log)",
    EXIT_CONFIG: "configuration or usage error",
    EXIT_INPUT: "bad input data",
    EXIT_DB_UNAVAILABLE: "database unreachable or URL invalid",
    EXIT_DB_LOCKED: "SQLite database locked by another process",
    EXIT_DISK_FULL: "disk full",
    EXIT_NOT_FOUND: "named event, source or file not found",
    EXIT_ALREADY_RUNNING: "another run is in progress",
    EXIT_INTERRUPTED: "interrupted",
}

COMMAND_MODULES = ("commands.core", "commands.crawl", "commands.nlp", "commands.sentiment", "commands.scoring",
                   "commands.alerts", "commands.web", "commands.extract")

# Extra exception types a command module maps to exit codes: {exception class: exit code}.
# Modules may declare ERRORS = {cls: "input" | "not_found" | "config"} to join in.
_KIND_CODES = {"input": EXIT_INPUT, "not_found": EXIT_NOT_FOUND, "config": EXIT_CONFIG}

log = logging.getLogger("pipeline")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="bank-opinion-monitor")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug) [env MONITOR_LOG_LEVEL].")
def cli(verbose: int) -> None:
    """Public-opinion monitoring and four-colour early warning for banks.

    Every command takes --config DIR, --thresholds FILE, --db URL and --now TIME.
    Exit codes: 0 ok, 1 internal error, 2 config/usage, 3 bad input, 4 database unreachable,
    5 database locked, 6 disk full, 7 not found, 75 another run in progress.
    """
    from commands.logsetup import configure

    configure({0: None, 1: "INFO"}.get(verbose, "DEBUG"))


def _load_commands() -> dict[type[BaseException], int]:
    extra: dict[type[BaseException], int] = {}
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        for command in getattr(module, "COMMANDS", []):
            cli.add_command(command)
        for cls, kind in getattr(module, "ERRORS", {}).items():
            extra[cls] = _KIND_CODES[kind]
    return extra


def _fail(code: int, message: str) -> int:
    click.echo(f"error: {message}", err=True)
    return code


def main(argv: list[str] | None = None) -> int:
    extra = _load_commands()
    try:
        cli.main(args=argv, prog_name="pipeline.py", standalone_mode=False)
        return EXIT_OK
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return EXIT_CONFIG if exc.exit_code == 2 else exc.exit_code
    except click.Abort:
        return _fail(EXIT_INTERRUPTED, "aborted")
    except ConfigError as exc:
        for issue in exc.issues:
            click.echo(f"config error: {issue}", err=True)
        return EXIT_CONFIG
    except InputError as exc:
        return _fail(EXIT_INPUT, str(exc))
    except NotFound as exc:
        return _fail(EXIT_NOT_FOUND, str(exc))
    except AlreadyRunning as exc:
        return _fail(EXIT_ALREADY_RUNNING, str(exc))
    except DatabaseUnavailable as exc:
        return _fail(EXIT_DB_UNAVAILABLE, str(exc))
    except DatabaseLocked as exc:
        return _fail(EXIT_DB_LOCKED, str(exc))
    except DiskFull as exc:
        return _fail(EXIT_DISK_FULL, str(exc))
    except StorageError as exc:
        return _fail(EXIT_DB_UNAVAILABLE, str(exc))
    except KeyboardInterrupt:
        return _fail(EXIT_INTERRUPTED, "interrupted")
    except OSError as exc:
        import errno

        if exc.errno == errno.ENOSPC:
            return _fail(EXIT_DISK_FULL, f"disk full: {exc.filename or ''}".strip())
        raise_or = _mapped(exc, extra)
        if raise_or is not None:
            return _fail(raise_or, str(exc))
        log.exception("internal error")
        return _fail(EXIT_INTERNAL, f"internal error: {exc}")
    except Exception as exc:  # noqa: BLE001 - the edge: everything unexpected is a bug report
        code = _mapped(exc, extra)
        if code is not None:
            return _fail(code, str(exc))
        log.exception("internal error")
        return _fail(EXIT_INTERNAL, f"internal error: {type(exc).__name__}: {exc}")


def _mapped(exc: BaseException, extra: dict[type[BaseException], int]) -> int | None:
    for cls, code in extra.items():
        if isinstance(exc, cls):
            return code
    return None


if __name__ == "__main__":
    sys.exit(main())
