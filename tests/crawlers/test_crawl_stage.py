"""stages.crawl.crawl_due against local servers: coverage, blindness, health, reruns, crashes."""
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config.errors import NotFound
from config.loader import load_config
from crawlers.normalize import make_mention
from crawlers.records import FetchResult
from stages.crawl import crawl_due
from storage.models import HttpCache, MentionSighting
from storage.models import Mention as MentionRow
from storage.models import Source as SourceRow
from tests.crawlers.feeds import TEXT_A, TEXT_B, TEXT_C, rss
from tests.crawlers.localsite import ROBOTS_ALLOW, LocalSite, conditional, hang, static

ROOT = Path(__file__).resolve().parents[2]
RFC = "Sun, 15 Mar 2026 10:00:00 +0800"
T0 = datetime(2026, 3, 16, 4, 0, tzinfo=timezone.utc)


def config_dir(tmp_path: Path, sources_yaml: str) -> Path:
    folder = tmp_path / "cfg"
    folder.mkdir()
    for name in ("watchlist.yaml", "taxonomy.yaml", "alerts.yaml"):
        shutil.copy(ROOT / "config" / name, folder / name)
    shutil.copy(ROOT / "thresholds.yaml", folder / "thresholds.yaml")
    (folder / "sources.yaml").write_text(sources_yaml, encoding="utf-8")
    return folder


def sources_yaml(base: str) -> str:
    return f"""
defaults: {{delay: 0s, retries: 0, timeout: 1s, source_timeout: 3s, jitter: 0s, broken_after: 2}}
sources:
  - {{name: good-feed, type: feed, channel: news, url: "{base}/good.xml", schedule: {{every: 30m}}}}
  - {{name: dead-feed, type: feed, channel: news, url: "{base}/dead.xml"}}
  - {{name: slow-feed, type: feed, channel: news, url: "{base}/slow.xml"}}
  - name: forum1
    type: forum
    channel: forum
    url: "{base}/forum/"
    forum: {{thread_links: "a.t::attr(href)", post: div.post, post_body: div.c}}
  - {{name: unused, type: feed, channel: news, url: "{base}/off.xml", enabled: false}}
"""


FEED = rss([("一", "/a/1.html", RFC, TEXT_A), ("二", "/a/2.html", RFC, TEXT_B)])


def site() -> LocalSite:
    return LocalSite({"/robots.txt": ROBOTS_ALLOW, "/good.xml": conditional(FEED, '"v1"', "application/rss+xml"),
                      "/dead.xml": static("boom", "text/plain", 500), "/slow.xml": hang(5)})


def fake_scrapy(sources, *, now, config, terms):
    """Stands in for crawlers.scrapy_run.run_spiders: the forum yields one thread and one reply."""
    out = []
    for source in sources:
        base = source.url + "t/1.html"
        mentions = [make_mention(source, url=base + "#post-1", title="帖子", text=TEXT_C, fetched_at=now,
                                 thread_url=base),
                    make_mention(source, url=base + "#post-2", title="帖子", text=TEXT_A, fetched_at=now,
                                 thread_url=base)]  # TEXT_A is also in the feed: a sighting
        out.append(FetchResult(source=source.name, mentions=mentions, pages=2))
    return out


def clock_at(start: datetime):
    state = {"now": start}
    return state, (lambda: state["now"])


def table_counts(db):
    with db.transaction() as s:
        return (s.scalar(select(func.count()).select_from(MentionRow)),
                s.scalar(select(func.count()).select_from(MentionSighting)))


def test_covered_and_blind_sources_and_health(tmp_path, db):
    with site() as server:
        config = load_config(config_dir(tmp_path, sources_yaml(server.base)))
        state, clock = clock_at(T0)
        summary = crawl_due(config, db, clock=clock, scrapy=fake_scrapy)
        assert sorted(summary.covered) == ["forum1", "good-feed"]
        assert set(summary.blind) == {"dead-feed", "slow-feed"}
        assert summary.blind["dead-feed"] == f"HTTP 500 Internal Server Error from {server.base}/dead.xml"
        assert summary.blind["slow-feed"].startswith("timeout after")
        assert summary.disabled == ["unused"]
        assert (summary.stored.new, summary.stored.sightings) == (3, 1)
        assert table_counts(db) == (3, 1)
        with db.transaction() as s:
            rows = {r.name: r for r in s.scalars(select(SourceRow))}
            cache = s.scalars(select(HttpCache)).all()
        assert rows["good-feed"].status == "ok" and rows["good-feed"].items_last_run == 2
        assert rows["good-feed"].next_due_at == T0 + timedelta(minutes=30)
        assert rows["dead-feed"].status == "failing" and rows["dead-feed"].consecutive_failures == 1
        assert [c.url for c in cache] == [f"{server.base}/good.xml"]

        assert crawl_due(config, db, clock=lambda: T0 + timedelta(minutes=10), scrapy=fake_scrapy).not_due == [
            "good-feed", "dead-feed", "slow-feed", "forum1"]
        # past the default interval (30m) all are due; the second failure breaks the failing ones
        state["now"] = T0 + timedelta(minutes=31)
        later = crawl_due(config, db, clock=clock, scrapy=fake_scrapy)
        assert sorted(later.newly_broken) == ["dead-feed", "slow-feed"]
        with db.transaction() as s:
            assert s.get(SourceRow, "dead-feed").status == "broken"

        # forced rerun: conditional GET says not modified, the forum's items are duplicates
        state["now"] = T0 + timedelta(hours=1)
        again = crawl_due(config, db, clock=clock, scrapy=fake_scrapy, force=True, only=["good-feed", "forum1"])
        assert again.per_source["good-feed"]["not_modified"] is True
        assert again.stored.new == 0 and table_counts(db) == (3, 1)


def test_unknown_source_name(tmp_path, db):
    config = load_config(config_dir(tmp_path, sources_yaml("http://127.0.0.1:9")))
    with pytest.raises(NotFound, match="no source named 'nope'"):
        crawl_due(config, db, only=["nope"])


def test_a_crash_mid_run_loses_nothing_and_duplicates_nothing(tmp_path, db, monkeypatch):
    import stages.crawl as stage

    with site() as server:
        config = load_config(config_dir(tmp_path, sources_yaml(server.base)))
        real = stage.save_health

        def crash_on_forum(session, health, **kw):
            if health.name == "forum1":
                raise RuntimeError("killed")
            return real(session, health, **kw)

        monkeypatch.setattr(stage, "save_health", crash_on_forum)
        with pytest.raises(RuntimeError):
            crawl_due(config, db, clock=lambda: T0, scrapy=fake_scrapy, only=["good-feed", "forum1"])
        monkeypatch.setattr(stage, "save_health", real)
        with db.transaction() as s:
            assert s.get(SourceRow, "forum1") is None  # its transaction rolled back entirely
        crawl_due(config, db, clock=lambda: T0, scrapy=fake_scrapy, only=["good-feed", "forum1"])
        crawl_due(config, db, clock=lambda: T0, scrapy=fake_scrapy, only=["good-feed", "forum1"], force=True)

    uninterrupted = tmp_path / "clean"
    uninterrupted.mkdir()
    from storage.db import Database

    clean = Database(f"sqlite:///{uninterrupted}/c.db")
    clean.create_schema()
    with site() as server:
        config = load_config(config_dir(uninterrupted, sources_yaml(server.base)))
        crawl_due(config, clean, clock=lambda: T0, scrapy=fake_scrapy, only=["good-feed", "forum1"])
    assert table_counts(db) == table_counts(clean) == (3, 1)


@pytest.mark.slow
def test_the_demo_sites_with_the_default_sources(tmp_path, db):
    """The embedded default config against the bundled demo sites, real Scrapy included."""
    from demo.server import serve

    with serve() as demo:
        text = (ROOT / "config/sources.yaml").read_text(encoding="utf-8").replace("http://127.0.0.1:8765", demo.base_url)
        config = load_config(config_dir(tmp_path, text))
        summary = crawl_due(config, db, force=True)
    assert sorted(summary.covered) == ["demo-complaints", "demo-forum", "demo-news-feed"], summary.blind
    assert summary.stored.new == 48  # demo/SITES.md: 10 articles, 30 posts, 8 complaints
    assert summary.stored.near_duplicates == 2  # the two "转发：" reposts of complaints/c1002.html


def test_a_fetch_stuck_past_every_timeout_is_reported_blind(tmp_path, db, monkeypatch):
    import time as _time

    import stages.crawl as stage

    real = stage._fetch_one

    def stuck(source, *args):
        if source.name == "dead-feed":
            _time.sleep(2)
        return real(source, *args)

    monkeypatch.setattr(stage, "_fetch_one", stuck)
    monkeypatch.setattr(stage, "_run_budget", lambda *a: 0.8)
    with site() as server:
        config = load_config(config_dir(tmp_path, sources_yaml(server.base)))
        started = _time.monotonic()
        summary = crawl_due(config, db, clock=lambda: T0, only=["good-feed", "dead-feed"])
        elapsed = _time.monotonic() - started
    assert summary.covered == ["good-feed"]
    assert summary.blind == {"dead-feed": "no result within the run's time budget"}
    assert elapsed < 1.8
    _time.sleep(1.5)  # let the abandoned thread end (its client is closed) while output is captured


def test_stored_articles_are_not_fetched_again(tmp_path, db):
    from tests.crawlers.feeds import page

    feeds = {"n": 1}

    def growing_feed(h):
        items = [(f"第{i}条", f"/a/{i}.html", RFC, "摘要") for i in range(1, feeds["n"] + 1)]
        h.reply(200, rss(items), "application/rss+xml")

    routes = {"/robots.txt": ROBOTS_ALLOW, "/f.xml": growing_feed}
    for i, text in enumerate((TEXT_A, TEXT_B, TEXT_C), start=1):
        routes[f"/a/{i}.html"] = static(page(f"第{i}条", text))
    with LocalSite(routes) as server:
        yaml = (f"defaults: {{delay: 0s, retries: 0}}\nsources:\n  - name: f\n    type: feed\n    channel: news\n"
                f"    url: '{server.base}/f.xml'\n    html: {{title: h1.title, body: div.article-body p}}\n")
        config = load_config(config_dir(tmp_path, yaml))
        first = crawl_due(config, db, clock=lambda: T0, force=True)
        feeds["n"] = 3
        second = crawl_due(config, db, clock=lambda: T0, force=True)
        hits = dict(server.hits)
    assert (first.stored.new, second.stored.new, second.stored.duplicates) == (1, 2, 1)
    assert (hits["/a/1.html"], hits["/a/2.html"], hits["/a/3.html"]) == (1, 1, 1)
    with db.transaction() as s:
        texts = sorted(s.scalars(select(MentionRow.text)))
    assert texts == sorted([TEXT_A, TEXT_B, TEXT_C])
