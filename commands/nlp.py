"""`analyze`: annotate JSON lines from stdin, one annotation per line on stdout."""
from __future__ import annotations

import json
from typing import Any, Iterable, TextIO

import click

from config.errors import InputError

from .options import AppContext, common_options


def read_items(lines: Iterable[str]) -> list[dict[str, Any]]:
    """Parse and check every line before anything is analysed.

    A bad line raises InputError("line N: ...") and nothing is printed: output is all lines or
    none, so a caller never has to guess where a half-finished run stopped. Blank lines are skipped.
    """
    items: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(data, dict):
            raise InputError(f"line {number}: expected a JSON object with id and text, found {type(data).__name__}")
        if "id" not in data:
            raise InputError(f"line {number}: missing \"id\"")
        if not isinstance(data["id"], (str, int)) or isinstance(data["id"], bool):
            raise InputError(f"line {number}: \"id\" must be a string or an integer")
        if not isinstance(data.get("text"), str):
            found = "missing" if "text" not in data else type(data["text"]).__name__
            raise InputError(f"line {number}: \"text\" must be a string, found {found}")
        for key in ("title", "author", "channel"):
            if data.get(key) is not None and not isinstance(data[key], str):
                raise InputError(f"line {number}: \"{key}\" must be a string or null")
        items.append({"id": data["id"], "text": data["text"], "title": data.get("title"),
                      "author": data.get("author"), "channel": data.get("channel")})
    return items


def _write(out: TextIO, annotations: Iterable[Any], ids: list[Any]) -> None:
    from nlp.serialize import annotation_to_dict

    for original_id, annotation in zip(ids, annotations):
        record = annotation_to_dict(annotation)
        record["id"] = original_id  # same id, same JSON type as given
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


@click.command("analyze")
@click.option("--input", "input_file", type=click.File("r", encoding="utf-8", errors="strict"), default="-",
              show_default=True, help="JSON lines with id, text and optional title/author/channel ('-' = stdin).")
@click.option("--batch-size", type=click.IntRange(min=1), default=500, show_default=True,
              help="Texts analysed between writes to stdout.")
@common_options
def analyze(app: AppContext, input_file: TextIO, batch_size: int) -> None:
    """Annotate mentions: JSON lines in, one annotation per line out (same id).

    Each input line is {"id": ..., "text": ..., "title": ...} (optional "author", and "channel":
    "offline" marks a branch-staff report, about the bank by definition). Every line is checked before
    any is analysed: a bad line stops the run with exit code 3 and prints nothing on stdout.
    Uses watchlist.yaml and taxonomy.yaml from --config.
    """
    try:
        items = read_items(input_file)
    except UnicodeDecodeError as exc:
        raise InputError(f"input is not UTF-8 text (byte {exc.start})") from None
    from nlp import Analyzer

    analyzer = Analyzer.from_config(app.config_dir)
    out = click.get_text_stream("stdout")
    for start in range(0, len(items), batch_size):
        batch = items[start:start + batch_size]
        _write(out, analyzer.analyze_many(batch), [i["id"] for i in batch])
    out.flush()


COMMANDS: list[click.Command] = [analyze]
