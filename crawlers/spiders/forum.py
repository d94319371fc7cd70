"""``forum`` sources: thread list -> thread pages -> the opening post and every reply.

Each post is an item of its own. The opening post (floor 1) carries the thread's URL, title and
reply/view counts; a reply gets ``thread_url`` and a URL of its own from
``crawlers.normalize.post_url`` (its permalink, or ``<thread>#post-<id>`` / ``#floor-<n>``, which
canonical_url keeps), so replies never collapse into their thread by URL de-duplication.
Thread pages are followed (``thread_next_page``) up to ``max_pages`` per thread.
"""
from __future__ import annotations

from typing import Any, AsyncIterator, Iterator

from scrapy.http import Response

from crawlers.normalize import post_url

from .base import SourceSpider
from .select import links_of, select, text_of


class ForumSpider(SourceSpider):
    name = "forum"

    async def start(self) -> AsyncIterator[Any]:
        forum = self.spec.get("forum")
        if not forum or not forum.get("thread_links") or not forum.get("post") or not forum.get("post_body"):
            self.report.config_error = "a forum section needs thread_links, post and post_body"
            return
        yield self.request(self.spec["url"], self.parse_list, role="list", list_page=1)

    def parse_list(self, response: Response) -> Iterator[Any]:
        sel = self.page(response)
        if sel is None:
            return
        forum = self.spec["forum"]
        links = links_of(sel, forum["thread_links"])
        if not links:
            self.note_miss(response)
        for link in links:
            if not self.want_more_items():
                break
            url = response.urljoin(link)
            yield self.request(url, self.parse_thread, role="detail", thread=url, thread_page=1, floor=0,
                               thread_title=None)
        number = response.meta.get("list_page", 1)
        if links and number < self.spec["max_pages"] and forum.get("next_page"):
            for link in links_of(sel, forum["next_page"])[:1]:
                yield self.request(response.urljoin(link), self.parse_list, role="list", list_page=number + 1)

    def parse_thread(self, response: Response) -> Iterator[Any]:
        sel = self.page(response)
        if sel is None:
            return
        forum, meta = self.spec["forum"], response.meta
        thread_url, page_no = meta["thread"], meta["thread_page"]
        title = meta.get("thread_title") or text_of(sel, forum.get("title") or "title")
        posts = select(sel, forum["post"])
        if not posts:
            self.report.dropped["thread_without_posts"] += 1
            return
        floor = meta["floor"]
        limit = int(forum.get("max_replies", 200)) + 1  # the opening post plus max_replies replies
        for post in posts:
            floor += 1
            if floor > limit:
                return
            yield self.post_item(response, sel, post, floor=floor, title=title, thread_url=thread_url)
        if page_no < self.spec["max_pages"] and forum.get("thread_next_page"):
            for link in links_of(sel, forum["thread_next_page"])[:1]:
                yield self.request(response.urljoin(link), self.parse_thread, role="detail", thread=thread_url,
                                   thread_page=page_no + 1, floor=floor, thread_title=title)

    def post_item(self, response: Response, sel: Any, post: Any, *, floor: int, title: str | None,
                  thread_url: str) -> dict[str, Any]:
        forum = self.spec["forum"]
        item: dict[str, Any] = {
            "text": text_of(post, forum["post_body"], keep_lines=True),
            "time_text": text_of(post, forum.get("post_time")),
            "author": text_of(post, forum.get("post_author")),
            "likes": text_of(post, forum.get("likes")),
            "extra": {"post_kind": "thread" if floor == 1 else "reply", "floor": str(floor)},
        }
        if floor == 1:
            item.update(url=thread_url, title=title, replies=text_of(sel, forum.get("replies")),
                        views=text_of(sel, forum.get("views")))
            return item
        ids = links_of(post, forum["post_id"]) if forum.get("post_id") else []
        item.update(url=post_url(thread_url, ids[0] if ids else None, floor=floor), title=None,
                    thread_url=thread_url, reply=True)
        item["extra"]["thread_title"] = title or ""
        return item
