"""Generic article extraction for pages that have no (or incomplete) selectors.

``extract_article`` runs trafilatura (no network) for title, body and author, and htmldate
(through trafilatura's date step) for the date, then corrects what they typically get wrong on
Chinese sites (measured by benchmarks/extraction_quality.py on crawlers/samples/):

* title: ``<title>`` carries site suffixes ("..._财经频道_某某网", "...-某某网"); a heading or
  ``og:title`` that ``<title>`` starts with is the article's own title; a generic ``<title>``
  (the site's name) loses to a single ``<h1>`` or a ``*title*``-classed element.
* time: htmldate mostly yields a day; Chinese pages put the minute in meta tags
  (``article:published_time``, ``publishdate``), JSON-LD, or next to the title ("发布时间：
  2024-03-01 10:20", "2024年03月01日 10:20", "发表于 2024-3-12 21:47"). Those come first, parsed
  with the source's time zone by crawlers.timeparse; a labelled time with a clock beats any
  unlabelled one, and registration dates ("注册时间") are never taken.
* author: ``<meta name="author">``, JSON-LD, bylines ("作者：", "记者 ", "文 / "), elements classed
  author/nickname; trafilatura's guess last, and never a label such as "发表于".
* body: trafilatura's text without the title, byline and date lines it often keeps at the top and
  the editor/share/app-promotion lines at the bottom; when the densest block of paragraph text
  holds most of it, that block (cleaner) is used instead.
"""
from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timezone
from typing import Any, Iterator

import lxml.html
from lxml import etree

log = logging.getLogger(__name__)

DEFAULT_TZ = "Asia/Shanghai"

_TIME_METAS = (
    "article:published_time", "og:release_date", "og:published_time", "publishdate", "pubdate",
    "publish_date", "publishtime", "publish_time", "release_date", "datepublished", "dc.date",
    "dc.date.issued", "weibo:article:create_at", "sailthru.date", "date",
)
_AUTHOR_METAS = ("author", "article:author", "dc.creator", "byl")
_TITLE_METAS = ("og:title", "twitter:title", "title", "headline")

_DATE = r"(?:\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)"
_CLOCK = r"(?:\d{1,2}\s*(?:[:：]|[时時点點](?=\s*\d))\s*\d{1,2}(?:\s*分)?(?:\s*[:：]\s*\d{2})?)"
_WEEKDAY = r"(?:\s*(?:星期|週|周|礼拜|禮拜)[一二三四五六日天])?"
_WHEN = "(" + _DATE + _WEEKDAY + r"(?:\s*" + _CLOCK + r")?)"
# What a label may introduce besides a full date: "昨天 10:20", "3小时前", "03-01 08:00".
_LOOSE_WHEN = (r"((?:今天|今日|昨天|昨日|前天)\s*" + _CLOCK + r"|\d+\s*(?:秒|分钟|分鐘|小时|小時|天)前|刚刚|剛剛"
               r"|(?<!\d)\d{1,2}\s*[-/月]\s*\d{1,2}\s*日?\s*" + _CLOCK + ")")
_NOT_PUBLISHED = r"(?<!注册)(?<!註冊)(?<!登录)(?<!登錄)(?<!最后)(?<!最後)(?<!更新)(?<!回复)(?<!截止)"
_LABEL = (r"(?:发布时间|發布時間|發佈時間|发表时间|發表時間|发表于|發表於|发布于|發佈於|發布於|发布日期|發布日期|"
          r"日期|时间|時間|Published|Posted)")
_LABELLED_TIME = re.compile(_NOT_PUBLISHED + _LABEL + r"\s*[:：]?\s*" + _WHEN)
_LABELLED_LOOSE = re.compile(_NOT_PUBLISHED + _LABEL + r"\s*[:：]?\s*" + _LOOSE_WHEN)
_ANY_TIME = re.compile(_WHEN)
_ANY_LOOSE = re.compile(r"(?:^|\n)\s*" + _LOOSE_WHEN + r"\s*(?:$|\n)")  # alone on its line
_BYLINE = re.compile(
    r"(?:作者|作\s+者|記者|记者|撰文|文|来源作者|楼主|樓主|发帖人|發帖人)\s*(?:[:：/｜|]\s*|\s+)"
    r"([\u4e00-\u9fff·]{2,6}|[A-Za-z][A-Za-z .'-]{1,30})(?=$|[\s,，、|｜)）])")
# "記者王小明／台北報導", "记者 张三 报道": the name glued to the label, ended by a slash or 报道
_REPORTER = re.compile(r"(?:記者|记者)\s*([\u4e00-\u9fff·]{2,4})\s*(?:[／/]|报道|報導)")
# "基民老李 楼主": a forum's poster name right before the 楼主 mark
_OP_MARK = re.compile(r"(?:^|\n)([^\n\s]{2,16})\s*\n?\s*(?:楼主|樓主)(?:\s*$|\s*\n)")
_BAD_AUTHOR = re.compile(r"发表|發表|时间|時間|\d{4}[-/年]|来源|來源|编辑|編輯|评论|評論|^文$")
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜|--|-| – | — )\s*")
_SPACE = re.compile(r"\s+")
_META_LINE = re.compile(r"(来源|來源|作者|记者|記者|编辑|編輯|责编|責編|发布|發布|发表|發表|点击|點擊|阅读|閱讀|"
                        r"\d+\s*(?:秒|分钟|小时|天)前|\d{4}[-/年.]\d{1,2})")
_TAIL_LINE = re.compile(r"^[（(]?(责任编辑|責任編輯|责编|責編|编辑|編輯|分享到|打开APP|打開APP|长按|長按|扫码|掃碼|"
                        r"Powered by|版权|版權|Copyright|©|下一页|下一頁|相关|相關|更多|\d{4}-\d{2}-\d{2}\s)")
_PARA_TAGS = {"p", "section", "br", "span", "font", "strong", "b", "i", "u"}


def extract_article(html: str, url: str | None = None, *, now: datetime | None = None,
                    tz: str = DEFAULT_TZ) -> dict[str, Any]:
    """Title, body, publish time and author of one article page.

    Returns ``{"title", "content", "publish_time", "author"}``; ``publish_time`` is ISO 8601 in UTC
    (``2024-03-01T02:20:00+00:00``) or None, the others are strings or None. Pure: no network.
    ``now`` anchors relative times ("3小时前"); ``tz`` is the zone of times printed without one.
    """
    now = now or datetime.now(timezone.utc)
    tree = _parse(html)
    ld = _json_ld(tree)
    for bad in tree.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    doc = _trafilatura(html, url)
    title = _title(tree, doc.get("title"), ld)
    author = _author(tree, doc.get("author"), ld)
    content = _body(tree, doc.get("text") or "", title=title, author=author)
    published = _publish_time(tree, doc.get("date"), ld, now=now, tz=tz)
    return {
        "title": title or None,
        "content": content or None,
        "publish_time": published.astimezone(timezone.utc).isoformat() if published else None,
        "author": author or None,
    }


def _parse(html: str) -> Any:
    try:
        return lxml.html.document_fromstring(html or "<html></html>")
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html></html>")


def _trafilatura(html: str, url: str | None) -> dict[str, Any]:
    import trafilatura

    # extensive_search would let htmldate fall back on dateparser, which on a Chinese page tries
    # every locale it knows: 10+ s per process. Our own time patterns cover what it would find.
    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True,
            date_extraction_params={"extensive_search": False, "original_date": True,
                                    "outputformat": "%Y-%m-%d %H:%M:%S"})
    except Exception:  # noqa: BLE001 - a library crash on one odd page must not end the crawl
        log.warning("trafilatura failed on %s", url, exc_info=True)
        return {}
    if doc is None:
        return {}
    return doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)


def _json_ld(tree: Any) -> dict[str, Any]:
    """headline/datePublished/author of the first JSON-LD article object, if any."""
    for node in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(node.text_content() or "")
        except ValueError:
            continue
        for obj in data if isinstance(data, list) else [data]:
            if isinstance(obj, dict) and (obj.get("datePublished") or obj.get("headline")):
                author = obj.get("author")
                if isinstance(author, list):
                    author = author[0] if author else None
                if isinstance(author, dict):
                    author = author.get("name")
                return {"title": obj.get("headline"), "time": obj.get("datePublished"),
                        "author": author if isinstance(author, str) else None}
    return {}


def _text(node: Any) -> str:
    return _SPACE.sub(" ", node.text_content()).strip()


def _lines(tree: Any) -> str:
    """Visible text with a newline between text nodes, so "作者：张三" and "3月1日" stay apart."""
    return "\n".join(t.strip() for t in tree.xpath("//body//text()") if t.strip())


def _metas(tree: Any, names: tuple[str, ...]) -> list[str]:
    """Meta contents for ``names`` (matched on name, property or itemprop), in ``names`` order."""
    found: dict[str, list[str]] = {}
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").strip().lower()
        if key in names and meta.get("content", "").strip():
            found.setdefault(key, []).append(meta.get("content").strip())
    return [value for name in names for value in found.get(name, [])]


def _classed(tree: Any, *words: str) -> Iterator[Any]:
    cond = " or ".join(f"contains(@class,'{w}') or contains(@id,'{w}')" for w in words)
    yield from tree.xpath(f"//body//*[{cond}]")


# ---- title ----------------------------------------------------------------------------------
def _title(tree: Any, extracted: str | None, ld: dict[str, Any]) -> str | None:
    page_title = _SPACE.sub(" ", " ".join(tree.xpath("//head/title//text()"))).strip()
    headings = [_text(h) for h in tree.xpath("//body//h1|//body//h2|//body//h3")]
    classed = [_text(e) for e in _classed(tree, "title", "subject")]
    candidates = [c for c in headings + classed + _metas(tree, _TITLE_METAS) + [ld.get("title") or ""]
                  if 4 <= len(c) <= 120]
    for cand in candidates:  # the <title> starts with it: the article title without suffixes
        if page_title and page_title.startswith(cand) and len(cand) >= 0.3 * len(page_title):
            return cand
    h1s = [_text(h) for h in tree.xpath("//body//h1") if 4 <= len(_text(h)) <= 120]
    if len(h1s) == 1:
        return h1s[0]
    if ld.get("title"):
        return str(ld["title"]).strip()
    stripped = _strip_suffix(page_title) if page_title else ""
    if classed and len(stripped) < 8:  # a <title> that is only the site's name
        best = next((c for c in classed if 5 <= len(c) <= 100), None)
        if best:
            return best
    if extracted and extracted.strip() and extracted.strip() != page_title:
        return _strip_suffix(extracted.strip())
    return stripped or (candidates[0] if candidates else None)


def _strip_suffix(title: str) -> str:
    parts = [p for p in _TITLE_SPLIT.split(title) if p]
    return parts[0] if parts and len(parts[0]) >= 4 else title


# ---- time -----------------------------------------------------------------------------------
def _publish_time(tree: Any, extracted: str | None, ld: dict[str, Any], *, now: datetime,
                  tz: str) -> datetime | None:
    from crawlers.timeparse import parse_time

    def parse(text: str | None) -> datetime | None:
        if not text:
            return None
        try:
            return parse_time(text, now=now, tz=tz)
        except (ValueError, OverflowError):
            return None

    visible = _lines(tree)
    labelled = [m.group(1) for m in _LABELLED_TIME.finditer(visible)]
    loose = [m.group(1) for m in _LABELLED_LOOSE.finditer(visible)]
    unlabelled = [m.group(1) for m in _ANY_TIME.finditer(visible)]
    metas = _metas(tree, _TIME_METAS) + [n.get("datetime") for n in tree.xpath("//time[@datetime]")]
    if ld.get("time"):
        metas.insert(0, str(ld["time"]))
    # Most to least trustworthy; a value with a clock beats a bare day at every level.
    tiers = [
        [v for v in metas if _has_clock(v)],
        [v for v in labelled if _has_clock(v)],
        [v for v in unlabelled if _has_clock(v)],
        loose,  # labelled relative or year-less times ("发布于 04-05 09:10", "发表于 3小时前")
        labelled,
        [extracted] if extracted else [],
        metas,
        [m.group(1) for m in _ANY_LOOSE.finditer(visible)],  # "2小时前" alone on its line
        unlabelled,
    ]
    for tier in tiers:
        for value in tier:
            parsed = parse(_drop_weekday(value))
            if parsed:
                return parsed
    return None


def _has_clock(text: str | None) -> bool:
    return bool(text and re.search(r"\d\s*(?:[:：]|[时時点點])\s*\d{1,2}", text))


def _drop_weekday(text: str) -> str:
    return re.sub(r"(?:星期|週|周|礼拜|禮拜)[一二三四五六日天]", " ", text)


# ---- author ---------------------------------------------------------------------------------
def _author(tree: Any, extracted: str | None, ld: dict[str, Any]) -> str | None:
    def ok(name: str | None) -> str | None:
        name = _SPACE.sub(" ", name or "").strip(" ：:/|")
        return name[:60] if 2 <= len(name) <= 60 and not _BAD_AUTHOR.search(name) else None

    for value in _metas(tree, _AUTHOR_METAS) + [ld.get("author") or ""]:
        if ok(value):
            return ok(value)
    head = _lines(tree)[:4000]
    for pattern in (_BYLINE, _REPORTER, _OP_MARK):
        match = pattern.search(head)
        if match and ok(match.group(1)):
            return ok(match.group(1))
    for node in _classed(tree, "author", "auth", "nickname", "u-name", "username", "user-name", "user"):
        for text in (t.strip() for t in node.xpath(".//text()")):
            if ok(text) and len(text) <= 20:
                return ok(text)
    if extracted and ";" not in extracted:
        return ok(extracted)
    return None


# ---- body -----------------------------------------------------------------------------------
def _body(tree: Any, extracted: str, *, title: str | None, author: str | None) -> str:
    cleaned = _clean_body(extracted, title=title, author=author)
    dense = _dense_text(tree)
    if dense and (not cleaned or len(dense) >= 0.6 * len(cleaned)):
        return _clean_body(dense, title=title, author=author)
    return cleaned


def _clean_body(text: str, *, title: str | None, author: str | None) -> str:
    lines = [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]
    squashed_title = _SPACE.sub("", title or "")
    # Top: everything up to the title line, then byline/date/author lines.
    for i, line in enumerate(lines[:6]):
        if squashed_title and _SPACE.sub("", line) == squashed_title:
            lines = lines[i + 1:]
            break
    while lines and len(lines[0]) <= 40 and (_META_LINE.search(lines[0]) or lines[0] == author):
        lines.pop(0)
    while lines and len(lines[-1]) <= 40 and _TAIL_LINE.search(lines[-1]):
        lines.pop()
    return "\n".join(lines)


def _own_paragraphs(node: Any) -> list[str]:
    """Text of ``node`` that sits in it directly or in paragraph-like children (p, br-separated)."""
    parts: list[str] = []
    if node.text and node.text.strip():
        parts.append(node.text.strip())
    for child in node:
        if not isinstance(child.tag, str):
            continue
        if child.tag in _PARA_TAGS:
            text = _text(child)
            if text:
                parts.append(text)
        if child.tail and child.tail.strip():
            parts.append(child.tail.strip())
    return parts


def _dense_text(tree: Any) -> str:
    """The paragraphs of the element holding the most paragraph text, links discounted."""
    best, best_score = [], 0
    for node in tree.xpath("//body//*[self::div or self::td or self::article or self::section or self::main]"):
        parts = _own_paragraphs(node)
        length = sum(len(p) for p in parts)
        if length < 30:
            continue
        links = sum(len(_text(a)) for a in node.xpath("./a|./p//a"))
        score = length - 2 * links
        if score > best_score:
            best, best_score = parts, score
    return "\n".join(best)
