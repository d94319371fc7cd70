"""sources.yaml validation: every error names file, line, key, what was expected and what was found."""
from pathlib import Path

import pytest

from config.errors import ConfigError
from config.loader import load_config, parse_file
from config.schema.sources import SourcesFile, parse_duration, selector_kind, watchlist_terms

ROOT = Path(__file__).resolve().parents[2]


def errors(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_file(text, "sources.yaml", SourcesFile)
    return [str(issue) for issue in info.value.issues]


def test_the_embedded_default_is_valid():
    config = load_config()
    names = [s.name for s in config.sources.sources]
    assert {"demo-news-feed", "demo-forum", "demo-complaints"} <= set(names)
    assert {s.type for s in config.sources.sources} >= {"feed", "html", "forum"}


def test_defaults_are_inherited():
    data, _ = parse_file(
        "defaults: {timeout: 7s, delay: 2s, max_pages: 3}\n"
        "sources:\n"
        "  - {name: a, type: feed, channel: news, url: 'http://x/a'}\n"
        "  - {name: b, type: feed, channel: news, url: 'http://x/b', timeout: 1m, schedule: {cron: '*/5 * * * *'}}\n",
        "sources.yaml", SourcesFile)
    a, b = data.sources
    assert (a.timeout, a.delay, a.max_pages, a.obey_robots, a.tz) == (7.0, 2.0, 3, True, "Asia/Shanghai")
    assert (b.timeout, b.schedule.every, b.schedule.cron) == (60.0, None, "*/5 * * * *")
    assert a.schedule.every == 1800.0 and a.expected_update == 172800.0


def test_unknown_type_and_bad_duration():
    assert errors(
        "sources:\n"
        "  - name: a\n"
        "    type: rss\n"
        "    channel: news\n"
        "    url: http://x/\n"
        "    schedule: {every: ten minutes}\n") == [
        "sources.yaml:3: sources[0].type: expected 'feed', 'html', 'forum', 'search' or 'json', found 'rss'",
        "sources.yaml:6: sources[0].schedule.every: expected a duration such as 30s, 10m, 2h or 1d, "
        "found 'ten minutes'",
    ]


def test_unknown_key_lists_the_known_ones():
    (message,) = errors("sources:\n  - {name: a, type: feed, channel: news, url: 'http://x/', colour: red}\n")
    assert message.startswith("sources.yaml:2: sources[0].colour: expected one of the known keys (authority, ")
    assert message.endswith(", url), found unknown key 'colour'")


@pytest.mark.parametrize("line, expected", [
    ("url: ftp://x/", "sources.yaml:5: sources[0].url: expected an http:// or https:// URL, found 'ftp://x/'"),
    ("html: {item_links: 'a[['}", "sources.yaml:5: sources[0].html.item_links: expected a valid CSS selector, "
                                  "found 'a[['"),
    ("html: {title: '//h1[@'}", "sources.yaml:5: sources[0].html.title: expected a valid XPath selector, "
                                "found '//h1[@'"),
    ("schedule: {cron: 'every day'}", "sources.yaml:5: sources[0].schedule.cron: expected a five-field crontab "
                                      "expression such as '*/15 8-22 * * *', found 'every day'"),
    ("schedule: {every: 1h, cron: '0 * * * *'}", "sources.yaml:5: sources[0].schedule.cron: expected either "
                                                 "`every` or `cron`, not both, found '0 * * * *'"),
    ("schedule: {slots: [{from: '8am', to: '22:00', every: 10m}]}",
     "sources.yaml:5: sources[0].schedule.slots[0].from: expected a time of day as HH:MM, e.g. 08:00, found '8am'"),
    ("authority: 11", "sources.yaml:5: sources[0].authority: expected less than or equal to 10, found 11"),
    ("tz: Mars/Base", "sources.yaml:5: sources[0].tz: expected an IANA time zone such as Asia/Shanghai, "
                      "found 'Mars/Base'"),
])
def test_field_errors(line, expected):
    text = "sources:\n  - name: a\n    type: html\n    channel: news\n    " + line + "\n"
    if not line.startswith("url:"):
        text += "    url: http://x/\n"
    assert errors(text) == [expected]


def test_json_mapping_errors():
    assert errors("sources:\n  - name: a\n    type: json\n    channel: api\n    url: http://x/\n"
                  "    json: {items: 'data.[', fields: {url: id}}\n") == [
        "sources.yaml:6: sources[0].json.items: expected a JMESPath expression such as data.items, found 'data.['"]


def _cross(tmp_path: Path, sources_yaml: str) -> list[str]:
    for name in ("watchlist.yaml", "taxonomy.yaml", "alerts.yaml"):
        (tmp_path / name).write_bytes((ROOT / "config" / name).read_bytes())
    (tmp_path / "thresholds.yaml").write_bytes((ROOT / "thresholds.yaml").read_bytes())
    (tmp_path / "sources.yaml").write_text(sources_yaml, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    issues = [str(i).replace(str(tmp_path) + "/", "") for i in info.value.issues]
    return [i for i in issues if i.startswith("sources.yaml")]  # other files belong to other tests


def test_cross_checks(tmp_path):
    assert _cross(tmp_path,
                  "sources:\n"
                  "  - {name: a, type: feed, channel: news, url: 'http://x/1'}\n"
                  "  - {name: a, type: feed, channel: news, url: 'http://x/2'}\n"
                  "  - {name: f, type: forum, channel: forum, url: 'http://x/3'}\n"
                  "  - {name: s, type: search, channel: search, url: 'http://x/s?q=1'}\n"
                  "  - {name: j, type: json, channel: api, url: 'http://x/4'}\n") == [
        "sources.yaml:3: sources[1].name: expected a name no other source uses, found 'a', already the name of "
        "sources[0]",
        "sources.yaml:4: sources[2].type: expected a `forum:` section (thread_links, post, post_body) for type "
        "forum, found no forum section",
        "sources.yaml:5: sources[3].url: expected a search URL template containing {keyword}, found 'http://x/s?q=1'",
        "sources.yaml:6: sources[4].type: expected a `json:` section (items, fields) for type json, found no json "
        "section",
    ]


def test_parse_duration_and_selector_kind():
    assert [parse_duration(v) for v in ("30s", "10m", "2h", "1d", 45, "1.5h")] == [30, 600, 7200, 86400, 45, 5400]
    with pytest.raises(ValueError):
        parse_duration("-3m")
    assert selector_kind("div.post") == ("css", "div.post")
    assert selector_kind("//div[@class='post']") == ("xpath", "//div[@class='post']")
    assert selector_kind("xpath:string(//title)") == ("xpath", "string(//title)")
    assert selector_kind("css:a::attr(href)") == ("css", "a::attr(href)")


def test_watchlist_terms_skip_context_dependent_aliases():
    watchlist = {"bank": {"name": "长河银行", "aliases": ["长行", {"text": "长河", "needs_context": True}]}}
    assert watchlist_terms(watchlist) == ["长河银行", "长行"]
    assert watchlist_terms(None) == []
