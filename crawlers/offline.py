"""Offline reports: what customers said at the counter, filled in at branches as CSV or Excel.

Columns (header row; Chinese as in the shipped template, English and Traditional aliases accepted):
日期 date, 网点 branch, 渠道 channel (柜台, 电话, 大堂 ...), 客户原话 customer words, 员工备注 staff notes.
日期, 网点 and 客户原话 are required in every non-blank row.

Each row becomes a Mention of channel ``offline``: the text is the customer's words; the title
names the branch (so the branch is found by entity matching); branch, reporting channel and the
staff notes travel in ``extra``. The URL ``offline://<file sha1 prefix>/<row>`` is stable, so
importing the same file twice stores nothing the second time.

All-or-nothing: the first bad row raises ``InputError("FILE row N: ...")`` and no row of that
file is returned, so nothing of it is stored.
"""
from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any, Iterator
from zoneinfo import ZoneInfo

from config.errors import InputError

from .normalize import make_mention
from .records import Mention
from .timeparse import FUTURE_TOLERANCE, parse_time

COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("日期", "date", "時間", "时间", "日期时间", "reported_at"),
    "branch": ("网点", "網點", "branch", "支行", "网点名称", "outlet"),
    "channel": ("渠道", "channel", "来源", "來源", "接触渠道"),
    "words": ("客户原话", "客戶原話", "customer words", "customer_words", "words", "customer", "原话", "text"),
    "notes": ("员工备注", "員工備註", "staff notes", "staff_notes", "notes", "备注", "備註"),
}
REQUIRED = ("date", "branch", "words")
LABELS = {"date": "日期 (date)", "branch": "网点 (branch)", "channel": "渠道 (channel)",
          "words": "客户原话 (customer words)", "notes": "员工备注 (staff notes)"}
OFFLINE_CHANNEL = "offline"
MAX_ROWS = 100_000


@dataclass(frozen=True)
class _OfflineSource:
    name: str
    channel: str = OFFLINE_CHANNEL
    authority: float = 1.0
    max_text_chars: int = 20_000


def _norm_header(value: Any) -> str:
    return " ".join(str(value or "").replace("\ufeff", "").replace("_", " ").split()).lower()


def _header_map(header: list[Any], display: str) -> dict[str, int]:
    names = [_norm_header(h) for h in header]
    found: dict[str, int] = {}
    for key, aliases in COLUMNS.items():
        wanted = {_norm_header(a) for a in aliases}
        for index, name in enumerate(names):
            if name in wanted:
                found.setdefault(key, index)
    missing = [LABELS[k] for k in REQUIRED if k not in found]
    if missing:
        raise InputError(f"{display} row 1: missing column {', '.join(missing)}; "
                         f"the header row must name 日期, 网点, 渠道, 客户原话, 员工备注 (see the template)")
    return found


def _csv_rows(raw: bytes, display: str) -> Iterator[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes every byte sequence
        raise InputError(f"{display}: neither UTF-8 nor GBK text")
    first = text.split("\n", 1)[0]
    dialect = "excel-tab" if "\t" in first and "," not in first else "excel"
    try:
        yield from csv.reader(io.StringIO(text, newline=""), dialect=dialect)
    except csv.Error as exc:
        raise InputError(f"{display}: not a readable CSV file ({exc})") from None


def _xlsx_rows(path: Path, display: str) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises zipfile/KeyError/ValueError alike
        raise InputError(f"{display}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def _cell(row: list[Any], index: int | None) -> Any:
    if index is None or index >= len(row):
        return None
    value = row[index]
    return value.strip() if isinstance(value, str) else value


def _when(value: Any, *, tz: str, now: datetime, where: str) -> datetime:
    zone = ZoneInfo(tz)
    if isinstance(value, datetime):
        parsed = value if value.tzinfo else value.replace(tzinfo=zone)
    elif isinstance(value, date):
        parsed = datetime.combine(value, time(0), tzinfo=zone)
    elif value is None or str(value).strip() == "":
        raise InputError(f"{where}: 日期 (date) is empty")
    else:
        parsed = parse_time(str(value), now=now, tz=tz)  # type: ignore[assignment]
        if parsed is None:
            raise InputError(f"{where}: 日期 (date) {str(value)!r} is not a date such as 2026-03-14 10:20 "
                             f"(or it is in the future)")
    parsed = parsed.astimezone(timezone.utc)
    if parsed - now > FUTURE_TOLERANCE:
        raise InputError(f"{where}: 日期 (date) {str(value)!r} is in the future")
    return parsed


def read_offline_reports(path: str | Path, *, source_name: str = "offline", tz: str = "Asia/Shanghai",
                         fetched_at: datetime) -> list[Mention]:
    """Every row of a branch report file as Mentions, or InputError naming the first bad row."""
    path = Path(path)
    display = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a report file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        rows = _csv_rows(raw, display)
    elif suffix == ".xlsx":
        rows = _xlsx_rows(path, display)
    else:
        raise InputError(f"{display}: unsupported file type {suffix or '(none)'}; use .csv or .xlsx (see the template)")
    digest = hashlib.sha1(raw).hexdigest()[:16]
    source = _OfflineSource(name=source_name)
    header: dict[str, int] | None = None
    mentions: list[Mention] = []
    for number, row in enumerate(rows, start=1):
        if header is None:
            if all(_cell(row, i) in (None, "") for i in range(len(row))):
                continue  # blank lines above the header
            header = _header_map(row, display)
            continue
        if all(_cell(row, i) in (None, "") for i in range(len(row))):
            continue  # blank rows (Excel keeps formatted empty rows)
        if number > MAX_ROWS:
            raise InputError(f"{display}: more than {MAX_ROWS} rows; split the file")
        where = f"{display} row {number}"
        words = _cell(row, header.get("words"))
        branch = _cell(row, header.get("branch"))
        if words in (None, ""):
            raise InputError(f"{where}: 客户原话 (customer words) is empty")
        if branch in (None, ""):
            raise InputError(f"{where}: 网点 (branch) is empty")
        published = _when(_cell(row, header.get("date")), tz=tz, now=fetched_at, where=where)
        channel = _cell(row, header.get("channel"))
        notes = _cell(row, header.get("notes"))
        extra = {"branch": str(branch), "report_channel": str(channel or ""), "staff_notes": str(notes or ""),
                 "file": display, "row": str(number)}
        title = f"{branch}（{channel}）" if channel else str(branch)
        mentions.append(make_mention(source, url=f"offline://{digest}/{number}", title=title, text=str(words),
                                     fetched_at=fetched_at, published_at=published, author=None, extra=extra))
    if header is None:
        raise InputError(f"{display}: the file is empty (no header row)")
    return mentions
