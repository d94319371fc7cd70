"""What the sample sites in ``demo/sites/`` say, and what the pipeline should make of it.

The story (all fictional) runs from Thursday 2026-03-12 to Monday 2026-03-16, Beijing time.
Times in the pages are absolute, written as the sites would write them (``2026-03-14 16:40``,
``2026年3月14日 10:20``, ``2026/03/14 08:10``, ``03-15 07:40``), all in Asia/Shanghai.

Each mention is named by its path under ``demo/sites/``; a forum post adds ``#post-ID``
(its ``data-post-id``). Every one of the 48 mentions belongs to exactly one part below.
``tests/demo/test_story.py`` checks this against the pages.

Replay the demo with ``--now`` set to :data:`STORY_NOW` (or to a milestone's time) so
that "now" is just after the story, whatever the wall clock says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

SITE_TIMEZONE = "Asia/Shanghai"
_SH = ZoneInfo(SITE_TIMEZONE)

FIRST_ITEM_AT = datetime(2026, 3, 12, 9, 0, tzinfo=_SH)
LAST_ITEM_AT = datetime(2026, 3, 16, 11, 20, tzinfo=_SH)
# 40 minutes after the last item (2026-03-16 12:00 in Beijing).
STORY_NOW = datetime(2026, 3, 16, 4, 0, tzinfo=timezone.utc)

COLOURS = ("blue", "yellow", "orange", "red")


@dataclass(frozen=True)
class Milestone:
    """From ``at`` on, the event should be at least ``colour`` (given what has been published)."""

    at: datetime
    colour: str
    why: str


@dataclass(frozen=True)
class StoryPart:
    key: str
    summary: str
    entity: str | None  # the watched entity the part is about (None: no watched entity)
    topic: str  # the issue, in plain words (not a taxonomy key)
    min_colour: str | None  # weakest warning expected at STORY_NOW (None: no warning)
    max_colour: str | None  # strongest warning acceptable at STORY_NOW
    mentions: tuple[str, ...]
    milestones: tuple[Milestone, ...] = ()


def _posts(thread: str, count: int) -> tuple[str, ...]:
    return tuple(f"forum/thread/{thread}.html#post-{thread}{n:02d}" for n in range(1, count + 1))


def _utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=_SH).astimezone(timezone.utc)


PARTS: tuple[StoryPart, ...] = (
    StoryPart(
        key="annual_fee",
        summary="One customer in Changsha complains on the complaint site that a 长河金卡 annual fee "
        "of 300 yuan was charged despite a first-year waiver. Nobody else joins in.",
        entity="长河金卡",
        topic="fees",
        min_colour="blue",
        max_colour="blue",
        mentions=("complaints/c1001.html",),
    ),
    StoryPart(
        key="app_outage",
        summary="The 长河手机银行 upgrade on the night of 13 March breaks transfers and freezes cards. "
        "Customers of 武汉江汉路支行, 宜昌夷陵支行 and 荆州沙市支行 post on the forum (Simplified and "
        "Traditional) and the complaint site, with reposts of the same complaint; 江汉晚报 reports "
        "people who cannot withdraw (取不出钱) and plan 维权; a run rumour spreads that evening; on 15 March "
        "depositors queue at 江汉路支行 (排长队取钱, 拉横幅, 挤兑); a national outlet (中国财经时报) and a "
        "Hong Kong outlet report it, and on 16 March 湖北金融监管局 issues a statement naming "
        "国家金融监督管理总局. The bank's own statements and 林晓峰's apology belong here too.",
        entity="长河手机银行",
        topic="system outage: failed transfers and frozen accounts, then a run",
        min_colour="red",
        max_colour="red",
        mentions=(
            "news/articles/n04.html",
            "news/articles/n05.html",
            "news/articles/n06.html",
            "news/articles/n07.html",
            "news/articles/n08.html",
            "news/articles/n09.html",
            "news/articles/n10.html",
            *_posts("1003", 8),
            *_posts("1005", 4),
            *_posts("1006", 5),
            *_posts("1007", 6),
            "complaints/c1002.html",
            "complaints/c1003.html",
            "complaints/c1004.html",
            "complaints/c1005.html",
            "complaints/c1007.html",
            "complaints/c1008.html",
        ),
        milestones=(
            # Generous times: hysteresis may hold a colour back for an evaluation or two.
            Milestone(_utc(14, 9, 0), "blue", "first customers report failed transfers and frozen cards"),
            Milestone(_utc(14, 12, 0), "yellow", "three customers at three branches in three cities, same fault"),
            Milestone(_utc(14, 20, 0), "orange", "forum, complaint site and local news, with harm words (取不出钱, 维权)"),
            Milestone(_utc(16, 10, 0), "red", "bank-run words (挤兑, 排长队取钱, 拉横幅), a national outlet, the regulator"),
        ),
    ),
    StoryPart(
        key="loan_collection",
        summary="Two 长河如意贷 borrowers of 重庆解放碑支行 complain about aggressive collection calls "
        "(forum thread with one reply, and a Traditional complaint). A separate event from the outage.",
        entity="长河如意贷",
        topic="debt collection harassment",
        min_colour="blue",
        max_colour="yellow",
        mentions=(*_posts("1004", 2), "complaints/c1006.html"),
    ),
    StoryPart(
        key="everyday_word",
        summary="A photography thread quoting 长河落日圆 and 历史长河: the ambiguous alias 长河 with no "
        "banking words nearby. Must not count as a mention of the bank or join any event.",
        entity=None,
        topic="none",
        min_colour=None,
        max_colour=None,
        mentions=_posts("1002", 2),
    ),
    StoryPart(
        key="neutral_and_positive",
        summary="Neutral news (2025 results, 周文涛 at a Wuhan finance forum, the upgrade notice) and a "
        "forum thread praising a teller at 光谷支行. Mentions of the bank, but no warning.",
        entity="长河银行",
        topic="none",
        min_colour=None,
        max_colour=None,
        mentions=(
            "news/articles/n01.html",
            "news/articles/n02.html",
            "news/articles/n03.html",
            *_posts("1001", 3),
        ),
    ),
)

# Near-duplicates: the repost and the item it copies (should count once, as reach).
REPOSTS: dict[str, str] = {
    "complaints/c1005.html": "complaints/c1002.html",
    "forum/thread/1003.html#post-100307": "complaints/c1002.html",
}

# Pages not in UTF-8, to exercise charset detection.
ENCODED_PAGES: dict[str, str] = {
    "forum/thread/1007.html": "gbk",
    "news/articles/n08.html": "big5",
}

# Outlets named on the news pages (``span.source``) and how far they reach.
OUTLETS: dict[str, str] = {
    "荆楚财经网": "regional",
    "江汉晚报": "local",
    "中国财经时报": "national",
    "香江財經": "hong_kong",
    "湖北金融监管局": "regulator",
}

MENTION_COUNT = sum(len(part.mentions) for part in PARTS)
