"""Evaluating parsed rules (config/schema/taxonomy.py's AST) against a text.

A ``RuleScanner`` is built once for a set of rules: every word of every rule goes into one
Aho-Corasick automaton, so a text is read once to learn which words occur where, however many
rules and words there are. ``evaluate`` then answers whether a rule (compiled by ``compile_rule``, which turns each OR of
plain words into one set) matches from that scan and collects the words that made it match,
so a topic or a harm level can say why it was given.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ahocorasick_rs import AhoCorasick as Matcher

from config.schema.taxonomy import And, EntityRef, Near, Node, Not, Or, Regex, Term, walk

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Words:
    """An OR of plain words, compiled: one set intersection instead of a walk over each word."""

    order: tuple[str, ...]
    rank: dict[str, int]
    words: frozenset[str]


def compile_rule(node: Node) -> Node:
    """The rule with every OR of plain words turned into one ``Words`` node (same meaning)."""
    if isinstance(node, Term):
        return Words((node.text,), {node.text: 0}, frozenset((node.text,)))
    if isinstance(node, Or):
        terms = tuple(dict.fromkeys(n.text for n in node.operands if isinstance(n, Term)))
        rest = tuple(compile_rule(n) for n in node.operands if not isinstance(n, Term))
        words = Words(terms, {w: i for i, w in enumerate(terms)}, frozenset(terms)) if terms else None
        parts = ((words,) if words else ()) + rest
        return parts[0] if len(parts) == 1 else Or(parts)
    if isinstance(node, And):
        return And(tuple(compile_rule(n) for n in node.operands))
    if isinstance(node, Not):
        return Not(compile_rule(node.operand))
    if isinstance(node, Near):
        return Near(compile_rule(node.left), compile_rule(node.right), node.distance)
    return node


@dataclass(frozen=True, slots=True)
class Scan:
    """One text as the rules see it: the text, where each rule word occurs, the entities named."""

    text: str
    positions: dict[str, list[int]]  # word -> start offsets
    entities: frozenset[str] = frozenset()


class RuleScanner:
    def __init__(self, rules: Iterable[Node]):
        self._words = sorted({n.text for rule in rules for n in walk(rule) if isinstance(n, Term) and n.text})
        self._matcher = Matcher(self._words) if self._words else None

    def scan(self, text: str, entities: frozenset[str] = frozenset()) -> Scan:
        positions: dict[str, list[int]] = {}
        if text and self._matcher is not None:
            words = self._words
            # every occurrence, overlapping ones included, in order of where they end
            for at, start, _ in self._matcher.find_matches_as_indexes(text, overlapping=True):
                positions.setdefault(words[at], []).append(start)
            for starts in positions.values():
                starts.sort()
        return Scan(text, positions, entities)


def trigger(node: Node) -> frozenset[str] | None:
    """Words of which at least one must occur for ``node`` to match; None if no such set is known.

    Lets a caller skip most rules after one look at the scan: a rule whose trigger words are all
    absent cannot match.
    """
    if isinstance(node, Words):
        return node.words
    if isinstance(node, Term):
        return frozenset((node.text,))
    if isinstance(node, Or):
        parts = [trigger(n) for n in node.operands]
        return None if any(p is None for p in parts) else frozenset().union(*parts)
    if isinstance(node, And):
        parts = [p for p in (trigger(n) for n in node.operands) if p is not None]
        return min(parts, key=len) if parts else None
    if isinstance(node, Near):
        left, right = trigger(node.left), trigger(node.right)
        candidates = [p for p in (left, right) if p is not None]
        return min(candidates, key=len) if candidates else None
    return None  # regex, entity, NOT: no word is required


def _spans(node: Node, scan: Scan) -> list[Span]:
    """Every place a positional node (word, regex, OR of them, NEAR) matches."""
    if isinstance(node, Words):
        positions = scan.positions
        return [(s, s + len(w)) for w in node.words & positions.keys() for s in positions[w]]
    if isinstance(node, Term):
        n = len(node.text)
        return [(s, s + n) for s in scan.positions.get(node.text, ())]
    if isinstance(node, Regex):
        return [m.span() for m in node.pattern.finditer(scan.text) if m.end() > m.start()]
    if isinstance(node, Or):
        return [s for child in node.operands for s in _spans(child, scan)]
    if isinstance(node, Near):
        left = _spans(node.left, scan)
        if not left:
            return []
        right = _spans(node.right, scan)
        out = []
        for ls, le in left:
            for rs, re_ in right:
                gap = rs - le if rs >= le else ls - re_
                if gap <= node.distance:
                    out.append((min(ls, rs), max(le, re_)))
        return out
    raise TypeError(f"not a positional rule node: {node!r}")


def evaluate(node: Node, scan: Scan, hits: list[str]) -> bool:
    """True if ``node`` matches the scanned text; matched words are appended to ``hits``."""
    if isinstance(node, Words):
        found = node.words & scan.positions.keys()
        if found:
            hits.extend(sorted(found, key=node.rank.__getitem__))
            return True
        return False
    if isinstance(node, Term):
        if node.text in scan.positions:
            hits.append(node.text)
            return True
        return False
    if isinstance(node, EntityRef):
        if node.name in scan.entities:
            hits.append(node.name)
            return True
        return False
    if isinstance(node, (Regex, Near)):
        spans = _spans(node, scan)
        if spans:
            hits.append(scan.text[spans[0][0]:spans[0][1]])
        return bool(spans)
    if isinstance(node, Not):
        return not evaluate(node.operand, scan, [])
    if isinstance(node, And):
        local: list[str] = []
        for child in node.operands:
            if not evaluate(child, scan, local):
                return False
        hits.extend(local)
        return True
    if isinstance(node, Or):
        matched = False
        for child in node.operands:
            # keep going: every matching word is worth reporting
            matched = evaluate(child, scan, hits) or matched
        return matched
    raise TypeError(f"unknown rule node {node!r}")


def matches(node: Node, text: str, entities: frozenset[str] = frozenset()) -> tuple[bool, list[str]]:
    """One rule against one text, without a prepared scanner (tests, one-off checks)."""
    hits: list[str] = []
    return evaluate(compile_rule(node), RuleScanner([node]).scan(text, entities), hits), hits
