"""The database schema. Every stage's output is a table; every stage's progress is derivable
from the tables (an annotation exists, a mention is scored, an alert is sent), so any stage can
be rerun alone and a crash leaves nothing half-done."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .types import UTCDateTime

# BIGINT on PostgreSQL, INTEGER (the rowid alias, so autoincrement works) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class Source(Base):
    """A configured source and its health, updated after every crawl of it."""

    __tablename__ = "sources"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    type: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="new")  # new, ok, stale, failing, broken
    last_run_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    items_last_run: Mapped[int] = mapped_column(Integer, default=0)
    new_items_last_run: Mapped[int] = mapped_column(Integer, default=0)
    last_new_item_at: Mapped[datetime | None]
    next_due_at: Mapped[datetime | None]
    backoff_until: Mapped[datetime | None]
    broken_alerted: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # e.g. selector hit history


class HttpCache(Base):
    """Validators for conditional GET (If-None-Match / If-Modified-Since), per URL."""

    __tablename__ = "http_cache"
    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime]


class Mention(Base):
    __tablename__ = "mentions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(200), index=True)
    channel: Mapped[str] = mapped_column(String(40))
    url: Mapped[str] = mapped_column(String(2000))
    canonical_url: Mapped[str] = mapped_column(String(2000), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    simhash: Mapped[int] = mapped_column(BigInteger)
    # four 16-bit bands of the simhash: two texts within Hamming distance 3 share at least one
    band0: Mapped[int] = mapped_column(Integer, index=True)
    band1: Mapped[int] = mapped_column(Integer, index=True)
    band2: Mapped[int] = mapped_column(Integer, index=True)
    band3: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(200))
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    fetched_at: Mapped[datetime]
    thread_url: Mapped[str | None] = mapped_column(String(2000), index=True)
    site: Mapped[str] = mapped_column(String(200), default="")
    authority: Mapped[float] = mapped_column(Float, default=1.0)
    replies: Mapped[int | None] = mapped_column(Integer)
    views: Mapped[int | None] = mapped_column(Integer)
    likes: Mapped[int | None] = mapped_column(Integer)
    shares: Mapped[int | None] = mapped_column(Integer)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    near_duplicate_of: Mapped[int | None] = mapped_column(BigId, ForeignKey("mentions.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(BigId)


class MentionSighting(Base):
    """The same text seen again at another URL: not a new mention, but reach."""

    __tablename__ = "mention_sightings"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    mention_id: Mapped[int] = mapped_column(BigId, ForeignKey("mentions.id"), index=True)
    canonical_url: Mapped[str] = mapped_column(String(2000), unique=True)
    source: Mapped[str] = mapped_column(String(200))
    site: Mapped[str] = mapped_column(String(200), default="")
    seen_at: Mapped[datetime]


class Annotation(Base):
    __tablename__ = "annotations"
    mention_id: Mapped[int] = mapped_column(BigId, ForeignKey("mentions.id"), primary_key=True)
    model_version: Mapped[str] = mapped_column(String(100))
    polarity: Mapped[str] = mapped_column(String(3))
    sentiment: Mapped[float] = mapped_column(Float)
    drivers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    topics: Mapped[list[Any]] = mapped_column(JSON, default=list)
    causes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    entities: Mapped[list[Any]] = mapped_column(JSON, default=list)
    watched: Mapped[list[Any]] = mapped_column(JSON, default=list)
    harm: Mapped[int] = mapped_column(Integer, default=0)
    harm_words: Mapped[list[Any]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[Any]] = mapped_column(JSON, default=list)
    script: Mapped[str] = mapped_column(String(10), default="none")
    analysed_at: Mapped[datetime]
    # set by the scoring stage once the mention has been placed in its events
    scored_at: Mapped[datetime | None] = mapped_column(index=True)


class SentimentCorrection(Base):
    """A staff member's correction of a sentiment label; train-sentiment learns from these."""

    __tablename__ = "sentiment_corrections"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    mention_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("mentions.id"))
    text: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(3))
    corrected_by: Mapped[str] = mapped_column(String(200), default="")
    corrected_at: Mapped[datetime]


class Event(Base):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(500), unique=True)
    entity: Mapped[str] = mapped_column(String(200), index=True)
    topic: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="new")  # new, active, cooling, closed
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime] = mapped_column(index=True)
    colour: Mapped[str | None] = mapped_column(String(10))
    colour_since: Mapped[datetime | None]
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # hysteresis and lifecycle state
    merged_into: Mapped[int | None] = mapped_column(BigId, ForeignKey("events.id"))
    updated_at: Mapped[datetime]


class EventMention(Base):
    __tablename__ = "event_mentions"
    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("events.id"), primary_key=True)
    mention_id: Mapped[int] = mapped_column(BigId, ForeignKey("mentions.id"), primary_key=True, index=True)


class EarlyWarning(Base):
    """One evaluation that set or changed an event's colour, with everything that explains it."""

    __tablename__ = "warnings"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("events.id"), index=True)
    colour: Mapped[str | None] = mapped_column(String(10))
    previous_colour: Mapped[str | None] = mapped_column(String(10))
    evaluated_at: Mapped[datetime]
    score: Mapped[float] = mapped_column(Float, default=0.0)
    indicators: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rules: Mapped[list[Any]] = mapped_column(JSON, default=list)
    thresholds_hash: Mapped[str] = mapped_column(String(64))
    __table_args__ = (UniqueConstraint("event_id", "evaluated_at", name="uq_warning_event_time"),)


class Alert(Base):
    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))  # warning, operational, report
    warning_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("warnings.id"), index=True)
    route: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(200))
    dedup_key: Mapped[str] = mapped_column(String(500), unique=True)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class Delivery(Base):
    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(BigId, ForeignKey("alerts.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]
    ok: Mapped[bool] = mapped_column(Boolean)
    retryable: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text)


class Run(Base):
    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    stage: Mapped[str] = mapped_column(String(40))  # crawl, analyse, score, alert, cycle
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")
    now: Mapped[datetime | None]
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)


