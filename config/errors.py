"""Errors a user can act on. Configuration errors name file, line, key path, expectation and finding."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConfigIssue:
    file: str  # file name as the user knows it (relative to the config folder where possible)
    line: int | None  # 1-based line of the offending key, None when the file itself is at fault
    key: str  # dotted key path, list items as [i]: "colours.red.rules[0].indicator"
    expected: str
    found: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} expected {self.expected}, found {self.found}"


class ConfigError(Exception):
    """One or more configuration problems. ``str()`` gives one line per problem."""

    def __init__(self, issues: list[ConfigIssue]):
        if not issues:
            raise ValueError("ConfigError needs at least one issue")
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


class InputError(Exception):
    """Bad input data (an import file, a JSON line, a corpus): one line saying what and where."""


class NotFound(Exception):
    """A named thing (event id, source name) does not exist."""


class AlreadyRunning(Exception):
    """Another `run` holds the lock."""
