"""Core commands: check-config, init, run, schedule, demo."""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import click

from config.errors import InputError
from config.loader import DEFAULT_CONFIG_DIR, DEFAULT_THRESHOLDS, FILES
from stages.clock import utcnow
from stages.cycle import STAGES, run_cycle
from storage.db import database_url
from storage.runs import mark_interrupted

from .options import AppContext, common_options
from .progress import progress_bar
from .runlock import default_lock_path, run_lock


@click.command("check-config")
@common_options
def check_config(app: AppContext) -> None:
    """Validate every config file (and cross-references) without running anything."""
    config = app.config
    click.echo(f"config OK: {config.directory} (thresholds {config.thresholds_path}, hash {config.thresholds_hash})")


@click.command("init")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
def init(directory: Path, force: bool) -> None:
    """Write a starter config (all YAML files, thresholds.yaml included) into DIRECTORY."""
    names = [name for name, _ in FILES.values()]
    sources = {name: (DEFAULT_THRESHOLDS if name == "thresholds.yaml" else DEFAULT_CONFIG_DIR / name) for name in names}
    existing = [n for n in names if (directory / n).exists()]
    if existing and not force:
        raise InputError(f"{directory} already holds {', '.join(existing)}; use --force to overwrite")
    directory.mkdir(parents=True, exist_ok=True)
    for name, src in sources.items():
        shutil.copyfile(src, directory / name)
    template = Path(__file__).resolve().parent.parent / "crawlers" / "templates"
    if template.is_dir():
        for path in template.iterdir():
            if path.is_file():
                shutil.copyfile(path, directory / path.name)
    click.echo(f"wrote a starter config to {directory}; edit watchlist.yaml and sources.yaml, then run:\n"
               f"  pipeline.py check-config --config {directory}")


def _echo_summary(stats: dict, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False, default=str))
        return
    for stage, values in stats["stages"].items():
        parts = ", ".join(f"{k}={v}" for k, v in values.items() if not isinstance(v, (list, dict)))
        click.echo(f"{stage}: {parts}")
        if values.get("covered"):
            click.echo("  covered: " + ", ".join(str(x) for x in values["covered"]))
        blind = values.get("blind") or {}
        for name, reason in (blind.items() if isinstance(blind, dict) else ((b, "") for b in blind)):
            click.echo(f"  blind: {name}: {reason}".rstrip(": "))


@click.command("run")
@common_options
@click.option("--stage", "stages", multiple=True, type=click.Choice(STAGES),
              help="Run only these stages (repeatable); default: all, in order.")
@click.option("--source", "sources", multiple=True, help="Crawl only these sources (repeatable).")
@click.option("--force", is_flag=True, help="Crawl the chosen sources even if they are not due.")
@click.option("--lock-file", type=click.Path(path_type=Path), envvar="MONITOR_LOCK_FILE",
              help="Run lock [env MONITOR_LOCK_FILE; default: next to the SQLite file].")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as one JSON object.")
def run(app: AppContext, stages: tuple[str, ...], sources: tuple[str, ...], force: bool,
        lock_file: Path | None, as_json: bool) -> None:
    """Run one cycle of everything that is due, then exit (for cron)."""
    config = app.config  # validate before taking the lock or touching the database
    lock = lock_file or default_lock_path(database_url(app.db_url))
    with run_lock(lock):
        db = app.db()
        mark_interrupted(db, at=utcnow())
        options = {"crawl": {"only": list(sources) or None, "force": force}}
        summary = run_cycle(config, db, now=app.now(), clock=utcnow, stages=stages or STAGES,
                            stage_options=options, progress=lambda stage: progress_bar(stage))
    _echo_summary(summary.as_dict(), as_json)


@click.command("schedule")
@common_options
@click.option("--lock-file", type=click.Path(path_type=Path), envvar="MONITOR_LOCK_FILE",
              help="Run lock shared with `run` [env MONITOR_LOCK_FILE].")
def schedule(app: AppContext, lock_file: Path | None) -> None:
    """Run as a long-lived service: crawl, analysis, scoring, alert dispatch and a daily report."""
    from stages.service import serve_forever

    config = app.config
    db = app.db()
    serve_forever(config, db, lock_path=lock_file or default_lock_path(database_url(app.db_url)),
                  now_override=app.now_override)


@click.command("demo")
@common_options
@click.option("--port", default=8765, show_default=True, help="Port of the local sample-site server.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("demo-out"), show_default=True,
              help="Folder for the demo's SQLite database and alert files (recreated).")
def demo(app: AppContext, port: int, out: Path) -> None:
    """Serve the bundled sample sites on 127.0.0.1 and run the whole pipeline over them."""
    from demo.run import run_demo

    run_demo(app, port=port, out=out, echo=click.echo)


COMMANDS: list[click.Command] = [check_config, init, run, schedule, demo]


