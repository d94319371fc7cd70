#!/usr/bin/env python3
"""Incremental cost of the scoring stage, and a from-scratch backtest.

For each store size (default 10,000 and 1,000,000 generated mentions, SQLite):
1. generate the store: mentions and annotations arriving at a constant rate (20 an hour, so a
   bigger store is a longer history, as in production), grouped into incidents;
2. score it from scratch at the end of its history (stages/score.py, one run);
3. add 1,000 new mentions in the hour after, and time the run that scores them.
The figure is the ratio of step 3's time on the biggest store to the smallest (goal <= 1.5), and
the peak resident memory of that run (goal < 1 GB). Then the backtest (scoring.backtest, both
files the bundled thresholds.yaml) replays the biggest store hour by hour from scratch.

Every timed step runs in its own child process, so its peak RSS is its own.

    .venv/bin/python benchmarks/scoring_incremental.py [--sizes 10000,1000000] [--workdir DIR]
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RATE_PER_HOUR = 20
NEW_MENTIONS = 1000
T_END = datetime(2026, 3, 1, tzinfo=timezone.utc)
BANK = "长河银行"
PRODUCTS = ["长河金卡", "长河如意贷", "稳盈理财1号", "长河手机银行"]
TOPICS = ["fees", "card_freeze", "wealth_loss", "loan_collection", "service_attitude", "queue_wait",
          "system_outage", "fraud_scam", "privacy_leak", "staff_misconduct", "branch_environment",
          "marketing_misselling", "regulatory_penalty", "deposit_safety", "other"]
BRANCHES = [("长河银行宜昌夷陵支行", "宜昌", "湖北"), ("长河银行武汉江汉路支行", "武汉", "湖北"),
            ("长河银行武汉光谷支行", "武汉", "湖北"), ("长河银行荆州沙市支行", "荆州", "湖北"),
            ("长河银行长沙芙蓉路支行", "长沙", "湖南"), ("长河银行重庆解放碑支行", "重庆", "重庆"),
            ("长河银行上海陆家嘴支行", "上海", "上海")]
SITES = [(f"forum{i}.example", "forum") for i in range(12)] + [(f"ts{i}.example", "complaint") for i in range(4)] \
    + [(f"news{i}.example", "news") for i in range(10)] + [(f"weibo{i}.example", "weibo") for i in range(4)]
TEXTS = ["转账一直失败，客服电话打不通", "年费乱扣，说好的免年费呢", "排队两个小时还没办完", "理财亏了不少",
         "催收电话打到单位去了", "卡被冻结了，取不出钱"]
ALARMING = ["听说门口有人拉横幅", "有人说要挤兑了"]  # rare: about one mention in 300


def _generate(db_url: str, start_id: int, count: int, start: datetime, rate: float, seed: int,
              prefix: str, prescored: bool = False) -> None:
    """Insert ``count`` mentions with annotations, ``rate`` an hour from ``start``.

    ``prescored``: also write one event per incident with its memberships and mark the
    annotations scored, as earlier runs would have left the store (events quiet for longer than
    ``close_hours`` closed, the others open and due for evaluation)."""
    from storage.db import Database
    from storage.models import Annotation, Event, EventMention, Mention

    rng = random.Random(seed)
    db = Database(db_url)
    step = 3600.0 / rate
    incidents: list[dict] = []
    events: dict[int, dict] = {}
    memberships: list[dict] = []
    chunk = 20000
    for base in range(0, count, chunk):
        mentions, annotations = [], []
        for k in range(base, min(base + chunk, count)):
            mid = start_id + k
            at = start + timedelta(seconds=k * step + rng.uniform(0, step))
            incidents = [i for i in incidents if i["until"] > at]
            if not incidents or rng.random() < 0.07:
                subject = rng.choice([BANK] + PRODUCTS)
                incidents.append({"subject": subject, "topic": rng.choice(TOPICS),
                                  "until": at + timedelta(hours=rng.uniform(4, 72)), "first": mid,
                                  "event": len(events) + 1})
                events[len(events) + 1] = {"id": len(events) + 1, "entity": subject, "topic": incidents[-1]["topic"],
                                           "key": f"{subject}|{incidents[-1]['topic']}|{mid}", "first_seen": at,
                                           "last_seen": at}
            inc = rng.choice(incidents)
            about = rng.random() > 0.08
            branch = rng.choice(BRANCHES) if rng.random() < 0.5 else None
            site, channel = rng.choice(SITES)
            entities = []
            if about:
                entities.append({"text": inc["subject"], "type": "bank" if inc["subject"] == BANK else "product",
                                 "canonical": inc["subject"]})
                if branch:
                    entities.append({"text": branch[0], "type": "branch", "canonical": branch[0], "city": branch[1],
                                     "province": branch[2]})
            polarity = rng.choices(["neg", "neu", "pos"], [0.6, 0.25, 0.15])[0]
            harm = rng.choices([0, 1, 2, 3], [0.4, 0.35, 0.2, 0.05])[0] if polarity == "neg" else 0
            repost = inc["first"] if (rng.random() < 0.05 and inc["first"] < mid) else None
            mentions.append({"id": mid, "source": site, "channel": channel, "url": f"https://{site}/{prefix}{mid}",
                             "canonical_url": f"https://{site}/{prefix}{mid}", "fingerprint": f"{prefix}{mid:016d}",
                             "simhash": mid, "band0": 0, "band1": 0, "band2": 0, "band3": 0, "title": None,
                             "text": rng.choice(ALARMING if rng.random() < 0.003 else TEXTS), "author": f"user{rng.randint(0, 50000)}",
                             "published_at": at, "fetched_at": at + timedelta(minutes=5), "site": site,
                             "authority": 0.5 if channel != "news" else rng.choices([0.6, 0.7, 0.95], [0.6, 0.35, 0.05])[0],
                             "replies": rng.randint(0, 50), "views": rng.randint(0, 5000), "likes": None,
                             "shares": None, "extra": {}, "near_duplicate_of": repost, "thread_url": None,
                             "run_id": None})
            annotations.append({"mention_id": mid, "model_version": "bench", "polarity": polarity,
                                "sentiment": -0.5 if polarity == "neg" else 0.3, "drivers": [],
                                "topics": [inc["topic"]] if about else [], "causes": [], "entities": entities,
                                "watched": [inc["subject"]] if about else [], "harm": harm, "harm_words": [],
                                "keywords": [], "script": "hans", "analysed_at": at + timedelta(minutes=6),
                                "scored_at": at + timedelta(minutes=10) if prescored else None})
            if prescored and about:
                ev = events[inc["event"]]
                ev["last_seen"] = max(ev["last_seen"], at)
                memberships.append({"event_id": ev["id"], "mention_id": mid})
        with db.transaction() as session:
            session.execute(Mention.__table__.insert(), mentions)
            session.execute(Annotation.__table__.insert(), annotations)
    if prescored:
        end = start + timedelta(hours=count / rate)
        rows = []
        for ev in events.values():
            quiet = end - ev["last_seen"] > timedelta(hours=72)
            rows.append({**ev, "status": "closed" if quiet else "active", "colour": None, "colour_since": None,
                         "state": {} if quiet else {"dirty": True}, "merged_into": None, "updated_at": end})
        with db.transaction() as session:
            session.execute(Event.__table__.insert(), rows)
        for base in range(0, len(memberships), 50000):
            with db.transaction() as session:
                session.execute(EventMention.__table__.insert(), memberships[base:base + 50000])
    db.dispose()


def _peak_mb() -> float:
    """Peak RSS of this process since its exec. VmHWM, not ru_maxrss: Linux carries ru_maxrss
    over exec, so a child of a big parent would report the parent's size."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def child(args: argparse.Namespace) -> None:
    """Run one measured step in this (child) process and print its figures as JSON."""
    from config.loader import load_config
    from storage.db import Database

    config = load_config()
    db = Database(args.db)
    now = datetime.fromisoformat(args.now)
    started, cpu = time.perf_counter(), time.process_time()
    if args.child == "score":
        from stages.score import score_pending

        result = score_pending(config, db, now=now).to_json()
    else:
        from stages.score import backtest

        comparison, replays, _ = backtest(config, config.thresholds, config.thresholds, db, since=None, until=now)
        result = {"warnings": {k: len(r.changes) for k, r in replays.items()},
                  "events": {k: len(r.events) for k, r in replays.items()},
                  "counts": comparison.to_json()["counts"]}
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    db.dispose()
    print(json.dumps({"seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3), "peak_rss_mb": round(_peak_mb(), 1),
                      "result": result}))


def _run_child(kind: str, db: str, now: datetime) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, "--db", db, "--now", now.isoformat()],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(size: int, workdir: Path) -> dict:
    from storage.db import Database

    path = workdir / f"store_{size}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    db = Database(url)
    db.create_schema()
    db.dispose()
    start = T_END - timedelta(hours=size / RATE_PER_HOUR)
    t0 = time.perf_counter()
    _generate(url, 1, size, start, RATE_PER_HOUR, seed=size, prefix="b", prescored=True)
    generated = time.perf_counter() - t0
    scratch = _run_child("score", url, T_END)  # evaluates the store's open events once, at its end
    _generate(url, size + 1, NEW_MENTIONS, T_END, NEW_MENTIONS, seed=size + 1, prefix="n")
    run = _run_child("score", url, T_END + timedelta(hours=1))
    figures = {"size": size, "generate_s": round(generated, 1), "score_from_scratch": scratch, "incremental": run,
               "db": url}
    print(json.dumps(figures, ensure_ascii=False), flush=True)
    return figures


def again(sizes: list[int], workdir: Path, repeats: int) -> dict:
    """More incremental runs on stores already built. Each run works on a fresh copy of the
    store, adds 1,000 mentions in the hour after its last one and scores them, so every run
    sees the same store. On a shared machine CPU seconds are steadier than wall time; the
    figures are the minimum of the runs."""
    import shutil

    from sqlalchemy import func, select, text

    from storage.db import Database
    from storage.models import Mention

    runs: dict[int, list[dict]] = {}
    for size in sizes:
        base = workdir / f"store_{size}.db"
        db = Database(f"sqlite:///{base}")
        with db.engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.dispose()
        work = workdir / f"work_{size}.db"
        for _ in range(repeats):
            for suffix in ("", "-wal", "-shm"):
                Path(str(work) + suffix).unlink(missing_ok=True)
            shutil.copyfile(base, work)
            url = f"sqlite:///{work}"
            db = Database(url)
            with db.transaction() as session:
                last_id, last_at = session.execute(select(func.max(Mention.id), func.max(Mention.published_at))).one()
            db.dispose()
            last_at = last_at if last_at.tzinfo else last_at.replace(tzinfo=timezone.utc)
            start = last_at.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
            _generate(url, last_id + 1, NEW_MENTIONS, start, NEW_MENTIONS, seed=size, prefix="r")
            runs.setdefault(size, []).append(_run_child("score", url, start + timedelta(hours=1)))
            print(json.dumps({"size": size, **runs[size][-1]}, ensure_ascii=False), flush=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(work) + suffix).unlink(missing_ok=True)
    best = {size: min(r["seconds"] for r in rs) for size, rs in runs.items()}
    cpu = {size: min(r["cpu_seconds"] for r in rs) for size, rs in runs.items()}
    return {"best_seconds": best, "best_cpu_seconds": cpu,
            "ratio_wall": round(best[sizes[-1]] / best[sizes[0]], 3),
            "ratio_cpu": round(cpu[sizes[-1]] / cpu[sizes[0]], 3),
            "peak_rss_mb": max(r["peak_rss_mb"] for rs in runs.values() for r in rs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/scoring-bench"))
    parser.add_argument("--no-backtest", action="store_true")
    parser.add_argument("--again", type=int, default=0,
                        help="Only repeat the incremental run this many times on the stores already in --workdir.")
    parser.add_argument("--child", choices=["score", "backtest"])
    parser.add_argument("--db")
    parser.add_argument("--now")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    if args.again:
        print(json.dumps(again([int(s) for s in args.sizes.split(",")], args.workdir, args.again)), flush=True)
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = [measure(int(s), args.workdir) for s in args.sizes.split(",")]
    small, big = results[0], results[-1]
    ratio = big["incremental"]["seconds"] / max(small["incremental"]["seconds"], 1e-9)
    summary = {"ratio": round(ratio, 3), "ratio_goal": 1.5,
               "peak_rss_mb_incremental": max(r["incremental"]["peak_rss_mb"] for r in results)}
    if not args.no_backtest:
        summary["backtest"] = {"size": big["size"],
                               **_run_child("backtest", big["db"], T_END + timedelta(hours=1))}
    print(json.dumps(summary, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
