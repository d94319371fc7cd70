"""Turn (text, tokens) into the named features of the linear model.

Sparse features are word unigrams, word bigrams, negation-marked words (!满意 for a word
within two tokens after 不/没/...) and the lexicon hits; their values are 1/sqrt(n) so long
posts do not shout. A few dense features carry the lexicon's overall verdict. Everything is a
single pass over the token list plus one automaton scan of the text.
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


def token_features(tokens: Sequence[str]) -> list[str]:
    if len(tokens) > MAX_TOKENS:
        tokens = list(tokens[: MAX_TOKENS - 300]) + list(tokens[-300:])
    feats: list[str] = []
    previous = "<s>"
    negated = 0
    append = feats.append
    for token in tokens:
        if token in BREAK_TOKENS:
            previous = "<p>"
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
    """All features of one text as {name: value}."""
    sparse = token_features(tokens)
    lex_sparse, dense = lexicon_features(lex)
    sparse.extend(lex_sparse)
    unique = set(sparse)
    features: dict[str, float] = {}
    if unique:
        value = 1.0 / math.sqrt(len(unique))
        features = dict.fromkeys(unique, value)
    features.update(dense)
    return features

