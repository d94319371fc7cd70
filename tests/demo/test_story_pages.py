"""The sample pages tell the story ``demo/story.py`` describes, with the selectors SITES.md gives.

Reads the files on disk (no server), following the same links and selectors a crawler would.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import opencc
import pytest
import yaml
from parsel import Selector

from demo import story
from demo.server import SITES_DIR, declared_charset

REPO = Path(__file__).resolve().parents[2]
SH = ZoneInfo("Asia/Shanghai")
T2S = opencc.OpenCC("t2s")


def _page(path: str) -> Selector:
    raw = (SITES_DIR / path).read_bytes()
    return Selector(text=raw.decode(declared_charset(raw)))


def _parse_time(text: str) -> datetime:
    """The four absolute formats the sites use, all Beijing time (year 2026 when omitted)."""
    text = text.strip()
    for pattern in (
        r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2}) (?P<H>\d{2}):(?P<M>\d{2})",
        r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日 (?P<H>\d{2}):(?P<M>\d{2})",
        r"(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2}) (?P<H>\d{2}):(?P<M>\d{2})",
        r"(?P<m>\d{2})-(?P<d>\d{2}) (?P<H>\d{2}):(?P<M>\d{2})",
    ):
        match = re.fullmatch(pattern, text)
        if match:
            parts = {k: int(v) for k, v in match.groupdict().items()}
            return datetime(parts.get("y", 2026), parts["m"], parts["d"], parts["H"], parts["M"], tzinfo=SH)
    raise AssertionError(f"unexpected time format: {text!r}")


def _collect_mentions() -> dict[str, dict]:
    """Every mention reachable from the three entry pages: key -> {text, time, format}."""
    mentions: dict[str, dict] = {}
    feed = Selector(text=(SITES_DIR / "news/rss.xml").read_text("utf-8"), type="xml")
    for link in feed.xpath("//item/link/text()").getall():
        path = link.replace("__BASE_URL__/", "")
        page = _page(path)
        mentions[path] = {
            "title": page.css("h1.title::text").get(),
            "text": " ".join(page.css("div.article-body ::text").getall()),
            "time": page.css("span.time::text").get(),
            "author": page.css("span.author::text").get(),
            "source": page.css("span.source::text").get(),
        }
    list_path = "forum/index.html"
    while list_path:
        listing = _page(list_path)
        for item in listing.css("li.thread"):
            thread_path = "forum/" + item.css("a.thread-link::attr(href)").get()
            thread = _page(thread_path)
            for post in thread.css("div.post"):
                mentions[f"{thread_path}#post-{post.attrib['data-post-id']}"] = {
                    "title": thread.css("h1.thread-title::text").get(),
                    "text": post.css("div.content::text").get(),
                    "time": post.css("span.time::text").get(),
                    "author": post.css("span.author::text").get(),
                }
        next_link = listing.css("a.next::attr(href)").get()
        list_path = f"forum/{next_link}" if next_link else None
    for href in _page("complaints/index.html").css("ul.complaint-list li a.complaint-link::attr(href)").getall():
        path = f"complaints/{href}"
        page = _page(path)
        mentions[path] = {
            "title": page.css("h1::text").get(),
            "text": " ".join(page.css("div.complaint-body ::text").getall()),
            "time": page.css("span.time::text").get(),
            "author": page.css("span.author::text").get(),
            "target": page.css("dd.target::text").get(),
        }
    return mentions


@pytest.fixture(scope="module")
def mentions() -> dict[str, dict]:
    return _collect_mentions()


def test_every_mention_belongs_to_exactly_one_story_part(mentions):
    in_parts = [key for part in story.PARTS for key in part.mentions]
    assert len(in_parts) == len(set(in_parts)), "a mention is listed twice"
    assert set(in_parts) == set(mentions)
    assert story.MENTION_COUNT == len(mentions)
    assert 40 <= len(mentions) <= 60


def test_every_mention_has_fields_and_a_time_inside_the_story(mentions):
    times = []
    for key, fields in mentions.items():
        assert fields["title"] and fields["text"] and fields["author"], key
        times.append(_parse_time(fields["time"]))
    assert min(times) == story.FIRST_ITEM_AT
    assert max(times) == story.LAST_ITEM_AT
    assert story.STORY_NOW.tzinfo is timezone.utc
    assert story.LAST_ITEM_AT < story.STORY_NOW <= story.LAST_ITEM_AT.replace(hour=12, minute=0)


def test_times_come_in_several_formats(mentions):
    shapes = {re.sub(r"\d", "9", fields["time"]) for fields in mentions.values()}
    assert {"9999-99-99 99:99", "9999年9月99日 99:99", "9999/99/99 99:99", "99-99 99:99"} <= shapes


def test_about_a_quarter_of_mentions_are_traditional(mentions):
    traditional = [k for k, f in mentions.items() if T2S.convert(f["text"]) != f["text"]]
    assert 0.18 <= len(traditional) / len(mentions) <= 0.35, traditional


def test_reposts_repeat_the_text_they_copy(mentions):
    for repost, original in story.REPOSTS.items():
        assert mentions[repost]["text"].strip().startswith("转发：")
        assert mentions[original]["text"].strip() in mentions[repost]["text"]


def test_encoded_pages_are_really_not_utf8():
    for path, charset in story.ENCODED_PAGES.items():
        raw = (SITES_DIR / path).read_bytes()
        assert declared_charset(raw) == charset
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")


def test_outlets_on_news_pages_are_known(mentions):
    sources = {f["source"] for k, f in mentions.items() if k.startswith("news/")}
    assert sources == set(story.OUTLETS)
    assert {"national", "regulator", "local"} <= set(story.OUTLETS.values())


def _watchlist() -> dict:
    return yaml.safe_load((REPO / "config/watchlist.yaml").read_text("utf-8"))


def test_everyday_sense_of_the_alias_has_no_banking_context(mentions):
    context = _watchlist()["bank"]["context"]
    window, words = context["window"], [T2S.convert(w) for w in context["words"]]
    part = next(p for p in story.PARTS if p.key == "everyday_word")
    for key in part.mentions:
        text = T2S.convert(mentions[key]["title"] + " " + mentions[key]["text"])
        hits = [m.start() for m in re.finditer("长河", text)]
        assert hits, key
        for start in hits:
            nearby = text[max(0, start - window): start + 2 + window]
            assert not any(w in nearby for w in words), (key, nearby)
            assert "长河银" not in nearby


def test_outage_names_three_branches_and_the_escalation_words(mentions):
    part = next(p for p in story.PARTS if p.key == "app_outage")
    text = T2S.convert(" ".join(mentions[k]["text"] + " " + mentions[k]["title"] for k in part.mentions))
    for branch in ("江汉路支行", "夷陵支行", "沙市支行"):
        assert branch in text
    for word in ("取不出钱", "维权", "挤兑", "排长队取钱", "拉横幅", "国家金融监督管理总局", "湖北金融监管局"):
        assert word in text, word
    authors = {mentions[k]["author"] for k in part.mentions if not k.startswith("news/")}
    assert len(authors) >= 3


def test_parts_about_an_entity_name_a_watched_name(mentions):
    # Forum replies carry their thread's title, as the crawler stores them.
    watch = _watchlist()
    names = [watch["bank"]["name"]]
    names += [a for a in watch["bank"]["aliases"] if isinstance(a, str)]
    for entry in watch["branches"] + watch["products"]:
        names += [entry["name"], *(a if isinstance(a, str) else a["text"] for a in entry.get("aliases", []))]
    for part in story.PARTS:
        if part.entity is None:
            continue
        for key in part.mentions:
            text = T2S.convert(mentions[key]["title"] + mentions[key]["text"])
            assert any(name in text for name in names), key
