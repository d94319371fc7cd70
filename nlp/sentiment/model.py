"""The linear sentiment model: a vocabulary of named features and one weight row per feature.

Inference is a dictionary lookup per feature and one small matrix product, so it costs less
than segmenting the text. Files (no pickle): ``model.json`` (classes, vocabulary, metadata)
and ``weights.npz`` (float32 weights and intercepts).
"""
from __future__ import annotations

import functools
import json
import math
import os
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from .features import extract
from .lexicon import Lexicon, LexiconScore, default_lexicon
from .result import LABELS, NEUTRAL, SentimentResult
from .textprep import clean, to_simplified

FORMAT_VERSION = 1
MODEL_FILE = "model.json"
WEIGHTS_FILE = "weights.npz"
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "sentiment"
MODEL_ENV = "MONITOR_SENTIMENT_MODEL"
MAX_DRIVERS = 5
# How far (in logit units) an n-gram must push toward the verdict to be named as a driver.
DRIVER_MIN_PUSH = 1.0


class ModelFileError(Exception):
    """A model folder is missing files or holds files this code cannot read."""


class SentimentModel:
    def __init__(self, classes: Sequence[str], vocabulary: Sequence[str], weights: np.ndarray,
                 intercept: np.ndarray, *, meta: dict[str, Any] | None = None, lexicon: Lexicon | None = None):
        if weights.shape != (len(vocabulary), len(classes)):
            raise ValueError(f"weights shape {weights.shape} does not match {len(vocabulary)} features x {len(classes)} classes")
        self.classes = tuple(classes)
        self.vocabulary = list(vocabulary)
        self.index = {name: i for i, name in enumerate(self.vocabulary)}
        # One extra zero row so unknown features index it and add nothing.
        self.weights = np.vstack([weights.astype(np.float32), np.zeros((1, len(classes)), np.float32)])
        self.intercept = intercept.astype(np.float32)
        self.meta = dict(meta or {})
        self.lexicon = lexicon or default_lexicon()
        self._unknown = len(self.vocabulary)
        self._neg = self.classes.index("neg") if "neg" in self.classes else None
        self._pos = self.classes.index("pos") if "pos" in self.classes else None
        # The lexicon's verdict, capped by tanh, added to the pos-vs-neg margin: it carries the
        # domain knowledge the n-gram weights (mostly learned from shopping reviews) lack.
        self.lexicon_prior = float(self.meta.get("lexicon_prior", 0.0))
        # How hard each feature pushes toward pos rather than neg: used to name drivers.
        self._direction = (self.weights[:, self._pos] - self.weights[:, self._neg]
                           if self._pos is not None and self._neg is not None else None)

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "custom"))

    # -- inference -------------------------------------------------------------------------
    def predict(self, text: str, tokens: Sequence[str] | None = None, *, targets: Sequence[str] = ()) -> SentimentResult:
        """Classify one text. ``targets`` are the watched names (长河银行, 长河): comparisons are
        then read from their side (招行比长河好 is negative)."""
        text = clean(text)
        if not text.strip():
            return NEUTRAL
        text, tokens = to_simplified(text, tokens)
        if tokens is None:
            tokens = _jieba_cut()(text)
        lex = self.lexicon.score(text, targets)
        features = extract(tokens, lex)
        if not lex.hits and not any(features.values()):
            return NEUTRAL  # nothing readable: no words, no lexicon hits
        rows = [self.index.get(name, self._unknown) for name in features]
        values = np.fromiter(features.values(), np.float32, len(features))
        logits = values @ self.weights[rows] + self.intercept
        probs = combine(logits, lex.total, self.lexicon_prior, self._pos, self._neg)
        return self._result(probs, features, rows, lex)

    def predict_many(self, pairs: Iterable[tuple[str, Sequence[str] | None]], *,
                     targets: Sequence[str] = ()) -> list[SentimentResult]:
        return [self.predict(text, tokens, targets=targets) for text, tokens in pairs]

    def _result(self, probs: np.ndarray, features: dict[str, float], rows: list[int],
                lex: LexiconScore) -> SentimentResult:
        best = int(probs.argmax())
        p_pos = float(probs[self._pos]) if self._pos is not None else 0.0
        p_neg = float(probs[self._neg]) if self._neg is not None else 0.0
        score = max(-1.0, min(1.0, round(p_pos - p_neg, 4)))
        polarity = self.classes[best]
        drivers = self._drivers(features, rows, lex, score) if polarity != "neu" or lex.hits else ()
        return SentimentResult(polarity, score, drivers)

    def _drivers(self, features: dict[str, float], rows: list[int], lex: LexiconScore, score: float) -> tuple[str, ...]:
        """Lexicon hits pointing the same way as the score first, then the heaviest n-grams."""
        sign = 1.0 if score >= 0 else -1.0
        ordered = sorted((h for h in lex.hits if h.weight * sign > 0), key=lambda h: -abs(h.weight))
        drivers = list(dict.fromkeys(h.label for h in ordered))
        if len(drivers) < MAX_DRIVERS and self._direction is not None:
            pushes = self._direction[rows] * sign
            names = list(features)
            scored = []
            for at in np.flatnonzero(pushes > DRIVER_MIN_PUSH):
                name = names[at]
                # Negated n-grams (!满意) are shown through the lexicon hits; bare single
                # characters and sentence-start markers mean nothing to a reader.
                if not name.startswith(("L:", "LEX", "SARC", "NEGATED", "!", "<")):
                    scored.append((float(pushes[at]), name))
            for _, name in sorted(scored, reverse=True):
                shown = name.replace("<s> ", "").replace("<p> ", "").replace(" ", "")
                if len(shown) < 2 or shown in drivers or any(shown in d or d in shown for d in drivers):
                    continue
                drivers.append(shown)
                if len(drivers) >= MAX_DRIVERS:
                    break
        return tuple(drivers[:MAX_DRIVERS])

    # -- files -----------------------------------------------------------------------------
    def save(self, folder: str | os.PathLike[str]) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        meta = {"format": FORMAT_VERSION, "classes": list(self.classes), "vocabulary": self.vocabulary, "meta": self.meta}
        np.savez_compressed(folder / WEIGHTS_FILE, weights=self.weights[:-1].astype(np.float16),
                            intercept=self.intercept)
        (folder / MODEL_FILE).write_text(json.dumps(meta, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        return folder


def combine(logits: np.ndarray, lexicon_total: float, prior: float, pos: int | None, neg: int | None) -> np.ndarray:
    """Class probabilities from the model's logits, with the lexicon's verdict (capped by tanh and
    scaled by ``prior``) added to the pos-vs-neg margin only: P(neu) stays what the model says,
    the lexicon decides how the rest splits between pos and neg."""
    exp = np.exp(logits - logits.max())
    probs = exp / exp.sum()
    if not prior or not lexicon_total or pos is None or neg is None:
        return probs
    polar = probs[pos] + probs[neg]
    margin = math.log(max(probs[pos], 1e-12) / max(probs[neg], 1e-12)) + prior * math.tanh(lexicon_total / 2)
    share = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, margin))))
    probs[pos], probs[neg] = polar * share, polar * (1.0 - share)
    return probs


def load_model(folder: str | os.PathLike[str]) -> SentimentModel:
    folder = Path(folder)
    model_file, weights_file = folder / MODEL_FILE, folder / WEIGHTS_FILE
    if not model_file.is_file() or not weights_file.is_file():
        raise ModelFileError(f"{folder} is not a sentiment model folder: expected {MODEL_FILE} and {WEIGHTS_FILE}")
    try:
        meta = json.loads(model_file.read_text(encoding="utf-8"))
        with np.load(weights_file, allow_pickle=False) as arrays:
            weights, intercept = arrays["weights"], arrays["intercept"]
    except (ValueError, KeyError, OSError) as exc:
        raise ModelFileError(f"cannot read the sentiment model in {folder}: {exc}") from None
    if meta.get("format") != FORMAT_VERSION:
        raise ModelFileError(f"{model_file}: format {meta.get('format')!r}, this code reads format {FORMAT_VERSION}")
    classes = meta["classes"]
    if not set(classes) <= set(LABELS):
        raise ModelFileError(f"{model_file}: classes {classes} are not among {list(LABELS)}")
    return SentimentModel(classes, meta["vocabulary"], weights, intercept, meta=meta.get("meta", {}))


@functools.lru_cache(maxsize=1)
def _jieba_cut():
    """jieba.lcut, with jieba's start-up chatter kept out of the logs."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba.lcut


@functools.lru_cache(maxsize=4)
def _load_cached(folder: str) -> SentimentModel:
    return load_model(folder)


def default_model_dir() -> Path:
    """$MONITOR_SENTIMENT_MODEL when set (a folder written by train-sentiment), else the shipped model."""
    override = os.environ.get(MODEL_ENV, "").strip()
    return Path(override) if override else DEFAULT_MODEL_DIR


def load_default_model() -> SentimentModel:
    """The model the Analyzer uses, loaded once per process."""
    return _load_cached(str(default_model_dir().resolve()))
