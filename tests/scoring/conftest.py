"""Shared fixtures for the scoring tests: the bundled thresholds file and an item factory."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from config.loader import REPO_ROOT, parse_file
from config.schema.thresholds import ThresholdsFile, check_thresholds

T0 = datetime(2026, 3, 14, 0, 0, tzinfo=timezone.utc)
BANK = "长河银行"
_ids = itertools.count(1)


def load_thresholds(path: Path = REPO_ROOT / "thresholds.yaml") -> ThresholdsFile:
    model, _ = parse_file(path.read_text(encoding="utf-8"), str(path), ThresholdsFile)
    assert check_thresholds(model) == []
    return model


@pytest.fixture(scope="session")
def thresholds() -> ThresholdsFile:
    return load_thresholds()


def row(hours: float, *, text: str = "", author: str | None = None, site: str = "forum.example",
        channel: str = "forum", polarity: str = "neg", harm: int = 1, topics=("system_outage",),
        watched=("长河手机银行",), entities=None, branch: str | None = None, city: str | None = None,
        province: str | None = None, outlet: str | None = None, authority: float = 0.5,
        near_duplicate_of: int | None = None, mention_id: int | None = None, title: str = "",
        replies: int | None = None, sightings: int = 0) -> dict:
    """One mention+annotation row as storage hands it to scoring.build_item."""
    mid = mention_id or next(_ids)
    if entities is None:
        entities = [{"text": w, "type": "product" if w != BANK else "bank", "canonical": w} for w in watched]
        if branch:
            entities.append({"text": branch, "type": "branch", "canonical": branch, "city": city,
                             "province": province})
        elif city:
            entities.append({"text": city, "type": "place", "canonical": city, "city": city, "province": province})
    extra = {"outlet": outlet} if outlet else {}
    return {"id": mid, "near_duplicate_of": near_duplicate_of, "published_at": T0 + timedelta(hours=hours),
            "fetched_at": T0 + timedelta(hours=hours, minutes=5), "author": author, "site": site,
            "channel": channel, "source": site, "url": f"https://{site}/{mid}", "authority": authority,
            "replies": replies, "views": None, "likes": None, "shares": None, "extra": extra, "title": title,
            "text": text, "sightings": sightings, "polarity": polarity, "sentiment": -0.6 if polarity == "neg" else 0.0,
            "topics": list(topics), "entities": entities, "watched": list(watched), "harm": harm,
            "harm_words": []}


def insert(db, rows, *, analysed_at=None) -> None:
    """Store conftest rows as Mention and Annotation rows, as the crawl and analyse stages would."""
    import hashlib

    from storage.models import Annotation, Mention, MentionSighting

    with db.transaction() as s:
        for r in rows:
            s.add(Mention(id=r["id"], source=r["source"], channel=r["channel"], url=r["url"], canonical_url=r["url"],
                          fingerprint=hashlib.sha256(f"{r['id']}".encode()).hexdigest(), simhash=r["id"],
                          band0=0, band1=0, band2=0, band3=0, title=r["title"], text=r["text"] or "正文",
                          author=r["author"], published_at=r["published_at"], fetched_at=r["fetched_at"],
                          site=r["site"], authority=r["authority"], replies=r["replies"], extra=r["extra"],
                          near_duplicate_of=r["near_duplicate_of"]))
        s.flush()
        for r in rows:
            s.add(Annotation(mention_id=r["id"], model_version="test", polarity=r["polarity"], sentiment=r["sentiment"],
                             topics=r["topics"], entities=r["entities"], watched=r["watched"], harm=r["harm"],
                             harm_words=r["harm_words"], analysed_at=analysed_at or r["fetched_at"]))
            for k in range(r.get("sightings") or 0):
                s.add(MentionSighting(mention_id=r["id"], canonical_url=f"{r['url']}/seen{k}", source="x", site="x",
                                      seen_at=r["fetched_at"]))


def make_config(thresholds, tmp_path=None, digest="testhash"):
    from config.loader import Config

    return Config(directory=Path("."), thresholds_path=Path("thresholds.yaml"), thresholds_hash=digest,
                  sources=None, watchlist={"bank": {"name": BANK}}, taxonomy=None, alerts=None, thresholds=thresholds)
