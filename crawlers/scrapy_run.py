"""Run the Scrapy spiders of html/forum/search sources in a child process; get FetchResults back.

Twisted's reactor cannot be restarted in a process, and a scheduler calls the crawl again and
again, so every call of ``run_spiders`` starts ``python -m crawlers.scrapy_run PLAN.json``: the
parent writes the crawl plans (crawlers.spiders.spec); the child runs one Scrapy crawler per
source concurrently on one reactor and streams JSON lines on its stdout: ``item`` lines as pages
are parsed, one ``result`` line per source at the end. The parent turns items into Mentions as
they arrive (crawlers.spiders.mentions), so normalisation runs beside the crawl on a second
core. The parent kills the child when the whole run overruns its time limit; each source also
has its own limit inside the child (CLOSESPIDER_TIMEOUT).
"""
from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any, Iterable

from crawlers.records import FetchResult
from crawlers.scrapy_settings import DEFAULTS, merged

log = logging.getLogger(__name__)

SCRAPY_TYPES = ("html", "forum", "search")
REPO_ROOT = Path(__file__).resolve().parent.parent
PROCESS_MARGIN_S = 20.0  # child start-up (imports) and shutdown beyond the per-source limit


def run_spiders(sources: list, *, now: datetime, settings: dict | None = None, timeout_s: float | None = None,
                keywords: Iterable[str] = ()) -> list[FetchResult]:
    """Crawl ``sources`` (html/forum/search source configs) and return one FetchResult each, in order.

    ``settings`` are Scrapy settings over the project defaults (crawlers.scrapy_settings);
    a source's own politeness keys override both. ``timeout_s`` bounds the whole run: each source's
    crawl is cut at that limit (minus start-up) and the child process is killed if it overruns.
    ``keywords`` are the watchlist terms that ``search`` sources put into their URL templates.
    """
    from crawlers.spiders.spec import crawl_spec

    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    keywords = list(keywords)
    specs, results = [], {}
    for index, source in enumerate(sources):
        try:
            spec = crawl_spec(source, keywords)
        except (AttributeError, TypeError, ValueError, KeyError) as exc:
            results[index] = FetchResult(source=str(getattr(source, "name", "?")), ok=False,
                                         error=f"unusable source config: {exc}")
            continue
        if spec["type"] not in SCRAPY_TYPES:
            results[index] = FetchResult(source=spec["name"], ok=False,
                                         error=f"type {spec['type']!r} is not crawled by Scrapy")
            continue
        specs.append((index, spec))
    if specs:
        crawled, _ = run_specs([s for _, s in specs], now=now, settings=settings, timeout_s=timeout_s,
                               sources=[sources[i] for i, _ in specs])
        for (index, _), result in zip(specs, crawled):
            results[index] = result
    return [results[i] for i in range(len(sources))]


def run_specs(specs: list[dict[str, Any]], *, now: datetime, settings: dict | None = None,
              timeout_s: float | None = None, sources: list | None = None,
              ) -> tuple[list[FetchResult], list[dict[str, Any]]]:
    """``run_spiders`` on ready-made crawl plans; also returns each crawl's stats (benchmarks).
    ``sources`` are the config objects Mentions are built with (default: the plans' copies)."""
    from crawlers.spiders.mentions import MentionBuilder

    base = merged(DEFAULTS, settings)
    per_source = [float(merged(base, s.get("settings"))["CLOSESPIDER_TIMEOUT"]) for s in specs]
    if timeout_s is not None:
        # leave the child time to start and to report what it got before the parent's deadline
        cap = max(1.0, timeout_s - min(PROCESS_MARGIN_S, timeout_s / 3))
        per_source = [min(t, cap) if t > 0 else cap for t in per_source]
        process_limit = timeout_s
    else:
        process_limit = max(per_source or [0.0]) + PROCESS_MARGIN_S
    plan = {"now": now.isoformat(), "settings": base,
            "specs": [{**spec, "timeout_s": limit} for spec, limit in zip(specs, per_source)]}
    objects = sources or [SimpleNamespace(**spec["mention_source"]) for spec in specs]
    builders = [MentionBuilder(obj, spec, now=now) for obj, spec in zip(objects, specs)]
    with tempfile.TemporaryDirectory(prefix="scrapy-run-") as tmp:
        plan_path = Path(tmp) / "plan.json"
        plan_path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        reports, failure = _run_child(plan_path, Path(tmp) / "child.log", process_limit, builders)
    results, stats = [], []
    for i, (spec, builder) in enumerate(zip(specs, builders)):
        report = reports.get(i)
        if report is None:
            results.append(FetchResult(source=spec["name"], mentions=builder.mentions, ok=False,
                                       error=failure or "the spider process reported nothing for this source"))
            stats.append({})
            continue
        if builder.dropped:
            log.info("%s: dropped by keyword filter: %s", spec["name"], dict(builder.dropped))
        results.append(FetchResult(source=spec["name"], mentions=builder.mentions, ok=report["ok"],
                                   error=report["error"], pages=report["pages"],
                                   selector_misses=report["selector_misses"], retry_after_s=report["retry_after_s"]))
        stats.append({**report.get("stats", {}), "keyword_dropped": dict(builder.dropped)})
    return results, stats


def _run_child(plan_path: Path, log_path: Path, limit_s: float,
               builders: list[Any]) -> tuple[dict[int, dict[str, Any]], str | None]:
    """Run the spider process; feed its items to ``builders``; return its per-source reports and,
    if it failed as a whole, why."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH"))
                                                       if p)}
    deadline = time.monotonic() + limit_s
    reports: dict[int, dict[str, Any]] = {}
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen([sys.executable, "-m", "crawlers.scrapy_run", str(plan_path)], cwd=REPO_ROOT,
                                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log_file)
        lines: queue.Queue[bytes | None] = queue.Queue()
        threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
        failure = None
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                proc.kill()
                failure = f"crawl process exceeded its time limit of {limit_s:.0f}s and was stopped"
                break
            if line is None:
                break
            _take(line, builders, reports)
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
    child_log = log_path.read_text(encoding="utf-8", errors="replace")
    if child_log.strip():
        log.debug("spider process log:\n%s", child_log)
    if failure is None and code != 0:
        last = [line for line in child_log.splitlines() if line.strip()][-1:] or ["no output"]
        failure = f"crawl process failed (exit {code}): {last[0][:300]}"
    return reports, failure


def _pump(stream: IO[bytes], lines: "queue.Queue[bytes | None]") -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def _take(line: bytes, builders: list[Any], reports: dict[int, dict[str, Any]]) -> None:
    try:
        message = json.loads(line)
    except ValueError:
        log.debug("spider process wrote a non-protocol line: %r", line[:200])
        return
    kind = message.get("k")
    if kind == "item":
        builders[message["i"]].add(message["item"])
    elif kind == "result":
        reports[message["i"]] = message


def main(argv: list[str]) -> int:
    """Child side: ``python -m crawlers.scrapy_run PLAN.json``; the protocol owns stdout."""
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    # a stray print() (or a C library writing to fd 1) must not corrupt the protocol
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr

    def emit(message: dict[str, Any]) -> None:
        protocol.write(json.dumps(message, ensure_ascii=False) + "\n")
        protocol.flush()  # the parent builds mentions while we crawl

    from crawlers.spiders.process import crawl_all

    plan = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    for i, result in enumerate(crawl_all(plan, emit)):
        emit({"k": "result", "i": i, **result})
    protocol.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
