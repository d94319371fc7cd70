"""crawlers.extract.extract_article on the bundled sample pages, and the `extract` command."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawlers.charset import decode_html
from crawlers.extract import extract_article
from commands.extract import extract

SAMPLES = Path(__file__).resolve().parents[2] / "crawlers" / "samples"
MANIFEST = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))
NOW = datetime.fromisoformat(MANIFEST["now"])


@pytest.mark.parametrize("page", MANIFEST["pages"], ids=lambda p: p["file"])
def test_sample_page_title_time_author(page: dict) -> None:
    html = decode_html((SAMPLES / page["file"]).read_bytes(), None)
    got = extract_article(html, page["url"], now=NOW)
    assert got["title"] == page["title"]
    want = datetime.fromisoformat(page["publish_time"]).astimezone(timezone.utc).replace(second=0)
    assert datetime.fromisoformat(got["publish_time"]).replace(second=0) == want
    if page["author"]:
        assert got["author"] == page["author"]
    first_paragraph = page["body"].split("\n")[0]
    assert first_paragraph in got["content"]


def test_empty_and_garbage_pages_give_nones() -> None:
    assert extract_article("", None, now=NOW) == {"title": None, "content": None, "publish_time": None,
                                                  "author": None}
    got = extract_article("<<<>>>\x00 not html at all", None, now=NOW)
    assert got["publish_time"] is None and got["author"] is None


def test_registration_date_is_not_a_publish_time() -> None:
    html = ("<html><body><h1>标题标题</h1><div>注册时间 2019-5-1</div><div>发表于 2024-3-12 21:47</div>"
            "<p>正文内容正文内容正文内容正文内容正文内容正文内容。</p></body></html>")
    assert extract_article(html, now=NOW)["publish_time"] == "2024-03-12T13:47:00+00:00"


def test_extract_command_prints_json(tmp_path: Path) -> None:
    page = MANIFEST["pages"][1]  # a GBK page: the command must decode it
    result = CliRunner().invoke(extract, [str(SAMPLES / page["file"]), "--now", MANIFEST["now"]])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"title", "content", "publish_time", "author"}
    assert data["title"] == page["title"]


def test_extract_command_missing_file() -> None:
    from config.errors import NotFound

    result = CliRunner().invoke(extract, ["/nonexistent/page.html"])
    assert isinstance(result.exception, NotFound)


def test_extract_command_fetches_a_url() -> None:
    from config.errors import InputError

    from .site import Reply, Site

    page = MANIFEST["pages"][1]
    body = (SAMPLES / page["file"]).read_bytes()
    routes = {"/a.html": Reply(body=body, content_type="text/html"), "/go": Reply(302, b"", headers={"Location": "/a.html"})}
    with Site(routes) as site:
        ok = CliRunner().invoke(extract, [site.url("/go"), "--now", MANIFEST["now"]])
        missing = CliRunner().invoke(extract, [site.url("/nothing")])
    assert ok.exit_code == 0 and json.loads(ok.output)["title"] == page["title"]
    assert isinstance(missing.exception, InputError) and "404" in str(missing.exception)
