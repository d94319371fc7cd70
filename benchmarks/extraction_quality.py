#!/usr/bin/env python3
"""Extraction quality of crawlers.extract.extract_article on the sample pages in crawlers/samples/.

For each page of crawlers/samples/manifest.json: title exact match, publish time right to the
minute, author exact match, body similarity (difflib ratio on whitespace-free text). The same
figures for trafilatura alone (bare_extraction + its htmldate date, no Chinese fallbacks) are the
baseline measured in the same run (with trafilatura's default date search, which falls back on
dateparser: its first call in a process costs seconds). Median milliseconds per page too. Pages are split: ``dev`` pages were used while writing the
Chinese fallbacks (their figures are optimistic), ``holdout`` pages were written afterwards and
not tuned on.

    .venv/bin/python benchmarks/extraction_quality.py [--json OUT.json] [--verbose]
"""
from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawlers.charset import decode_html  # noqa: E402
from crawlers.extract import extract_article  # noqa: E402
from crawlers.timeparse import parse_time  # noqa: E402

SAMPLES = ROOT / "crawlers" / "samples"
_SPACE = re.compile(r"\s+")


def _squash(text: str | None) -> str:
    return _SPACE.sub("", text or "")


def _minute(value: str | None, *, now: datetime, tz: str) -> datetime | None:
    if not value:
        return None
    parsed = parse_time(value, now=now, tz=tz)
    return parsed.replace(second=0, microsecond=0) if parsed else None


def trafilatura_alone(html: str, url: str, *, now: datetime, tz: str) -> dict[str, Any]:
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                      date_extraction_params={"extensive_search": True, "original_date": True,
                                                              "outputformat": "%Y-%m-%d %H:%M:%S"})
    data = doc.as_dict() if doc is not None else {}
    return {"title": data.get("title"), "content": data.get("text"), "publish_time": data.get("date"),
            "author": data.get("author")}


def score(extractor: Callable[..., dict[str, Any]], manifest: dict[str, Any], verbose: bool) -> dict[str, Any]:
    now = datetime.fromisoformat(manifest["now"]).astimezone(timezone.utc)
    tz = manifest["tz"]
    rows = []
    for page in manifest["pages"]:
        html = decode_html((SAMPLES / page["file"]).read_bytes(), None)
        started = time.perf_counter()
        got = extractor(html, page["url"], now=now, tz=tz)
        elapsed = time.perf_counter() - started
        want_time = datetime.fromisoformat(page["publish_time"]).astimezone(timezone.utc)
        row = {
            "file": page["file"],
            "title": (got["title"] or "").strip() == page["title"],
            "time": _minute(got["publish_time"], now=now, tz=tz) == want_time.replace(second=0),
            "author": page["author"] is None or (got["author"] or "").strip() == page["author"],
            "ms": 1000 * elapsed,
            "body": difflib.SequenceMatcher(None, _squash(got["content"]), _squash(page["body"]),
                                            autojunk=False).ratio(),
        }
        rows.append(row)
        if verbose:
            print(f"  {page['file']:24} title={row['title']!s:5} time={row['time']!s:5} "
                  f"author={row['author']!s:5} body={row['body']:.3f}  got: {got['title']!r} {got['publish_time']!r} "
                  f"{got['author']!r}")
    n = len(rows)
    authored = [r for r, p in zip(rows, manifest["pages"]) if p["author"]]
    return {
        "pages": n,
        "title_exact": sum(r["title"] for r in rows) / n,
        "time_to_minute": sum(r["time"] for r in rows) / n,
        "author_exact": sum(r["author"] for r in authored) / max(1, len(authored)),
        "body_similarity_mean": sum(r["body"] for r in rows) / n,
        "body_similarity_min": min(r["body"] for r in rows),
        "median_ms": sorted(r["ms"] for r in rows)[n // 2],
        "rows": rows,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--verbose", action="store_true", help="one line per page")
    args = parser.parse_args()
    manifest = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))
    results: dict[str, Any] = {}
    splits = sorted({p.get("split", "dev") for p in manifest["pages"]}) + ["all"]
    for name, extractor in (("extract_article", extract_article), ("trafilatura_alone", trafilatura_alone)):
        for split in splits:
            pages = [p for p in manifest["pages"] if split == "all" or p.get("split", "dev") == split]
            if args.verbose:
                print(f"{name} / {split}")
            results[f"{name}/{split}"] = score(extractor, {**manifest, "pages": pages}, args.verbose and split != "all")
    print(f"{'extractor / pages':30} {'pages':>5} {'title':>7} {'time':>7} {'author':>7} {'body':>7} {'body min':>9} {'ms/page':>8}")
    for name, r in results.items():
        print(f"{name:30} {r['pages']:5d} {r['title_exact']:7.0%} {r['time_to_minute']:7.0%} "
              f"{r['author_exact']:7.0%} {r['body_similarity_mean']:7.3f} {r['body_similarity_min']:9.3f} {r['median_ms']:8.0f}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
