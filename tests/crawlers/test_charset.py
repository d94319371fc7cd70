import pytest

from crawlers.charset import decode_html, detect_charset

SIMPLIFIED = ("<html><head><title>长河银行客服态度恶劣</title></head><body><p>我在长河银行宜昌分行办理业务，"
              "柜员态度很差，排队三个小时。系统故障，转账失败。</p></body></html>")
TRADITIONAL = ("<html><head><title>長河銀行客服態度惡劣</title></head><body><p>我在長河銀行宜昌分行辦理業務，"
               "櫃員態度很差，排隊三個小時。系統故障，轉帳失敗。</p></body></html>")
WITH_META = SIMPLIFIED.replace("<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">')


@pytest.mark.parametrize("body, ctype, codec", [
    (SIMPLIFIED.encode("gbk"), "text/html; charset=GBK", "gb18030"),
    (SIMPLIFIED.encode("gbk"), "text/html; charset=gb2312", "gb18030"),
    (SIMPLIFIED.encode("gbk"), None, "gb18030"),  # no charset anywhere: detected
    (SIMPLIFIED.encode("gbk"), "text/html; charset=iso-8859-1", "gb18030"),  # server default, wrong
    (SIMPLIFIED.encode("utf-8"), "text/html; charset=gbk", "utf-8"),  # declared GBK, really UTF-8
    (TRADITIONAL.encode("big5"), "text/html; charset=big5", "big5hkscs"),
    (TRADITIONAL.encode("big5"), None, "big5hkscs"),
    (TRADITIONAL.encode("big5"), "text/html; charset=utf-8", "big5hkscs"),  # declared UTF-8, really Big5
    (WITH_META.encode("gbk"), "text/html", "gb18030"),
    (WITH_META.encode("gbk"), "text/html; charset=big5", "gb18030"),  # header and meta disagree
    (b"\xef\xbb\xbf" + SIMPLIFIED.encode("utf-8"), "text/html; charset=gbk", "utf-8-sig"),
    (b"<html>plain ascii</html>", None, "utf-8"),
])
def test_detect_charset(body, ctype, codec):
    assert detect_charset(body, ctype) == codec


@pytest.mark.parametrize("text, encoding, ctype", [
    (SIMPLIFIED, "gbk", None), (SIMPLIFIED, "gb18030", "text/html; charset=gb2312"),
    (TRADITIONAL, "big5", "text/html"), (SIMPLIFIED, "utf-8", "text/html; charset=gbk"),
])
def test_decode_html_round_trips(text, encoding, ctype):
    assert decode_html(text.encode(encoding), ctype) == text


def test_gbk_only_characters_in_a_page_labelled_gb2312():
    text = "<p>镕基和喆的名字都不在GB2312里，長河銀行的繁體字也不在。</p>" * 3
    assert decode_html(text.encode("gbk"), "text/html; charset=gb2312") == text


def test_undecodable_bytes_never_raise():
    out = decode_html(b"\x81\xfa garbage \xff\xc0", "text/html; charset=utf-8")
    assert isinstance(out, str) and "garbage" in out
