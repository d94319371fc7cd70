"""Schema of sources.yaml: what to crawl, how often, and how politely.

A source inherits every per-source knob it leaves out (``timeout``, ``max_pages``, ``delay``,
``obey_robots``, ...) from the top-level ``defaults:`` section; after loading, each ``Source``
carries concrete values, so fetchers and spiders never look at ``defaults`` for those.

Durations are written ``30s``, ``10m``, ``2h``, ``1d`` (or a number of seconds) and loaded as
seconds (float). Selectors are CSS by default (parsel dialect: ``::text``, ``::attr(href)``);
a selector starting with ``/``, ``(`` or ``./``, or prefixed ``xpath:``, is XPath; the prefix
``css:`` forces CSS. ``selector_kind`` tells a spider which is which.
"""
from __future__ import annotations

import re
from typing import Annotated, Any, Iterable, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import warnings

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from .base import StrictModel

SOURCE_TYPES = ("feed", "html", "forum", "search", "json")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d|w)?\s*$", re.I)
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}
_CLOCK = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")
DEFAULT_USER_AGENT = ("bank-opinion-monitor/0.1 (+https://github.com/bank-opinion-monitor/bank-opinion-monitor; "
                      "public-opinion monitoring, obeys robots.txt)")


def parse_duration(value: Any) -> float:
    """``"30m"`` -> 1800.0; numbers are seconds. Raises ValueError with the expected form."""
    if isinstance(value, bool):
        raise ValueError("a duration such as 30s, 10m, 2h or 1d")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError("a duration such as 30s, 10m, 2h or 1d (not negative)")
        return float(value)
    match = _DURATION.match(str(value)) if isinstance(value, str) else None
    if not match:
        raise ValueError("a duration such as 30s, 10m, 2h or 1d")
    return float(match.group(1)) * _UNIT_SECONDS[(match.group(2) or "").lower()]


Duration = Annotated[float, BeforeValidator(parse_duration)]


def selector_kind(selector: str) -> tuple[Literal["css", "xpath"], str]:
    """Split a configured selector into its dialect and expression."""
    text = selector.strip()
    if text.startswith("xpath:"):
        return "xpath", text[6:].strip()
    if text.startswith("css:"):
        return "css", text[4:].strip()
    if text.startswith(("/", "(", "./")):
        return "xpath", text
    return "css", text


def _check_selector(value: Any) -> Any:
    if value is None or not isinstance(value, str):
        return value
    kind, expr = selector_kind(value)
    if not expr:
        raise ValueError("a CSS or XPath selector")
    from parsel import Selector

    probe = Selector(text="<html><body></body></html>")
    try:
        probe.css(expr) if kind == "css" else probe.xpath(expr)
    except Exception:  # noqa: BLE001 - cssselect and lxml raise several unrelated types
        raise ValueError(f"a valid {'CSS' if kind == 'css' else 'XPath'} selector") from None
    return value


Sel = Annotated[str, BeforeValidator(_check_selector)]


def _check_tz(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("an IANA time zone such as Asia/Shanghai") from None
    return value


TimeZone = Annotated[str, BeforeValidator(lambda v: _check_tz(v) if isinstance(v, str) else v)]


class Defaults(StrictModel):
    """Politeness and health settings every source inherits unless it sets its own."""

    user_agent: str = Field(DEFAULT_USER_AGENT,
        description="User-Agent sent on every request; names the project and its URL.")
    concurrency: int = Field(8, ge=1, le=64, description="Requests in flight at once, all sites together.")
    per_domain_concurrency: int = Field(2, ge=1, le=16, description="Requests in flight at once to one site.")
    delay: Duration = Field(1.0, description="Pause between two requests to the same site (before AutoThrottle).")
    autothrottle: bool = Field(True, description="Let Scrapy's AutoThrottle slow down when a site answers slowly.")
    retries: int = Field(2, ge=0, le=10,
        description="Retries of a failed request (5xx, 429, timeouts); 4xx other than 429 are not retried.")
    backoff_base: Duration = Field(1.0,
        description="First retry waits this long, doubling each time, unless Retry-After says otherwise.")
    max_retry_after: Duration = Field(120.0,
        description="Longest Retry-After the crawl waits for in-run; longer ones end the run of that source.")
    timeout: Duration = Field(20.0, description="Timeout of one HTTP request (connect and read).")
    source_timeout: Duration = Field(300.0,
        description="Time budget of one source's whole crawl; past it the source's run fails with 'timeout'.")
    max_bytes: int = Field(5_000_000, ge=1000,
        description="Largest response body read; a larger one is abandoned, not stored.")
    max_pages: int = Field(5, ge=1, le=1000, description="Most list/result pages followed per run (pagination limit).")
    max_items: int = Field(200, ge=1, description="Most detail pages or items taken per run.")
    max_redirects: int = Field(5, ge=0, le=20, description="Redirects followed per request; a loop fails the request.")
    max_text_chars: int = Field(20_000, ge=100, description="Text of a mention is cut to this many characters.")
    obey_robots: bool = Field(True, description="Obey robots.txt (cached per host per run).")
    every: Duration = Field(1800.0, description="Polling interval of sources that give no schedule.")
    jitter: Duration = Field(60.0,
        description="Random (but deterministic per source and time) delay added to each due time.")
    broken_after: int = Field(6, ge=1, description="Consecutive failures that mark a source broken.")
    backoff_cap: Duration = Field(86400.0, description="Longest pause of a failing source's exponential backoff.")
    stale_after: Duration = Field(172800.0,
        description="A source yielding nothing new for this long is stale (expected_update default).")
    tz: TimeZone = Field("Asia/Shanghai", description="Time zone of times printed without one.")


class Slot(StrictModel):
    """Poll more (or less) often inside a daily time window, e.g. every 10m from 08:00 to 22:00."""

    from_: str = Field(alias="from", description="Start of the window, HH:MM in the source's time zone.")
    to: str = Field(description="End of the window, HH:MM (may be earlier than `from`: the window crosses midnight).")
    every: Duration = Field(description="Interval inside the window.")

    @field_validator("from_", "to")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not isinstance(value, str) or not _CLOCK.match(value.strip()):
            raise ValueError("a time of day as HH:MM, e.g. 08:00")
        return value.strip()


class Schedule(StrictModel):
    """When a source is due: an interval (`every`) or a cron expression (`cron`), plus slots."""

    every: Duration | None = Field(None, description="Interval between crawls (default: defaults.every).")
    cron: str | None = Field(None, description="Five-field crontab expression, in the source's time zone.")
    jitter: Duration | None = Field(None,
        description="Extra deterministic delay, up to this long (default: defaults.jitter).")
    slots: list[Slot] = Field(default_factory=list,
        description="Time windows with their own interval; outside them `every`/`cron` applies.")

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        if info.data.get("every") is not None:
            raise ValueError("either `every` or `cron`, not both")
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value, timezone="UTC")
        except ValueError:
            raise ValueError("a five-field crontab expression such as '*/15 8-22 * * *'") from None
        return value


class Keywords(StrictModel):
    """Keep only items whose title or text contains one `include` word and no `exclude` word."""

    include: list[str] = Field(default_factory=list, description="Any one must appear (empty: everything passes).")
    exclude: list[str] = Field(default_factory=list, description="None may appear.")
    watchlist: bool = Field(False, description="Also include the watchlist's bank names and aliases.")


class HtmlSelectors(StrictModel):
    """`html:` (and `search:` result) pages: a list page of links, then detail pages.

    Detail selectors left out are filled in by generic article extraction (trafilatura, htmldate).
    """

    item_links: Sel | None = Field(None,
        description="On list pages: the links to detail pages, e.g. 'ul.news a::attr(href)'.")
    next_page: Sel | None = Field(None,
        description="On list pages: the next list page's link; followed up to max_pages.")
    title: Sel | None = Field(None, description="On detail pages: the title text.")
    body: Sel | None = Field(None, description="On detail pages: the body; all matched text joined.")
    time: Sel | None = Field(None,
        description="On detail pages: the publication time text (parsed by crawlers.timeparse).")
    author: Sel | None = Field(None, description="On detail pages: the author.")
    outlet: Sel | None = Field(None,
        description="On detail pages: the media outlet named on the page (来源), for the authority indicators.")
    list_only: bool = Field(False,
        description="Items live on the list page itself: `item` rows carry title/time/author/body.")
    item: Sel | None = Field(None,
        description="With list_only: one element per item on the list page; other selectors are relative to it.")


class ForumSelectors(StrictModel):
    """`forum:` thread list -> thread pages -> posts; the first post is the thread, others replies."""

    thread_links: Sel = Field(description="On thread-list pages: links to threads.")
    next_page: Sel | None = Field(None, description="On thread-list pages: the next list page's link.")
    thread_next_page: Sel | None = Field(None, description="On thread pages: the next page of the same thread.")
    title: Sel | None = Field(None, description="On thread pages: the thread title (default: <title>).")
    post: Sel = Field(description="On thread pages: one element per post (floor).")
    post_body: Sel = Field(description="Relative to a post: its text.")
    post_author: Sel | None = Field(None, description="Relative to a post: its author.")
    post_time: Sel | None = Field(None, description="Relative to a post: its time text.")
    post_id: Sel | None = Field(None,
        description="Relative to a post: a stable id or permalink, for reply URLs (crawlers.normalize.post_url).")
    replies: Sel | None = Field(None, description="On thread pages: the thread's reply count.")
    views: Sel | None = Field(None, description="On thread pages: the thread's view count.")
    likes: Sel | None = Field(None, description="Relative to a post: its like count.")
    max_replies: int = Field(200, ge=0, description="Most replies taken per thread per run.")


class SearchOptions(StrictModel):
    """`search:` the source's `url` is a template with {keyword} (and optionally {page});
    result pages and detail pages are read with the source's `html:` selectors."""

    keywords: list[str] | Literal["watchlist"] = Field("watchlist",
        description="Words to search for, or 'watchlist' for the bank's names and aliases.")
    encoding: str = Field("utf-8", description="Encoding of the keyword in the URL (some Chinese sites want gbk).")
    first_page: int = Field(1, ge=0, description="Value of {page} for the first result page.")

    @field_validator("encoding")
    @classmethod
    def _codec(cls, value: str) -> str:
        import codecs

        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError("a Python codec name such as utf-8 or gbk") from None
        return value


class JsonFields(StrictModel):
    """JMESPath expressions (a dotted path is one) evaluated on each item."""

    url: str = Field(description="The item's URL (relative URLs are resolved against the source's url).")
    title: str | None = Field(None, description="Title.")
    text: str | None = Field(None, description="Body text (HTML tags are stripped).")
    published_at: str | None = Field(None, description="Publication time: text, ISO 8601 or a Unix timestamp.")
    author: str | None = None
    thread_url: str | None = None
    replies: str | None = None
    views: str | None = None
    likes: str | None = None
    shares: str | None = None

    @model_validator(mode="after")
    def _compile(self) -> JsonFields:
        import jmespath
        from jmespath.exceptions import JMESPathError

        for name in type(self).model_fields:
            expr = getattr(self, name)
            if expr is None:
                continue
            try:
                jmespath.compile(expr)
            except JMESPathError:
                raise ValueError(f"a JMESPath expression for {name!r}, such as data.title") from None
        return self


class JsonMapping(StrictModel):
    """`json:` where the items are in the response, and how their fields map to a mention."""

    items: str = Field(description="JMESPath to the list of items, e.g. 'data.list'.")
    fields: JsonFields = Field(description="Mapping of mention fields to JMESPath expressions per item.")

    @field_validator("items")
    @classmethod
    def _items(cls, value: str) -> str:
        import jmespath
        from jmespath.exceptions import JMESPathError

        try:
            jmespath.compile(value)
        except JMESPathError:
            raise ValueError("a JMESPath expression such as data.items") from None
        return value


# Per-source knobs that fall back to `defaults:` when left out.
INHERITED = ("timeout", "source_timeout", "max_pages", "max_items", "max_bytes", "max_redirects", "max_text_chars",
             "obey_robots", "delay", "retries", "backoff_base", "max_retry_after", "backoff_cap", "tz", "broken_after")


# A field named `json` shadows BaseModel's deprecated .json() method; the YAML key is `json`, and
# error messages list field names, so the field keeps that name.
warnings.filterwarnings("ignore", message='Field name "json" in "Source" shadows', category=UserWarning)


class Source(StrictModel):
    """One place to watch. Type-specific sections are checked in ``cross_check``."""

    name: str = Field(pattern=r"^[\w.-]+$",
        description="Unique name (letters, digits, _ . -), used on the command line.")
    type: Literal["feed", "html", "forum", "search", "json"] = Field(description="How it is crawled.")
    channel: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="news, forum, complaint, weibo, search, api, ...")
    url: str = Field(description="Feed, list page, API URL; for `search` a template containing {keyword}.")
    site: str | None = Field(None, max_length=200,
        description="Name under which this source's mentions count as one site for breadth "
                    "(default: the URL's registrable domain; set it when several sites share a host).")
    authority: float = Field(1.0, ge=0, le=10,
        description="Weight of this source's mentions in scoring (1 = ordinary).")
    enabled: bool = Field(True, description="A disabled source is listed but never crawled.")
    schedule: Schedule = Field(default_factory=Schedule, description="When the source is due.")
    keywords: Keywords = Field(default_factory=Keywords, description="Item filter on title and text.")
    expected_update: Duration | None = Field(None,
        description="Stale after yielding nothing new this long (default: defaults.stale_after).")
    headers: dict[str, str] = Field(default_factory=dict, description="Extra request headers, e.g. Referer.")
    timeout: Duration | None = Field(None, description="Per-request timeout (default: defaults.timeout).")
    max_pages: int | None = Field(None, ge=1, le=1000, description="Pagination limit (default: defaults.max_pages).")
    max_items: int | None = Field(None, ge=1, description="Most items per run (default: defaults.max_items).")
    max_bytes: int | None = Field(None, ge=1000, description="Response size cap (default: defaults.max_bytes).")
    max_redirects: int | None = Field(None, ge=0, le=20,
        description="Redirect limit (default: defaults.max_redirects).")
    max_text_chars: int | None = Field(None, ge=100, description="Text length cap (default: defaults.max_text_chars).")
    obey_robots: bool | None = Field(None, description="Obey robots.txt (default: defaults.obey_robots).")
    delay: Duration | None = Field(None, description="Per-site delay (default: defaults.delay).")
    retries: int | None = Field(None, ge=0, le=10, description="Retries (default: defaults.retries).")
    backoff_base: Duration | None = Field(None, description="First retry pause (default: defaults.backoff_base).")
    max_retry_after: Duration | None = Field(None,
        description="Longest Retry-After waited in-run (default: defaults.max_retry_after).")
    backoff_cap: Duration | None = Field(None, description="Longest failure backoff (default: defaults.backoff_cap).")
    source_timeout: Duration | None = Field(None,
        description="Budget of the whole crawl of this source (default: defaults.source_timeout).")
    tz: TimeZone | None = Field(None, description="Time zone of the site's printed times (default: defaults.tz).")
    broken_after: int | None = Field(None, ge=1, description="Failures before broken (default: defaults.broken_after).")
    html: HtmlSelectors | None = Field(None,
        description="Selectors for `html` and `search` sources; on a `feed`, detail-page selectors for the entries' links.")
    forum: ForumSelectors | None = Field(None, description="Selectors for `forum` sources.")
    search: SearchOptions | None = Field(None, description="Keywords and paging for `search` sources.")
    json: JsonMapping | None = Field(None, description="Item mapping for `json` sources.")  # type: ignore[assignment]

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value or ""):
            raise ValueError("an http:// or https:// URL")
        return value

    @property
    def stale_after(self) -> float | None:
        return self.expected_update


def _section_issues(i: int, source: Source) -> Iterable[tuple[str, tuple[str | int, ...], str, str]]:
    where: tuple[str | int, ...] = ("sources", i)
    if source.type == "forum" and source.forum is None:
        yield ("sources.yaml", where + ("type",), "a `forum:` section (thread_links, post, post_body) for type forum",
               "no forum section")
    if source.type == "json" and source.json is None:
        yield ("sources.yaml", where + ("type",), "a `json:` section (items, fields) for type json", "no json section")
    if source.type == "search" and "{keyword}" not in source.url:
        yield ("sources.yaml", where + ("url",), "a search URL template containing {keyword}", repr(source.url))
    if source.type != "search" and ("{keyword}" in source.url or source.search is not None):
        key = "search" if source.search is not None else "url"
        yield ("sources.yaml", where + (key,), "{keyword} and a `search:` section only on type search",
               f"them on a {source.type} source")
    for section, allowed in (("forum", "forum"), ("json", "json")):
        if getattr(source, section) is not None and source.type != allowed:
            yield ("sources.yaml", where + (section,), f"a `{section}:` section only on type {allowed}",
                   f"it on a {source.type} source")
    if source.html is not None and source.type not in ("html", "search", "feed"):
        yield ("sources.yaml", where + ("html",), "an `html:` section only on type html, search or feed",
               f"it on a {source.type} source")
    if source.html is not None and source.html.list_only and not source.html.item:
        yield ("sources.yaml", where + ("html", "list_only"), "an `item` selector with list_only", "none")


class SourcesFile(StrictModel):
    """Root of sources.yaml."""

    defaults: Defaults = Field(default_factory=Defaults, description="Settings every source inherits.")
    sources: list[Source] = Field(default_factory=list, description="The sources to crawl.")

    @model_validator(mode="after")
    def _inherit(self) -> SourcesFile:
        resolved = []
        for source in self.sources:
            update: dict[str, Any] = {k: getattr(self.defaults, k) for k in INHERITED if getattr(source, k) is None}
            if source.expected_update is None:
                update["expected_update"] = self.defaults.stale_after
            schedule = source.schedule
            if schedule.every is None and schedule.cron is None or schedule.jitter is None:
                schedule = schedule.model_copy(update={
                    "every": schedule.every if (schedule.every is not None or schedule.cron) else self.defaults.every,
                    "jitter": schedule.jitter if schedule.jitter is not None else self.defaults.jitter})
                update["schedule"] = schedule
            resolved.append(source.model_copy(update=update) if update else source)
        object.__setattr__(self, "sources", resolved)
        return self

    def get(self, name: str) -> Source | None:
        return next((s for s in self.sources if s.name == name), None)


def cross_check(config: Any) -> Iterable[tuple[str, tuple[str | int, ...], str, str]]:
    """Names unique; type sections consistent; `watchlist` keywords need a bank name."""
    seen: dict[str, int] = {}
    for i, source in enumerate(config.sources.sources):
        yield from _section_issues(i, source)
        if source.name in seen:
            yield ("sources.yaml", ("sources", i, "name"), "a name no other source uses",
                   f"{source.name!r}, already the name of sources[{seen[source.name]}]")
        else:
            seen[source.name] = i
    terms = None
    for i, source in enumerate(config.sources.sources):
        wants = source.keywords.watchlist or (source.search is not None and source.search.keywords == "watchlist")
        if wants:
            if terms is None:
                terms = watchlist_terms(config.watchlist)
            if not terms:
                key = ("sources", i, "search", "keywords") if source.search else ("sources", i, "keywords", "watchlist")
                yield ("sources.yaml", key, "a watchlist.yaml with the bank's name", "no names in watchlist.yaml")


def _get(obj: Any, key: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(key)
    value = getattr(obj, key, None)
    if value is None and getattr(obj, "model_extra", None):
        value = obj.model_extra.get(key)
    return value


def watchlist_terms(watchlist: Any) -> list[str]:
    """The bank's name and its unambiguous aliases (those not needing context), for searches
    and `keywords.watchlist` filters. Works on the validated watchlist model or a plain dict."""
    bank = _get(watchlist, "bank") if watchlist is not None else None
    if bank is None:
        return []
    terms: list[str] = []
    name = _get(bank, "name")
    if isinstance(name, str) and name.strip():
        terms.append(name.strip())
    for alias in _get(bank, "aliases") or []:
        if isinstance(alias, str):
            text, needs_context = alias, False
        else:
            text, needs_context = _get(alias, "text"), bool(_get(alias, "needs_context"))
        if isinstance(text, str) and text.strip() and not needs_context and text.strip() not in terms:
            terms.append(text.strip())
    return terms
