"""Schema of alerts.yaml: channels (where alerts go) and routes (which alerts go where).

Strict like every config file. ``cross_check`` adds what needs the whole file or the process
environment: routes and silences name defined channels and known colours, route names are
unique, and every environment variable an *enabled* channel references is set. A missing
secret is a configuration error (exit 2 at check-config and before any run): an alert channel
that can only fail at 3 a.m. is worse than a run that refuses to start. Set ``enabled: false``
on a channel to keep it in the file without its secrets.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from datetime import datetime
from typing import Annotated, Any, Literal, Union

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from .base import COLOURS, EnvRef, StrictModel, colour_name

KINDS: tuple[str, ...] = ("warning", "operational", "report")
LANGUAGES: tuple[str, ...] = ("zh-Hans", "zh-Hant")

Language = Literal["zh-Hans", "zh-Hant"]


def known_colours(value: list[str]) -> list[str]:
    bad = [v for v in value if v not in COLOURS]
    if bad:
        raise ValueError("colours among " + ", ".join(COLOURS) + f" (not {bad[0]!r})")
    return value


class ChannelBase(StrictModel):
    enabled: bool = True
    language: Language | None = None  # overrides the file's language for this channel


class ConsoleChannel(ChannelBase):
    """Print each alert's text (stderr by default, so `run --json` stays machine-readable)."""

    type: Literal["console"]
    stream: Literal["stdout", "stderr"] = "stderr"


class FileChannel(ChannelBase):
    """Append one JSON object per alert to a file. A relative path is taken from the run
    folder: the folder of the SQLite database (the working directory for PostgreSQL)."""

    type: Literal["file"]
    path: str = "alerts.jsonl"


class WebhookChannel(ChannelBase):
    """POST JSON to a URL. ``format``: ``json`` (our versioned payload), or ``wecom`` / ``dingtalk``
    (the markdown message group bots accept). Put a URL that carries a token in an env var."""

    type: Literal["webhook"]
    url: Union[str, EnvRef]
    format: Literal["json", "wecom", "dingtalk"] = "json"
    token: EnvRef | None = None  # sent as "Authorization: Bearer <token>"
    headers: dict[str, Union[str, EnvRef]] = Field(default_factory=dict)
    timeout_seconds: float = Field(10.0, gt=0, le=120)
    ca_file: str | None = None  # PEM bundle of an internal CA to trust (relative: to the config folder)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.startswith(("http://", "https://")):
            raise ValueError("an http:// or https:// URL, or {env: VARIABLE} holding one")
        return value


class EmailChannel(ChannelBase):
    type: Literal["email"]
    host: str
    port: int = Field(587, gt=0, lt=65536)
    starttls: bool = True
    ssl: bool = False  # implicit TLS (usually port 465); excludes starttls
    username: str | None = None
    password: EnvRef | None = None
    sender: str
    recipients: list[str] = Field(min_length=1)
    timeout_seconds: float = Field(15.0, gt=0, le=120)
    ca_file: str | None = None  # PEM bundle of an internal CA to trust (relative: to the config folder)


def _channel_type(value: Any) -> str | None:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return f"channel-{kind}" if kind in ("console", "file", "webhook", "email") else None


# Tags contain "-" so the loader's error paths skip them and point at the user's own keys.
Channel = Annotated[
    Union[Annotated[ConsoleChannel, Tag("channel-console")], Annotated[FileChannel, Tag("channel-file")],
          Annotated[WebhookChannel, Tag("channel-webhook")], Annotated[EmailChannel, Tag("channel-email")]],
    Discriminator(_channel_type, custom_error_type="channel_type",
                  custom_error_message="a mapping with type: console, file, webhook or email")]


class Match(StrictModel):
    """Every key given must match; a list matches any of its values; nothing given matches all."""

    kinds: list[str] = Field(default_factory=list)
    colours: list[str] = Field(default_factory=list)
    entities: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if v not in KINDS]
        if bad:
            raise ValueError("kinds among " + ", ".join(KINDS) + f" (not {bad[0]!r})")
        return value

    @field_validator("colours")
    @classmethod
    def _colours(cls, value: list[str]) -> list[str]:
        return known_colours(value)


class Route(StrictModel):
    name: str = Field(min_length=1)
    audience: str = ""  # who reads this route, shown in the alert: 网点/分行工作人员, 牵头部门 ...
    match: Match = Field(default_factory=Match)
    channels: list[str] = Field(min_length=1)
    continue_matching: bool = False  # also try the routes after this one


class InhibitRule(StrictModel):
    """While an event is at ``source_colour``, alerts of ``target_colours`` for it are muted."""

    source_colour: str
    target_colours: list[str] = Field(min_length=1)

    @field_validator("source_colour")
    @classmethod
    def _colour(cls, value: str) -> str:
        return colour_name(value)

    @field_validator("target_colours")
    @classmethod
    def _colours(cls, value: list[str]) -> list[str]:
        return known_colours(value)


class Silence(StrictModel):
    """A planned mute, e.g. during a known maintenance: alerts matching it between starts and
    ends are recorded as silenced, not sent."""

    match: Match
    starts: datetime
    ends: datetime
    created_by: str = ""
    comment: str = ""

    @field_validator("starts", "ends")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("a time with a zone, such as 2026-03-15T08:00:00+08:00")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> "Silence":
        if self.ends <= self.starts:
            raise ValueError("ends later than starts")
        return self


class Defaults(StrictModel):
    # An unchanged colour is re-sent as a reminder after this many hours (0: never).
    repeat_interval_hours: float = Field(24.0, ge=0)
    # Colours that get reminders. Blue is left out by default: cold handling means not
    # amplifying a single complaint, so one alert is enough.
    remind_colours: list[str] = Field(default_factory=lambda: ["yellow", "orange", "red"])
    # Warnings older than this when first seen by the alert stage are recorded, not sent.
    max_age_hours: float = Field(72.0, gt=0)

    @field_validator("remind_colours")
    @classmethod
    def _colours(cls, value: list[str]) -> list[str]:
        return known_colours(value)


class Retry(StrictModel):
    max_attempts: int = Field(5, ge=1, le=50)
    backoff_seconds: float = Field(60.0, ge=0)
    max_backoff_seconds: float = Field(3600.0, ge=0)


class AlertsFile(StrictModel):
    version: int = 1
    language: Language = "zh-Hans"
    timezone: str = "Asia/Shanghai"  # how times are written in alert texts and report days
    defaults: Defaults = Field(default_factory=Defaults)
    retry: Retry = Field(default_factory=Retry)
    channels: dict[str, Channel] = Field(default_factory=dict)
    routes: list[Route] = Field(default_factory=list)
    inhibit: list[InhibitRule] = Field(default_factory=list)
    silences: list[Silence] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("an IANA time zone such as Asia/Shanghai") from None
        return value


Issue = tuple[tuple[str | int, ...], str, str]  # key path, expected, found


def _env_refs(channel: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], EnvRef]]:
    for name in type(channel).model_fields:
        value = getattr(channel, name)
        if isinstance(value, EnvRef):
            yield path + (name, "env"), value
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, EnvRef):
                    yield path + (name, key, "env"), item


def check_alerts(model: AlertsFile, environ: dict[str, str] | None = None,
                 directory: Path | None = None) -> list[Issue]:
    """Checks that need the whole file, the environment and the config folder (CA files)."""
    env = os.environ if environ is None else environ
    issues: list[Issue] = []
    defined = ", ".join(model.channels) or "none defined"
    seen: dict[str, int] = {}
    for i, route in enumerate(model.routes):
        if route.name in seen:
            issues.append((("routes", i, "name"), f"a route name used once (routes[{seen[route.name]}] has it)",
                           repr(route.name)))
        seen.setdefault(route.name, i)
        for j, channel in enumerate(route.channels):
            if channel not in model.channels:
                issues.append((("routes", i, "channels", j), f"a channel defined under channels ({defined})",
                               repr(channel)))
    for name, channel in model.channels.items():
        if isinstance(channel, EmailChannel) and channel.ssl and channel.starttls:
            issues.append((("channels", name, "ssl"), "at most one of ssl and starttls set to true "
                           "(ssl: implicit TLS, usually port 465; starttls: upgrade, usually port 587)", "both true"))
        if not channel.enabled:
            continue
        ca_file = getattr(channel, "ca_file", None)
        if ca_file:
            path = Path(ca_file) if Path(ca_file).is_absolute() or directory is None else directory / ca_file
            if not path.is_file():
                issues.append((("channels", name, "ca_file"), "a PEM file of CA certificates", f"no file at {path}"))
        for path, ref in _env_refs(channel, ("channels", name)):
            if not env.get(ref.env):
                issues.append((path, f"environment variable {ref.env} to be set (channel {name!r} is enabled)",
                               "it unset or empty"))
    return issues


def cross_check(config: Any) -> Iterator[tuple[str, tuple[str | int, ...], str, str]]:
    """Called by config.loader after every file parsed: (file, key path, expected, found)."""
    for path, expected, found in check_alerts(config.alerts, directory=getattr(config, "directory", None)):
        yield "alerts.yaml", path, expected, found
