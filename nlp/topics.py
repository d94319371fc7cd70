"""Topics (taxonomy.yaml rules) and keywords (TF-IDF over the tokens already cut)."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from config.schema.taxonomy import Node, TaxonomyFile, parse_rule

from .normalize import simplify
from .rules import RuleScanner, Scan, compile_rule, evaluate, trigger


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    node: Node
    scope: str
    trigger: frozenset[str] | None  # one of these words must occur, else the rule cannot match


@dataclass(frozen=True, slots=True)
class TopicResult:
    topics: tuple[str, ...]
    causes: tuple[str, ...]
    hits: dict[str, tuple[str, ...]]  # topic -> the words that matched


class TopicClassifier:
    def __init__(self, taxonomy: TaxonomyFile):
        self.fallback = taxonomy.fallback
        self.cause = {tid: t.cause for tid, t in taxonomy.topics.items()}
        self.labels = {tid: t.label for tid, t in taxonomy.topics.items()}
        parsed = [(tid, [(parse_rule(r.match, simplify), r.scope) for r in t.rules])
                  for tid, t in taxonomy.topics.items()]
        self._scanner = RuleScanner(node for _, rules in parsed for node, _ in rules)
        self._rules = [(tid, [self._compile(node, scope) for node, scope in rules]) for tid, rules in parsed]
        self._scopes = {rule.scope for _, rules in self._rules for rule in rules}
        # Which topics a word can wake up, so a text only evaluates the topics it might match.
        self._woken_by: dict[str, set[int]] = {}
        self._always: set[int] = set()
        for at, (_, rules) in enumerate(self._rules):
            for rule in rules:
                if rule.trigger is None:
                    self._always.add(at)
                else:
                    for word in rule.trigger:
                        self._woken_by.setdefault(word, set()).add(at)

    @staticmethod
    def _compile(node: Node, scope: str) -> _CompiledRule:
        compiled = compile_rule(node)
        return _CompiledRule(compiled, scope, trigger(compiled))

    def classify(self, title: str, body: str, entities: frozenset[str] = frozenset()) -> TopicResult:
        """Topics whose rules match; the fallback topic when none does. Texts are normalised."""
        whole = f"{title}\n{body}" if title else body
        texts = {"title": title, "body": body, "all": whole}
        # each scope's text is scanned once, for all rules together
        scans: dict[str, Scan] = {}
        for scope in self._scopes:
            if not texts[scope]:
                continue
            if scope in ("all", "body") and not title and scans.get("body" if scope == "all" else "all"):
                scans[scope] = scans["body" if scope == "all" else "all"]  # the same text: scanned once
            else:
                scans[scope] = self._scanner.scan(texts[scope], entities)
        topics: list[str] = []
        hits: dict[str, tuple[str, ...]] = {}
        woken = set(self._always)
        woken_by = self._woken_by
        for scan in scans.values():
            for word in scan.positions:
                woken.update(woken_by.get(word, ()))
        for at in sorted(woken):
            tid, rules = self._rules[at]
            words: list[str] = []
            matched = False
            for rule in rules:
                scan = scans.get(rule.scope)
                if scan is None or (rule.trigger is not None and rule.trigger.isdisjoint(scan.positions)):
                    continue
                if evaluate(rule.node, scan, words):
                    matched = True
            if matched:
                topics.append(tid)
                hits[tid] = tuple(dict.fromkeys(words))
        # the fallback ("other") is also a rule-bearing topic; alone it stays, beside a specific
        # topic its keyword hits are weak evidence and it is dropped
        specific = [t for t in topics if t != self.fallback]
        if specific and self.fallback in topics and len(hits.get(self.fallback, ())) < 2:
            topics.remove(self.fallback)
        if not topics:
            topics = [self.fallback]
        causes = tuple(dict.fromkeys(self.cause[t] for t in topics))
        return TopicResult(tuple(topics), causes, hits)


# --- keywords -----------------------------------------------------------------------------------

_STOP = frozenset("""
的 了 是 在 我 你 他 她 它 们 我们 你们 他们 这 那 这个 那个 就 都 也 还 又 和 与 及 或 而 但 但是 因为 所以
如果 一个 一下 一些 没有 不是 什么 怎么 为什么 可以 已经 现在 今天 昨天 自己 真的 还是 然后 这样 那样 这么
那么 时候 知道 觉得 大家 一直 非常 比较 直接 之后 之前 以后 以前 而且 不过 只是 只有 就是 还有 有点 有些
""".split())


@functools.lru_cache(maxsize=1)
def _idf() -> tuple[dict[str, float], float]:
    """jieba's bundled IDF table (read once), and its median for unknown words."""
    import jieba

    # Found beside the package, not through ``import jieba.analyse``: that import also builds
    # jieba's POS tokenizer (its whole dictionary again), time and memory the rjieba backend never needs.
    path = Path(jieba.__file__).resolve().parent / "analyse" / "idf.txt"
    table: dict[str, float] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            word, _, value = line.strip().partition(" ")
            if value:
                table[word] = float(value)
    values = sorted(table.values())
    return table, values[len(values) // 2]


def keywords(tokens: list[str], top_k: int = 5) -> tuple[str, ...]:
    """TF-IDF keywords of one text from its tokens (jieba's IDF table, no second segmentation)."""
    if top_k <= 0 or not tokens:
        return ()
    counts: dict[str, int] = {}
    weights: dict[str, float] = {}
    weight_of = _WEIGHTS.get
    for t in tokens:
        weight = weight_of(t)
        if weight is None:
            weight = _weight(t)
        if weight:
            counts[t] = counts.get(t, 0) + 1
            weights[t] = weight
    if not counts:
        return ()
    scored = sorted([(-n * weights[w], w) for w, n in counts.items()])
    return tuple(w for _, w in scored[:top_k])


# token -> its IDF weight, or 0.0 for a token that is never a keyword; filled as tokens are seen
# and cleared past _WEIGHTS_LIMIT entries, so a long-running worker's memory stays flat
_WEIGHTS: dict[str, float] = {}
_WEIGHTS_LIMIT = 200_000


def _weight(token: str) -> float:
    if len(_WEIGHTS) >= _WEIGHTS_LIMIT:
        _WEIGHTS.clear()
    # two characters or more, starting with a Han character, not a stop word
    if len(token) >= 2 and "\u4e00" <= token[0] <= "\u9fff" and token not in _STOP:
        idf, median = _idf()
        weight = idf.get(token, median)
    else:
        weight = 0.0
    _WEIGHTS[token] = weight
    return weight

