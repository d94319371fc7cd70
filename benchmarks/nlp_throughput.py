"""Throughput of Analyzer.analyze_many against bare jieba.lcut, same texts, same process.

    .venv/bin/python benchmarks/nlp_throughput.py [--n 20000] [--data /work/shared/data]

Texts: FinFE forum posts and Weibo posts (real text; read from the shared folder, never copied).
Reports texts/second for both (and for analyze_many without its sentiment model), their ratio
(goal >= 1.0) and peak memory (goal < 600 MB). The sentiment model is the shipped one, or the
folder named by MONITOR_SENTIMENT_MODEL.
"""
from __future__ import annotations

import argparse
import csv
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_DATA = Path("/work/shared/data")


def load_texts(data: Path, n: int) -> list[str]:
    finfe = [row[0] for row in json.loads((data / "finance" / "finfe_train.json").read_text(encoding="utf-8"))]
    weibo: list[str] = []
    with open(data / "sentiment" / "weibo2018_train.txt", encoding="utf-8") as fh:
        for row in csv.reader(fh):
            if len(row) >= 3:
                weibo.append(",".join(row[2:]))
    texts: list[str] = []
    for a, b in zip(finfe, weibo):  # interleave: short forum posts and longer Weibo posts
        texts.extend((a, b))
    texts.extend(finfe[len(weibo):])
    return texts[:n]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--backend", default="rjieba", choices=["rjieba", "jieba"])
    parser.add_argument("--chunk", type=int, default=1000, help="texts per interleaved timing chunk")
    parser.add_argument("--as-about", action="store_true",
                        help="treat every text as about the bank (channel offline), so topics and harm run "
                             "for all of them: the worst case, a stream already filtered to the bank")
    args = parser.parse_args(argv)
    texts = load_texts(args.data, args.n)
    chars = sum(len(t) for t in texts)
    items = [{"text": t, "channel": "offline"} for t in texts] if args.as_about else texts

    import jieba

    from nlp import Analyzer
    from nlp.analyzer import NeutralSentiment

    jieba.setLogLevel(60)
    jieba.initialize()  # load time is not part of the baseline's throughput
    t0 = time.perf_counter()
    analyzer = Analyzer.from_config(backend=args.backend)
    load_s = time.perf_counter() - t0
    bare = analyzer.with_sentiment(NeutralSentiment())
    # Warm caches on the path being timed (with --as-about: topics, keywords and sentiment too),
    # as a running stage would be; jieba was initialised above for the same reason.
    analyzer.analyze_many(items[:50])
    # The machine is shared: time the three in interleaved chunks so a burst of load from
    # elsewhere hits all of them alike, instead of one whole phase.
    jieba_s = analyze_s = bare_s = 0.0
    count = 0
    for start in range(0, len(texts), args.chunk):
        t = time.perf_counter()
        for text in texts[start:start + args.chunk]:
            jieba.lcut(text)
        jieba_s += time.perf_counter() - t
        chunk = items[start:start + args.chunk]
        t = time.perf_counter()
        count += len(analyzer.analyze_many(chunk))
        analyze_s += time.perf_counter() - t
        t = time.perf_counter()
        bare.analyze_many(chunk)
        bare_s += time.perf_counter() - t
    assert count == len(texts)

    n = len(texts)
    print(f"texts: {n} ({chars} characters, mean {chars / n:.0f}), timed in interleaved chunks of {args.chunk}"
          + ("; every text treated as about the bank" if args.as_about else ""))
    print(f"jieba.lcut:                        {n / jieba_s:9.0f} texts/s ({jieba_s:.2f} s)")
    print(f"Analyzer.analyze_many:             {n / analyze_s:9.0f} texts/s ({analyze_s:.2f} s; "
          f"model {analyzer.model_version}, backend {args.backend}, load {load_s:.2f} s)")
    print(f"  the same without sentiment:      {n / bare_s:9.0f} texts/s ({bare_s:.2f} s)")
    print(f"ratio analyze_many / jieba.lcut: {jieba_s / analyze_s:.2f} (goal >= 1.0); "
          f"without sentiment {jieba_s / bare_s:.2f}; sentiment share of the time {1 - bare_s / analyze_s:.0%}")
    print(f"peak memory (max RSS): {peak_mb():.0f} MB (goal < 600)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
