"""Load and validate every configuration file once, at the edge, before anything runs.

``load_config`` is the only function that reads config files. Each file has a root pydantic
model in ``config/schema/<name>.py``; a schema module may also define
``cross_check(config) -> Iterable[(file, key_path, expected, found)]`` for checks that span
files (a route naming an undefined channel, a taxonomy rule naming an unknown watchlist entity).
All problems of all files are collected and raised together as one ConfigError.
"""
from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import ConfigError, ConfigIssue
from .schema.validation import issues_from_validation
from .yamlsrc import KeyPath, line_of, load_yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_DIR = REPO_ROOT / "config"
DEFAULT_THRESHOLDS = REPO_ROOT / "thresholds.yaml"

# attribute on Config -> (file name, "module:Class" of its root model)
FILES: dict[str, tuple[str, str]] = {
    "sources": ("sources.yaml", "config.schema.sources:SourcesFile"),
    "watchlist": ("watchlist.yaml", "config.schema.watchlist:WatchlistFile"),
    "taxonomy": ("taxonomy.yaml", "config.schema.taxonomy:TaxonomyFile"),
    "alerts": ("alerts.yaml", "config.schema.alerts:AlertsFile"),
    "thresholds": ("thresholds.yaml", "config.schema.thresholds:ThresholdsFile"),
}


@dataclass(frozen=True)
class Config:
    directory: Path
    thresholds_path: Path
    thresholds_hash: str
    sources: Any
    watchlist: Any
    taxonomy: Any
    alerts: Any
    thresholds: Any
    lines: dict[str, dict[KeyPath, int]] = field(default_factory=dict, repr=False, compare=False)


def _model_class(spec: str) -> type[BaseModel]:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def parse_file(text: str, display: str, model: type[BaseModel]) -> tuple[Any, dict[KeyPath, int]]:
    """Validate one file's text against its model. Pure: no I/O."""
    data, lines = load_yaml(text, display)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError([ConfigIssue(display, 1, "", "a mapping of keys at the top level",
                                       type(data).__name__)])
    try:
        return model.model_validate(data), lines
    except ValidationError as exc:
        raise ConfigError(issues_from_validation(exc, model, data, display, lines)) from None


def _read(path: Path, display: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError([ConfigIssue(display, None, "", "a config file at " + str(path), "no such file")]) from None
    except IsADirectoryError:
        raise ConfigError([ConfigIssue(display, None, "", "a file", "a directory")]) from None
    except OSError as exc:
        raise ConfigError([ConfigIssue(display, None, "", "a readable file", exc.strerror or str(exc))]) from None


def _decode(raw: bytes, display: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError([ConfigIssue(display, line, "", "UTF-8 text", "bytes that are not UTF-8")]) from None


def resolve_paths(config_dir: Path | None, thresholds: Path | None) -> tuple[Path, Path]:
    directory = Path(config_dir) if config_dir else DEFAULT_CONFIG_DIR
    if thresholds:
        return directory, Path(thresholds)
    if config_dir:
        return directory, directory / "thresholds.yaml"
    return directory, DEFAULT_THRESHOLDS


def load_config(config_dir: Path | str | None = None, thresholds: Path | str | None = None) -> Config:
    """Read, validate and cross-check every config file; raise ConfigError listing all problems."""
    directory, thresholds_path = resolve_paths(Path(config_dir) if config_dir else None,
                                               Path(thresholds) if thresholds else None)
    values: dict[str, Any] = {}
    lines: dict[str, dict[KeyPath, int]] = {}
    issues: list[ConfigIssue] = []
    thresholds_raw = b""
    for attr, (name, spec) in FILES.items():
        path = thresholds_path if attr == "thresholds" else directory / name
        display = str(path)
        try:
            raw = _read(path, display)
            if attr == "thresholds":
                thresholds_raw = raw
            values[attr], lines[display] = parse_file(_decode(raw, display), display, _model_class(spec))
        except ConfigError as exc:
            issues.extend(exc.issues)
    if issues:
        raise ConfigError(issues)
    config = Config(directory=directory, thresholds_path=thresholds_path,
                    thresholds_hash=file_hash(thresholds_raw), lines=lines, **values)
    issues.extend(cross_check(config))
    if issues:
        raise ConfigError(issues)
    return config


def cross_check(config: Config) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    for attr, (name, spec) in FILES.items():
        module = importlib.import_module(spec.partition(":")[0])
        check = getattr(module, "cross_check", None)
        if check is None:
            continue
        for file, path, expected, found in check(config):
            display = str(config.thresholds_path if file == "thresholds.yaml" else config.directory / file)
            issues.append(ConfigIssue(display, line_of(config.lines.get(display, {}), tuple(path)),
                                      _format(path), expected, found))
    return issues


def _format(path: KeyPath) -> str:
    from .yamlsrc import format_path

    return format_path(tuple(path))
