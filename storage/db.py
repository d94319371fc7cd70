"""Opening the database: SQLite by default, PostgreSQL by URL, same code either way.

``Database.transaction()`` is the one way to write: everything inside commits together or not
at all, and driver errors come out as the StorageError subclasses a user can act on.
"""
from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from .errors import DatabaseLocked, DatabaseUnavailable, DiskFull, StorageError

DEFAULT_URL = "sqlite:///monitor.db"
SQLITE_BUSY_TIMEOUT_S = float(os.environ.get("MONITOR_SQLITE_BUSY_TIMEOUT", "10"))  # seconds to wait for a writer


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets readers (dashboard, `events`) work while a run writes.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(url: str, *, busy_timeout: float = SQLITE_BUSY_TIMEOUT_S) -> Engine:
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUnavailable(f"cannot parse database URL {url!r}; use sqlite:///FILE or postgresql://HOST/DB") from None
    try:
        if parsed.get_backend_name() == "sqlite":
            db = parsed.database
            if db and db != ":memory:":
                folder = Path(db).expanduser().resolve().parent
                if not folder.is_dir():
                    raise DatabaseUnavailable(f"folder {folder} for the SQLite database does not exist")
            engine = create_engine(parsed, connect_args={"timeout": busy_timeout})
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        return create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise DatabaseUnavailable(f"no driver for database URL {parsed.render_as_string()!r}: {exc}") from None


LOW_SPACE_BYTES = 1 << 20


def _low_on_space(folder: Path | None) -> bool:
    if folder is None:
        return False
    try:
        return shutil.disk_usage(folder).free < LOW_SPACE_BYTES
    except OSError:
        return False


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", exc)).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def translate(exc: BaseException, folder: Path | None = None) -> StorageError | None:
    """Map a driver error to the StorageError a user can act on, or None if it is a bug.

    `folder` is the SQLite file's folder: SQLite reports some writes that fail for lack of space
    as a plain "disk I/O error", so the free space there decides which it was."""
    message = str(getattr(exc, "orig", exc)).lower()
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return DiskFull("disk full while writing the database; free space and run again (nothing was committed)")
    if "database or disk is full" in message or "no space left" in message or "disk full" in message:
        return DiskFull("disk full while writing the database; free space and run again (nothing was committed)")
    if "disk i/o error" in message:
        if _low_on_space(folder):
            return DiskFull("disk full while writing the database; free space and run again (nothing was committed)")
        return DatabaseUnavailable(f"the database file cannot be written: {_first_line(exc)}")
    if "database is locked" in message or "database table is locked" in message:
        return DatabaseLocked("the SQLite database is locked by another process; try again when it has finished")
    if isinstance(exc, OperationalError) and ("connect" in message or "unable to open" in message
                                              or "could not translate host" in message
                                              or "connection refused" in message):
        return DatabaseUnavailable(f"cannot reach the database: {_first_line(exc)}")
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return DatabaseUnavailable("lost the connection to the database")
    return None


class Database:
    def __init__(self, url: str = DEFAULT_URL, *, busy_timeout: float = SQLITE_BUSY_TIMEOUT_S):
        self.url = normalise_url(url)
        self.engine = make_engine(self.url, busy_timeout=busy_timeout)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        database = self.engine.url.database if self.dialect == "sqlite" else None
        self._folder = Path(database).expanduser().resolve().parent if database and database != ":memory:" else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back entirely on any error."""
        session = self._sessions()
        try:
            with session.begin():
                yield session
        except StorageError:
            raise
        except (DBAPIError, OSError) as exc:
            mapped = translate(exc, self._folder)
            if mapped is not None:
                raise mapped from exc
            raise
        finally:
            session.close()

    def ping(self) -> None:
        """Connect once, so an unreachable server fails fast with a clear message."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except (DBAPIError, OSError) as exc:
            raise translate(exc, self._folder) or DatabaseUnavailable(f"cannot reach the database: {_first_line(exc)}") from exc

    def create_schema(self) -> None:
        """Bring the schema to the newest migration (creating it on a new database)."""
        from .migrate import upgrade

        try:
            upgrade(self.engine)
        except (DBAPIError, OSError) as exc:
            raise translate(exc, self._folder) or DatabaseUnavailable(f"cannot prepare the database: {_first_line(exc)}") from exc

    def dispose(self) -> None:
        self.engine.dispose()


def database_url(cli_value: str | None, environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return cli_value or env.get("MONITOR_DB_URL") or DEFAULT_URL
