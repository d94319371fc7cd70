"""Schema of taxonomy.yaml: complaint topics, their bank-side cause and keyword rules.

A rule is a small boolean expression over the mention text, parsed once into an AST:

    年费 OR 手续费                       either word
    冻结 AND (卡 OR 账户)                 both
    催收 AND NOT 拦截                     the first without the second
    排队 NEAR/8 (小时 OR 半天)            within 8 characters of each other
    /扣了?\\d+元/                         a regular expression
    "VIP 插队"                           a phrase with spaces
    entity:长河手机银行                    the text names that watchlist entry (checked against
                                         watchlist.yaml when the config loads)

Precedence, tightest first: NOT, NEAR/n, AND, OR; parentheses group. Words are matched on
the normalised text (Simplified, half-width, lower case).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Literal, Union

from pydantic import Field, field_validator, model_validator

from .base import StrictModel

CAUSES = ("management", "service", "process", "product", "system")


# --- the rule language -------------------------------------------------------------------------

class RuleSyntaxError(ValueError):
    def __init__(self, message: str, position: int, length: int | None = None):
        where = "at the end of the rule" if length is not None and position >= length else f"at character {position + 1}"
        super().__init__(f"{message} {where}")
        self.position = position


@dataclass(frozen=True, slots=True)
class Term:
    text: str


@dataclass(frozen=True, slots=True)
class Regex:
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class EntityRef:
    name: str


@dataclass(frozen=True, slots=True)
class Not:
    operand: "Node"


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple["Node", ...]


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple["Node", ...]


@dataclass(frozen=True, slots=True)
class Near:
    left: "Node"
    right: "Node"
    distance: int


Node = Union[Term, Regex, EntityRef, Not, And, Or, Near]

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<near>NEAR/(?P<n>\d+)(?![^\s()]))
  | (?P<op>(?:AND|OR|NOT)(?![^\s()]))
  | (?P<regex>/(?:\\.|[^/\\])+/)
  | (?P<phrase>"[^"]*")
  | (?P<entity>entity:[^\s()]+)
  | (?P<word>[^\s()"]+)
""", re.VERBOSE)


def _tokens(source: str) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(source):
        m = _TOKEN.match(source, pos)
        if m is None:
            raise RuleSyntaxError(f"unexpected {source[pos]!r}", pos)
        kind = m.lastgroup if m.lastgroup != "n" else "near"
        if kind == "near" or m.group("near"):
            out.append(("near", m.group("n"), pos))
        elif kind != "space":
            out.append((kind, m.group(0), pos))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, source: str, normalise):
        self.source = source
        self.normalise = normalise
        self.tokens = _tokens(source)
        self.i = 0

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _at_op(self, name: str) -> bool:
        tok = self._peek()
        return tok is not None and tok[0] == "op" and tok[1] == name

    def parse(self) -> Node:
        if not self.tokens:
            raise RuleSyntaxError("an empty rule", 0)
        node = self._or()
        tok = self._peek()
        if tok is not None:
            what = "')'" if tok[0] == "rparen" else repr(tok[1])
            raise RuleSyntaxError(f"an operator (AND, OR, NEAR/n) before {what}", tok[2])
        return node

    def _or(self) -> Node:
        items = [self._and()]
        while self._at_op("OR"):
            self.i += 1
            items.append(self._and())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def _and(self) -> Node:
        items = [self._near()]
        while self._at_op("AND"):
            self.i += 1
            items.append(self._near())
        if all(isinstance(n, Not) for n in items):
            raise RuleSyntaxError("something to match besides NOT", self.tokens[0][2])
        return items[0] if len(items) == 1 else And(tuple(items))

    def _near(self) -> Node:
        left = self._not()
        while (tok := self._peek()) is not None and tok[0] == "near":
            self.i += 1
            right = self._not()
            for side in (left, right):
                if not _positional(side):
                    raise RuleSyntaxError("words, phrases, regexes, NEAR or OR-groups of them on both sides of NEAR",
                                          tok[2])
            left = Near(left, right, int(tok[1]))
        return left

    def _not(self) -> Node:
        if self._at_op("NOT"):
            self.i += 1
            return Not(self._not())
        return self._atom()

    def _atom(self) -> Node:
        tok = self._peek()
        if tok is None:
            raise RuleSyntaxError("a word, phrase, regex or '(' after the last operator", len(self.source),
                                  len(self.source))
        kind, text, pos = tok
        self.i += 1
        if kind == "lparen":
            node = self._or()
            close = self._peek()
            if close is None or close[0] != "rparen":
                raise RuleSyntaxError("a closing ')' for the '('", pos)
            self.i += 1
            return node
        if kind == "word":
            return Term(self.normalise(text))
        if kind == "phrase":
            if len(text) <= 2:
                raise RuleSyntaxError("a non-empty phrase", pos)
            return Term(self.normalise(text[1:-1]))
        if kind == "regex":
            try:
                return Regex(re.compile(text[1:-1]))
            except re.error as exc:
                raise RuleSyntaxError(f"a valid regular expression ({exc.msg})", pos) from None
        if kind == "entity":
            return EntityRef(text[len("entity:"):])
        what = "')'" if kind == "rparen" else repr(text)
        raise RuleSyntaxError(f"a word, phrase, regex or '(' instead of {what}", pos)


def _positional(node: Node) -> bool:
    if isinstance(node, (Term, Regex, Near)):
        return True
    if isinstance(node, Or):
        return all(_positional(n) for n in node.operands)
    return False


def parse_rule(source: str, normalise=lambda s: s.lower()) -> Node:
    """Parse a rule into its AST; raise RuleSyntaxError naming what was expected and where.

    ``normalise`` is applied to every word and phrase (the NLP stage passes its text normaliser,
    so a rule written in Traditional or full-width still matches).
    """
    return _Parser(source, normalise).parse()


def walk(node: Node) -> Iterable[Node]:
    yield node
    if isinstance(node, Not):
        yield from walk(node.operand)
    elif isinstance(node, (And, Or)):
        for child in node.operands:
            yield from walk(child)
    elif isinstance(node, Near):
        yield from walk(node.left)
        yield from walk(node.right)


# --- the file ----------------------------------------------------------------------------------

class Rule(StrictModel):
    match: str
    scope: Literal["title", "body", "all"] = "all"

    @field_validator("match")
    @classmethod
    def _parses(cls, value: str) -> str:
        try:
            parse_rule(value)
        except RuleSyntaxError as exc:
            raise ValueError(f"{exc} (rule language: words, \"phrases\", /regex/, entity:NAME joined by "
                             f"AND, OR, NOT, NEAR/n and grouped by parentheses)") from None
        return value


class Topic(StrictModel):
    label: str  # Chinese label shown to users
    cause: Literal["management", "service", "process", "product", "system"]
    description: str = ""
    rules: list[Rule] = Field(default_factory=list)


class Keywords(StrictModel):
    method: Literal["tfidf"] = "tfidf"
    top_k: int = Field(default=5, ge=0, le=50)


class TaxonomyFile(StrictModel):
    # topic assigned to a text about the watched bank that no rule matches
    fallback: str = "other"
    topics: dict[str, Topic]
    keywords: Keywords = Field(default_factory=Keywords)

    @field_validator("topics")
    @classmethod
    def _ids(cls, value: dict[str, Topic]) -> dict[str, Topic]:
        for key in value:
            if not re.fullmatch(r"[a-z][a-z0-9_]*", str(key)):
                raise ValueError(f"topic ids in lower_snake_case, such as card_freeze; found {key!r}")
        return value

    @model_validator(mode="after")
    def _fallback_known(self) -> "TaxonomyFile":
        if self.fallback not in self.topics:
            raise ValueError(f"fallback to name one of the topics ({', '.join(self.topics)}); found {self.fallback!r}")
        return self


def cross_check(config: Any) -> Iterable[tuple[str, tuple[Any, ...], str, str]]:
    """A rule's entity:NAME must name a watchlist entry (its canonical name or an alias)."""
    watchlist = config.watchlist
    known: set[str] = set()
    for _, item in watchlist.entries():
        known.add(item.name)
        known.update(a.text for a in item.alias_rules())
    for topic_id, topic in config.taxonomy.topics.items():
        for i, rule in enumerate(topic.rules):
            for node in walk(parse_rule(rule.match)):
                if isinstance(node, EntityRef) and node.name not in known:
                    yield ("taxonomy.yaml", ("topics", topic_id, "rules", i, "match"),
                           "entity:NAME to name an entry of watchlist.yaml", f"entity:{node.name}")
