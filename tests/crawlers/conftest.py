"""Fixtures of the crawler tests: validated sources built from plain dicts, fixed clocks."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

NOW = datetime(2026, 3, 16, 4, 0, tzinfo=timezone.utc)  # 12:00 in Shanghai


def build_source(**fields: Any):
    """A validated config Source (defaults applied) from keyword fields."""
    from config.schema.sources import SourcesFile

    data = {"name": "s1", "type": "feed", "channel": "news", "url": "http://127.0.0.1:9/feed.xml"}
    data.update(fields)
    defaults = data.pop("defaults", {"delay": 0, "retries": 0, "backoff_base": 0, "jitter": 0})
    return SourcesFile.model_validate({"defaults": defaults, "sources": [data]}).sources[0]


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def make_source():
    return build_source
