"""Quality of the NLP stage on labelled bank mentions.

    .venv/bin/python benchmarks/nlp_quality.py            # our set + bank_dev (江城银行)
    .venv/bin/python benchmarks/nlp_quality.py --ours-only

Our set: tests/data/bank_mentions_*.jsonl (长河银行) with the default config/.
Dev set: /work/shared/data/bank/bank_dev.jsonl (江城银行) with benchmarks/data/jiangcheng/, a
watchlist written from that set's README (never from its lines) and the default taxonomy.
Reports about-the-bank F1, entity exact-match F1 (text, type), topic micro/macro-F1 (on
about-bank lines), harm accuracy and MAE, script accuracy, sentiment accuracy/macro-F1.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OURS = sorted((ROOT / "tests" / "data").glob("bank_mentions_*.jsonl"))
DEV = Path("/work/shared/data/bank/bank_dev.jsonl")
JIANGCHENG = ROOT / "benchmarks" / "data" / "jiangcheng"


def read_jsonl(paths: list[Path]) -> list[dict]:
    rows: list[dict] = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            rows.extend(json.loads(line) for line in fh if line.strip())
    return rows


def jiangcheng_config() -> Path:
    """A config folder: the 江城银行 watchlist beside the default taxonomy."""
    folder = Path(tempfile.mkdtemp(prefix="jiangcheng-"))
    shutil.copy(JIANGCHENG / "watchlist.yaml", folder / "watchlist.yaml")
    shutil.copy(ROOT / "config" / "taxonomy.yaml", folder / "taxonomy.yaml")
    return folder


def measure(name: str, rows: list[dict], config_dir: Path | None, bank: str) -> dict:
    from nlp import Analyzer
    from nlp.metrics import evaluate

    analyzer = Analyzer.from_config(config_dir)
    annotations = analyzer.analyze_many(rows)
    report = evaluate(rows, annotations, bank)
    summary = report.summary()
    print(f"\n## {name} ({len(rows)} lines, model {analyzer.model_version})\n")
    print("| metric | value |\n|---|---|")
    for key, value in summary.items():
        print(f"| {key} | {value:.3f} |" if isinstance(value, float) else f"| {key} | {value} |")
    print("\n| topic | precision | recall | F1 |\n|---|---|---|---|")
    for topic, prf in sorted(report.topic_classes.items()):
        print(f"| {topic} | {prf.precision:.2f} | {prf.recall:.2f} | {prf.f1:.2f} |")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ours-only", action="store_true")
    parser.add_argument("--dev-only", action="store_true")
    args = parser.parse_args(argv)
    if not args.dev_only:
        measure("Our set: 长河银行 (tests/data/bank_mentions_*.jsonl), default config", read_jsonl(OURS), None, "长河银行")
    if not args.ours_only and DEV.exists():
        folder = jiangcheng_config()
        try:
            measure("bank_dev: 江城银行 (/work/shared/data/bank/bank_dev.jsonl), benchmarks/data/jiangcheng",
                    read_jsonl([DEV]), folder, "江城银行")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
