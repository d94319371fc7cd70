"""Hashed character n-grams: the sentiment model's second view of a text.

The word model sees jieba's tokens, so it is blind where segmentation splits a word oddly or
where a phrase it never saw shares characters with ones it did (心态崩了 / 崩溃, 绝绝子 / 绝了). A
logistic regression over character 1-3-grams, trained on the same material and averaged with
the word model, corrects part of that: on the public sets the average scored about one point of
binary accuracy above either view alone (docs/benchmarks.md, "Sentiment: figures").

N-grams are hashed into 2**BITS buckets with numpy over a whole batch at once (no Python work per
character), so the view costs far less than segmentation. A text's row is sublinear TF-IDF
(1 + log count, times the bucket's idf), L2-normalised. Training and inference share
``ngram_counts`` and ``_normalised``, so they cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

BITS = 20
BUCKETS = 1 << BITS
ORDERS = (1, 2, 3)
# Long texts keep their head and tail, as the token features do.
MAX_CHARS = 3000
_HEAD = 2000
# Per-position multipliers and per-order offsets (odd 64-bit constants), then Fibonacci hashing.
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))
_ORDER_SALT = {1: np.uint64(0x27D4EB2F165667C5), 2: np.uint64(0x85EBCA77C2B2AE63), 3: np.uint64(0xFF51AFD7ED558CCD)}
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(64 - BITS)


@dataclass(frozen=True)
class NgramCounts:
    """Distinct (text, bucket) pairs of a batch, sorted by text, with how often each occurs."""

    text_of: np.ndarray  # int64
    bucket: np.ndarray  # int64
    count: np.ndarray  # int64
    texts: int


def _capped(text: str) -> str:
    if len(text) > MAX_CHARS:
        return text[:_HEAD] + "\x00" + text[-(MAX_CHARS - _HEAD):]
    return text


def ngram_counts(texts: Sequence[str]) -> NgramCounts:
    """Count every character n-gram (ORDERS) of every text, hashed to buckets.

    The texts are joined with NUL (which ``textprep.clean`` removes from any input), so one
    array pass covers the batch; an n-gram that would contain a NUL is dropped. Latin letters
    are lower-cased; whitespace runs count as one space."""
    n = len(texts)
    if not n:
        empty = np.zeros(0, np.int64)
        return NgramCounts(empty, empty, empty, 0)
    parts = [" ".join(_capped(t).lower().split()) for t in texts]
    lengths = np.fromiter((len(p) + 1 for p in parts), np.int64, n)
    joined = "\x00".join(parts) + "\x00"
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    owner = np.repeat(np.arange(n, dtype=np.int64), lengths)
    present = codes != 0
    keys, owners = [], []
    with np.errstate(over="ignore"):
        for order in ORDERS:
            size = len(codes) - order + 1
            if size <= 0:
                continue
            valid = present[:size].copy()
            mixed = codes[:size] * _MIX[0]
            for j in range(1, order):
                valid &= present[j:j + size]
                mixed = (mixed ^ (mixed >> np.uint64(29))) + codes[j:j + size] * _MIX[j]
            mixed = (mixed + _ORDER_SALT[order]) * _GOLDEN
            keys.append((mixed >> _SHIFT)[valid].astype(np.int64))
            owners.append(owner[:size][valid])
    bucket = np.concatenate(keys)
    text_of = np.concatenate(owners)
    pairs, count = np.unique(text_of * BUCKETS + bucket, return_counts=True)
    return NgramCounts(pairs // BUCKETS, pairs % BUCKETS, count.astype(np.int64), n)


def tfidf_values(counts: NgramCounts, idf: np.ndarray) -> np.ndarray:
    """Each pair's value in its text's L2-normalised sublinear TF-IDF row."""
    return _normalised(counts, idf[counts.bucket])


def _normalised(counts: NgramCounts, pair_idf: np.ndarray) -> np.ndarray:
    values = (1.0 + np.log(counts.count.astype(np.float64))) * pair_idf
    norms = np.sqrt(np.bincount(counts.text_of, weights=values * values, minlength=counts.texts))
    norms[norms == 0] = 1.0
    return values / norms[counts.text_of]


def document_frequency_idf(counts: NgramCounts) -> np.ndarray:
    """Smoothed idf per bucket, log((1 + n) / (1 + df)) + 1, from the training texts' counts."""
    df = np.bincount(counts.bucket, minlength=BUCKETS).astype(np.float64)
    return (np.log((1.0 + counts.texts) / (1.0 + df)) + 1.0).astype(np.float32)


class CharView:
    """Fitted weights of the character view: logits for many texts in one array pass."""

    def __init__(self, weights: np.ndarray, intercept: np.ndarray, idf: np.ndarray):
        if weights.shape[0] != BUCKETS or idf.shape != (BUCKETS,):
            raise ValueError(f"character view needs {BUCKETS} buckets, found {weights.shape[0]} and {idf.shape}")
        # One row per bucket, idf first: a text's n-grams cost one gather of 16 bytes each.
        self._table = np.empty((BUCKETS, 1 + weights.shape[1]), np.float32)
        self._table[:, 0] = idf
        self._table[:, 1:] = weights
        self.idf = self._table[:, 0]
        self.weights = self._table[:, 1:]
        self.intercept = intercept.astype(np.float32)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        counts = ngram_counts(texts)
        out = np.zeros((len(texts), self.weights.shape[1]), np.float32)
        if len(counts.bucket):
            rows = self._table[counts.bucket]
            values = _normalised(counts, rows[:, 0]).astype(np.float32)
            # pairs are sorted by text: sum each text's run
            starts = np.flatnonzero(np.r_[True, counts.text_of[1:] != counts.text_of[:-1]])
            out[counts.text_of[starts]] = np.add.reduceat(rows[:, 1:] * values[:, None], starts, axis=0)
        return out + self.intercept

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Only buckets with a weight (or an idf of their own) are stored; every other bucket has
        no weight and the idf of an n-gram no training text held, the largest."""
        default = float(self.idf.max())
        used = np.flatnonzero(np.any(self.weights != 0, axis=1) | (self.idf < default))
        return {"char_buckets": used.astype(np.int32), "char_weights": self.weights[used],
                "char_intercept": self.intercept, "char_idf": self.idf[used],
                "char_idf_default": np.asarray([default], np.float32)}

    @classmethod
    def from_arrays(cls, arrays) -> "CharView":
        used = arrays["char_buckets"]
        weights = np.zeros((BUCKETS, arrays["char_weights"].shape[1]), np.float32)
        weights[used] = arrays["char_weights"]
        idf = np.full(BUCKETS, arrays["char_idf_default"][0], np.float32)
        idf[used] = arrays["char_idf"]
        return cls(weights, arrays["char_intercept"], idf)
