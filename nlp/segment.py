"""Word segmentation and POS tags: jieba, or rjieba (its Rust port) for speed.

Each Segmenter owns a private tokenizer (never jieba's global one), extended with the
watchlist names and taxonomy terms so they come out as one token. With rjieba one tagging pass
gives both the tokens and the POS tags: its ``tag`` returns the same words as its ``cut``.
"""
from __future__ import annotations

import functools
import logging
import re
from typing import Iterable, Literal

from .normalize import EMOJI_WORDS

log = logging.getLogger(__name__)

Backend = Literal["rjieba", "jieba"]
# Frequency given to added names: high enough that jieba keeps a name whole against its own
# dictionary's splits (长河/银行), the way jieba.suggest_freq would force it.
NAME_FREQ = 200_000
TERM_FREQ = 2_000

_SPACE = re.compile(r"\s+")


class Segmenter:
    def __init__(self, words: Iterable[tuple[str, str]] = (), terms: Iterable[str] = (),
                 backend: Backend = "rjieba"):
        """``words``: (name, POS tag) pairs kept whole; ``terms``: vocabulary words (rule terms)."""
        self.backend = backend
        if backend == "rjieba":
            import rjieba

            self._tok = rjieba.Jieba()
            add = lambda w, f, t: self._tok.add_word(w, f, t)  # noqa: E731
            self._tag = self._tok.tag
            self._cut = self._tok.cut
        elif backend == "jieba":
            import jieba
            import jieba.posseg

            jieba.setLogLevel(logging.WARNING)
            self._tok = jieba.Tokenizer()
            self._pos = jieba.posseg.POSTokenizer(self._tok)
            add = lambda w, f, t: self._tok.add_word(w, f, t)  # noqa: E731
            self._tag = lambda text: [(p.word, p.flag) for p in self._pos.cut(text)]
            self._cut = self._tok.lcut
        else:
            raise ValueError(f"unknown segmenter backend {backend!r}; use rjieba or jieba")
        for term in sorted(set(terms)):
            if len(term) >= 2 and not _SPACE.search(term):
                add(term, TERM_FREQ, "n")
        for word, tag in sorted(set(words)):
            # a space would make jieba's dictionary line unreadable; such names are matched by
            # the entity automaton anyway
            if len(word) >= 2 and not _SPACE.search(word):
                add(word, NAME_FREQ, tag)

    def tag(self, text: str) -> list[tuple[str, str]]:
        """(word, POS) pairs whose words concatenate back to ``text`` exactly."""
        if not text:
            return []
        return self._tag(text)

    def analyse(self, text: str, emoji: bool = True) -> tuple[list[tuple[str, str]], list[str]]:
        """(tags, tokens) of one text, in one pass where the backend allows it.

        ``emoji=False`` says the text holds no emoji, which saves a lookup per token.
        """
        tags = self.tag(text)
        if self.backend == "rjieba":
            if not emoji and _SPACE.search(text) is None:
                return tags, [w for w, _ in tags]  # the common case: nothing to drop or map
            return tags, tokens_from_tags(tags, emoji)
        return tags, self.tokenize(text)

    def tokenize(self, text: str) -> list[str]:
        """Words without whitespace, emoji replaced by the word they stand for.

        This is jieba's ``cut`` (its word HMM). rjieba's ``tag`` returns exactly these words, so
        the Analyzer takes tokens and tags from one rjieba call; jieba's own posseg cuts unknown
        words with a different HMM, so with the jieba backend tokens and tags are two passes.
        """
        if not text:
            return []
        return tokens_from_tags([(w, "") for w in self._cut(text)])


def tokens_from_tags(pairs: list[tuple[str, str]], emoji: bool = True) -> list[str]:
    """The words of ``pairs`` without whitespace; emoji become their words when ``emoji``."""
    if emoji:
        return [EMOJI_WORDS.get(w, w) for w, _ in pairs if not w.isspace()]
    return [w for w, _ in pairs if not w.isspace()]


@functools.lru_cache(maxsize=1)
def default_segmenter() -> Segmenter:
    """The segmenter for the bundled config, built once per process."""
    from config.loader import DEFAULT_CONFIG_DIR

    from .vocabulary import load_vocabulary

    words, terms = load_vocabulary(DEFAULT_CONFIG_DIR)
    return Segmenter(words, terms)


def tokenize(text: str) -> list[str]:
    """Tokens of ``text`` (normalised first) with the default watchlist and taxonomy words."""
    from .normalize import normalize

    return default_segmenter().tokenize(normalize(text).seg_text)
