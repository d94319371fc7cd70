"""``search`` sources: a site's own search page, run for every keyword.

The source's ``url`` is a template with ``{keyword}`` (percent-encoded in ``search.encoding``) and
optionally ``{page}`` (from ``search.first_page``, then +1 up to ``max_pages`` while results
come). Result pages and article pages are read with the source's ``html:`` selectors.
"""
from __future__ import annotations

from typing import Any, AsyncIterator, Iterator
from urllib.parse import quote

from scrapy.http import Response

from .html import HtmlSpider


class SearchSpider(HtmlSpider):
    name = "search"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.first_pages: dict[str, int] = {}  # keyword -> results on its first page

    def url_for(self, keyword: str, page: int) -> str:
        encoding = self.spec["search"].get("encoding") or "utf-8"
        word = quote(keyword.encode(encoding, errors="replace"), safe="")
        return self.spec["url"].replace("{keyword}", word).replace("{page}", str(page))

    async def start(self) -> AsyncIterator[Any]:
        problem = self.check_config()
        if problem is None and not self.spec["search"]["keywords"]:
            problem = "no keywords to search for (watchlist without names?)"
        if problem:
            self.report.config_error = problem
            return
        page = self.spec["search"]["first_page"]
        for keyword in self.spec["search"]["keywords"]:
            yield self.request(self.url_for(keyword, page), self.parse_results, role="list",
                               keyword=keyword, list_page=1, page=page)

    def parse_results(self, response: Response) -> Iterator[Any]:
        sel = self.page(response)
        if sel is None:
            return
        keyword, number = response.meta["keyword"], response.meta["list_page"]
        found = yield from self.list_items(response, sel)
        if number == 1:
            self.first_pages[keyword] = found
        if found and number < self.spec["max_pages"] and "{page}" in self.spec["url"]:
            page = response.meta["page"] + 1
            yield self.request(self.url_for(keyword, page), self.parse_results, role="list",
                               keyword=keyword, list_page=number + 1, page=page)

    def closed(self, reason: str) -> None:
        # One keyword without results is normal; every keyword without results is a broken page.
        if self.first_pages and not any(self.first_pages.values()):
            self.report.selector_misses += len(self.first_pages)
