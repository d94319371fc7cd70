"""The sparse features of many texts at once, as (text, model row) pairs, with numpy.

Inference must cost less than segmenting the text, and a Python loop over every token does not:
here the only per-token Python work is one dictionary lookup in a list comprehension. Token
kinds, previous words, negation spans and bigram lookups are then array operations over the
whole batch. The result is the same feature set ``features.extract`` names (a test holds the
two to the same answer); training keeps the named form because it needs the names.

Token ids: every distinct token string seen gets an id; the per-id arrays hold its kind, its
unigram and negated rows and the id of its lower-cased form (the "word" used in bigrams).
Bigrams are keys ``first_word * 2**32 + second_word`` in one sorted array. Words of the model's
vocabulary are registered up front; tokens seen later are appended, and the table is rebuilt
from the vocabulary alone when it passes ``TABLE_LIMIT`` so a long-running worker stays flat.
"""
from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from .features import BREAK_TOKENS, DENSE, MAX_TOKENS, NEGATION_SPAN, NEGATION_TOKENS, _SKIP, capped
from .lexicon import LexiconScore

WORD, BREAK, SKIP, NEGATION = 0, 1, 2, 3
START_ID, PAUSE_ID = 0, 1  # word ids of "<s>" and "<p>", never given to a token
TABLE_LIMIT = 300_000
_SHIFT = np.int64(1 << 32)
assert NEGATION_SPAN == 2, "the vectorised negation below looks exactly two words back"
assert MAX_TOKENS > 300


@dataclass(frozen=True)
class BatchRows:
    text_of: np.ndarray  # int64, sorted: which text each pair belongs to
    rows: np.ndarray  # int64: the model row of each pair, distinct within a text
    words: np.ndarray  # int64 per text: word tokens seen (0: nothing readable)


class _Table:
    """Token strings to ids and per-id facts (numpy arrays grown by doubling); grown only under
    the owner's lock, read without it (a reader sees ids it looked up, whose rows are written)."""

    def __init__(self, unigram: Mapping[str, int], negated: Mapping[str, int], capacity: int = 1024):
        self.ids: dict[str, int] = {}
        self.size = 2  # START_ID and PAUSE_ID
        self.kind = np.zeros(capacity, np.int8)
        self.uni = np.full(capacity, -1, np.int64)
        self.neg = np.full(capacity, -1, np.int64)
        self.word = np.arange(capacity, dtype=np.int64)
        self._unigram, self._negated = unigram, negated

    def _grow(self) -> None:
        capacity = 2 * len(self.kind)
        self.kind = np.concatenate([self.kind, np.zeros(capacity - len(self.kind), np.int8)])
        self.uni = np.concatenate([self.uni, np.full(capacity - len(self.uni), -1, np.int64)])
        self.neg = np.concatenate([self.neg, np.full(capacity - len(self.neg), -1, np.int64)])
        self.word = np.concatenate([self.word, np.arange(len(self.word), capacity, dtype=np.int64)])

    def add(self, token: str) -> int:
        found = self.ids.get(token)
        if found is not None:
            return found
        if token in BREAK_TOKENS:
            kind, low = BREAK, token
        elif token in _SKIP or token.isspace():
            kind, low = SKIP, token
        else:
            low = token.lower()
            kind = NEGATION if low in NEGATION_TOKENS else WORD
        word = self.add(low) if low != token else -1
        if self.size == len(self.kind):
            self._grow()
        at = self.size
        self.kind[at] = kind
        if kind in (WORD, NEGATION):
            self.uni[at] = self._unigram.get(low, -1)
            self.neg[at] = self._negated.get(low, -1)
        self.word[at] = at if word < 0 else word
        self.size += 1
        self.ids[token] = at  # last: a lock-free reader finds the id only once its row is set
        return at

    def arrays(self) -> tuple[np.ndarray, ...]:
        return self.kind, self.uni, self.neg, self.word


class BatchFeaturizer:
    def __init__(self, index: Mapping[str, int]):
        self._unigram: dict[str, int] = {}
        self._negated: dict[str, int] = {}
        self._bigrams: list[tuple[str, str, int]] = []
        self.lexicon_rows: dict[str, int] = {}
        for name, row in index.items():
            if name in DENSE:
                continue
            if name.startswith("L:"):
                self.lexicon_rows[name[2:]] = row
                continue
            # A name is read the way ``extract`` could have made it; where two readings exist
            # ("!好" is 好 negated, or a token "!好"), both point at the row, as the name does.
            self._unigram[name] = row
            if " " in name:
                first, _, second = name.partition(" ")
                self._bigrams.append((first, second, row))
            if name.startswith("!") and len(name) > 1:
                self._negated[name[1:]] = row
        self._lock = threading.Lock()
        self._build()

    def _build(self) -> None:
        table = _Table(self._unigram, self._negated)
        sentinel = {"<s>": START_ID, "<p>": PAUSE_ID}
        keys, rows = [], []
        for first, second, row in self._bigrams:
            a = sentinel.get(first)
            if a is None:
                at = table.add(first)  # before reading table.word: adding may grow it
                a = int(table.word[at])
            at = table.add(second)
            keys.append(a * int(_SHIFT) + int(table.word[at]))
            rows.append(row)
        for name in itertools.chain(self._unigram, self._negated):
            table.add(name)
        order = np.argsort(np.asarray(keys, np.int64), kind="stable")
        self._bigram_keys = np.asarray(keys, np.int64)[order]
        self._bigram_rows = np.asarray(rows, np.int64)[order]
        self._table = table
        self._base_size = table.size

    def _ids(self, tokens: list[str]) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        table = self._table
        get = table.ids.get
        ids = [get(t, -1) for t in tokens]
        if -1 in ids:
            with self._lock:
                if self._table.size > TABLE_LIMIT + self._base_size:
                    self._build()
                if self._table is not table:
                    # rebuilt since the lookup (here or by another thread): every id changed
                    table = self._table
                    get = table.ids.get
                    ids = [get(t, -1) for t in tokens]
                # Only the unseen tokens take the slow path: a batch of real posts nearly always
                # holds a few, and adding every token cost more than the rest of featurizing.
                add = table.add
                ids = [i if i >= 0 else add(t) for i, t in zip(ids, tokens)]
        return np.asarray(ids, np.int64), table.arrays()

    def rows(self, token_lists: Sequence[Sequence[str]], scores: Sequence[LexiconScore]) -> BatchRows:
        n = len(token_lists)
        lists = [capped(tokens) for tokens in token_lists]
        lengths = np.fromiter((len(t) for t in lists), np.int64, n)
        ids, (kinds, uni, neg, word) = self._ids(list(itertools.chain.from_iterable(lists)))
        text = np.repeat(np.arange(n, dtype=np.int64), lengths)
        kind = kinds[ids]
        keep = kind != SKIP
        ids, text, kind = ids[keep], text[keep], kind[keep]
        is_word = kind != BREAK
        words = np.bincount(text[is_word], minlength=n).astype(np.int64)
        # The token before each one, within the same text, skips already removed.
        same1 = np.zeros(len(ids), bool)
        same1[1:] = text[1:] == text[:-1]
        kind1 = np.full(len(ids), BREAK, np.int8)
        kind1[1:] = kind[:-1]
        word_ids = word[ids]
        prev = np.full(len(ids), START_ID, np.int64)
        prev[1:] = word_ids[:-1]
        prev = np.where(same1, np.where(kind1 == BREAK, PAUSE_ID, prev), START_ID)
        # Negated: a negation word one or two words back, with no break in between.
        same2 = np.zeros(len(ids), bool)
        same2[2:] = text[2:] == text[:-2]
        kind2 = np.full(len(ids), BREAK, np.int8)
        kind2[2:] = kind[:-2]
        negated = is_word & same1 & ((kind1 == NEGATION) | ((kind1 != BREAK) & same2 & (kind2 == NEGATION)))

        parts_text, parts_rows = [], []
        u = uni[ids]
        take = is_word & (u >= 0)
        parts_text.append(text[take])
        parts_rows.append(u[take])
        g = neg[ids]
        take = negated & (g >= 0)
        parts_text.append(text[take])
        parts_rows.append(g[take])
        if len(self._bigram_keys):
            keys = prev * _SHIFT + word_ids
            at = np.searchsorted(self._bigram_keys, keys)
            at[at >= len(self._bigram_keys)] = 0
            take = is_word & (self._bigram_keys[at] == keys)
            parts_text.append(text[take])
            parts_rows.append(self._bigram_rows[at[take]])
        lexicon = self.lexicon_rows
        hit_text, hit_rows = [], []
        for i, score in enumerate(scores):
            for hit in score.hits:
                row = lexicon.get(hit.label)
                if row is not None:
                    hit_text.append(i)
                    hit_rows.append(row)
        parts_text.append(np.asarray(hit_text, np.int64))
        parts_rows.append(np.asarray(hit_rows, np.int64))
        all_text = np.concatenate(parts_text)
        all_rows = np.concatenate(parts_rows)
        width = np.int64(max(int(all_rows.max()) + 1, 1) if len(all_rows) else 1)
        pairs = np.unique(all_text * width + all_rows)
        return BatchRows(pairs // width, pairs % width, words)
