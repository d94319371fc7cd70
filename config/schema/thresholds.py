"""Schema of thresholds.yaml: the warning model a risk officer tunes.

The pydantic models check shapes, types and signs; ``cross_check`` checks what needs the whole
file at once (colour order, conditions naming known indicators, score weights naming known
indicators) and yields exact key paths, so every error points at its line.

The indicator names live here, not in scoring/, because config/ is upstream of every package:
scoring/indicators.py computes exactly these names (a test keeps the two in step).
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Annotated, Any, Union

from pydantic import Field, field_validator

from .base import COLOURS, StrictModel, colour_name


# name -> what it measures, in the words the explanation uses (Chinese, for risk officers)
INDICATORS: dict[str, str] = {
    "stories": "负面报道数（转载合并后，统计窗口内）",
    "authors": "不同发帖人/投诉人数",
    "mentions": "全部相关帖文数（含转载）",
    "reach": "转载与重复出现次数（传播面）",
    "growth": "近期增长倍数（最近一个突发窗口对前一个窗口）",
    "burst_z": "相对本事件基线的突发度（z 分数）",
    "entity_burst_z": "相对该机构/产品自身基线的突发度（z 分数）",
    "heat": "热度（按来源权威度加权的互动量，取对数）",
    "sites": "涉及网站数",
    "channels": "涉及渠道类型数（论坛、投诉平台、新闻等）",
    "branches": "涉及网点数",
    "cities": "涉及城市数",
    "provinces": "涉及省份数",
    "outlets": "报道的媒体家数",
    "products": "涉及产品数",
    "duration_hours": "持续时间（小时）",
    "negativity": "负面占比（0 到 1）",
    "harm_max": "最高危害等级（0 到 3）",
    "harm1": "危害等级 1 的报道数",
    "harm2": "危害等级 2 的报道数",
    "harm3": "危害等级 3 的报道数",
    "mainstream": "主流媒体报道数",
    "national_outlet": "全国性媒体报道数",
    "regulator": "提及监管机构的报道数",
    "bank_run": "含挤兑类词语的报道数",
    "mass_gathering": "含群体聚集类词语的报道数",
    "related": "相关事件数（同一机构同一问题在其他产品/网点，或同期其他问题）",
}

OPERATORS: tuple[str, ...] = (">=", ">", "<=", "<", "==", "!=")
_CONDITION = re.compile(r"^\s*([a-z_0-9]+)\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")

# A condition is "indicator OP number" or {all: [conditions]} or {any: [conditions]}.
Condition = Union[str, dict[str, list[Any]]]


@functools.lru_cache(maxsize=4096)
def parse_condition(text: str) -> tuple[str, str, float] | None:
    """``"authors >= 3"`` -> ("authors", ">=", 3.0); None when it is not of that form."""
    match = _CONDITION.match(text)
    if not match:
        return None
    return match.group(1), match.group(2), float(match.group(3))


class EventsSection(StrictModel):
    window_hours: float = Field(72, gt=0)  # a story joins an open event whose last story is this recent
    max_hours: float = Field(336, gt=0)  # ... and whose first story is at most this old
    new_hours: float = Field(6, gt=0)
    cooling_hours: float = Field(24, gt=0)
    close_hours: float = Field(72, gt=0)
    related_overlap_hours: float = Field(72, ge=0)
    topic_priority: list[str] = Field(default_factory=list)


class WindowsSection(StrictModel):
    quantity_hours: float = Field(72, gt=0)
    burst_hours: float = Field(6, gt=0)
    baseline_hours: float = Field(168, gt=0)
    growth_method: str = "zscore"
    ewma_alpha: float = Field(0.3, gt=0, le=1)
    min_std: float = Field(1.0, gt=0)

    @field_validator("growth_method")
    @classmethod
    def _method(cls, value: str) -> str:
        if value not in ("zscore", "ewma"):
            raise ValueError("zscore or ewma")
        return value


class HeatSection(StrictModel):
    replies: float = Field(1.0, ge=0)
    shares: float = Field(2.0, ge=0)
    likes: float = Field(0.5, ge=0)
    views: float = Field(0.01, ge=0)
    reposts: float = Field(2.0, ge=0)


class AuthoritySection(StrictModel):
    mainstream_channels: list[str] = Field(default_factory=lambda: ["news"])
    mainstream_min_authority: float = Field(1.0, ge=0)  # sources.yaml authority: 1 = ordinary, up to 10
    national_min_authority: float = Field(3.0, ge=0)
    national_outlets: list[str] = Field(default_factory=list)
    regulator_outlets: list[str] = Field(default_factory=list)


class WordsSection(StrictModel):
    bank_run: list[str] = Field(default_factory=list)
    mass_gathering: list[str] = Field(default_factory=list)


class ColourSpec(StrictModel):
    name: str
    label: str
    meaning: str
    handling: str
    advice: str
    responsible: str
    respond_within_hours: float = Field(gt=0)
    rule: Condition


class TriggerSpec(StrictModel):
    name: str
    description: str
    at_least: str
    when: Condition

    @field_validator("at_least")
    @classmethod
    def _colour(cls, value: str) -> str:
        return colour_name(value)


class HysteresisSection(StrictModel):
    hold_evaluations: int = Field(2, ge=1)
    step_down_hours: float = Field(12, ge=0)


class ThresholdsFile(StrictModel):
    version: int = 1
    events: EventsSection = Field(default_factory=EventsSection)
    windows: WindowsSection = Field(default_factory=WindowsSection)
    heat: HeatSection = Field(default_factory=HeatSection)
    authority: AuthoritySection = Field(default_factory=AuthoritySection)
    words: WordsSection = Field(default_factory=WordsSection)
    colours: list[ColourSpec]
    triggers: list[TriggerSpec] = Field(default_factory=list)
    score_weights: dict[str, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)
    hysteresis: HysteresisSection = Field(default_factory=HysteresisSection)

    def colour(self, name: str) -> ColourSpec:
        for spec in self.colours:
            if spec.name == name:
                return spec
        raise KeyError(name)


Issue = tuple[tuple[str | int, ...], str, str]  # key path, expected, found


def _check_condition(node: Any, path: tuple[str | int, ...]) -> Iterator[Issue]:
    if isinstance(node, str):
        parsed = parse_condition(node)
        if parsed is None:
            yield path, "a condition such as 'authors >= 3' (indicator, one of " + " ".join(OPERATORS) + ", number)", repr(node)
        elif parsed[0] not in INDICATORS:
            yield path, "a known indicator (" + ", ".join(INDICATORS) + ")", repr(parsed[0])
        return
    if isinstance(node, dict):
        if len(node) != 1 or next(iter(node)) not in ("all", "any"):
            yield path, "one key, all or any", repr(sorted(str(k) for k in node))
            return
        key, items = next(iter(node.items()))
        if not isinstance(items, list) or not items:
            yield path + (key,), "a non-empty list of conditions", repr(items)
            return
        for i, item in enumerate(items):
            yield from _check_condition(item, path + (key, i))
        return
    yield path, "a condition string or {all: [...]} / {any: [...]}", repr(node)


def check_thresholds(model: ThresholdsFile) -> list[Issue]:
    """Checks that need the whole file: colour order, conditions, weights. Pure."""
    issues: list[Issue] = []
    names = [spec.name for spec in model.colours]
    if names != list(COLOURS):
        for i, name in enumerate(names):
            if i >= len(COLOURS) or name != COLOURS[i]:
                want = COLOURS[i] if i < len(COLOURS) else "no further colour"
                issues.append((("colours", i, "name"),
                               f"colours in the order {', '.join(COLOURS)} (here {want!r})", repr(name)))
                break
        else:
            issues.append((("colours",), f"all four colours {', '.join(COLOURS)}", f"only {', '.join(names)}"))
    for i, spec in enumerate(model.colours[1:], start=1):
        before = model.colours[i - 1]
        if spec.respond_within_hours > before.respond_within_hours:
            issues.append((("colours", i, "respond_within_hours"),
                           f"at most {before.respond_within_hours:g} (a higher colour answers no later than {before.name})",
                           f"{spec.respond_within_hours:g}"))
    for i, spec in enumerate(model.colours):
        issues.extend(_check_condition(spec.rule, ("colours", i, "rule")))
    for i, trig in enumerate(model.triggers):
        issues.extend(_check_condition(trig.when, ("triggers", i, "when")))
    for name in model.score_weights:
        if name not in INDICATORS:
            issues.append((("score_weights", name), "a known indicator (" + ", ".join(INDICATORS) + ")", repr(name)))
    return issues


def cross_check(config: Any) -> Iterator[tuple[str, tuple[str | int, ...], str, str]]:
    """Called by config.loader after every file parsed: (file, key path, expected, found)."""
    for path, expected, found in check_thresholds(config.thresholds):
        yield "thresholds.yaml", path, expected, found
