"""The written training files: every line readable, every file saying where it comes from."""
from __future__ import annotations

import pytest

from nlp.sentiment.default_data import seed_records
from nlp.sentiment.lexicon import DATA_DIR

SEED_FILES = sorted(DATA_DIR.glob("seed_*.tsv"))


def test_there_are_seed_files():
    assert len(SEED_FILES) >= 19


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_every_line_is_a_label_and_a_text(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#") and "written for this project" in " ".join(lines[:3])
    body = [line for line in lines if line.strip() and not line.startswith("#")]
    bad = [line for line in body if len(line.split("\t")) != 2 or line.split("\t")[0] not in ("neg", "neu", "pos")
           or not line.split("\t")[1].strip()]
    assert bad == []
    # every line counts: seed_records reads each one, and no text appears twice in a file
    texts = [text for text, _ in seed_records(path)]
    assert len(texts) == len(body)
    assert len(set(texts)) >= len(texts) - 2
