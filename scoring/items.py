"""Turn a stored mention and its annotation into the Item scoring works on. Pure.

The subject of an item is the watched entity its event is keyed on: a named product when the
text names one (a complaint about 长河金卡 is not the same event as one about 长河如意贷),
else the bank; a branch stands for its bank (branches are breadth, not events of their own);
executives and watched people are subjects of their own when nothing else is named.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from .records import Item

_BANK_TYPES = ("bank",)
_PRODUCT_TYPES = ("product",)
_BRANCH_TYPES = ("branch",)
_OUTLET_KEYS = ("outlet", "media", "source_name")
_BYLINE = re.compile(r"来源[:：]\s*([^\s　，,。]{2,20})")


def _field(entity: Any, name: str) -> Any:
    if isinstance(entity, Mapping):
        return entity.get(name)
    return getattr(entity, name, None)


def subject_of(watched: Iterable[str], entities: Iterable[Any], root: str | None = None) -> str:
    """The watched entity an item's event is keyed on, or "" when it is about none."""
    watched = [w for w in watched if w]
    if not watched:
        return ""
    types: dict[str, str] = {}
    for ent in entities:
        canonical = _field(ent, "canonical")
        if canonical and canonical not in types:
            types[canonical] = _field(ent, "type") or ""
    for wanted in (_PRODUCT_TYPES, _BANK_TYPES):
        for name in watched:
            if types.get(name) in wanted:
                return name
    if root and (root in watched or any(types.get(n) in _BRANCH_TYPES for n in watched)):
        return root
    return watched[0]


def contains_any(texts: Iterable[str], words: Iterable[str]) -> bool:
    words = [w for w in words if w]
    return any(w in t for t in texts if t for w in words)


def engagement(heat: Any, replies: int | None, shares: int | None, likes: int | None, views: int | None) -> float:
    return (heat.replies * (replies or 0) + heat.shares * (shares or 0) + heat.likes * (likes or 0)
            + heat.views * (views or 0))


def build_item(row: Mapping[str, Any], thresholds: Any, root: str | None = None) -> Item:
    """One Item from a mapping holding mention columns and annotation columns.

    Keys read: id, near_duplicate_of, published_at, fetched_at, author, site, channel, source,
    url, authority, replies, views, likes, shares, extra, title, text, sightings; polarity,
    sentiment, topics, entities, watched, harm, harm_words.
    """
    entities = list(row.get("entities") or ())
    watched = list(row.get("watched") or ())
    extra = row.get("extra") or {}
    at: datetime = row.get("published_at") or row["fetched_at"]
    if row.get("fetched_at") and at > row["fetched_at"]:
        at = row["fetched_at"]  # a page dated in the future: trust when we saw it
    branches, cities, provinces, products, regulators = set(), set(), set(), set(), False
    for ent in entities:
        kind = _field(ent, "type")
        canonical = _field(ent, "canonical") or _field(ent, "text") or ""
        if kind == "branch":
            branches.add(canonical)
        elif kind == "product" and canonical in watched:
            products.add(canonical)
        elif kind == "regulator":
            regulators = True
        if _field(ent, "city"):
            cities.add(_field(ent, "city"))
        if _field(ent, "province"):
            provinces.add(_field(ent, "province"))
    for key, bucket in (("branch", branches), ("city", cities), ("province", provinces)):
        if isinstance(extra, Mapping) and extra.get(key):
            bucket.add(str(extra[key]))
    auth = thresholds.authority
    outlet = None
    if isinstance(extra, Mapping):
        outlet = next((str(extra[k]) for k in _OUTLET_KEYS if extra.get(k)), None)
    if outlet is None:
        byline = _BYLINE.search((row.get("title") or "") + " " + (row.get("text") or "")[:300])
        if byline and byline.group(1) in (*thresholds.authority.national_outlets, *thresholds.authority.regulator_outlets):
            outlet = byline.group(1)  # "来源：中国财经时报" in the text when the crawler kept the byline
    channel = row.get("channel") or ""
    authority = float(row.get("authority") if row.get("authority") is not None else 1.0)
    is_media = channel in auth.mainstream_channels
    national = bool((outlet and outlet in auth.national_outlets)
                    or (is_media and authority >= auth.national_min_authority))
    mainstream = bool(national or (is_media and authority >= auth.mainstream_min_authority))
    if outlet and outlet in auth.regulator_outlets:
        regulators = True
    texts = [row.get("title") or "", row.get("text") or "", " ".join(row.get("harm_words") or ())]
    mention_id = int(row["id"])
    original = None if not row.get("near_duplicate_of") else int(row["near_duplicate_of"])
    return Item(
        mention_id=mention_id,
        story=original or mention_id,
        at=at,
        polarity=row.get("polarity") or "neu",
        harm=int(row.get("harm") or 0),
        sentiment=float(row.get("sentiment") or 0.0),
        subject=subject_of(watched, entities, root),
        topics=tuple(row.get("topics") or ()),
        author=row.get("author") or None,
        site=row.get("site") or "",
        channel=channel,
        source=row.get("source") or "",
        url=row.get("url") or "",
        thread=row.get("thread_url") or None,
        outlet=outlet if outlet else (row.get("site") or None if is_media else None),
        authority=authority,
        engagement=engagement(thresholds.heat, row.get("replies"), row.get("shares"), row.get("likes"),
                              row.get("views")),
        sightings=int(row.get("sightings") or 0),
        branches=tuple(sorted(branches)),
        cities=tuple(sorted(cities)),
        provinces=tuple(sorted(provinces)),
        products=tuple(sorted(products)),
        regulator=regulators,
        bank_run=contains_any(texts, thresholds.words.bank_run),
        mass_gathering=contains_any(texts, thresholds.words.mass_gathering),
        mainstream=mainstream,
        national=national,
    )

