"""Indicators of one event at one moment. Pure: the items and the clock come in.

Quantity, breadth, harm and authority count the event's items inside ``windows.quantity_hours``
before ``now``; quantities count stories (a repost is the story it copies), breadth counts every
place a story was seen (a repost on another site widens it). Growth compares the last
``windows.burst_hours`` with the buckets of the same length in ``windows.baseline_hours`` before,
for the event itself and for its entity (all events of the same subject).
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from config.schema.thresholds import INDICATORS

from .records import EventView, Item

NAMES: tuple[str, ...] = tuple(INDICATORS)


def _bucket_counts(times: Iterable[datetime], now: datetime, width: timedelta, buckets: int) -> list[int]:
    """counts[0] is the latest bucket (now-width, now], counts[k] the k-th before it."""
    counts = [0] * (buckets + 1)
    width_s = width.total_seconds()
    end = now.timestamp()
    oldest = end - width_s * (buckets + 1)
    for at in times:
        ts = at.timestamp()
        if ts > end or ts <= oldest:
            continue
        age = end - ts
        k = math.ceil(age / width_s) - 1 if age > 0 else 0  # a bucket is (start, end]
        counts[k] += 1
    return counts


def burst_score(times: Iterable[datetime], now: datetime, windows: Any) -> float:
    """How far the latest burst window stands above the baseline buckets (z-score or EWMA)."""
    width = timedelta(hours=windows.burst_hours)
    buckets = max(1, int(windows.baseline_hours // windows.burst_hours))
    counts = _bucket_counts(times, now, width, buckets)
    recent, history = counts[0], counts[1:]
    if windows.growth_method == "ewma":
        mean, var = float(history[-1]), 0.0
        for x in reversed(history[:-1]):  # oldest first
            diff = x - mean
            mean += windows.ewma_alpha * diff
            var = (1 - windows.ewma_alpha) * (var + windows.ewma_alpha * diff * diff)
        std = math.sqrt(var)
    else:
        mean = sum(history) / len(history)
        std = math.sqrt(sum((x - mean) ** 2 for x in history) / len(history))
    return round((recent - mean) / max(std, windows.min_std), 3)


def compute(view: EventView, now: datetime, thresholds: Any) -> dict[str, float]:
    """Every indicator named in config.schema.thresholds.INDICATORS, for ``view`` at ``now``.

    One pass over the items (a backtest calls this hundreds of thousands of times)."""
    win = thresholds.windows
    start = now - timedelta(hours=win.quantity_hours)
    media = thresholds.authority.mainstream_channels
    first_at: dict[int, tuple[datetime, int, Item]] = {}  # story -> its earliest driving sighting (any age)
    originals: dict[int, tuple[datetime, int, Item]] = {}  # the same, inside the quantity window
    mentions = negative = reposts = 0
    heat_raw = 0.0
    sites: set[str] = set()
    channels: set[str] = set()
    outlets: set[str] = set()
    branches: set[str] = set()
    cities: set[str] = set()
    provinces: set[str] = set()
    products: set[str] = set()
    flagged: dict[str, set[int]] = {f: set() for f in _FLAGS}
    for item in view.items:
        at = item.at
        if at > now:
            continue
        drives = item.polarity == "neg" or item.harm > 0
        if drives:
            key = (at, item.mention_id, item)
            old = first_at.get(item.story)
            if old is None or key[:2] < old[:2]:
                first_at[item.story] = key
        if at <= start:
            continue
        mentions += 1
        negative += item.polarity == "neg"
        reposts += (item.story != item.mention_id) + item.sightings
        heat_raw += item.authority * (1.0 + item.engagement)
        if not drives:
            continue
        old = originals.get(item.story)
        if old is None or (at, item.mention_id) < old[:2]:
            originals[item.story] = (at, item.mention_id, item)
        if item.site:
            sites.add(item.site)
        if item.channel:
            channels.add(item.channel)
        if item.outlet and (item.mainstream or item.channel in media):
            outlets.add(item.outlet)
        branches.update(item.branches)
        cities.update(item.cities)
        provinces.update(item.provinces)
        products.update(item.products)
        for flag, bucket in flagged.items():
            if getattr(item, flag):
                bucket.add(item.story)
    heat_raw += thresholds.heat.reposts * reposts
    stories = [o[2] for o in originals.values()]
    story_times = [s.at for s in stories]
    all_story_times = [k[0] for k in first_at.values()]
    burst = timedelta(hours=win.burst_hours)
    recent = sum(1 for t in all_story_times if now - burst < t <= now)
    previous = sum(1 for t in all_story_times if now - 2 * burst < t <= now - burst)
    harms = [s.harm for s in stories]
    values: dict[str, float] = {
        "stories": len(stories),
        "authors": len({s.author or f"#story{s.story}" for s in stories}),
        "mentions": mentions,
        "reach": reposts,
        "growth": round(recent / max(previous, 1), 3),
        "burst_z": burst_score(all_story_times, now, win),
        "entity_burst_z": view.entity_burst if view.entity_burst is not None else burst_score(view.entity_times, now, win),
        "heat": round(math.log1p(heat_raw), 3),
        "sites": len(sites),
        "channels": len(channels),
        "branches": len(branches),
        "cities": len(cities),
        "provinces": len(provinces),
        "outlets": len(outlets),
        "products": len(products),
        "duration_hours": round((max(story_times) - min(story_times)).total_seconds() / 3600, 2) if story_times else 0.0,
        "negativity": round(negative / mentions, 3) if mentions else 0.0,
        "harm_max": max(harms, default=0),
        "harm1": harms.count(1),
        "harm2": harms.count(2),
        "harm3": harms.count(3),
        "mainstream": len(flagged["mainstream"]),
        "national_outlet": len(flagged["national"]),
        "regulator": len(flagged["regulator"]),
        "bank_run": len(flagged["bank_run"]),
        "mass_gathering": len(flagged["mass_gathering"]),
        "related": view.related,
    }
    return {name: float(values[name]) for name in NAMES}


_FLAGS = ("mainstream", "national", "regulator", "bank_run", "mass_gathering")


