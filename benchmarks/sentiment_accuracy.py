#!/usr/bin/env python3
"""Sentiment accuracy: the shipped model against snownlp, on public sets and our own bank set.

Measures (figures go to docs/benchmarks.md):
  1. binary accuracy (neg vs pos; gold-neutral rows skipped; the sign of the score decides, so a
     neutral prediction counts by the side it leans to) on FinFE and Weibo, each also on its two
     halves (the errors of one half were read while the rules were tuned; the other never), for
       - snownlp as shipped (SnowNLP(text).sentiments >= 0.5; sampled, it is slow),
       - snownlp's Bayes classifier retrained on jieba tokens from the default training material,
       - the shipped default model;
  2. 3-class accuracy / macro-F1 on the held-out part of our bank set (crc32(id) % 5 == 0) and,
     for information, on /work/shared/data/bank/bank_dev.jsonl (a development set: measured only);
  3. FinFE fixed 80/20 split (seeded shuffle): train() on the 80 (base empty and base default)
     against jieba + TF-IDF + logistic regression trained on the same 80, binary accuracy on the 20;
  4. predict() time against bare jieba.lcut on the same texts (ratio, same process).

Usage: .venv/bin/python benchmarks/sentiment_accuracy.py [--data /work/shared/data] [--snownlp-sample 2000]
       [--skip-split] [--skip-snownlp]
Nothing from the data folder is written anywhere; models trained here live in memory only.
"""
from __future__ import annotations

import argparse
import csv
import json
import logging
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jieba  # noqa: E402
import numpy as np  # noqa: E402

from nlp.sentiment import load_default_model, train  # noqa: E402
from nlp.sentiment.baseline import BayesBaseline  # noqa: E402
from nlp.sentiment.default_data import bank_records, default_records  # noqa: E402
from nlp.sentiment.evaluation import score_results  # noqa: E402
from nlp.sentiment.result import SentimentResult  # noqa: E402
from nlp.sentiment.textprep import to_simplified  # noqa: E402

WATCHED = ("长河银行", "长河银航", "长河", "长行")
DEV_WATCHED = ("江城银行", "江城银航", "江城银", "江城", "江行")
SPLIT_SEED = 20260315
TUNING_SEED = 7


def load_finfe(root: Path) -> list[tuple[str, str]]:
    rows = json.loads((root / "finance/finfe_train.json").read_text(encoding="utf-8"))
    return [(text, ("neg", "neu", "pos")[int(label)]) for text, label in rows]


def load_weibo(root: Path) -> list[tuple[str, str]]:
    out = []
    with open(root / "sentiment/weibo2018_train.txt", encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) >= 3 and row[1] in ("0", "1"):
                out.append((",".join(row[2:]), ("neg", "pos")[int(row[1])]))
    return out


def tokenize(texts: list[str]) -> tuple[list[str], list[list[str]]]:
    simple = [to_simplified(t)[0] for t in texts]
    return simple, [jieba.lcut(t) for t in simple]


def binary(gold: list[str], results: list[SentimentResult]) -> float:
    return score_results(gold, results).binary_accuracy or 0.0


def snownlp_shipped(texts: list[str]) -> list[SentimentResult]:
    from snownlp import SnowNLP

    out = []
    for text in texts:
        p = SnowNLP(text).sentiments if text.strip() else 0.5
        out.append(SentimentResult("pos" if p >= 0.5 else "neg", 2 * p - 1, ()))
    return out


def tfidf_reference(train_rows, train_tokens, test_tokens) -> list[SentimentResult]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=lambda tokens: tokens, min_df=2, sublinear_tf=True)
    x = vectorizer.fit_transform(train_tokens)
    clf = LogisticRegression(C=4.0, max_iter=1000).fit(x, [label for _, label in train_rows])
    probs = clf.predict_proba(vectorizer.transform(test_tokens))
    classes = list(clf.classes_)
    results = []
    for p in probs:
        score = float(p[classes.index("pos")] - p[classes.index("neg")])
        results.append(SentimentResult(classes[int(p.argmax())], score, ()))
    return results


def tuning_halves(n: int) -> tuple[list[int], list[int]]:
    """The two halves of a public set: while the lexicon rules were tuned, errors of the first
    half were read and those of the second never were (seeded shuffle, TUNING_SEED)."""
    order = list(range(n))
    random.Random(TUNING_SEED).shuffle(order)
    return order[: n // 2], order[n // 2:]


def line(name: str, value: float | None, note: str = "") -> str:
    shown = "n/a" if value is None else f"{value:.3f}"
    return f"| {name} | {shown} | {note} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--snownlp-sample", type=int, default=2000)
    parser.add_argument("--skip-split", action="store_true")
    parser.add_argument("--skip-snownlp", action="store_true")
    args = parser.parse_args(argv)
    jieba.setLogLevel(logging.WARNING)
    model = load_default_model()
    out: list[str] = []

    t0 = time.perf_counter()
    finfe = load_finfe(args.data)
    weibo = load_weibo(args.data)
    fin_bin = [(t, y) for t, y in finfe if y != "neu"]
    sets = {"FinFE": fin_bin, "Weibo": weibo}
    tokens = {name: tokenize([t for t, _ in rows]) for name, rows in sets.items()}
    print(f"loaded and segmented in {time.perf_counter() - t0:.0f}s", file=sys.stderr)

    # 1. binary accuracy on the public sets
    bayes = None
    if not args.skip_snownlp:
        material = list(default_records())
        bayes = BayesBaseline().train(material)
    out += ["## Binary accuracy (neg vs pos, sign of the score)", "",
            "| set / model | accuracy | note |", "|---|---|---|"]
    rng = random.Random(SPLIT_SEED)
    for name, rows in sets.items():
        gold = [y for _, y in rows]
        simple, toks = tokens[name]
        majority = max(gold.count("neg"), gold.count("pos")) / len(gold)
        out.append(line(f"{name}: majority class", majority, f"{len(rows)} rows"))
        if not args.skip_snownlp:
            sample = rng.sample(range(len(rows)), min(args.snownlp_sample, len(rows)))
            shipped = snownlp_shipped([rows[i][0] for i in sample])
            out.append(line(f"{name}: snownlp as shipped", binary([gold[i] for i in sample], shipped),
                            f"sample of {len(sample)}"))
            assert bayes is not None
            retrained = [bayes.predict(t, k) for t, k in zip(simple, toks)]
            out.append(line(f"{name}: snownlp Bayes on jieba tokens, default material", binary(gold, retrained)))
        ours = model.predict_batch([(t, k, ()) for t, k in zip(simple, toks)])
        out.append(line(f"{name}: **default model**", binary(gold, ours), model.version))
        read, unread = tuning_halves(len(rows))
        for label, half in (("half whose errors were read while tuning", read), ("half never read", unread)):
            out.append(line(f"{name}: default model, {label}", binary([gold[i] for i in half], [ours[i] for i in half]),
                            f"{len(half)} rows"))

    # 2. our bank set (held-out part) and the development set
    out += ["", "## Three classes on bank mentions", "",
            "| set / model | accuracy | macro-F1 | rows |", "|---|---|---|---|"]
    held = list(bank_records(held_out=True))
    dev_path = args.data / "bank/bank_dev.jsonl"
    dev = [json.loads(x) for x in dev_path.read_text(encoding="utf-8").splitlines() if x.strip()] \
        if dev_path.is_file() else []
    for name, rows, watched in (("our bank set, held-out part", held, WATCHED),
                                ("bank_dev (development set, measured only)", dev, DEV_WATCHED)):
        if not rows:
            continue
        gold = [r["sentiment"] for r in rows]
        results = [model.predict(r["text"], targets=watched) for r in rows]
        report = score_results(gold, results)
        out.append(f"| {name}: default model, all lines | {report.accuracy:.3f} | {report.macro_f1:.3f} | {len(rows)} |")
        about = [i for i, r in enumerate(rows) if r["about_watched_bank"]]
        report = score_results([gold[i] for i in about], [results[i] for i in about])
        out.append(f"| {name}: default model, about-the-bank lines | {report.accuracy:.3f} | {report.macro_f1:.3f} | {len(about)} |")
        # The label convention makes every not-about line neutral; the Analyzer knows relevance
        # (watched entities), so this row shows the model behind a perfect relevance gate.
        gated = [res if r["about_watched_bank"] else SentimentResult("neu", 0.0, ()) for r, res in zip(rows, results)]
        report = score_results(gold, gated)
        out.append(f"| {name}: default model behind a relevance gate (gold about flag) | {report.accuracy:.3f} | "
                   f"{report.macro_f1:.3f} | {len(rows)} |")
        if bayes is not None:
            report = score_results(gold, [bayes.predict(r["text"]) for r in rows])
            out.append(f"| {name}: snownlp Bayes retrained, all lines | {report.accuracy:.3f} | {report.macro_f1:.3f} | {len(rows)} |")

    # 3. FinFE 80/20
    if not args.skip_split:
        order = list(range(len(finfe)))
        random.Random(SPLIT_SEED).shuffle(order)
        cut = int(len(order) * 0.8)
        train_rows = [finfe[i] for i in order[:cut]]
        test_rows = [finfe[i] for i in order[cut:]]
        train_simple, train_tokens = tokenize([t for t, _ in train_rows])
        test_simple, test_tokens = tokenize([t for t, _ in test_rows])
        gold = [y for _, y in test_rows]
        out += ["", f"## FinFE fixed 80/20 split (seed {SPLIT_SEED}; {len(train_rows)} train, {len(test_rows)} test)", "",
                "| model | binary acc. on the 20 | 3-class macro-F1 on the 20 |", "|---|---|---|"]
        ref = tfidf_reference(train_rows, train_tokens, test_tokens)
        rep = score_results(gold, ref)
        out.append(f"| jieba + TF-IDF + logistic regression (reference) | {rep.binary_accuracy:.3f} | {rep.macro_f1:.3f} |")
        for base in ("empty", "default"):
            trained = train(train_rows, base=base)
            results = [trained.predict(t, k) for t, k in zip(test_simple, test_tokens)]
            rep = score_results(gold, results)
            out.append(f"| train(base={base}) | {rep.binary_accuracy:.3f} | {rep.macro_f1:.3f} |")

    # 4. speed
    simple, toks = tokens["Weibo"]
    sample = simple[:5000]
    t1 = time.perf_counter()
    seg = [jieba.lcut(t) for t in sample]
    t_jieba = time.perf_counter() - t1
    t1 = time.perf_counter()
    model.predict_many(zip(sample, seg))
    t_model = time.perf_counter() - t1
    out += ["", "## Speed (5,000 Weibo posts, same process)", "",
            f"- jieba.lcut: {len(sample) / t_jieba:,.0f} texts/s; predict() with tokens given: "
            f"{len(sample) / t_model:,.0f} texts/s; ratio predict/jieba time = {t_model / t_jieba:.2f}"]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
