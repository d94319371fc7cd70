"""Measuring annotations against labelled mentions (the schema of tests/data/bank_mentions_*.jsonl).

Used by benchmarks/nlp_quality.py and by the quality-floor tests, so both compute the same thing.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from .records import Annotation

# Annotation entity types -> the labelled set's types (org is not labelled there)
LABEL_TYPES = {"bank": "bank", "competitor": "bank", "branch": "branch", "product": "product",
               "executive": "person", "person": "person", "watched_person": "person",
               "regulator": "regulator", "place": "place"}


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: set[Any], predicted: set[Any]) -> None:
        self.tp += len(gold & predicted)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    n: int = 0
    about: PRF = field(default_factory=PRF)  # positive class: about the watched bank
    not_about: PRF = field(default_factory=PRF)  # the hard class
    entities: PRF = field(default_factory=PRF)
    entity_types: dict[str, PRF] = field(default_factory=dict)
    topics_micro: PRF = field(default_factory=PRF)
    topic_classes: dict[str, PRF] = field(default_factory=dict)
    harm_exact: int = 0
    harm_abs_error: int = 0
    script_exact: int = 0
    sentiment_exact: int = 0
    sentiment_classes: dict[str, PRF] = field(default_factory=dict)
    about_errors: list[str] = field(default_factory=list)

    @property
    def topics_macro(self) -> float:
        scores = [p.f1 for p in self.topic_classes.values()]
        return sum(scores) / len(scores) if scores else 0.0

    @property
    def sentiment_macro(self) -> float:
        scores = [p.f1 for p in self.sentiment_classes.values()]
        return sum(scores) / len(scores) if scores else 0.0

    def summary(self) -> dict[str, float]:
        n = max(self.n, 1)
        return {
            "lines": self.n,
            "about_f1": self.about.f1, "about_precision": self.about.precision, "about_recall": self.about.recall,
            "not_about_f1": self.not_about.f1,
            "entity_f1": self.entities.f1, "entity_precision": self.entities.precision,
            "entity_recall": self.entities.recall,
            **{f"entity_f1_{t}": p.f1 for t, p in sorted(self.entity_types.items())},
            "topic_micro_f1": self.topics_micro.f1, "topic_macro_f1": self.topics_macro,
            "harm_accuracy": self.harm_exact / n, "harm_mae": self.harm_abs_error / n,
            "script_accuracy": self.script_exact / n,
            "sentiment_accuracy": self.sentiment_exact / n, "sentiment_macro_f1": self.sentiment_macro,
        }


def _entity_pairs(entities: Iterable[Any]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for e in entities:
        text = e["text"] if isinstance(e, Mapping) else e.text
        kind = e["type"] if isinstance(e, Mapping) else LABEL_TYPES.get(e.type)
        if kind:
            out.add((text, kind))
    return out


def evaluate(rows: Sequence[Mapping[str, Any]], annotations: Sequence[Annotation], bank: str) -> Report:
    """Compare annotations with labelled rows (same order). ``bank``: the watched bank's canonical name."""
    report = Report()
    for row, ann in zip(rows, annotations):
        report.n += 1
        gold_about = bool(row["about_watched_bank"])
        about = bank in ann.watched
        report.about.add({1} if gold_about else set(), {1} if about else set())
        report.not_about.add(set() if gold_about else {1}, set() if about else {1})
        if gold_about != about:
            report.about_errors.append(str(row.get("id")))
        gold_e, pred_e = _entity_pairs(row.get("entities") or ()), _entity_pairs(ann.entities)
        report.entities.add(gold_e, pred_e)
        for kind in {k for _, k in gold_e | pred_e}:
            report.entity_types.setdefault(kind, PRF()).add({p for p in gold_e if p[1] == kind},
                                                            {p for p in pred_e if p[1] == kind})
        if gold_about:
            gold_t, pred_t = set(row.get("topics") or ()), set(ann.topics)
            report.topics_micro.add(gold_t, pred_t)
            for topic in gold_t | pred_t:
                report.topic_classes.setdefault(topic, PRF()).add(gold_t & {topic}, pred_t & {topic})
        report.harm_exact += int(row.get("harm", 0) == ann.harm)
        report.harm_abs_error += abs(int(row.get("harm", 0)) - ann.harm)
        report.script_exact += int(row.get("script") == ann.script)
        gold_s = row.get("sentiment")
        report.sentiment_exact += int(gold_s == ann.polarity)
        for label in ("neg", "neu", "pos"):
            report.sentiment_classes.setdefault(label, PRF()).add({1} if gold_s == label else set(),
                                                                  {1} if ann.polarity == label else set())
    return report


def topic_counts(rows: Iterable[Mapping[str, Any]]) -> Counter[str]:
    return Counter(t for r in rows for t in r.get("topics") or ())
