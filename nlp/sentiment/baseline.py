"""snownlp's naive Bayes classifier, retrained on jieba tokens: the baseline engine.

snownlp segments with its own slow segmenter and was trained on shopping reviews. Here its
Bayes classifier (snownlp.classification.bayes.Bayes) is fed jieba tokens instead and trained on
whatever records the caller gives, so benchmarks can compare like with like. Not used by the
Analyzer; benchmarks/sentiment_accuracy.py reports it next to the linear model.
"""
from __future__ import annotations

import logging
from typing import Callable, Iterable, Sequence

from .result import SentimentResult
from .textprep import clean, to_simplified

_STOP = frozenset("的了是我也在有和就都而及与着或一个这那之")


def _filter(tokens: Sequence[str]) -> list[str]:
    return [t for t in tokens if t.strip() and t not in _STOP]


class BayesBaseline:
    """snownlp Bayes over jieba tokens; classes are whatever labels it was trained with."""

    def __init__(self, tokenizer: Callable[[str], Sequence[str]] | None = None):
        from snownlp.classification.bayes import Bayes

        if tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.lcut
        self._tokenize = tokenizer
        self.classifier = Bayes()

    def train(self, records: Iterable[tuple], tokens: Sequence[Sequence[str]] | None = None) -> "BayesBaseline":
        data = []
        for i, record in enumerate(records):
            text, label = record[0], record[1]
            words = tokens[i] if tokens is not None else self._tokenize(to_simplified(clean(text))[0])
            data.append([_filter(words), label])
        self.classifier.train(data)
        return self

    def predict(self, text: str, tokens: Sequence[str] | None = None) -> SentimentResult:
        text = clean(text)
        if not text.strip():
            return SentimentResult("neu", 0.0, ())
        words = tokens if tokens is not None else self._tokenize(to_simplified(text)[0])
        label, prob = self.classifier.classify(_filter(words))
        # Bayes gives only the winner's probability; map it onto [-1, 1] by the winner's side.
        score = 0.0 if label == "neu" else (prob if label == "pos" else -prob)
        return SentimentResult(label, round(score, 4), ())
