"""Sentiment: three classes (neg, neu, pos), a score in [-1, 1] and the words that drove it.

    from nlp.sentiment import load_default_model
    model = load_default_model()
    model.predict("服务态度不好", ["服务态度", "不好"])  # SentimentResult("neg", -0.8, ("不好",))

The shipped model (nlp/models/sentiment/) is a linear model over jieba n-grams and a financial
lexicon with negation, degree, contrast, sarcasm and comparison rules; see docs/benchmarks.md.
"""
from __future__ import annotations

from .lexicon import Lexicon, LexiconHit, LexiconScore, default_lexicon
from .model import MODEL_ENV, ModelFileError, SentimentModel, default_model_dir, load_default_model, load_model
from .result import LABELS, NEUTRAL, SentimentResult
from .training import train

__all__ = ["LABELS", "Lexicon", "LexiconHit", "LexiconScore", "MODEL_ENV", "ModelFileError", "NEUTRAL",
           "SentimentModel", "SentimentResult", "default_lexicon", "default_model_dir", "load_default_model",
           "load_model", "train"]
