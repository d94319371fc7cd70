"""Entity matching: one Aho-Corasick automaton over every watchlist name and place name.

Matching runs on the normalised text (Simplified, half-width, lower case), which has the
same length as the original, so each match maps back to the surface form as written. Longest
span wins and spans never nest. An everyday-sense alias counts only when its rules allow it
(banking context nearby, not inside an excluded phrase). Open entities (people, places,
organisations) come from the POS tags of the one segmentation pass.
"""
from __future__ import annotations

import functools
import itertools
import os
import re
from dataclasses import dataclass

from ahocorasick_rs import AhoCorasick as Matcher

from config.schema.watchlist import AliasRule, WatchlistFile

from .normalize import simplify
from .records import Entity
from .regions import Regions, bundled_regions

# watchlist kind -> Entity.type
_TYPES = {"bank": "bank", "branch": "branch", "product": "product", "executive": "executive",
          "regulator": "regulator", "competitor": "competitor", "person": "watched_person"}
# kinds whose mention makes a text about the watched bank
WATCHED_KINDS = frozenset({"bank", "branch", "product", "executive"})

# Common surnames: jieba tags many non-names "nr" (太贵), so an open person must start with one.
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_NOT_NAMES = ("某", "女士", "先生", "小姐", "太太", "阿姨", "师傅", "老师", "经理", "行长", "总", "卡", "本周", "眼镜")
# words after a place name that make it part of a longer place (长河 + 小区) or of an
# organisation whose place names are not tagged (武汉 + 大学)
_PLACE_TAILS = ("步行街", "火车站", "高铁站", "汽车站", "水电站", "水库", "新城", "小区", "公园", "广场", "街道", "大道",
                "路", "街", "村", "镇", "港", "湖", "山")
_ORG_TAILS = ("大学", "中学", "小学", "学院", "晚报", "日报", "电视台", "酒店", "宾馆", "驾校", "烤鱼", "医院", "公安",
              "交警", "法院", "出版社", "公司", "集团")
# words jieba tags "ns" that are no place name in the README's sense
_NOT_PLACES = frozenset("内地 国外 国内 海外 全国 各地 当地 本地 外地 异地 全球 世界 城里 乡下 市区 郊区".split())
# jieba tags many common words "ns" (上门, 锦旗, 城市): an open place must be in the region list
# or end like a place name
_PLACE_END = re.compile(r"(?:省|市|县|区|镇|乡|村|路|街|道|巷|港|湖|江|河|山|峡|桥|岛|湾|站|广场|公园|新城|小区|花园|"
                        r"大道|步行街|机场|码头|大厦|中心|国|州)$")


@functools.lru_cache(maxsize=1)
def _common_nr() -> frozenset[str]:
    """Two-character words jieba's dictionary tags nr but uses as common words (周转, 谢谢, 高峰)."""
    import jieba

    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    out: set[str] = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "nr" and len(parts[0]) == 2 and int(parts[1]) >= 300:
                out.add(parts[0])
    return frozenset(out)


# the rest of a branch name after the bank (and its city): 股份有限公司襄阳分行, 五一支行
# (the gap holds no word that would make it a sentence: 副行长兼武汉分行, 某支行)
_BRANCH_TAIL = re.compile(r"(?:股份有限公司)?([^\W\d_a-z行兼和与的及某在是各家个]{0,6}?)(?:中心支行|支行|分行|营业部)")


_OPEN_TAGS = frozenset({"nr", "ns", "nt"})


@dataclass(frozen=True, slots=True)
class _Name:
    canonical: str
    kind: str  # watchlist kind, or "place"
    rule: AliasRule | None = None
    excludes: tuple[str, ...] = ()  # phrases containing this surface in which it does not count
    city: str | None = None
    province: str | None = None
    context: tuple[str, ...] = ()  # the alias's own context words, normalised (empty: the default)


@dataclass(frozen=True, slots=True)
class Found:
    """A match in the text: offsets into the original, the entity, and whether it is watched."""

    start: int
    end: int
    entity: Entity
    watched: bool
    listed: bool = True  # False: counts toward `watched` but is not an entity (我行 in a bank's own reply)


class EntityMatcher:
    def __init__(self, watchlist: WatchlistFile, regions: Regions | None = None):
        self.watchlist = watchlist
        self.bank = watchlist.bank.name
        regions = regions or bundled_regions()
        self.regions = regions
        context = watchlist.bank.context
        self.window = context.window
        self.context_words = tuple(simplify(w) for w in context.words)
        global_excludes = [simplify(p) for p in watchlist.exclude]
        self._everyday = tuple(global_excludes)
        self._authors: dict[str, str] = {}
        names: dict[str, _Name] = {}
        for kind, item in watchlist.entries():
            city = getattr(item, "city", None)
            province = getattr(item, "province", None) or (regions.province_of.get(city) if city else None)
            rules = [AliasRule(text=item.name), *item.alias_rules()]
            for rule in rules:
                key = simplify(rule.text)
                excludes = tuple(p for p in [*(simplify(x) for x in rule.exclude), *global_excludes]
                                 if key in p and p != key)
                names.setdefault(key, _Name(item.name, kind, rule, excludes, city, province,
                                            tuple(simplify(w) for w in rule.context)))
            if kind == "person":
                for account in [item.name, *getattr(item, "accounts", [])]:
                    self._authors[simplify(account)] = item.name
        for surface, place in regions.names.items():
            key = simplify(surface)
            names.setdefault(key, _Name(place.canonical, "place", None, (), place.city, place.province))
        self._names = frozenset(names)
        names.pop("", None)
        self._keys = list(names.items())
        self._matcher = Matcher([key for key, _ in self._keys])

    # --- checks for everyday-sense aliases ---

    def _allowed(self, text: str, start: int, end: int, key: str, name: _Name) -> bool:
        for phrase in name.excludes:
            offset = phrase.find(key)
            while offset >= 0:
                if start - offset >= 0 and text.startswith(phrase, start - offset):
                    return False
                offset = phrase.find(key, offset + 1)
        rule = name.rule
        if rule is None or not rule.needs_context:
            return True
        window = rule.window or self.window
        words = name.context or self.context_words
        before = text[max(0, start - window):start]
        after = text[end:end + window]
        return any(w in before or w in after for w in words)

    # --- matching ---

    def match(self, original: str, text: str) -> list[Found]:
        """Watchlist and place matches, longest first, non-overlapping, in text order."""
        candidates: list[tuple[int, int, str, _Name]] = []
        keys = self._keys
        for at, start, end in self._matcher.find_matches_as_indexes(text, overlapping=True):
            key, name = keys[at]
            if self._allowed(text, start, end, key, name):
                candidates.append((start, end, key, name))
        if not candidates:
            return []
        candidates.sort(key=lambda c: (c[0] - c[1], c[0], c[3].kind == "place"))
        taken: list[tuple[int, int]] = []
        found: list[Found] = []
        for start, end, key, name in candidates:
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            entity = Entity(text=original[start:end], type=_TYPES.get(name.kind, name.kind),
                            canonical=name.canonical, city=name.city, province=name.province)
            found.append(Found(start, end, entity, name.kind in WATCHED_KINDS,
                               name.rule is None or name.rule.listed))
        found.sort(key=lambda f: f.start)
        return self._merge(original, text, found)

    def _merge(self, original: str, text: str, found: list[Found]) -> list[Found]:
        """Join names written together into the longer name they form.

        长河银行 + 光谷支行 -> one branch; 长河银行 + 襄阳 + 分行 -> one branch (unknown to the
        watchlist, canonical as written); 湖北 + 金融监管局 -> one regulator office;
        人民银行 + 武汉 + 分行 -> one regulator office.
        """
        out: list[Found] = []
        i = 0
        while i < len(found):
            head = found[i]
            if not head.listed:
                out.append(head)
                i += 1
                continue
            kind = head.entity.type
            j = i + 1
            end = head.end
            places: list[Found] = []
            while j < len(found) and found[j].start == end and found[j].entity.type == "place":
                places.append(found[j])
                end = found[j].end
                j += 1
            nxt = found[j] if j < len(found) and found[j].start == end else None
            merged: Found | None = None
            if kind == "bank" and nxt is not None and nxt.entity.type == "branch":
                e = nxt.entity
                merged = Found(head.start, nxt.end, Entity(original[head.start:nxt.end], "branch", e.canonical,
                                                           e.city, e.province), True)
                j += 1
            elif kind in ("bank", "regulator") and (m := _BRANCH_TAIL.match(text, end)) and (places or m.group(1)):
                city = next((p.entity.city for p in places if p.entity.city), None)
                province = next((p.entity.province for p in places if p.entity.province), None)
                stop = m.end()
                canonical = text[head.start:stop]
                merged = Found(head.start, stop, Entity(original[head.start:stop],
                                                        "branch" if kind == "bank" else "regulator",
                                                        canonical, city, province), head.watched)
                while j < len(found) and found[j].start < stop:
                    j += 1
            elif kind == "regulator" and nxt is not None and nxt.entity.type == "regulator" and not places:
                e = head.entity
                merged = Found(head.start, nxt.end, Entity(original[head.start:nxt.end], "regulator",
                                                           text[head.start:nxt.end], nxt.entity.city or e.city,
                                                           nxt.entity.province or e.province), False)
                j += 1
            elif kind == "place" and nxt is not None and nxt.entity.type == "regulator":
                e = nxt.entity
                merged = Found(head.start, nxt.end, Entity(original[head.start:nxt.end], "regulator",
                                                           text[head.start:nxt.end], head.entity.city,
                                                           head.entity.province), False)
                j += 1
            if merged is not None:
                out.append(merged)
                i = j
            else:
                out.append(head)
                i += 1
        return out

    def open_entities(self, original: str, tags: list[tuple[str, str]], taken: list[Found]) -> list[Found]:
        """People, places and organisations from POS tags (nr, ns, nt), outside watchlist matches."""
        out: list[Found] = []
        wanted = [i for i, (word, tag) in enumerate(tags) if tag in _OPEN_TAGS and len(word) >= 2]
        if not wanted:
            return out
        ends = list(itertools.accumulate([len(word) for word, _ in tags]))
        for i in wanted:
            word, tag = tags[i]
            pos = ends[i]
            start = pos - len(word)
            if any(start < f.end and f.start < pos for f in taken):
                continue
            surface = original[start:pos]
            if word in self._names:
                # a watchlist alias the context rules turned down is no open entity, unless it
                # names a place (长河 + 小区, 长河 + 公园)
                following = tags[i + 1][0] if i + 1 < len(tags) else ""
                if not following.startswith(_PLACE_TAILS):
                    continue
                pos += len(following)
                out.append(Found(start, pos, Entity(original[start:pos], "place", word + following), False))
                continue
            if tag == "nr":
                if (len(word) > 3 or word[0] not in _SURNAMES or any(x in word for x in _NOT_NAMES)
                        or word in _common_nr() or (start and original[start - 1] in "小老阿")):
                    continue
                entity = Entity(surface, "person", word)
            elif tag == "ns":
                if word in _NOT_PLACES or any(word in p for p in self._everyday):
                    continue
                place = self.regions.resolve(word)
                if place is None and not _PLACE_END.search(word):
                    continue
                entity = Entity(surface, "place", place.canonical if place else word,
                                place.city if place else None, place.province if place else None)
            else:
                entity = Entity(surface, "org", word)
            out.append(Found(start, pos, entity, False))
        return out

    def shape_places(self, original: str, text: str, found: list[Found]) -> list[Found]:
        """Extend a place by the place word after it (江汉路 + 步行街); drop a place inside an
        organisation name (武汉 + 大学), which is not tagged."""
        out: list[Found] = []
        for f in found:
            if f.entity.type != "place":
                out.append(f)
                continue
            rest = text[f.end:f.end + 3]
            if rest.startswith(_ORG_TAILS):
                continue
            tail = next((t for t in _PLACE_TAILS if len(t) >= 2 and rest.startswith(t)), None)
            if tail and not any(g.start == f.end for g in found):
                end = f.end + len(tail)
                e = f.entity
                f = Found(f.start, end, Entity(original[f.start:end], "place", text[f.start:end], e.city, e.province),
                          False)
            out.append(f)
        return out

    def author(self, author: str | None) -> Entity | None:
        """The watched person posting under ``author``, if any."""
        if not author:
            return None
        name = self._authors.get(simplify(author).strip().lstrip("@"))
        return Entity(author, "watched_person", name) if name else None

    def watched(self, found: list[Found]) -> tuple[str, ...]:
        """Canonical names the text is about: the bank first, then its branches, products, people."""
        names: list[str] = []
        for f in found:
            if f.watched:
                if self.bank not in names:
                    names.insert(0, self.bank)
                if f.entity.canonical not in names:
                    names.append(f.entity.canonical)
        return tuple(names)


def distinct(found: list[Found]) -> tuple[Entity, ...]:
    """Distinct (surface, type) pairs in order of first appearance."""
    seen: set[tuple[str, str]] = set()
    out: list[Entity] = []
    for f in sorted(found, key=lambda f: f.start):
        key = (f.entity.text, f.entity.type)
        if key not in seen:
            seen.add(key)
            out.append(f.entity)
    return tuple(out)
