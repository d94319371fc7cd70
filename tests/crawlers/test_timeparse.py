from datetime import datetime, timezone

import pytest

from crawlers.timeparse import parse_time

NOW = datetime(2024, 3, 5, 4, 0, tzinfo=timezone.utc)  # 12:00 in Shanghai


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, expected", [
    ("刚刚", NOW),
    ("30秒前", utc(2024, 3, 5, 3, 59, 30)),
    ("5分钟前", utc(2024, 3, 5, 3, 55)),
    ("3小时前", utc(2024, 3, 5, 1, 0)),
    ("2天前", utc(2024, 3, 3, 4, 0)),
    ("半小时前", utc(2024, 3, 5, 3, 30)),
    ("今天 08:30", utc(2024, 3, 5, 0, 30)),
    ("昨天 10:20", utc(2024, 3, 4, 2, 20)),
    ("前天 23:59", utc(2024, 3, 3, 15, 59)),
    ("2024年3月1日", utc(2024, 2, 29, 16, 0)),
    ("2024年3月1日 14:05", utc(2024, 3, 1, 6, 5)),
    ("发布时间：2024-03-01 08:00:00", utc(2024, 3, 1, 0, 0)),
    ("2024-03-01 08:00", utc(2024, 3, 1, 0, 0)),
    ("2024/03/01", utc(2024, 2, 29, 16, 0)),
    ("2024.03.01 10:00", utc(2024, 3, 1, 2, 0)),
    ("03-01 08:00", utc(2024, 3, 1, 0, 0)),
    ("12-31 08:00", utc(2023, 12, 31, 0, 0)),  # this year's would be in the future: last year
    ("03-07 08:00", utc(2023, 3, 7, 0, 0)),  # two days ahead is "future": last year
    ("3月4日 下午3:00", utc(2024, 3, 4, 7, 0)),
    ("2024-03-01T08:00:00+08:00", utc(2024, 3, 1, 0, 0)),
    ("2024-03-01T08:00:00Z", utc(2024, 3, 1, 8, 0)),
    ("Fri, 01 Mar 2024 08:00:00 GMT", utc(2024, 3, 1, 8, 0)),
    ("Fri, 01 Mar 2024 08:00:00 +0800", utc(2024, 3, 1, 0, 0)),
    ("1709251200", utc(2024, 3, 1, 0, 0)),
])
def test_parse_time(text, expected):
    assert parse_time(text, now=NOW) == expected


def test_other_time_zone():
    assert parse_time("2024-03-01 08:00", now=NOW, tz="Asia/Hong_Kong") == utc(2024, 3, 1, 0, 0)
    assert parse_time("2024-03-01 08:00", now=NOW, tz="Europe/London") == utc(2024, 3, 1, 8, 0)


@pytest.mark.parametrize("text", ["", "garbage", "2099-01-01", "2024-02-30", "2024-03-07 08:00", "明天 10:00",
                                  "25:99", "Fri, 01 Mar 2099 08:00:00 GMT"])
def test_future_or_unparseable_is_none(text):
    assert parse_time(text, now=NOW) is None


def test_within_a_day_ahead_is_kept():
    assert parse_time("2024-03-05 20:00", now=NOW) == utc(2024, 3, 5, 12, 0)


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        parse_time("刚刚", now=datetime(2024, 3, 5))
