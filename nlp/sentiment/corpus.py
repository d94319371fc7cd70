"""Read a labelled corpus: CSV with a header naming `text` and `label`, or JSON lines.

Labels accepted (case-insensitive):
- ``neg`` / ``neu`` / ``pos`` (also ``negative`` / ``neutral`` / ``positive``);
- numbers ``0`` / ``1`` / ``2`` meaning neg / neu / pos, when any row of the file uses ``2``;
- numbers ``0`` / ``1`` meaning neg / pos when no row uses ``2`` (a binary corpus).
JSON lines may name the label ``label`` or ``sentiment`` (our bank sets use the latter).
A bad row stops the read with ``InputError("FILE line N: ...")``; nothing is half-read.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from config.errors import InputError

from .result import LABELS

_WORDS = {"neg": "neg", "negative": "neg", "neu": "neu", "neutral": "neu", "pos": "pos", "positive": "pos"}
_NUMBERS = {"0", "1", "2"}


def read_corpus(path: str | Path) -> list[tuple[str, str]]:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such corpus file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"{path} line {line}: not UTF-8 text") from None
    first = content.lstrip()[:1]
    rows = _json_lines(path, content) if (path.suffix in (".jsonl", ".json", ".ndjson") or first == "{") \
        else _csv_rows(path, content)
    if not rows:
        raise InputError(f"{path}: no labelled rows")
    return _map_labels(path, rows)


def _json_lines(path: Path, content: str) -> list[tuple[int, str, str]]:
    rows: list[tuple[int, str, str]] = []
    for number, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path} line {number}: not valid JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise InputError(f"{path} line {number}: expected a JSON object with text and label, found {type(obj).__name__}")
        label = obj.get("label", obj.get("sentiment"))
        rows.append((number, _text(path, number, obj.get("text")), _label_text(path, number, label)))
    return rows


def _csv_rows(path: Path, content: str) -> list[tuple[int, str, str]]:
    reader = csv.reader(io.StringIO(content))
    header = next(reader, None)
    columns = [c.strip().lower() for c in header] if header else []
    if "text" not in columns or "label" not in columns:
        found = ",".join(header) if header else "an empty file"
        raise InputError(f"{path} line 1: expected a CSV header with text and label columns, found {found!r}")
    text_at, label_at = columns.index("text"), columns.index("label")
    rows: list[tuple[int, str, str]] = []
    for record in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(columns):
            raise InputError(f"{path} line {number}: expected {len(columns)} columns, found {len(record)}")
        rows.append((number, _text(path, number, record[text_at]), _label_text(path, number, record[label_at])))
    return rows


def _text(path: Path, number: int, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{path} line {number}: empty or missing text")
    return value.strip()


def _label_text(path: Path, number: int, value: object) -> str:
    if isinstance(value, bool) or value is None:
        raise InputError(f"{path} line {number}: missing label; expected neg, neu, pos or 0, 1, 2")
    text = str(value).strip().lower()
    if text not in _WORDS and text not in _NUMBERS:
        raise InputError(f"{path} line {number}: unknown label {str(value)!r}; expected neg, neu, pos or 0, 1, 2")
    return text


def _map_labels(path: Path, rows: list[tuple[int, str, str]]) -> list[tuple[str, str]]:
    three_class = any(label == "2" for _, _, label in rows)
    numbers = ("neg", "neu", "pos") if three_class else ("neg", "pos")
    out = []
    for _, text, label in rows:
        mapped = _WORDS.get(label) or numbers[int(label)]
        assert mapped in LABELS
        out.append((text, mapped))
    return out
