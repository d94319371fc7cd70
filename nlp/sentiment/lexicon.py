"""Rule-based sentiment over a lexicon: negation, degree, contrast, sarcasm and comparisons.

One Aho-Corasick automaton (ahocorasick_rs, leftmost-longest) holds every lexicon word and every
marker (negation, degree, contrast, concession, sarcasm cue), so a text is scanned once in Rust
and the Python loop runs only over the handful of matches. Longest match wins, which lets a longer entry override its
parts: 不满意 is one negative word, not 不 + 满意; 好像 is a zero-weight blocker, not 好.

The score is not the model: it becomes a few features of the linear model (see features.py)
and it supplies the human-readable drivers.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import Iterable, NamedTuple, Sequence

from ahocorasick_rs import AhoCorasick as Matcher
from ahocorasick_rs import MatchKind

DATA_DIR = Path(__file__).with_name("data")
LEXICON_FILES = ("lexicon_finance.tsv", "lexicon_general.tsv", "lexicon_social.tsv", "lexicon_extended.tsv")

# A negation reaches this many characters forward (不 太 满意 -> 3 chars between is too far).
NEGATION_REACH = 4
# Texts are capped before scanning so a 1 MB post costs the same as a long one.
MAX_CHARS = 4000
# Negated negative words are milder than their opposite (不差 is faint praise).
NEGATED_NEGATIVE_FACTOR = 0.6
BEFORE_CONTRAST = 0.5
AFTER_CONTRAST = 1.5
CONCESSION = 0.5
# Strong cues read as mockery on their own; weak ones only next to a negative fact.
STRONG_SARCASM = frozenset({"呵呵", "呵呵呵", "呵呵哒", "🙃", "🙂", "[微笑]", "好棒棒", "谢谢你全家",
                            "感谢八辈祖宗", "我谢谢你", "🤡"})

_CLAUSE_CHARS = frozenset("，,。.！!？?；;\n~～…、")
_SENTENCE_CHARS = frozenset("。！!？?；;\n…")
QUOTED = re.compile(r"[“\"「『‘'](.{1,8}?)[”\"」』’']")
QUOTE_SLACK = 1
COMPARE = ("比", "不如", "没有", "不及", "赶不上", "甩")


# NamedTuples, not frozen dataclasses: one of each per text on the hot path, and a frozen
# dataclass's __init__ costs several times a tuple's.
class LexiconHit(NamedTuple):
    label: str  # as shown to a user: 不满意, 不高兴, “高效”
    weight: float  # signed contribution after negation, degree, contrast and sarcasm


class LexiconScore(NamedTuple):
    positive: float
    negative: float  # a magnitude (>= 0)
    sarcasm: bool
    negations: int
    hits: tuple[LexiconHit, ...]

    @property
    def total(self) -> float:
        return self.positive - self.negative


EMPTY_SCORE = LexiconScore(0.0, 0.0, False, 0, ())


def _read_words(path: Path) -> list[str]:
    words: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            words.extend(line.split())
    return words


# The one-character negation words of the bundled list (不, 没, 无 ...): a lexicon hit starting
# with one is a negated word, whether an entry of its own (不高兴) or joined by the rules (不 + 满意).
NEGATION_CHARS = frozenset(word for word in _read_words(DATA_DIR / "negation.txt") if len(word) == 1)


def _read_weighted(path: Path) -> dict[str, float]:
    """`weight<TAB>word word ...` lines; a word listed twice keeps its strongest weight."""
    table: dict[str, float] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        weight_text, _, words = line.partition("\t")
        try:
            weight = float(weight_text)
        except ValueError:
            raise ValueError(f"{path.name} line {number}: expected a number before the tab, found {weight_text!r}") from None
        for word in words.split():
            if word not in table or abs(weight) > abs(table[word]):
                table[word] = weight
    return table


class Lexicon:
    def __init__(self, words: dict[str, float], *, negations: Iterable[str], pseudo_negations: Iterable[str],
                 degrees: dict[str, float], contrasts: Iterable[str], concessions: Iterable[str],
                 sarcasm: Iterable[str]):
        # "非常满意" listed as a word would hide the degree adverb: let the rules combine 非常 + 满意.
        # A one-character rest means a word of its own (可爱, 还好, 最好, 大涨 are not 可 x 爱).
        self.words = {w: v for w, v in words.items()
                      if not any(w.startswith(d) and len(w) - len(d) >= 2 and w[len(d):] in words for d in degrees)}
        # Later kinds override earlier ones for the same key: a marker beats a lexicon word.
        entries: dict[str, tuple[str, str, float]] = {}
        for word, weight in self.words.items():
            entries[word] = ("w", word, weight)
        for word, factor in degrees.items():
            entries[word] = ("d", word, factor)
        for kind, markers in (("n", negations), ("p", pseudo_negations), ("c", contrasts), ("k", concessions)):
            for word in markers:
                entries[word] = (kind, word, 0.0)
        for word in sarcasm:
            entries[word] = ("s", word, 1.0 if word in STRONG_SARCASM else 0.0)
        entries.pop("", None)
        self._entries = list(entries.values())
        self._matcher = Matcher(list(entries), matchkind=MatchKind.LeftmostLongest)

    @classmethod
    def from_dir(cls, folder: Path = DATA_DIR) -> "Lexicon":
        words: dict[str, float] = {}
        for name in LEXICON_FILES:
            for word, weight in _read_weighted(folder / name).items():
                if word not in words or abs(weight) > abs(words[word]):
                    words[word] = weight
        degrees = {word: factor for word, factor in _read_weighted(folder / "degree.tsv").items()}
        return cls(words, negations=_read_words(folder / "negation.txt"),
                   pseudo_negations=_read_words(folder / "pseudo_negation.txt"), degrees=degrees,
                   contrasts=_read_words(folder / "contrast.txt"), concessions=_read_words(folder / "concession.txt"),
                   sarcasm=_read_words(folder / "sarcasm.txt"))

    def score(self, text: str, targets: Sequence[str] = ()) -> LexiconScore:
        if not text:
            return EMPTY_SCORE
        if len(text) > MAX_CHARS:
            text = text[: MAX_CHARS - 1000] + "\n" + text[-1000:]
        quoted = [m.span(1) for m in QUOTED.finditer(text)] if ("“" in text or '"' in text or "「" in text
                                                                or "『" in text or "‘" in text) else []
        hits: list[list] = []  # [label, weight, start, sentence, in_quote]
        strong_cue = weak_cue = False
        cue_sentences: set[int] = set()
        cue_word = ""
        negation_end = -100
        negation_start = 0
        negation_count = 0
        degree = 1.0
        degree_end = -100
        factor = 1.0
        sentence = 0
        last_end = 0
        sentence_first_hit = 0
        negations_seen = 0
        entries = self._entries
        for at, start, stop in self._matcher.find_matches_as_indexes(text):
            kind, word, weight = entries[at]
            if kind == "w" and weight == 0.0:
                continue  # a blocker (好像): it only stops a shorter word from matching inside it
            end = stop - 1
            gap = text[last_end:start]
            last_end = end + 1
            if gap and not _CLAUSE_CHARS.isdisjoint(gap):
                negation_count = 0
                degree = 1.0
                if not _SENTENCE_CHARS.isdisjoint(gap):
                    sentence += 1
                    factor = 1.0
                    sentence_first_hit = len(hits)
            if kind == "w":
                value = weight
                label = word
                if negation_count and start - negation_end <= NEGATION_REACH:
                    if negation_count % 2:
                        value = -value if value > 0 else -value * NEGATED_NEGATIVE_FACTOR
                    label = text[negation_start:end + 1]
                    negations_seen += 1
                if start - degree_end <= 2:
                    value *= degree
                # Scare quotes wrap the praise word alone (“高效”); a longer quote is speech.
                in_quote = bool(quoted) and any(a <= start and end < b and b - a <= len(word) + QUOTE_SLACK
                                                for a, b in quoted)
                hits.append([label, value * factor, start, sentence, in_quote])
                negation_count = 0
                degree = 1.0
            elif kind == "n":
                if not negation_count or start - negation_end > NEGATION_REACH:
                    negation_start = start
                    negation_count = 0
                negation_count += 1
                negation_end = end + 1
            elif kind == "d":
                degree = weight
                degree_end = end + 1
            elif kind == "c":
                for hit in hits[sentence_first_hit:]:
                    hit[1] *= BEFORE_CONTRAST
                factor = AFTER_CONTRAST
            elif kind == "k":
                factor = CONCESSION
            elif kind == "s":
                if weight:
                    strong_cue = True
                    cue_word = cue_word or word
                else:
                    weak_cue = True
                    cue_sentences.update((sentence, sentence - 1))
                    hits.append([word, 1.0 * factor, start, sentence, False])
        if not hits and not strong_cue:
            return EMPTY_SCORE
        if targets and any(marker in text for marker in COMPARE):
            _apply_comparisons(text, hits, targets)
        # A weak cue (真是太好了) needs a clearly negative fact in its sentence or the one before,
        # and then turns only the praise there: a long post's other sentences keep their sense.
        weak = weak_cue and any(h[1] <= -1.5 and h[3] in cue_sentences for h in hits)
        had_negative = strong_cue and any(h[1] < 0 for h in hits)
        sarcasm = strong_cue or weak or (bool(quoted) and any(h[4] and h[1] > 0 for h in hits))
        if sarcasm:
            for hit in hits:
                if hit[1] <= 0:
                    continue
                # Quoted praise is mockery on its own; other praise flips with a cue, except
                # emoticons and emoji, which say how the writer feels rather than what they praise.
                if hit[4] or ((strong_cue or (weak and hit[3] in cue_sentences)) and not _is_emoticon(hit[0])):
                    hit[1] = -hit[1]
                    hit[0] = f"“{hit[0]}”"  # quoted: praise read as mockery
            if strong_cue and not had_negative:
                hits.append([cue_word, -1.0, 0, 0, False])
        positive = negative = 0.0
        result = []
        for label, value, *_ in hits:
            if value > 0:
                positive += value
            else:
                negative -= value
            result.append(LexiconHit(label, round(value, 3)))
        return LexiconScore(positive, negative, sarcasm, negations_seen, tuple(result))


def _is_emoticon(label: str) -> bool:
    return label.startswith("[") or unicodedata.category(label[0]) == "So"


def _apply_comparisons(text: str, hits: list[list], targets: Sequence[str]) -> None:
    """In 'A 比 B 好', the praise belongs to A: flip it when a watched name is B, not A."""
    for clause_match in re.finditer(r"[^，,。.！!？?；;\n]+", text):
        clause = clause_match.group()
        offset = clause_match.start()
        for marker in COMPARE:
            at = clause.find(marker)
            if at < 0:
                continue
            before, after = clause[:at], clause[at + len(marker):]
            target_after = any(t in after for t in targets)
            target_before = any(t in before for t in targets)
            if target_after and not target_before:
                for hit in hits:
                    if offset + at <= hit[2] < clause_match.end():
                        # An explicit comparison against the watched bank is a strong verdict,
                        # and the n-gram model reads the praise word literally: double it.
                        hit[1] = -2 * hit[1]
                        span = text[offset + at: hit[2] + len(hit[0])]
                        if len(span) <= 16:
                            hit[0] = span  # show the comparison: 比长河银行好用
            break


@functools.lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return Lexicon.from_dir(DATA_DIR)
