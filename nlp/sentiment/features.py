"""Turn (text, tokens) into the named features of the linear model.

Sparse features are word unigrams, word bigrams, negation-marked words (!满意 for a word
within two tokens after 不/没/...) and the lexicon hits. Each is present or absent; a text's
present features share a weight of 1/sqrt(n), n counting only features the model knows, so long
posts do not shout (see ``sparse_value``). A few dense features carry the lexicon's overall
verdict. Everything is a single pass over the token list plus one automaton scan of the text.

``extract`` names the features (training needs the names to build a vocabulary);
``batch.BatchFeaturizer`` finds the same features as model rows for many texts at once, which is
what inference runs on. A test holds the two to the same answer.
"""
from __future__ import annotations

import math
from typing import Sequence

from .lexicon import LexiconScore

NEGATION_TOKENS = frozenset({"不", "没", "没有", "别", "未", "无", "非", "不是", "并非", "毫无", "从未", "从不", "并不",
                             "不太", "不够", "不算", "不怎么", "绝不", "决不", "没什么", "谈不上"})
# Tokens that end a negation's reach.
BREAK_TOKENS = frozenset("，,。.！!？?；;、~～…\n")
MAX_TOKENS = 1500
NEGATION_SPAN = 2
_SKIP = frozenset("\"'“”‘’（）()【】[]《》<>:：/\\|_-—=+*#@&%^` \t\u3000")
# Dense features: the lexicon's overall verdict, present whatever the vocabulary.
DENSE = ("LEX+", "LEX-", "SARC", "NEGATED")
START, PAUSE = "<s>", "<p>"


def capped(tokens: Sequence[str]) -> Sequence[str]:
    if len(tokens) > MAX_TOKENS:
        return list(tokens[: MAX_TOKENS - 300]) + list(tokens[-300:])
    return tokens


def token_features(tokens: Sequence[str]) -> list[str]:
    feats: list[str] = []
    previous = START
    negated = 0
    append = feats.append
    for token in capped(tokens):
        if token in BREAK_TOKENS:
            previous = PAUSE
            negated = 0
            continue
        if token in _SKIP or token.isspace():
            continue
        token = token.lower()
        append(token)
        append(previous + " " + token)
        if negated:
            append("!" + token)
            negated -= 1
        if token in NEGATION_TOKENS:
            negated = NEGATION_SPAN
        previous = token
    return feats


def lexicon_features(score: LexiconScore) -> tuple[list[str], list[tuple[str, float]]]:
    sparse = ["L:" + hit.label for hit in score.hits]
    dense = [("LEX+", math.log1p(score.positive)), ("LEX-", math.log1p(score.negative))]
    if score.sarcasm:
        dense.append(("SARC", 1.0))
    if score.negations:
        dense.append(("NEGATED", min(score.negations, 3) / 3))
    return sparse, dense


def extract(tokens: Sequence[str], lex: LexiconScore) -> dict[str, float]:
    """All features of one text as {name: value}: sparse ones 1.0 (scaled later by
    ``sparse_value`` over the ones the model knows), dense ones their value."""
    sparse = token_features(tokens)
    lex_sparse, dense = lexicon_features(lex)
    sparse.extend(lex_sparse)
    features = dict.fromkeys(sparse, 1.0)
    features.update(dense)
    return features


def sparse_value(known: int) -> float:
    return 1.0 / math.sqrt(known) if known else 0.0
