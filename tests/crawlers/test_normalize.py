from datetime import datetime, timezone

import pytest

from crawlers.normalize import (canonical_url, clean_text, fingerprint, hamming, make_mention, post_url, simhash,
                                site_of)
from tests.crawlers.conftest import build_source

NOW = datetime(2026, 3, 16, 4, 0, tzinfo=timezone.utc)
LONG = ("长河银行宜昌分行的柜员态度很差，我在这里排队三个小时，还被告知系统故障无法办理业务。"
        "大堂经理说手机银行升级导致转账失败，资金要三个工作日才能退回，我的工资卡也被冻结了。") * 3


@pytest.mark.parametrize("url, expected", [
    ("HTTP://News.Example.COM:80/a?b=2&a=1#top", "http://news.example.com/a?a=1&b=2"),
    ("https://x.com:443/p?utm_source=wx&utm_medium=share&id=7&spm=a1.b2&from=timeline", "https://x.com/p?id=7"),
    ("https://x.com/p?share_token=abc&fbclid=1&gclid=2", "https://x.com/p"),
    ("https://x.com:8443/p", "https://x.com:8443/p"),
    ("http://x.com", "http://x.com/"),
    ("http://x.com/新闻/1.html?q=长河", "http://x.com/%E6%96%B0%E9%97%BB/1.html?q=%E9%95%BF%E6%B2%B3"),
    ("http://x.com/a%2fb", "http://x.com/a%2Fb"),
    ("http://x.com/t/1.html#post-100307", "http://x.com/t/1.html#post-100307"),
    ("http://x.com/app#!/item/3", "http://x.com/app#!/item/3"),
    ("offline://abc123/7", "offline://abc123/7"),
    ("http://x.com/viewtopic.php?t=5&f=2&from=groupmessage", "http://x.com/viewtopic.php?f=2&t=5"),
])
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_canonical_url_keeps_repeated_keys_in_order():
    assert canonical_url("http://x.com/?t=2&a=1&t=1") == "http://x.com/?a=1&t=2&t=1"


@pytest.mark.parametrize("url, site", [
    ("https://bbs.example.com.cn/t/1", "example.com.cn"),
    ("http://news.sina.com.cn/x", "sina.com.cn"),
    ("http://tieba.baidu.com/p/1", "baidu.com"),
    ("http://127.0.0.1:8765/news/", "127.0.0.1:8765"),
    ("http://127.0.0.1/news/", "127.0.0.1"),
    ("http://localhost:8000/", "localhost:8000"),
    ("offline://abc/1", "offline"),
])
def test_site_of(url, site):
    assert site_of(url) == site


def test_fingerprint_same_post_in_both_scripts_and_other_punctuation():
    simplified = "长河银行宜昌分行的柜员态度很差，排队三个小时。"
    traditional = "長河銀行宜昌分行的櫃員態度很差，排隊三個小時。"
    respaced = "长河银行 宜昌分行的柜员态度很差!! 排队三个小时"
    assert fingerprint(simplified) == fingerprint(traditional) == fingerprint(respaced)
    assert fingerprint(simplified) != fingerprint("长河银行宜昌分行的柜员态度很好，排队三个小时。")
    assert len(fingerprint(simplified)) == 40


def test_simhash_near_duplicates_within_three_bits():
    repost = "转发：" + LONG[:100] + "据悉" + LONG[100:]
    other = "今天天气很好，我们一家人去东湖绿道骑车，晚上在户部巷吃了热干面和豆皮，非常开心。" * 3
    assert 0 <= simhash(LONG) < 2 ** 64
    assert hamming(simhash(LONG), simhash(repost)) <= 3
    assert hamming(simhash(LONG), simhash(other)) > 3
    assert simhash("") == 0


def test_clean_text_keeps_paragraphs_and_script():
    assert clean_text("  第一段\u3000\u3000内容\u200b \r\n\r\n\r\n\r\n長河 銀行\t\t好 ") == "第一段 内容\n\n長河 銀行 好"
    assert clean_text("x" * 50, limit=10) == "x" * 10


def test_make_mention_normalises_everything():
    source = build_source(name="news1", channel="news", authority=1.5, max_text_chars=100)
    m = make_mention(source, url="http://News.Example.com.cn/a.html?utm_source=x", title=" 标题\n 一 ",
                     text="正文" * 80, fetched_at=NOW, published_at=NOW, author="  记者 张三 ", replies="1.2万",
                     views="3,456", likes=None, extra={"k": 1, "none": None})
    assert (m.source, m.channel, m.authority) == ("news1", "news", 1.5)
    assert m.canonical_url == "http://news.example.com.cn/a.html"
    assert m.url == "http://News.Example.com.cn/a.html?utm_source=x"
    assert m.title == "标题 一"
    assert len(m.text) == 100
    assert m.site == "example.com.cn"
    assert (m.replies, m.views, m.likes) == (12000, 3456, None)
    assert m.author == "记者 张三"
    assert m.extra == {"k": "1"}
    assert m.fingerprint == fingerprint(m.text) and m.simhash == simhash(m.text)


def test_short_texts_are_only_deduplicated_by_url():
    source = build_source()
    a = make_mention(source, url="http://f.com/t/1#post-1", title=None, text="顶", fetched_at=NOW)
    b = make_mention(source, url="http://f.com/t/2#post-9", title=None, text="顶", fetched_at=NOW)
    assert a.fingerprint != b.fingerprint


def test_make_mention_rejects_naive_times():
    with pytest.raises(ValueError, match="naive"):
        make_mention(build_source(), url="http://x/", title="t", text="x", fetched_at=datetime(2026, 1, 1))


def test_post_url():
    assert post_url("http://f.com/t/1.html", "100307") == "http://f.com/t/1.html#post-100307"
    assert post_url("http://f.com/t/1.html", "pid55") == "http://f.com/t/1.html#pid55"
    assert post_url("http://f.com/t/1.html", "/p/9") == "http://f.com/p/9"
    assert post_url("http://f.com/t/1.html", None) == "http://f.com/t/1.html"
    assert canonical_url(post_url("http://f.com/t/1.html", None, floor=3)) == "http://f.com/t/1.html#floor-3"
