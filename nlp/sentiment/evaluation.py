"""Accuracy, macro-F1, confusion matrix and binary accuracy of a model on labelled records.

Binary accuracy (neg vs pos) skips gold-neutral rows and decides by the sign of the score
(score >= 0 counts as pos), so a neutral prediction still counts by the side it leans to.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol, Sequence

from .result import LABELS, SentimentResult


class Predictor(Protocol):
    def predict(self, text: str, tokens: Sequence[str] | None = None) -> SentimentResult: ...


@dataclass(frozen=True)
class Report:
    rows: int
    accuracy: float
    macro_f1: float
    per_class_f1: dict[str, float]
    confusion: dict[str, dict[str, int]]  # gold -> predicted -> count
    labels: tuple[str, ...]
    binary_rows: int
    binary_accuracy: float | None
    gold_is_binary: bool


def macro_f1(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> tuple[float, dict[str, float]]:
    scores: dict[str, float] = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted) if g == label and p != label)
        scores[label] = 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)
    return (sum(scores.values()) / len(scores) if scores else 0.0), scores


def binary_accuracy(gold: Sequence[str], results: Sequence[SentimentResult]) -> tuple[int, float | None]:
    pairs = [(g, r.score) for g, r in zip(gold, results) if g != "neu"]
    if not pairs:
        return 0, None
    right = sum(1 for g, s in pairs if (s >= 0) == (g == "pos"))
    return len(pairs), right / len(pairs)


def score_results(gold: Sequence[str], results: Sequence[SentimentResult]) -> Report:
    predicted = [r.polarity for r in results]
    gold_binary = "neu" not in set(gold)
    # Macro-F1 over the gold classes: a binary corpus is not penalised for a class it lacks.
    labels = tuple(label for label in LABELS if label in set(gold))
    accuracy = sum(1 for g, p in zip(gold, predicted) if g == p) / len(gold) if gold else 0.0
    f1, per_class = macro_f1(gold, predicted, labels)
    confusion = {g: {p: 0 for p in LABELS} for g in LABELS}
    for g, p in zip(gold, predicted):
        confusion[g][p] += 1
    n_binary, bin_acc = binary_accuracy(gold, results)
    return Report(len(gold), accuracy, f1, per_class, confusion, labels, n_binary, bin_acc, gold_binary)


def evaluate(model: Predictor, records: Iterable[tuple[str, str]]) -> Report:
    records = list(records)
    results = [model.predict(text) for text, _ in records]
    return score_results([label for _, label in records], results)


def format_report(report: Report) -> str:
    lines = [f"rows:        {report.rows}",
             f"accuracy:    {report.accuracy:.4f}",
             f"macro-F1:    {report.macro_f1:.4f}  ({', '.join(f'{k} {v:.3f}' for k, v in report.per_class_f1.items())})"]
    if report.binary_accuracy is not None:
        note = "" if report.gold_is_binary else " (neutral gold rows skipped)"
        lines.append(f"binary acc:  {report.binary_accuracy:.4f}  on {report.binary_rows} neg/pos rows, "
                     f"by the sign of the score{note}")
    lines.append("confusion (rows gold, columns predicted):")
    lines.append("        " + "".join(f"{p:>7}" for p in LABELS))
    for g in LABELS:
        if any(report.confusion[g].values()):
            lines.append(f"  {g:<6}" + "".join(f"{report.confusion[g][p]:>7}" for p in LABELS))
    return "\n".join(lines)
