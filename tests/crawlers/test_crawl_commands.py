"""`pipeline.py import | sources | preview-source` through the real CLI edge."""
import json
from sqlalchemy import func, select

import pipeline
from storage.db import Database
from storage.models import Mention as MentionRow
from tests.crawlers.feeds import TEXT_A, TEXT_B, rss
from tests.crawlers.localsite import ROBOTS_ALLOW, LocalSite, static
from tests.crawlers.test_crawl_stage import config_dir

GOOD = "日期,网点,渠道,客户原话,员工备注\n2026-03-14 10:20,长河银行宜昌分行,柜台,你们手机银行转账失败，钱到现在都没退回来！,情绪激动\n"
BAD = GOOD + "2026-03-15,长河银行宜昌分行,柜台,,\n"


def count(url: str) -> int:
    db = Database(url)
    try:
        with db.transaction() as s:
            return s.scalar(select(func.count()).select_from(MentionRow))
    finally:
        db.dispose()


def test_import_good_then_again_then_bad(tmp_path, capsys):
    url = f"sqlite:///{tmp_path}/m.db"
    (tmp_path / "good.csv").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.csv").write_text(BAD, encoding="utf-8")
    assert pipeline.main(["import", str(tmp_path / "good.csv"), "--db", url]) == 0
    assert "1 rows, 1 new" in capsys.readouterr().out
    assert pipeline.main(["import", str(tmp_path / "good.csv"), "--db", url]) == 0
    assert "0 new, 1 already stored" in capsys.readouterr().out
    assert pipeline.main(["import", str(tmp_path / "bad.csv"), "--db", url]) == pipeline.EXIT_INPUT
    assert capsys.readouterr().err.strip() == "error: bad.csv row 3: 客户原话 (customer words) is empty"
    assert count(url) == 1


def test_sources_table_and_json(tmp_path, capsys):
    url = f"sqlite:///{tmp_path}/m.db"
    assert pipeline.main(["sources", "--db", url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ["NAME", "TYPE", "CHANNEL", "STATUS"]
    assert any(line.split()[:4] == ["demo-forum", "forum", "forum", "new"] for line in lines[1:])
    assert pipeline.main(["sources", "--db", url, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["name"] for r in rows} >= {"demo-news-feed", "demo-forum", "demo-complaints"}
    assert all(r["consecutive_failures"] == 0 for r in rows)


def test_preview_source_prints_and_stores_nothing(tmp_path, capsys):
    feed = rss([("第一条标题", "/a/1.html", "2026-03-15 10:20", TEXT_A), ("第二条", "/a/2.html", "", TEXT_B)])
    with LocalSite({"/robots.txt": ROBOTS_ALLOW, "/f.xml": static(feed, "application/rss+xml")}) as site:
        folder = config_dir(tmp_path, f"sources:\n  - {{name: f, type: feed, channel: news, url: '{site.url('/f.xml')}'}}\n")
        url = f"sqlite:///{tmp_path}/m.db"
        assert pipeline.main(["preview-source", "f", "--config", str(folder), "--db", url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "f (feed, news): ok; 2 items, 1 pages"
    assert out[1] == "- 2026-03-15 02:20  第一条标题"
    assert out[3].strip() == TEXT_A[:80]
    assert out[4] == "- -  第二条"
    assert not (tmp_path / "m.db").exists() or count(url) == 0


def test_preview_unknown_source(tmp_path, capsys):
    assert pipeline.main(["preview-source", "nope", "--db", f"sqlite:///{tmp_path}/m.db"]) == pipeline.EXIT_NOT_FOUND
    assert capsys.readouterr().err.startswith("error: no source named 'nope' in sources.yaml (known: ")
