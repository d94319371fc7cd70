"""``html`` sources: list page(s) -> article pages, or items read off the list page itself
(``list_only``: one ``item`` element per item, the other selectors relative to it)."""
from __future__ import annotations

from typing import Any, AsyncIterator, Iterator

from scrapy.http import Response

from .base import SourceSpider
from .select import links_of, select, text_of


class HtmlSpider(SourceSpider):
    name = "html"

    def check_config(self) -> str | None:
        html = self.spec["html"]
        if html.get("list_only"):
            return None if html.get("item") else "list_only without an `item` selector"
        return None if html.get("item_links") else "no `item_links` selector"

    async def start(self) -> AsyncIterator[Any]:
        problem = self.check_config()
        if problem:
            self.report.config_error = problem
            return
        yield self.request(self.spec["url"], self.parse_list, role="list", list_page=1)

    def parse_list(self, response: Response) -> Iterator[Any]:
        sel = self.page(response)
        if sel is None:
            return
        found = yield from self.list_items(response, sel)
        if not found:
            self.note_miss(response)
        number = response.meta.get("list_page", 1)
        html = self.spec["html"]
        if found and number < self.spec["max_pages"] and html.get("next_page"):
            for link in links_of(sel, html["next_page"])[:1]:
                yield self.request(response.urljoin(link), self.parse_list, role="list", list_page=number + 1,
                                   **self.carried(response))

    def carried(self, response: Response) -> dict[str, Any]:
        """Request meta a follow-up request inherits (search: the keyword)."""
        return {"keyword": response.meta["keyword"]} if response.meta.get("keyword") else {}

    def list_items(self, response: Response, sel: Any) -> Any:
        """Yield detail requests or list-only items; return how many the page had."""
        html = self.spec["html"]
        if html.get("list_only"):
            rows = select(sel, html["item"])
            for row in rows:
                if self.want_more_items():
                    yield self.row_item(response, row)
            return len(rows)
        links = links_of(sel, html["item_links"])
        for link in links:
            if self.want_more_items():
                yield self.request(response.urljoin(link), self.parse_detail, role="detail", **self.carried(response))
        return len(links)

    def row_item(self, response: Response, row: Any) -> dict[str, Any]:
        html = self.spec["html"]
        links = links_of(row, html["item_links"]) if html.get("item_links") else []
        return {
            "url": response.urljoin(links[0]) if links else response.url,
            "title": text_of(row, html.get("title")),
            "text": text_of(row, html.get("body"), keep_lines=True),
            "time_text": text_of(row, html.get("time")),
            "author": text_of(row, html.get("author")),
            "extra": {"keyword": response.meta["keyword"]} if response.meta.get("keyword") else {},
        }

    def parse_detail(self, response: Response) -> Iterator[dict[str, Any]]:
        sel = self.page(response)
        if sel is not None:
            keyword = response.meta.get("keyword")
            yield self.detail_item(response, sel, extra={"keyword": keyword} if keyword else {})
