"""docs/thresholds.md explains every key of thresholds.yaml and every indicator."""
from __future__ import annotations

import yaml

from config.loader import REPO_ROOT
from config.schema.thresholds import INDICATORS

GUIDE = (REPO_ROOT / "docs" / "thresholds.md").read_text(encoding="utf-8")


def _keys(data, prefix=""):
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            yield path
            if key not in ("score_weights",):
                yield from _keys(value, path)
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, dict) and ("name" in item):
                for key in item:
                    yield key  # list entries (colours, triggers) are explained by their own key names


def test_every_key_of_thresholds_yaml_is_explained():
    data = yaml.safe_load((REPO_ROOT / "thresholds.yaml").read_text(encoding="utf-8"))
    missing = [k for k in _keys(data) if f"`{k}`" not in GUIDE]
    assert missing == []


def test_every_indicator_is_explained():
    assert [name for name in INDICATORS if f"`{name}`" not in GUIDE] == []
