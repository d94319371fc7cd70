"""Shared pieces of the config schemas."""
from __future__ import annotations

import os
import re

from pydantic import BaseModel, ConfigDict, field_validator


class StrictModel(BaseModel):
    """Every config model rejects unknown keys and is immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


class EnvRef(StrictModel):
    """A secret taken from an environment variable; the YAML names the variable, never the value."""

    env: str

    @field_validator("env")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not _ENV_NAME.match(value):
            raise ValueError("an environment variable name such as SMTP_PASSWORD")
        return value

    def resolve(self, environ: dict[str, str] | None = None) -> str | None:
        return (os.environ if environ is None else environ).get(self.env)


# The four warning colours, lowest first: the order of escalation everywhere in the project.
COLOURS: tuple[str, ...] = ("blue", "yellow", "orange", "red")


def colour_name(value: str) -> str:
    """Validator body for a field naming one warning colour."""
    if value not in COLOURS:
        raise ValueError("one of " + ", ".join(COLOURS))
    return value
