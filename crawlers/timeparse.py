"""Chinese relative and absolute times as pages print them, to aware UTC.

Times without a zone are taken in the source's zone (``tz``, default Asia/Shanghai). Accepted:

* ``刚刚`` / ``刚才``; ``N秒前``, ``N分钟前``, ``N小时前``, ``N天前`` (also ``半小时前``, ``N周前``,
  ``N个月前`` as 30 days);
* ``今天 HH:MM``, ``昨天 HH:MM``, ``前天 HH:MM`` (the time optional: midnight);
* ``2024年3月1日 [HH:MM[:SS]]``, ``2024-03-01 [HH:MM[:SS]]``, ``2024/03/01``, ``2024.03.01``;
* ``03-01 08:00``, ``3月1日 08:00`` (no year: this year, or last year if that would be more than a
  day in the future);
* ISO 8601 (``2024-03-01T08:00:00+08:00``) and RFC 822 (``Fri, 01 Mar 2024 08:00:00 GMT``);
* Unix timestamps of 10 or 13 digits.

A time more than a day after ``now`` is a site's clock or a parse gone wrong, and gives None, as
does anything unparseable. Prefixes such as ``发布于``/``发表时间：`` are tolerated.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

FUTURE_TOLERANCE = timedelta(days=1)

_UNITS = {"秒": 1, "秒钟": 1, "分": 60, "分钟": 60, "小时": 3600, "个小时": 3600, "钟头": 3600, "个钟头": 3600,
          "天": 86400, "日": 86400, "周": 7 * 86400, "星期": 7 * 86400, "个星期": 7 * 86400,
          "月": 30 * 86400, "个月": 30 * 86400}
_RELATIVE = re.compile(r"(\d+|半|一|两|二|三|几)\s*(秒钟|秒|分钟|分|个小时|小时|个钟头|钟头|天|日|个星期|星期|周|个月|月)\s*(?:之)?前")
_SMALL = {"半": 0.5, "一": 1, "两": 2, "二": 2, "三": 3, "几": 3}
_DAY_WORD = re.compile(r"(今天|今日|昨天|昨日|前天)\s*(?:(上午|下午|晚上|凌晨|中午)?\s*(\d{1,2})[:：点时](\d{1,2})?(?:[:：分](\d{1,2}))?)?")
_DAY_OFFSETS = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}
_CLOCK = r"(?:[T\s]*(上午|下午|晚上|凌晨|中午)?\s*(\d{1,2})[:：时点](\d{1,2})(?:[:：分](\d{1,2})(?:\.\d+)?)?)?"
_FULL_DATE = re.compile(r"(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?" + _CLOCK)
_SHORT_DATE = re.compile(r"(?<![\d\-/.])(\d{1,2})\s*(?:月|-|/)\s*(\d{1,2})\s*日?" + _CLOCK + r"(?![\d\-/])")
_ZONE_TAIL = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
_TIMESTAMP = re.compile(r"^\d{10}(\d{3})?$")


@lru_cache(maxsize=32)
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def _hour(meridiem: str | None, hour: int) -> int:
    if meridiem in ("下午", "晚上") and hour < 12:
        return hour + 12
    if meridiem == "中午" and hour < 11:
        return hour + 12
    if meridiem == "凌晨" and hour == 12:
        return 0
    return hour


def _local(day: date, meridiem: str | None, hh: str | None, mm: str | None, ss: str | None, zone: ZoneInfo) -> datetime | None:
    try:
        clock = time(_hour(meridiem, int(hh)) if hh else 0, int(mm) if mm else 0, int(ss) if ss else 0)
        return datetime.combine(day, clock, tzinfo=zone)
    except ValueError:
        return None


def _checked(value: datetime | None, now: datetime) -> datetime | None:
    if value is None:
        return None
    value = value.astimezone(timezone.utc)
    if value - now > FUTURE_TOLERANCE:
        return None
    return value


def parse_time(text: str, *, now: datetime, tz: str = "Asia/Shanghai") -> datetime | None:
    """Parse a page's time string to aware UTC, or None (see module docstring)."""
    if not text or now.tzinfo is None:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        return None
    text = " ".join(str(text).replace("\u3000", " ").split())
    now = now.astimezone(timezone.utc)
    zone = _zone(tz)
    return _checked(_parse(text, now, zone), now)


def _parse(text: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    if text.startswith(("刚刚", "刚才")) or re.search(r"(?<!\S)(刚刚|刚才)", text):
        return now
    if _TIMESTAMP.match(text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return datetime.fromtimestamp(seconds, timezone.utc)
    iso = _iso(text)
    if iso is not None:
        return iso if iso.tzinfo else iso.replace(tzinfo=zone)
    rfc = _rfc822(text)
    if rfc is not None:
        return rfc
    match = _RELATIVE.search(text)
    if match:
        amount = _SMALL.get(match.group(1)) or float(match.group(1))
        return now - timedelta(seconds=amount * _UNITS[match.group(2)])
    today = now.astimezone(zone).date()
    match = _DAY_WORD.search(text)
    if match:
        day = today - timedelta(days=_DAY_OFFSETS[match.group(1)])
        return _local(day, match.group(2), match.group(3), match.group(4), match.group(5), zone)
    match = _FULL_DATE.search(text)
    if match:
        y, mo, d, mer, hh, mm, ss = match.groups()
        try:
            day = date(int(y), int(mo), int(d))
        except ValueError:
            return None
        return _local(day, mer, hh, mm, ss, zone)
    match = _SHORT_DATE.search(text)
    if match:
        mo, d, mer, hh, mm, ss = match.groups()
        for year in (today.year, today.year - 1):
            try:
                value = _local(date(year, int(mo), int(d)), mer, hh, mm, ss, zone)
            except ValueError:
                continue  # 02-29 in a non-leap year: try the year before
            if value is not None and value - now <= FUTURE_TOLERANCE:
                return value
        return None
    return None


def _iso(text: str) -> datetime | None:
    candidate = text.strip()
    if not re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", candidate):
        return None
    candidate = candidate.replace("z", "Z")
    if candidate.endswith("Z"):
        candidate = candidate[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        return None


def _rfc822(text: str) -> datetime | None:
    if not re.search(r"[A-Za-z]{3},?\s+\d{1,2}\s+[A-Za-z]{3}\s+\d{4}|\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d", text):
        return None
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
