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

from .batch import BatchFeaturizer, BatchRows
from .chars import CharView
from .features import DENSE, lexicon_features, sparse_value
from .lexicon import COMPARE, NEGATION_CHARS, Lexicon, LexiconScore, default_lexicon
from .result import LABELS, NEUTRAL, SentimentResult
from .textprep import clean, to_simplified

FORMAT_VERSION = 1
MODEL_FILE = "model.json"
WEIGHTS_FILE = "weights.npz"
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "sentiment"
MODEL_ENV = "MONITOR_SENTIMENT_MODEL"
MAX_DRIVERS = 5
# Where the rule layer negated, mocked or compared a word, the character view keeps this part of
# its share.
RULED_SHARE = 0.5
# How far (in logit units) an n-gram must push toward the verdict to be named as a driver.
DRIVER_MIN_PUSH = 1.0


class ModelFileError(Exception):
    """A model folder is missing files or holds files this code cannot read."""


class SentimentModel:
    def __init__(self, classes: Sequence[str], vocabulary: Sequence[str], weights: np.ndarray,
                 intercept: np.ndarray, *, meta: dict[str, Any] | None = None, lexicon: Lexicon | None = None,
                 chars: CharView | None = None):
        if weights.shape != (len(vocabulary), len(classes)):
            raise ValueError(f"weights shape {weights.shape} does not match {len(vocabulary)} features x {len(classes)} classes")
        self.classes = tuple(classes)
        self.vocabulary = list(vocabulary)
        self.index = {name: i for i, name in enumerate(self.vocabulary)}
        self.weights = weights.astype(np.float32)
        self.intercept = intercept.astype(np.float32)
        self.meta = dict(meta or {})
        self.lexicon = lexicon or default_lexicon()
        self._neg = self.classes.index("neg") if "neg" in self.classes else None
        self._pos = self.classes.index("pos") if "pos" in self.classes else None
        # The lexicon's verdict, capped by tanh, added to the pos-vs-neg margin: it carries the
        # domain knowledge the n-gram weights (mostly learned from shopping reviews) lack.
        self.lexicon_prior = float(self.meta.get("lexicon_prior", 0.0))
        # The character view (chars.py), averaged in with this share after the lexicon prior.
        self.chars = chars
        self.char_mix = float(self.meta.get("char_mix", 0.0)) if chars is not None else 0.0
        if chars is not None and chars.weights.shape[1] != len(self.classes):
            raise ValueError(f"character view has {chars.weights.shape[1]} classes, the model {len(self.classes)}")
        # How hard each feature pushes toward pos rather than neg: used to name drivers.
        self._direction = (self.weights[:, self._pos] - self.weights[:, self._neg]
                           if self._pos is not None and self._neg is not None else None)
        # What each n-gram row reads as when named as a driver; negated n-grams (!满意) show
        # through the lexicon hits, and single characters or lexicon rows mean nothing to a reader.
        self._shown = [_shown_name(name) for name in self.vocabulary] if self._direction is not None else []
        self._showable = np.asarray([len(name) >= 2 for name in self._shown], bool)
        self._batch = BatchFeaturizer(self.index)

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "custom"))

    # -- inference -------------------------------------------------------------------------
    def predict(self, text: str, tokens: Sequence[str] | None = None, *, targets: Sequence[str] = ()) -> SentimentResult:
        """Classify one text. ``targets`` are the watched names (长河银行, 长河): comparisons are
        then read from their side (招行比长河好 is negative)."""
        return self.predict_batch([(text, tokens, targets)])[0]

    def predict_batch(self, items: Sequence[tuple[str, Sequence[str] | None, Sequence[str]]], *,
                      normalized: bool = False) -> list[SentimentResult]:
        """Classify (text, tokens or None, targets) triples; one pass of array work for all.
        ``normalized``: the texts are already clean Simplified str (the Analyzer's own)."""
        out: list[SentimentResult | None] = [None] * len(items)
        token_lists, scores, where, texts = [], [], [], []
        for i, (text, tokens, targets) in enumerate(items):
            if not normalized:
                text = clean(text)
                text, tokens = to_simplified(text, tokens)
            if not text.strip():
                out[i] = NEUTRAL
                continue
            if tokens is None:
                tokens = _jieba_cut()(text)
            token_lists.append(tokens)
            texts.append(text)
            scores.append(self.lexicon.score(text, targets))
            where.append(i)
        if where:
            batch = self._batch.rows(token_lists, scores)
            totals = np.fromiter((lex.total for lex in scores), np.float64, len(scores))
            probs = combine_batch(self._batch_logits(batch, scores), totals, self.lexicon_prior, self._pos, self._neg)
            if self.chars is not None and self.char_mix:
                ruled = np.fromiter((is_ruled(lex) for lex in scores), bool, len(scores))
                probs = self.mix_chars(probs, texts, ruled)
            polarities = [self.classes[k] for k in probs.argmax(axis=1).tolist()]
            if self._pos is not None and self._neg is not None:
                verdict_scores = np.clip(np.round(probs[:, self._pos] - probs[:, self._neg], 4), -1.0, 1.0).tolist()
            else:
                verdict_scores = [0.0] * len(scores)
            candidates = self._driver_candidates(batch, verdict_scores)
            for j, i in enumerate(where):
                lex = scores[j]
                if not lex.hits and not batch.words[j]:
                    out[i] = NEUTRAL  # nothing readable: no words, no lexicon hits
                    continue
                polarity, score = polarities[j], verdict_scores[j]
                drivers = self._drivers(candidates[j], lex, score) if polarity != "neu" or lex.hits else ()
                out[i] = SentimentResult(polarity, score, drivers)
        return out  # type: ignore[return-value]

    def _driver_candidates(self, batch: BatchRows, scores: list[float]) -> list[list[str]]:
        """Per text, the readable n-grams pushing toward its verdict by more than
        DRIVER_MIN_PUSH, strongest first (computed for the whole batch at once)."""
        out: list[list[str]] = [[] for _ in scores]
        if self._direction is None or not len(batch.rows):
            return out
        sign = np.where(np.asarray(scores) >= 0, 1.0, -1.0).astype(np.float32)
        pushes = self._direction[batch.rows] * sign[batch.text_of]
        picked = np.flatnonzero((pushes > DRIVER_MIN_PUSH) & self._showable[batch.rows])
        if not len(picked):
            return out
        # strongest first within each text; rows are ascending within a text, so ties keep row order
        order = np.lexsort((-pushes[picked], batch.text_of[picked]))
        picked = picked[order]
        shown = self._shown
        for text, row in zip(batch.text_of[picked].tolist(), batch.rows[picked].tolist()):
            out[text].append(shown[row])
        return out

    def _batch_logits(self, batch: BatchRows, scores: Sequence[LexiconScore]) -> np.ndarray:
        n = len(scores)
        counts = np.bincount(batch.text_of, minlength=n)
        values = np.zeros(n, np.float32)
        has = counts > 0
        values[has] = 1.0 / np.sqrt(counts[has])
        logits = np.zeros((n, len(self.classes)), np.float32)
        np.add.at(logits, batch.text_of, self.weights[batch.rows] * values[batch.text_of, None])
        dense_rows = [self.index.get(name) for name in DENSE]
        dense = np.zeros((n, len(DENSE)), np.float32)
        for j, lex in enumerate(scores):
            for name, value in lexicon_features(lex)[1]:
                dense[j, DENSE.index(name)] = value
        for k, row in enumerate(dense_rows):
            if row is not None:
                logits += dense[:, k:k + 1] * self.weights[row]
        logits += self.intercept
        return logits

    def mix_chars(self, probs: np.ndarray, texts: Sequence[str], ruled: np.ndarray | None = None) -> np.ndarray:
        """Average the character view's probabilities into the word model's (one row per text).

        The view reads 不高兴 as 高兴 plus noise and sees neither mockery nor whose side a
        comparison takes, so where the rule layer negated, mocked or compared a sentiment word
        (``ruled``: True per such text, see ``is_ruled``) the view keeps only RULED_SHARE of its
        share. Without that, snownlp's classic miss (我今天很不高兴 read as positive) came back;
        with it, Weibo gives back 0.4 points of the view's gain (FinFE nothing)."""
        if self.chars is None or not self.char_mix or not len(texts):
            return probs
        share = np.full((len(texts), 1), self.char_mix)
        if ruled is not None:
            share[np.asarray(ruled, bool)] *= RULED_SHARE
        logits = self.chars.logits(texts).astype(np.float64)
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        return (1.0 - share) * probs + share * exp / exp.sum(axis=1, keepdims=True)

    def logits_of(self, features: dict[str, float]) -> list[float]:
        """The same from named features (``features.extract``): training and tests use it."""
        rows = [self.index[name] for name in features if name not in DENSE and name in self.index]
        return self._logits(rows, [(name, features[name]) for name in DENSE if name in features])

    def _logits(self, rows: Sequence[int], dense: Sequence[tuple[str, float]]) -> list[float]:
        total = self.intercept
        if rows:
            total = total + self.weights[rows].sum(axis=0) * sparse_value(len(rows))
        for name, value in dense:
            row = self.index.get(name)
            if row is not None and value:
                total = total + self.weights[row] * value
        return total.tolist()

    def predict_many(self, pairs: Iterable[tuple[str, Sequence[str] | None]], *,
                     targets: Sequence[str] = ()) -> list[SentimentResult]:
        return self.predict_batch([(text, tokens, targets) for text, tokens in pairs])

    @staticmethod
    def _drivers(candidates: list[str], lex: LexiconScore, score: float) -> tuple[str, ...]:
        """Lexicon hits pointing the same way as the score first, then the heaviest n-grams."""
        drivers: list[str] = []
        if lex.hits:
            sign = 1.0 if score >= 0 else -1.0
            ordered = sorted((h for h in lex.hits if h.weight * sign > 0), key=lambda h: -abs(h.weight))
            drivers = list(dict.fromkeys(h.label for h in ordered))
        for shown in candidates:
            if len(drivers) >= MAX_DRIVERS:
                break
            for d in drivers:
                if shown in d or d in shown:
                    break
            else:
                drivers.append(shown)
        return tuple(drivers[:MAX_DRIVERS])

    # -- files -----------------------------------------------------------------------------
    def save(self, folder: str | os.PathLike[str]) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        meta = {"format": FORMAT_VERSION, "classes": list(self.classes), "vocabulary": self.vocabulary, "meta": self.meta}
        extra = self.chars.to_arrays() if self.chars is not None else {}
        if extra:
            extra["char_weights"] = extra["char_weights"].astype(np.float16)
        np.savez_compressed(folder / WEIGHTS_FILE, weights=self.weights.astype(np.float16),
                            intercept=self.intercept, **extra)
        (folder / MODEL_FILE).write_text(json.dumps(meta, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        return folder


def is_ruled(lex: LexiconScore) -> bool:
    """Did the rule layer negate, mock or compare a sentiment word here (不满意, 不高兴, “高效”,
    比长河好多了)?"""
    return ruled_by(lex.negations, lex.sarcasm, (hit.label for hit in lex.hits))


def ruled_by(negations: float, sarcasm: float, hit_labels: Iterable[str]) -> bool:
    """``is_ruled`` from its parts, so training can ask it of named features (NEGATED, SARC, L:...)."""
    return bool(negations or sarcasm) or any(label[:1] in NEGATION_CHARS or label.startswith(COMPARE)
                                             for label in hit_labels)


def _shown_name(name: str) -> str:
    if name.startswith(("L:", "LEX", "SARC", "NEGATED", "!", "<")):
        return ""
    return name.replace(" ", "")


def combine_batch(logits: np.ndarray, lexicon_totals: np.ndarray, prior: float, pos: int | None,
                  neg: int | None) -> np.ndarray:
    """Class probabilities (one row per text) from the model's logits, with the lexicon's verdict
    (capped by tanh and scaled by ``prior``) added to the pos-vs-neg margin only: P(neu) stays
    what the model says, the lexicon decides how the rest splits between pos and neg."""
    logits = np.asarray(logits, np.float64)
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = exp / exp.sum(axis=1, keepdims=True)
    if not prior or pos is None or neg is None:
        return probs
    moved = np.flatnonzero(lexicon_totals != 0)
    if not len(moved):
        return probs
    p_pos, p_neg = probs[moved, pos], probs[moved, neg]
    polar = p_pos + p_neg
    margin = (np.log(np.maximum(p_pos, 1e-12) / np.maximum(p_neg, 1e-12))
              + prior * np.tanh(lexicon_totals[moved] / 2))
    share = 1.0 / (1.0 + np.exp(-np.clip(margin, -50.0, 50.0)))
    probs[moved, pos] = polar * share
    probs[moved, neg] = polar * (1.0 - share)
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
            chars = CharView.from_arrays(arrays) if "char_weights" in arrays.files else None
    except (ValueError, KeyError, OSError) as exc:
        raise ModelFileError(f"cannot read the sentiment model in {folder}: {exc}") from None
    if meta.get("format") != FORMAT_VERSION:
        raise ModelFileError(f"{model_file}: format {meta.get('format')!r}, this code reads format {FORMAT_VERSION}")
    classes = meta["classes"]
    if not set(classes) <= set(LABELS):
        raise ModelFileError(f"{model_file}: classes {classes} are not among {list(LABELS)}")
    return SentimentModel(classes, meta["vocabulary"], weights, intercept, meta=meta.get("meta", {}), chars=chars)


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
