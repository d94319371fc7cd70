"""The loader's own behaviour, on a small model, with exact error text."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import Field

from config.errors import ConfigError
from config.loader import DEFAULT_CONFIG_DIR, DEFAULT_THRESHOLDS, load_config, parse_file
from config.schema.base import EnvRef, StrictModel


class Window(StrictModel):
    hours: int = Field(gt=0)


class Rule(StrictModel):
    indicator: str
    at_least: float = 0


class Sample(StrictModel):
    name: str
    window: Window
    rules: list[Rule] = []
    token: EnvRef | None = None


def error_lines(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_file(text, "sample.yaml", Sample)
    return str(info.value).splitlines()


def test_valid_file_parses():
    model, lines = parse_file("name: x\nwindow:\n  hours: 3\n", "sample.yaml", Sample)
    assert model.window.hours == 3
    assert lines[("window", "hours")] == 3


def test_unknown_key_names_line_key_and_known_keys():
    assert error_lines("name: x\nwindow:\n  hours: 3\n  minutes: 5\n") == [
        "sample.yaml:4: window.minutes: expected one of the known keys (hours), found unknown key 'minutes'"]


def test_wrong_type_in_list_item():
    text = "name: x\nwindow: {hours: 1}\nrules:\n  - indicator: quantity\n    at_least: many\n"
    assert error_lines(text) == [
        "sample.yaml:5: rules[0].at_least: expected a valid number, unable to parse string as a number, found 'many'"]


def test_constraint_violation_and_missing_key_reported_together():
    assert error_lines("window:\n  hours: 0\n") == [
        "sample.yaml:1: name: expected this required key, found it missing",
        "sample.yaml:2: window.hours: expected greater than 0, found 0",
    ]


def test_malformed_yaml_names_the_line():
    assert error_lines("name: x\nwindow: [1, 2\n") == [
        "sample.yaml:3: expected well-formed YAML, found expected ',' or ']', but got '<stream end>'"]


def test_duplicate_key_is_an_error_not_a_silent_override():
    assert error_lines("name: x\nname: y\nwindow: {hours: 1}\n") == [
        "sample.yaml:2: name: expected each key once, found a duplicate key"]


def test_top_level_must_be_a_mapping():
    assert error_lines("- a\n- b\n") == ["sample.yaml:1: expected a mapping of keys at the top level, found list"]


def test_secret_is_an_environment_variable_name():
    assert error_lines("name: x\nwindow: {hours: 1}\ntoken: {env: my-token}\n") == [
        "sample.yaml:3: token.env: expected an environment variable name such as SMTP_PASSWORD, found 'my-token'"]
    model, _ = parse_file("name: x\nwindow: {hours: 1}\ntoken: {env: HOOK_TOKEN}\n", "sample.yaml", Sample)
    assert model.token.resolve({"HOOK_TOKEN": "s3cret"}) == "s3cret"


def _copy_defaults(tmp_path: Path) -> Path:
    folder = tmp_path / "cfg"
    shutil.copytree(DEFAULT_CONFIG_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__", "schema"))
    shutil.copyfile(DEFAULT_THRESHOLDS, folder / "thresholds.yaml")
    return folder


def test_bundled_defaults_are_valid():
    config = load_config()
    assert len(config.thresholds_hash) == 16


def test_missing_file_in_config_folder(tmp_path):
    folder = _copy_defaults(tmp_path)
    (folder / "alerts.yaml").unlink()
    with pytest.raises(ConfigError) as info:
        load_config(folder)
    assert str(info.value) == f"{folder}/alerts.yaml: expected a config file at {folder}/alerts.yaml, found no such file"


def test_not_utf8(tmp_path):
    folder = _copy_defaults(tmp_path)
    (folder / "sources.yaml").write_bytes("# 来源\nx: 1\n".encode("gb18030"))
    with pytest.raises(ConfigError) as info:
        load_config(folder)
    assert str(info.value) == f"{folder}/sources.yaml:1: expected UTF-8 text, found bytes that are not UTF-8"


def test_thresholds_override_and_hash(tmp_path):
    folder = _copy_defaults(tmp_path)
    other = tmp_path / "other.yaml"
    other.write_bytes(DEFAULT_THRESHOLDS.read_bytes() + b"\n# a comment changes the hash\n")
    base = load_config(folder)
    changed = load_config(folder, other)
    assert changed.thresholds_path == other
    assert changed.thresholds_hash != base.thresholds_hash
