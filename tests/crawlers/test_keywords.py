from crawlers.keywords import KeywordFilter
from tests.crawlers.conftest import build_source


def test_include_exclude_ignore_script_case_and_spacing():
    f = KeywordFilter(["长河银行", "ATM"], ["招聘"])
    assert f.passes("長河 銀行 網點", None)
    assert f.passes(None, "门口的atm机坏了")
    assert not f.passes("长河银行招聘公告", "")
    assert not f.passes("别的银行", "无关")
    assert KeywordFilter().passes(None, None)


def test_watchlist_terms_join_the_include_list():
    source = build_source(keywords={"include": ["挤兑"], "watchlist": True})
    f = KeywordFilter.of(source, ["长河银行", "长行"])
    assert f.passes("长行又出事了", "") and f.passes("挤兑传闻", "")
    assert not f.passes("天气", "晴")
    assert not KeywordFilter.of(build_source())
