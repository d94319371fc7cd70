"""Options every command takes, and the lazily built objects they lead to."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import click

from config.loader import Config, load_config
from storage.db import Database, database_url


def parse_now(value: str | None) -> datetime | None:
    """ISO 8601; a time without a zone is taken as UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"expected an ISO 8601 time such as 2026-03-15T09:00:00+08:00, found {value!r}",
                                 param_hint="--now") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


@dataclass
class AppContext:
    """What a command needs, built on first use so `--help` and bad options cost nothing."""

    config_dir: Path | None = None
    thresholds: Path | None = None
    db_url: str | None = None
    now_override: datetime | None = None
    _config: Config | None = field(default=None, repr=False)
    _db: Database | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_dir, self.thresholds)
        return self._config

    def db(self, *, create: bool = True) -> Database:
        if self._db is None:
            self._db = Database(database_url(self.db_url))
            if create:
                self._db.create_schema()
            else:
                self._db.ping()
        return self._db

    def now(self) -> datetime:
        """The clock for scoring and alerts: --now when given, else the real time."""
        return self.now_override or datetime.now(timezone.utc)

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add --config, --thresholds, --db and --now to a command and pass an AppContext as `app`."""

    @click.option("--config", "config_dir", type=click.Path(path_type=Path), envvar="MONITOR_CONFIG",
                  help="Folder holding sources/watchlist/taxonomy/alerts/thresholds YAML files "
                       "[env MONITOR_CONFIG; default: the bundled config/ and thresholds.yaml].")
    @click.option("--thresholds", type=click.Path(path_type=Path), envvar="MONITOR_THRESHOLDS",
                  help="Warning-model file overriding the config folder's thresholds.yaml [env MONITOR_THRESHOLDS].")
    @click.option("--db", "db_url", envvar="MONITOR_DB_URL",
                  help="Database URL, sqlite:///FILE or postgresql://HOST/DB [env MONITOR_DB_URL; default sqlite:///monitor.db].")
    @click.option("--now", "now_text", envvar="MONITOR_NOW",
                  help="Replace the clock for scoring and alerts (ISO 8601), to replay a moment [env MONITOR_NOW].")
    @functools.wraps(func)
    def wrapper(*args: Any, config_dir: Path | None, thresholds: Path | None, db_url: str | None,
                now_text: str | None, **kwargs: Any) -> Any:
        app = AppContext(config_dir=config_dir, thresholds=thresholds, db_url=db_url, now_override=parse_now(now_text))
        ctx = click.get_current_context()
        ctx.call_on_close(app.close)
        return func(*args, app=app, **kwargs)

    return wrapper
