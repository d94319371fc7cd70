"""The two config files the NLP stage reads, loaded on their own.

``Analyzer.from_config`` needs only watchlist.yaml and taxonomy.yaml; loading them alone (with
the same validation and the taxonomy's cross-check against the watchlist) lets the analyzer and
the benchmarks run with a folder holding just those two files.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.errors import ConfigError, ConfigIssue
from config.loader import DEFAULT_CONFIG_DIR, _decode, _read, parse_file
from config.schema import taxonomy as taxonomy_schema
from config.schema.taxonomy import TaxonomyFile
from config.schema.watchlist import WatchlistFile
from config.yamlsrc import format_path, line_of


@dataclass(frozen=True)
class NlpConfig:
    watchlist: WatchlistFile
    taxonomy: TaxonomyFile


def load_nlp_config(config_dir: Path | str | None = None) -> NlpConfig:
    directory = Path(config_dir) if config_dir else DEFAULT_CONFIG_DIR
    values: dict[str, Any] = {}
    lines: dict[str, Any] = {}
    issues: list[ConfigIssue] = []
    for attr, name, model in (("watchlist", "watchlist.yaml", WatchlistFile),
                              ("taxonomy", "taxonomy.yaml", TaxonomyFile)):
        display = str(directory / name)
        try:
            values[attr], lines[name] = parse_file(_decode(_read(directory / name, display), display), display, model)
        except ConfigError as exc:
            issues.extend(exc.issues)
    if issues:
        raise ConfigError(issues)
    config = NlpConfig(**values)
    for file, path, expected, found in taxonomy_schema.cross_check(config):
        issues.append(ConfigIssue(str(directory / file), line_of(lines[file], tuple(path)), format_path(tuple(path)),
                                  expected, found))
    if issues:
        raise ConfigError(issues)
    return config
