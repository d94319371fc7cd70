"""Records the crawl stage hands to storage and, through it, to the analysis stage."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Mention:
    """One piece of text about (possibly) the watched bank, as fetched and normalised.

    Times are timezone-aware UTC. ``text`` and ``title`` keep the script they were written in
    (Traditional stays Traditional); conversion happens only inside the NLP stage.
    """

    source: str  # name of the source in sources.yaml
    channel: str  # news, forum, complaint, weibo, search, api, offline, ...
    url: str  # the URL as fetched (offline reports get a synthetic offline:// URL)
    canonical_url: str  # tracking parameters stripped, fragment dropped, host lower-cased
    title: str | None
    text: str
    fetched_at: datetime
    published_at: datetime | None = None
    author: str | None = None
    fingerprint: str = ""  # hash of the normalised text: equal text => equal fingerprint
    simhash: int = 0  # 64-bit simhash of the text, for near-duplicate (repost) linking
    thread_url: str | None = None  # forum replies: canonical URL of the thread they belong to
    site: str = ""  # registrable domain or site name, for breadth counts
    authority: float = 1.0  # source authority weight from sources.yaml
    replies: int | None = None
    views: int | None = None
    likes: int | None = None
    shares: int | None = None
    extra: dict[str, str] = field(default_factory=dict)  # e.g. branch, staff notes for offline


@dataclass(frozen=True, slots=True)
class StoredMention:
    """A mention as read back from storage, with its database id and duplicate links."""

    id: int
    mention: Mention
    near_duplicate_of: int | None = None  # id of the first-seen mention this one reposts


@dataclass(slots=True)
class FetchResult:
    """What one crawl of one source produced; health bookkeeping is derived from it."""

    source: str
    mentions: list[Mention] = field(default_factory=list)
    ok: bool = True
    error: str | None = None  # one line: what went wrong, for the source's health record
    pages: int = 0  # pages or API responses fetched
    not_modified: bool = False  # conditional GET said nothing changed
    selector_misses: int = 0  # list pages that matched none of the item selectors
    retry_after_s: float | None = None  # the server asked us to come back later
