#!/usr/bin/env python3
"""Crawl throughput: the project's html crawl vs a bare Scrapy spider, same pages, same run.

A local site of N generated article pages (benchmarks/_local_site.py, 20 links per list page,
paginated) is crawled with politeness off (no delay, no robots.txt, no AutoThrottle, 32 requests
in flight) by
  * project: crawlers.scrapy_run.run_specs on an `html` source with title/body/time/author
    selectors: charset detection, selector extraction, time parsing, keyword filter, Mention
    building (fingerprint, simhash), JSON hand-back to the parent;
  * bare: a minimal scrapy.Spider following the same links and yielding each page's <h1> as an
    item (counted through the item_scraped signal: no pipelines).
Both run in a child process of their own (the project's parent process builds the Mentions from
the streamed items meanwhile). Pages/second is measured inside the crawl (Scrapy's start_time ->
finish_time) and end to end (process start to results in the parent). On a shared machine the
rates swing with other load, so the CPU time spent per page (child processes plus, for the
project, the parent's work) is reported as well. Rounds alternate (bare, project, ...); medians.

    .venv/bin/python benchmarks/crawl_throughput.py [--pages 2000] [--rounds 3] [--json OUT.json]
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from crawlers.scrapy_settings import DEFAULTS, IMPOLITE  # noqa: E402

# Engine settings both crawls share. CONCURRENT_ITEMS is the project's default (see
# crawlers/scrapy_settings.py); giving it to the bare spider too keeps the comparison about the
# per-page work, not about that tuning (with Scrapy's default of 100 the bare spider is slower).
SETTINGS = {**IMPOLITE, "LOG_LEVEL": "ERROR", "RETRY_TIMES": 0, "CONCURRENT_REQUESTS": 32,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 32, "CONCURRENT_ITEMS": DEFAULTS["CONCURRENT_ITEMS"]}


def run_project(base: str, pages: int) -> dict[str, Any]:
    from config.schema.sources import SourcesFile
    from crawlers.scrapy_run import run_specs
    from crawlers.spiders.spec import crawl_spec

    lists = (pages + 19) // 20
    [source] = SourcesFile.model_validate({"defaults": {"delay": 0, "obey_robots": False, "retries": 0}, "sources": [{
        "name": "bench", "type": "html", "channel": "news", "url": f"{base}/list/0.html",
        "max_pages": lists, "max_items": pages,
        "html": {"item_links": "ul.list a::attr(href)", "next_page": "a.next::attr(href)", "title": "h1.t",
                 "body": "div.content p", "time": "span.time", "author": "span.author"}}]}).sources
    started, cpu = time.monotonic(), _cpu()
    [result], [stats] = run_specs([crawl_spec(source)], now=datetime.now(timezone.utc), settings=SETTINGS,
                                  timeout_s=600)
    wall, cpu = time.monotonic() - started, _cpu() - cpu
    if not result.ok:
        raise SystemExit(f"project crawl failed: {result.error}")
    return {"responses": stats["responses"], "items": len(result.mentions), "crawl_s": stats["elapsed_s"],
            "wall_s": wall, "cpu_s": cpu}


def _cpu() -> float:
    """CPU seconds used so far by this process and its finished children."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_bare(base: str, pages: int) -> dict[str, Any]:
    started, cpu = time.monotonic(), _cpu()
    out = subprocess.run([sys.executable, __file__, "--bare-child", base, str(pages)], check=True,
                         capture_output=True, text=True, cwd=ROOT)
    wall, cpu = time.monotonic() - started, _cpu() - cpu
    return {**json.loads(out.stdout.strip().splitlines()[-1]), "wall_s": wall, "cpu_s": cpu}


def bare_child(base: str, pages: int) -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess

    items: list[str] = []

    class BareSpider(scrapy.Spider):
        name = "bare"

        async def start(self):  # type: ignore[override]
            yield scrapy.Request(f"{base}/list/0.html", callback=self.parse_list)

        def parse_list(self, response):  # type: ignore[no-untyped-def]
            for href in response.css("ul.list a::attr(href)").getall():
                yield response.follow(href, callback=self.parse_item)
            nxt = response.css("a.next::attr(href)").get()
            if nxt:
                yield response.follow(nxt, callback=self.parse_list)

        def parse_item(self, response):  # type: ignore[no-untyped-def]
            yield {"title": response.css("h1::text").get()}

    def count(item, response, spider):  # type: ignore[no-untyped-def]
        items.append(item["title"] or "")

    process = CrawlerProcess({**SETTINGS, "USER_AGENT": "bench-bare"})
    crawler = process.create_crawler(BareSpider)
    from scrapy import signals

    crawler.signals.connect(count, signal=signals.item_scraped)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats()
    elapsed = (stats["finish_time"] - stats["start_time"]).total_seconds()
    print(json.dumps({"responses": stats.get("downloader/response_count", 0), "items": len(items),
                      "crawl_s": elapsed}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--bare-child", nargs=2, metavar=("BASE", "PAGES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_child:
        bare_child(args.bare_child[0], int(args.bare_child[1]))
        return 0
    from _local_site import SiteProcess

    runs: dict[str, list[dict[str, Any]]] = {"bare": [], "project": []}
    with SiteProcess(args.pages) as base:
        for i in range(args.rounds):
            for name, fn in (("bare", run_bare), ("project", run_project)):
                run = fn(base, args.pages)
                run["crawl_pps"] = run["responses"] / run["crawl_s"]
                run["wall_pps"] = run["responses"] / run["wall_s"]
                run["cpu_ms_per_page"] = 1000 * run["cpu_s"] / run["responses"]
                runs[name].append(run)
                print(f"round {i + 1} {name:8} responses={run['responses']} items={run['items']} "
                      f"crawl={run['crawl_s']:.2f}s ({run['crawl_pps']:.0f} p/s) "
                      f"end-to-end={run['wall_s']:.2f}s ({run['wall_pps']:.0f} p/s) cpu={run['cpu_ms_per_page']:.2f} ms/page",
                      flush=True)
    summary = {name: {key: statistics.median(r[key] for r in rs) for key in ("crawl_pps", "wall_pps", "cpu_ms_per_page")}
               for name, rs in runs.items()}
    ratio_crawl = summary["project"]["crawl_pps"] / summary["bare"]["crawl_pps"]
    ratio_wall = summary["project"]["wall_pps"] / summary["bare"]["wall_pps"]
    # Load on a shared machine drifts within seconds: the ratio inside each (bare, project) pair
    # of neighbouring runs is steadier than the ratio of the two medians.
    pairs = [p["crawl_pps"] / b["crawl_pps"] for b, p in zip(runs["bare"], runs["project"])]
    pair_ratio = statistics.median(pairs)
    print(f"median pages/s  bare {summary['bare']['crawl_pps']:.0f}  project {summary['project']['crawl_pps']:.0f}"
          f"  ratio {ratio_crawl:.2f} (in-crawl; goal >= 0.8)")
    print(f"median pages/s end-to-end  bare {summary['bare']['wall_pps']:.0f}  project "
          f"{summary['project']['wall_pps']:.0f}  ratio {ratio_wall:.2f}")
    print(f"per-round ratios (in-crawl) {', '.join(f'{r:.2f}' for r in pairs)}; median {pair_ratio:.2f}")
    print(f"median CPU ms/page  bare {summary['bare']['cpu_ms_per_page']:.2f}  project "
          f"{summary['project']['cpu_ms_per_page']:.2f}")
    if args.json:
        args.json.write_text(json.dumps({"pages": args.pages, "runs": runs, "median": summary,
                                         "ratio_crawl": ratio_crawl, "ratio_end_to_end": ratio_wall,
                                         "pair_ratios": pairs, "pair_ratio_median": pair_ratio}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
