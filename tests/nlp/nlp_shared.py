"""Helpers shared by the NLP tests: one Analyzer per process, the labelled set."""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LABELLED = sorted((ROOT / "tests" / "data").glob("bank_mentions_*.jsonl"))


@dataclass(frozen=True)
class FakeResult:
    polarity: str
    score: float
    drivers: tuple[str, ...] = ()


class RecordingSentiment:
    """Negative when the tokens hold a complaint word; records what it was given."""

    version = "fake-1"
    NEGATIVE = ("差", "慢", "骗", "坑", "投诉", "崩溃", "愤怒", "太贵")

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    def predict(self, text: str, tokens: list[str]) -> FakeResult:
        self.calls.append((text, list(tokens)))
        hits = tuple(t for t in tokens if any(w in t for w in self.NEGATIVE))
        return FakeResult("neg", -0.8, hits) if hits else FakeResult("neu", 0.0)


@functools.lru_cache(maxsize=None)
def analyzer(backend: str = "rjieba"):
    from nlp import Analyzer
    from nlp.analyzer import NeutralSentiment

    return Analyzer.from_config(sentiment=NeutralSentiment(), backend=backend)


@functools.lru_cache(maxsize=1)
def labelled_rows() -> tuple[dict, ...]:
    rows: list[dict] = []
    for path in LABELLED:
        with open(path, encoding="utf-8") as fh:
            rows.extend(json.loads(line) for line in fh if line.strip())
    return tuple(rows)
