"""Harm level 0-3 of a mention about the watched bank, from the rules in nlp/data/harm.yaml."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from config.loader import parse_file
from config.schema.base import StrictModel
from config.schema.taxonomy import Node, RuleSyntaxError, parse_rule

from .normalize import simplify
from .rules import RuleScanner, compile_rule, evaluate, trigger

HARM_FILE = Path(__file__).resolve().parent / "data" / "harm.yaml"


def _check_rule(value: str) -> str:
    try:
        parse_rule(value)
    except RuleSyntaxError as exc:
        raise ValueError(str(exc)) from None
    return value


class _Level(StrictModel):
    level: int = Field(ge=1, le=3)
    rules: list[str]

    @field_validator("rules")
    @classmethod
    def _parse(cls, value: list[str]) -> list[str]:
        return [_check_rule(v) for v in value]


class HarmFile(StrictModel):
    levels: list[_Level]
    prevented: str
    remedied: str
    threat: str

    @field_validator("prevented", "remedied", "threat")
    @classmethod
    def _parse(cls, value: str) -> str:
        return _check_rule(value)


@dataclass(frozen=True, slots=True)
class HarmResult:
    level: int
    words: tuple[str, ...]


class HarmRater:
    def __init__(self, spec: HarmFile):
        compile_ = lambda s: parse_rule(s, simplify)  # noqa: E731
        self._levels: list[tuple[int, list[Any]]] = sorted(
            ((lv.level, [compile_(r) for r in lv.rules]) for lv in spec.levels), key=lambda x: -x[0])
        self._prevented = compile_(spec.prevented)
        self._remedied = compile_(spec.remedied)
        self._threat = compile_(spec.threat)
        self._scanner = RuleScanner([*(r for _, rules in self._levels for r in rules), self._prevented,
                                     self._remedied, self._threat])
        self._levels = [(level, [(c, trigger(c)) for c in map(compile_rule, rules)]) for level, rules in self._levels]
        self._prevented, self._remedied, self._threat = (compile_rule(self._prevented), compile_rule(self._remedied),
                                                         compile_rule(self._threat))

    @classmethod
    def bundled(cls, path: Path = HARM_FILE) -> "HarmRater":
        spec, _ = parse_file(path.read_text(encoding="utf-8"), str(path), HarmFile)
        return cls(spec)

    def rate(self, text: str, polarity: str) -> HarmResult:
        """Harm of a normalised text about the watched bank, given its sentiment class."""
        scan = self._scanner.scan(text)
        for level, rules in self._levels:
            words: list[str] = []
            for rule, needed in rules:
                if needed is None or not needed.isdisjoint(scan.positions):
                    evaluate(rule, scan, words)
            if level == 3 and words and evaluate(self._threat, scan, []):
                # "我要找记者曝光" is the author's threat, not an exposé: drop the media words
                words = [w for w in words if not any(m in w for m in ("曝光", "记者", "媒体", "央视", "315"))]
            if not words:
                continue
            if level == 2 and evaluate(self._prevented, scan, []):
                return HarmResult(0, ())
            if level == 2 and evaluate(self._remedied, scan, []):
                level = 1
            if polarity == "pos" and level < 3:
                return HarmResult(0, ())
            return HarmResult(level, tuple(dict.fromkeys(words)))
        return HarmResult(1 if polarity == "neg" else 0, ())
