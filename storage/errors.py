"""Storage failures a user can act on; pipeline.py maps each to its own exit code."""


class StorageError(Exception):
    """Base class: the database could not do what was asked; nothing was half-written."""


class DatabaseUnavailable(StorageError):
    """The database URL is wrong or the server cannot be reached."""


class DatabaseLocked(StorageError):
    """Another process holds the SQLite write lock for longer than the busy timeout."""


class DiskFull(StorageError):
    """The disk (or the database's quota) is full; the transaction was rolled back."""
